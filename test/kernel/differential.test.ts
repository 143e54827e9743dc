// Differential tests in the real kernel: every case of differential-cases.ts runs once with the
// real ipvsadm 1.31 and once with ours. Per line, stdout, stderr and exit status must each match;
// afterwards the table each tool built must list identically, by both tools (state written by one,
// read by the other), again stream by stream.
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

/** One command line's result, each stream and the exit status compared on its own. */
interface Outcome {
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

async function runAll(lines: readonly DiffLine[], tool: 'c' | 'ours', pauseMs = 0): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const line of lines) {
    const r = await runLine(line, tool);
    // The deliberate fixes change only saved rules, which go to stdout.
    const stdout = tool === 'c' ? withDeliberateFixes(r.stdout) : r.stdout;
    out.push({ command: `ipvsadm ${argsOf(line)}`, stdout, stderr: r.stderr, status: r.code });
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
  return out;
}

/** Compares two runs of the same lines field by field; every differing line and field is reported. */
function expectSameOutcomes(actual: readonly Outcome[], expected: readonly Outcome[], what: string): void {
  expect(actual.map((o) => o.command), `${what}: command lines`).toEqual(expected.map((o) => o.command));
  expected.forEach((e, i) => {
    const a = actual[i]!;
    expect.soft(a.stdout, `${what}: stdout of \`${e.command}\``).toBe(e.stdout);
    expect.soft(a.stderr, `${what}: stderr of \`${e.command}\``).toBe(e.stderr);
    expect.soft(a.status, `${what}: exit status of \`${e.command}\``).toBe(e.status);
  });
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
      // Same stdout, same stderr and same exit status, line by line (each on its own).
      expectSameOutcomes(byOurs, byC, 'lines, ours vs ipvsadm');
      // State made by ipvsadm, listed by ours.
      expectSameOutcomes(afterC.ours, afterC.c, "ipvsadm's state, listed by ours vs ipvsadm");
      // State made by ours is the state ipvsadm makes (as ipvsadm lists it)...
      expectSameOutcomes(afterOurs.c, afterC.c, "ours' state vs ipvsadm's state, listed by ipvsadm");
      // ...and ours lists it the same way.
      expectSameOutcomes(afterOurs.ours, afterOurs.c, "ours' state, listed by ours vs ipvsadm");
    });
  }
});
