// Fuzzing restore (fast-check; fixed seed and bounded runs, IPVSADM_FUZZ_RUNS for a long run):
// inputs made of ipvsadm's option words, addresses, garbage, NUL, CR, tabs, invalid UTF-8 and
// words longer than 4096 bytes. The tokenizer keeps its properties (no piece over 4096 bytes, no
// NUL, no `ipvsadm`, right line numbers, no byte lost or added); the restore driver over the fake
// kernel never throws, and every rejection is ipvsadm's status 2 or 255 with a message.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { OPTION_TABLE } from '../../src/core/option-table.js';
import { decodeRaw, encodeRaw } from '../../src/app/raw-text.js';
import { MAX_PIECE_BYTES, lineArgv, tokenizeRestore } from '../../src/core/restore-lines.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { fuzzParameters, fuzzRuns } from '../support/fuzz.js';
import { reliabilityCases } from '../support/reliability.js';

const OPTIONS = OPTION_TABLE.flatMap((o) => [...(o.long === undefined ? [] : [`--${o.long}`]), ...(o.short === undefined ? [] : [`-${o.short}`])]);
const COMMANDS = ['-A', '-E', '-D', '-C', '-a', '-e', '-d', '-L', '-Z', '-S', '-R', '-h'];
const VALUES = [
  '192.0.2.1:80', '192.0.2.2:80', '[2001:db8::1]:80', '198.51.100.1', '198.51.100.2:8080', 'rr', 'wlc', 'sh', 'nosuch', 'sip', '1', '0', '360',
  '4294967295', '-1', 'sh-port', 'mh-port,mh-fallback', 'eth0', 'ipvsadm', '#', '\0', '\0x', 'x\0y', 'ipvsadm\0', '', '\u00e9', '\udcff', '\ud83d\ude00',
];
const SEPARATORS = [' ', ' ', ' ', '\t', '\r', '  ', ' \t\r '];

/** Bytes that are rarely valid UTF-8, as restore reads them (raw-text.ts). */
const rawBytes = fc.uint8Array({ maxLength: 12 }).map((b) => decodeRaw(b));
const longWord = fc
  .tuple(fc.integer({ min: 4000, max: 13000 }), fc.constantFrom('x', '\u00e9', '\0', 'ipvsadm', '\udcfe', '9'))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));
const word = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...OPTIONS, ...COMMANDS) },
  { weight: 4, arbitrary: fc.constantFrom(...VALUES) },
  { weight: 2, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 2, arbitrary: rawBytes },
  { weight: 1, arbitrary: longWord },
);
const line = fc
  .tuple(fc.option(fc.constantFrom(...COMMANDS), { freq: 3 }), fc.array(fc.tuple(fc.constantFrom(...SEPARATORS), word), { maxLength: 9 }), fc.constantFrom('', ' ', '\r', '\t'))
  .map(([cmd, rest, end]) => `${cmd ?? ''}${rest.map(([s, w]) => s + w).join('')}${end}`);
