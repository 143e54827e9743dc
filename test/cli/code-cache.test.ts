// The code-cache loader of bin/: the bundle's exports come out the same with and without a
// cache, a cache is written only when none was usable, it is tied to the bundle and Node that
// made it, one per command word, and writing it never fails a command; V8's tiering flags are set
// before the bundle compiles, and V8 knows them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFileOf, cacheHeader, loadBundle } from '../../src/cli/code-cache.js';
import { V8_TIERING_FLAGS } from '../../src/cli/v8-tiering.js';

const SOURCE = "exports.answer = function (x) { return require('node:path').basename(__filename) + ':' + (x * 2); };\n";

function bundleFile(source = SOURCE): string {
  const dir = mkdtempSync(join(tmpdir(), 'code-cache-'));
  const file = join(dir, 'bundle.cjs');
  writeFileSync(file, source);
  return file;
}

/** loadBundle, returning the exports and the cache writer it registered (if any) */
function load(file: string, command = '-a'): { answer: (x: number) => string; write: (() => void) | undefined } {
  let write: (() => void) | undefined;
  // the flags are not set in the test process (see the tiering test below)
  const exports = loadBundle<{ answer: (x: number) => string }>(file, { command, atExit: (w) => void (write = w), setV8Flags: () => undefined });
  exports.answer(1); // compiles the function, as a run would
  return { answer: exports.answer, write };
}

describe('code cache', () => {
  it('the first run writes a cache that later runs use; the module works the same both ways', () => {
    const file = bundleFile();
    const first = load(file);
    expect(first.answer(21)).toBe('bundle.cjs:42');
    expect(first.write).toBeDefined();
    first.write!();
    const cache = readFileSync(cacheFileOf(file, '-a'));
    expect(cache.toString('latin1', 0, cache.indexOf(10) + 1)).toBe(cacheHeader(file));
    expect(cache.length).toBeGreaterThan(cacheHeader(file).length + 100);
    const second = load(file);
    expect(second.write).toBeUndefined();
    expect(second.answer(21)).toBe('bundle.cjs:42');
  });

  it('a changed bundle of the same length is not run from the old cache', () => {
    const file = bundleFile();
    load(file).write!();
    writeFileSync(file, SOURCE.replace('x * 2', 'x * 3'));
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const again = load(file);
    expect(again.answer(21)).toBe('bundle.cjs:63');
    expect(again.write).toBeDefined();
  });

  it('a damaged cache with the right header is refused by V8 and made again', () => {
    const file = bundleFile();
    writeFileSync(cacheFileOf(file, '-a'), Buffer.concat([Buffer.from(cacheHeader(file), 'latin1'), Buffer.alloc(4096, 7)]));
    const run = load(file);
    expect(run.answer(1)).toBe('bundle.cjs:2');
    expect(run.write).toBeDefined();
  });

  it('each command word has its own cache; other arguments share one', () => {
    expect(cacheFileOf('/x/b.cjs', '-a')).toBe('/x/b.cjs.-a.cache');
    expect(cacheFileOf('/x/b.cjs', '--list')).toBe('/x/b.cjs.--list.cache');
    expect(cacheFileOf('/x/b.cjs', 'realserver')).toBe('/x/b.cjs.realserver.cache');
    for (const odd of [undefined, '', '../../etc/passwd', '-a/b', '-', 'x'.repeat(40), '-Ln\n']) {
      expect(cacheFileOf('/x/b.cjs', odd)).toBe('/x/b.cjs.other.cache');
    }
  });

  it('a cache that cannot be written is done without: no error, no file left behind', () => {
    const file = bundleFile();
    mkdirSync(cacheFileOf(file, '-a')); // rename onto a directory fails
    const run = load(file);
    expect(() => run.write!()).not.toThrow();
    expect(readdirSync(join(file, '..')).sort()).toEqual(['bundle.cjs', 'bundle.cjs.-a.cache']);
    expect(existsSync(`${cacheFileOf(file, '-a')}.${process.pid}.tmp`)).toBe(false);
    expect(run.answer(2)).toBe('bundle.cjs:4');
  });

  it('sets the tiering flags before the bundle is compiled, for every kind of command', () => {
    const file = bundleFile("globalThis.__tieringOrder.push('bundle ran'); exports.answer = () => 'ok';\n");
    const order: string[] = [];
    (globalThis as { __tieringOrder?: string[] }).__tieringOrder = order;
    try {
      for (const command of ['-Ln', 'metrics', 'restore', undefined]) {
        loadBundle(file, { command, atExit: () => undefined, setV8Flags: (flags) => void order.push(flags) });
      }
    } finally {
      delete (globalThis as { __tieringOrder?: string[] }).__tieringOrder;
    }
    expect(order).toEqual(Array.from({ length: 4 }, () => [V8_TIERING_FLAGS, 'bundle ran']).flat());
  });

  it("the tiering flag is one this Node's V8 knows (an unknown one is ignored silently), raised above its default", () => {
    const m = /^--([a-z-]+)=(\d+)$/.exec(V8_TIERING_FLAGS);
    expect(m, V8_TIERING_FLAGS).not.toBeNull();
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    const dflt = new RegExp(`^\\s+--${m![1]} \\(.*\\n\\s+type: int\\s+default: --${m![1]}=(\\d+)$`, 'm').exec(options);
    expect(dflt, `--${m![1]} in node --v8-options`).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(8 * Number(dflt![1]));
  });
});
