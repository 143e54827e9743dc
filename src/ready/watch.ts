// `director ready --watch`: judge readiness every interval until a stop signal; on each change
// (and once at the start) print it and run the hook for the new state. A hook that fails is run
// again at the next interval: the routing layer is told until it has heard.
import type { Clock } from '../core/clock.js';
import type { HookRunner } from './hooks.js';
import type { Verdict } from './verdict.js';

export interface WatchOptions {
  readonly intervalMs: number;
  readonly onReady?: string;
  readonly onUnready?: string;
  readonly clock: Clock;
  readonly runHook: HookRunner;
  /** a transition (or changed reasons), as one line to print */
  readonly print: (line: string) => void;
  /** a hook that failed */
  readonly warn: (line: string) => void;
  /** true once a stop signal came */
  readonly stopped: () => boolean;
}

/** What the watch saw: rounds judged, changes printed, hooks run and failed. */
export interface WatchSummary {
  readonly rounds: number;
  readonly changes: number;
  readonly hooksRun: number;
  readonly hooksFailed: number;
}

export async function watchReadiness(judgeNow: () => Promise<Verdict>, o: WatchOptions): Promise<WatchSummary> {
  let told: boolean | undefined;
  let shown: string | undefined;
  const summary = { rounds: 0, changes: 0, hooksRun: 0, hooksFailed: 0 };
  while (!o.stopped()) {
    const verdict = await judgeNow();
    summary.rounds++;
    const line = verdictLine(verdict);
    if (line !== shown) {
      o.print(`${new Date(o.clock.now()).toISOString()} ${line}`);
      shown = line;
      summary.changes++;
    }
    if (verdict.ready !== told) {
      const hook = verdict.ready ? o.onReady : o.onUnready;
      const result = hook === undefined ? { ok: true as const } : await o.runHook(hook, verdict);
      if (hook !== undefined) summary.hooksRun++;
      if (result.ok) told = verdict.ready;
      else {
        summary.hooksFailed++;
        o.warn(`--on-${verdict.ready ? 'ready' : 'unready'} failed: ${result.why}; run again in ${o.intervalMs / 1000} s`);
      }
    }
    await sleepUnlessStopped(o);
  }
  return summary;
}

export function verdictLine(v: Verdict): string {
  return v.ready ? `ready: ${v.services} services, each with a real server of weight above 0` : `not ready: ${v.reasons.join('; ')}`;
}

/** The interval, cut short (checked every 100 ms) when a stop signal comes. */
async function sleepUnlessStopped(o: WatchOptions): Promise<void> {
  const end = o.clock.now() + o.intervalMs;
  while (!o.stopped() && o.clock.now() < end) await o.clock.sleep(Math.min(100, end - o.clock.now()));
}