const input = fc
  .tuple(fc.array(line, { maxLength: 6 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([ls, eol, finalNewline]) => ls.join(eol) + (finalNewline && ls.length > 0 ? eol : ''));

/** Regression cases: inputs that once broke a property (keep them). */
const FOUND: readonly string[] = ['\0', '\0 -A', '-A \0 -t 192.0.2.1:80', `-A -t 192.0.2.1:80 ${'\u00e9'.repeat(2049)}`, '-A -t 192.0.2.1:80 -s \udcff'];

/** The tokenizer's invariants for one input; returns the number of lines it yielded. */
function checkTokenizer(text: string): number {
  const physical = text.split('\n');
  const lines = tokenizeRestore(text);
  let previous = 0;
  for (const l of lines) {
    expect(l.number).toBeGreaterThan(previous);
    expect(l.number).toBeLessThanOrEqual(physical.length);
    // the line number names the physical line the argv came from
    expect(lineArgv(physical[l.number - 1]!)).toEqual(l.argv);
    previous = l.number;
    expect(l.argv.length).toBeGreaterThan(0);
    for (const arg of l.argv) {
      expect(encodeRaw(arg).length).toBeLessThanOrEqual(MAX_PIECE_BYTES);
      expect(arg).not.toMatch(/[\0 \t\r\n]/);
      expect(arg).not.toBe('ipvsadm');
    }
  }
  // physical lines without a yielded argv have no words
  const yielded = new Set(lines.map((l) => l.number));
  physical.forEach((p, i) => {
    if (!yielded.has(i + 1)) expect(lineArgv(p)).toEqual([]);
  });
  // without NUL and `ipvsadm`, the pieces are exactly the line's bytes minus separators
  for (const p of physical) {
    if (p.includes('\0') || p.includes('ipvsadm')) continue;
    const argv = lineArgv(p);
    expect(argv.every((a) => a !== '')).toBe(true);
    expect(encodeRaw(argv.join('')).equals(encodeRaw(p.replace(/[ \t\r]/g, '')))).toBe(true);
  }
  return lines.length;
}

async function restoreOutcome(text: string): Promise<{ stdout: string; stderr: string; status: number }> {
  const io = fakeKernelIo({ model: new FakeIpvs() }, { readStdin: async () => text });
  const status = await main(['-R'], io);
  return { stdout: io.out(), stderr: io.err(), status };
}

function checkRestore(text: string, r: { stdout: string; stderr: string; status: number }): 'ok' | 'rejected' {
  const what = JSON.stringify(text.slice(0, 300));
  expect(r.stderr, what).not.toMatch(/internal error/);
  expect([0, 1, 2, 255], what).toContain(r.status);
  if (r.status !== 2 && r.status !== 255) return 'ok';
  // a rejection names what is wrong: ipvsadm's message, one per line, never empty
  expect(r.stderr, what).not.toBe('');
  expect(r.stderr.endsWith('\n'), what).toBe(true);
  return 'rejected';
}

const TOKENIZER_RUNS = 3000;
const RESTORE_RUNS = 800;
const timeLimit = (runs: number): number => 30_000 + fuzzRuns(runs) * 30;

describe('restore fuzzing', () => {
  it('regression cases found by the fuzzer', async () => {
    for (const text of FOUND) {
      checkTokenizer(text);
      checkRestore(text, await restoreOutcome(text));
    }
  });

  it('tokenizer: pieces of at most 4096 bytes, no NUL, no `ipvsadm`, right line numbers, no byte lost', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'restore tokenizer/parser cases' });
    let runs = 0;
    let lines = 0;
    fc.assert(
      fc.property(input, (text) => {
        runs++;
        lines += checkTokenizer(text);
      }),
      cases.fuzz(fuzzParameters(TOKENIZER_RUNS)),
    );
    expect(lines).toBeGreaterThan(runs); // the inputs are not mostly empty
  }, timeLimit(TOKENIZER_RUNS));

  it('restore over the fake kernel: an ipvsadm status, a message for each rejection, never an exception', async () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'restore tokenizer/parser cases' });
    const seen = { ok: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(input, async (text) => {
        let r;
        try {
          r = await restoreOutcome(text);
        } catch (e) {
          throw new Error(`restore threw for ${JSON.stringify(text.slice(0, 300))}: ${String(e)}`, { cause: e });
        }
        seen[checkRestore(text, r)]++;
      }),
      cases.fuzz(fuzzParameters(RESTORE_RUNS)),
    );
    // the generator must reach both outcomes, or the property says little
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  }, timeLimit(RESTORE_RUNS));

  it('raw input text: every byte string survives decoding and encoding unchanged', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'raw input byte round trips' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(encodeRaw(decodeRaw(bytes)).equals(Buffer.from(bytes))).toBe(true);
      }),
      cases.fuzz(fuzzParameters(TOKENIZER_RUNS)),
    );
  });
});
