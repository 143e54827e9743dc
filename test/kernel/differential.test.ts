// Differential tests in the real kernel: every case of differential-cases.ts runs once with the
// real ipvsadm 1.31 and once with ours. Per line, stdout/stderr/exit must match; afterwards the
// table each tool built must list identically, by both tools (state written by one, read by the other).
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIFF_CASES, GUEST_HOSTS, withDeliberateFixes } from './differential-cases.js';
import type { DiffLine } from './differential-cases.js';
import { assertInGuest, resetIpvs, runC, sh } from './support/guest.js';
import type { RunResult } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const words = (line: string): string[] => line.split(/\s+/).filter((w) => w.length > 0);
const argsOf = (l: DiffLine): string => (typeof l === 'string' ? l : l.args);
const stdinOf = (l: DiffLine): string | undefined => (typeof l === 'string' ? undefined : l.stdin);

function quickReset(): void {
  const r = runC(['-C']);
  if (r.code !== 0) throw new Error(`cannot flush the IPVS table: ${r.stderr}`);
}

async function runLine(line: DiffLine, tool: 'c' | 'ours'): Promise<RunResult> {
  const args = words(argsOf(line));
  const stdin = stdinOf(line);
  return tool === 'c' ? runC(args, stdin === undefined ? {} : { stdin }) : runOurs(args, stdin === undefined ? {} : { stdin });
}

const show = (line: DiffLine, r: RunResult): string => `$ ipvsadm ${argsOf(line)}\n${r.stdout}${r.stderr}[exit ${r.code}]`;

async function runAll(lines: readonly DiffLine[], tool: 'c' | 'ours', pauseMs = 0): Promise<string[]> {
  const out: string[] = [];
  for (const line of lines) {
    out.push(show(line, await runLine(line, tool)));
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
  return tool === 'c' ? out.map(withDeliberateFixes) : out;
}

beforeAll(() => {
  // Names for the listings without -n: a hosts file seen only inside the guest's mount table.
  const hosts = `${tmpdir()}/differential-hosts`;
  sh(`printf '%s\\n' ${GUEST_HOSTS.map((h) => `'${h}'`).join(' ')} > ${hosts} && mount --bind ${hosts} /etc/hosts`);
  sh('ip link add dummy0 type dummy 2>/dev/null; ip link set dummy0 up');
});

afterAll(() => {
  sh('umount /etc/hosts; ip link del dummy0', { check: false });
  resetIpvs();
});

describe('differential: ours vs ipvsadm 1.31 in the same kernel', () => {
  for (const tc of DIFF_CASES) {
    it(tc.name, async () => {
      const listings = tc.listings ?? ['-Ln'];
      const reset = tc.fullReset ? () => resetIpvs() : quickReset;
      reset();
      const byC = await runAll(tc.lines, 'c', tc.pauseMs);
      const afterC = { c: await runAll(listings, 'c'), ours: await runAll(listings, 'ours') };
      reset();
      const byOurs = await runAll(tc.lines, 'ours', tc.pauseMs);
      const afterOurs = { c: await runAll(listings, 'c'), ours: await runAll(listings, 'ours') };
      reset();
      // Same output, errors and exit status, line by line.
      expect(byOurs).toEqual(byC);
      // State made by ipvsadm, listed by ours.
      expect(afterC.ours).toEqual(afterC.c);
      // State made by ours is the state ipvsadm makes (as ipvsadm lists it)...
      expect(afterOurs.c).toEqual(afterC.c);
      // ...and ours lists it the same way.
      expect(afterOurs.ours).toEqual(afterOurs.c);
    });
  }
});
