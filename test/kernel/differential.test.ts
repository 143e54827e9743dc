// Differential tests in the real kernel: every case of differential-cases.ts runs once with the
// real ipvsadm 1.31 and once with ours. Per line, stdout/stderr/exit must match; afterwards the
// table each tool built must list identically, by both tools (state written by one, read by the other).
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIFF_CASES } from './differential-cases.js';
import { runOurs } from './support/ours.js';
import type { RunResult } from './support/ours.js';

const C_IPVSADM = '/usr/sbin/ipvsadm';

function runC(args: readonly string[]): RunResult {
  const r = spawnSync(C_IPVSADM, args, { argv0: 'ipvsadm', encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? 128 + (r.signal ? 1 : 0) };
}

const words = (line: string): string[] => line.split(/\s+/).filter((w) => w.length > 0);

function reset(): void {
  const r = runC(['-C']);
  if (r.code !== 0) throw new Error(`cannot flush the IPVS table: ${r.stderr}`);
}

async function runLines(lines: readonly string[], tool: 'c' | 'ours'): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (const line of lines) out.push(tool === 'c' ? runC(words(line)) : await runOurs(words(line)));
  return out;
}

async function listBoth(listings: readonly string[]): Promise<{ c: string[]; ours: string[] }> {
  const c: string[] = [];
  const ours: string[] = [];
  for (const l of listings) {
    const rc = runC(words(l));
    const ro = await runOurs(words(l));
    c.push(`$ ipvsadm ${l}\n${rc.stdout}${rc.stderr}[exit ${rc.code}]`);
    ours.push(`$ ipvsadm ${l}\n${ro.stdout}${ro.stderr}[exit ${ro.code}]`);
  }
  return { c, ours };
}

const show = (lines: readonly string[], results: readonly RunResult[]): string[] =>
  results.map((r, i) => `$ ipvsadm ${lines[i]}\n${r.stdout}${r.stderr}[exit ${r.code}]`);

beforeAll(() => {
  if (process.env['IPVSADM_TS_GUEST'] !== '1') {
    throw new Error('kernel tests must run inside the user-mode kernel (npm test boots it); refusing to run on the host');
  }
});

describe('differential: ours vs ipvsadm 1.31 in the same kernel', () => {
  for (const tc of DIFF_CASES) {
    it(tc.name, async () => {
      const listings = tc.listings ?? ['-Ln'];
      reset();
      const byC = await runLines(tc.lines, 'c');
      const afterC = await listBoth(listings);
      reset();
      const byOurs = await runLines(tc.lines, 'ours');
      const afterOurs = await listBoth(listings);
      reset();
      // Same output, errors and exit status, line by line.
      expect(show(tc.lines, byOurs)).toEqual(show(tc.lines, byC));
      // State made by ipvsadm, listed by ours.
      expect(afterC.ours).toEqual(afterC.c);
      // State made by ours is the state ipvsadm makes (as ipvsadm lists it)...
      expect(afterOurs.c).toEqual(afterC.c);
      // ...and ours lists it the same way.
      expect(afterOurs.ours).toEqual(afterOurs.c);
    });
  }
});
