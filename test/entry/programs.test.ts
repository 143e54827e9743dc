// bin/*.js as a shell runs them: each loads the one-file bundle of src/entry/programs.ts (npm test
// builds it; src/cli/code-cache.ts compiles it from a code cache), which holds the whole ipvsadm
// path; the leading-word commands (realserver, lab) stay outside it and load the tsc build on
// demand. Output is checked against dispatch() from src.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/entry/command-table.js';
import { type Io } from '../../src/app/io.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a bin script with a CommonJS loader hook that lists every file module it requires. */
function runBin(bin: string, args: readonly string[]): { stdout: string; stderr: string; status: number | null; loaded: string[] } {
  const hook = `const M = require('node:module'); const load = M._load;
M._load = function (request, parent, isMain) {
  const f = M._resolveFilename(request, parent, isMain);
  if (f.startsWith('/')) process.stderr.write('LOADED ' + f + '\\n');
  return load.apply(this, arguments);
};`;
  const hookFile = join(mkdtempSync(join(tmpdir(), 'entries-')), 'hook.cjs');
  writeFileSync(hookFile, hook);
  const r = spawnSync(process.execPath, ['-r', hookFile, `${ROOT}bin/${bin}`, ...args], { encoding: 'utf8' });
  const lines = r.stderr.split('\n');
  return {
    stdout: r.stdout,
    stderr: lines.filter((l) => !l.startsWith('LOADED ')).join('\n'),
    status: r.status,
    loaded: lines.filter((l) => l.startsWith('LOADED ')).map((l) => l.slice(7).replace(ROOT, '')),
  };
}

async function fromSource(argv: readonly string[]): Promise<{ stdout: string; status: number }> {
  let stdout = '';
  const io = { stdout: (t: string) => void (stdout += t), stderr: () => undefined, env: {}, argv0: `${ROOT}bin/ipvsadm.js` } as unknown as Io;
  const status = await dispatch(argv, io);
  return { stdout, status };
}

describe('bin/ipvsadm.js runs the bundle', () => {
  it('-v prints what dispatch() prints, and requires no module but the loader (which reads the bundle)', async () => {
    const r = runBin('ipvsadm.js', ['-v']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe((await fromSource(['-v'])).stdout);
    expect(r.loaded.filter((f) => !f.startsWith('bin/'))).toEqual(['dist/cli/loader.cjs']);
  });

  it('the bundle holds no import() (a vm.Script cannot run one): bin/ passes import() in', () => {
    const bundle = readFileSync(`${ROOT}dist/cli/bundle.cjs`, 'utf8');
    expect(bundle.length).toBeGreaterThan(10_000);
    expect(bundle).not.toMatch(/\bimport\(/);
  });

  it('a second run is the same with the code cache the first wrote', async () => {
    const first = runBin('ipvsadm.js', ['-h']);
    const second = runBin('ipvsadm.js', ['-h']);
    expect(existsSync(`${ROOT}dist/cli/bundle.cjs.-h.cache`)).toBe(true);
    expect([second.status, second.stdout, second.stderr]).toEqual([first.status, first.stdout, first.stderr]);
    expect(second.stdout).toBe((await fromSource(['-h'])).stdout);
  });

  it('-h is the usage text and status 0', async () => {
    const r = runBin('ipvsadm.js', ['-h']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe((await fromSource(['-h'])).stdout);
  });

  it('realserver, outside the bundle, still loads and answers --help', () => {
    const r = runBin('ipvsadm.js', ['realserver', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: ipvsadm realserver/);
  });

  it('ipvsadm-save and ipvsadm-restore load the same bundle', () => {
    const save = runBin('ipvsadm-save.js', ['-x']);
    expect(save.status).toBe(1);
    expect(save.stderr).toMatch(/^ipvsadm-save: /);
    expect(save.loaded).toContain('dist/cli/loader.cjs');
  });
});
