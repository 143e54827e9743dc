// director ready --watch over a fake clock and fake hooks: a change printed once, the hook of the
// new state run at the start and at each change, a failed hook run again at the next interval,
// and the loop ended by a stop. shellHooks run for real through sh: environment, status, timeout.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { shellHooks } from '../../src/ready/hooks.js';
import type { HookResult } from '../../src/ready/hooks.js';
import type { Verdict } from '../../src/ready/verdict.js';
import { watchReadiness } from '../../src/ready/watch.js';

const READY: Verdict = { ready: true, reasons: [], services: 2, usable: 2, daemons: [] };
const unready = (reason: string): Verdict => ({ ready: false, reasons: [reason], services: 1, usable: 0, daemons: [] });

function fakeClock(): Clock {
  let now = Date.UTC(2026, 11, 7, 18, 0, 0);
  return { now: () => now, sleep: async (ms) => void (now += ms), setTimer: () => 0, clearTimer: () => undefined };
}

/** Watches `verdicts` one per round, hooks answering from `hookResults` (ok when it runs out). */
async function run(verdicts: Verdict[], hookResults: HookResult[] = []) {
  const printed: string[] = [];
  const warned: string[] = [];
  const hooks: string[] = [];
  let round = 0;
  const summary = await watchReadiness(async () => verdicts[round++]!, {
    intervalMs: 1000,
    onReady: 'enable vip',
    onUnready: 'disable vip',
    clock: fakeClock(),
    runHook: async (command) => (hooks.push(command), hookResults.shift() ?? { ok: true }),
    print: (l) => printed.push(l),
    warn: (l) => warned.push(l),
    stopped: () => round >= verdicts.length,
  });
  return { printed, warned, hooks, summary };
}

describe('watchReadiness', () => {
  it('runs the hook of the state at the start and at each change only, and prints each change once with its time', async () => {
    const r = await run([READY, READY, unready('tcp 192.0.2.1:80: no real server'), unready('tcp 192.0.2.1:80: no real server'), READY]);
    expect(r.hooks).toEqual(['enable vip', 'disable vip', 'enable vip']);
    expect(r.printed).toEqual([
      '2026-12-07T18:00:00.000Z ready: 2 services, each with a real server of weight above 0',
      '2026-12-07T18:00:02.000Z not ready: tcp 192.0.2.1:80: no real server',
      '2026-12-07T18:00:04.000Z ready: 2 services, each with a real server of weight above 0',
    ]);
    expect(r.summary).toEqual({ rounds: 5, changes: 3, hooksRun: 3, hooksFailed: 0 });
  });

  it('prints changed reasons while still not ready, without running the hook again', async () => {
    const r = await run([unready('a'), unready('b')]);
    expect(r.hooks).toEqual(['disable vip']);
    expect(r.printed.map((l) => l.slice(25))).toEqual(['not ready: a', 'not ready: b']);
  });

  it('runs a failed hook again at the next interval until it succeeds, warning each time', async () => {
    const r = await run([unready('x'), unready('x'), unready('x'), unready('x')], [{ ok: false, why: 'exit status 1' }, { ok: false, why: 'exit status 1' }]);
    expect(r.hooks).toEqual(['disable vip', 'disable vip', 'disable vip']);
    expect(r.warned).toEqual(['--on-unready failed: exit status 1; run again in 1 s', '--on-unready failed: exit status 1; run again in 1 s']);
    expect(r.summary).toMatchObject({ hooksRun: 3, hooksFailed: 2 });
  });
});

describe('shellHooks', () => {
  const sinks = () => {
    const out: string[] = [];
    return { out, sinks: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(`err:${t}`) } };
  };

  it('runs sh -c with the verdict in its environment and passes its output on', async () => {
    const s = sinks();
    const r = await shellHooks(s.sinks, 5000)('echo "$IPVSADM_READY"; printf "%s" "$IPVSADM_READY_REASONS" >&2', unready('no virtual service in the table'));
    expect(r).toEqual({ ok: true });
    expect(s.out.join('')).toBe('unready\nerr:no virtual service in the table');
  });

  it('reports a failing status and kills a hook that outlives its timeout', async () => {
    expect(await shellHooks(sinks().sinks, 5000)('exit 3', READY)).toEqual({ ok: false, why: 'exit status 3' });
    const started = Date.now();
    expect(await shellHooks(sinks().sinks, 300)('sleep 5', READY)).toEqual({ ok: false, why: 'killed after 0.3 s (--hook-timeout)' });
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
