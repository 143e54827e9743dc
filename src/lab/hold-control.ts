// Drives the agent's echo workload from the lab (or a kernel test): echo servers in real-server
// namespaces, and a `hold` client whose JSON lines are read live (wait for "all established", then
// fail a director) and whose summary comes back when it is stopped.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { SYSTEM_CLOCK } from '../core/clock.js';
import type { HeldConnection, HoldSummary } from './echo-check.js';
import { formatTarget } from './target.js';
import type { Target } from './target.js';
import { AGENT } from './world.js';

/** A line the hold agent printed: `established` and `summary` carry the connection list. */
export type HoldEvent = HoldSummary & { readonly event: 'established' | 'progress' | 'summary'; readonly t: number; readonly list?: readonly HeldConnection[] };

interface AgentProcess {
  readonly child: ChildProcess;
  /** everything it printed so far (stdout and stderr) */
  output(): string;
  readonly exited: Promise<void>;
  /** stops it (signal), waits until it is gone */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** The agent with `args` inside namespace `ns`; `onLine` sees each stdout line. */
function spawnAgent(ns: string, args: readonly string[], onLine: (line: string) => void = () => undefined): AgentProcess {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, AGENT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let partial = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    const lines = (partial + b.toString()).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(onLine);
  });
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  // 'exit' can come before the last of stdout is read: wait for the pipes to close too (at most
  // 2 s, in case a child of the process still holds them)
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('exit', () => void setTimeout(resolve, 2000).unref());
  });
  return {
    child,
    output: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Waits until `ok()` or the process ends or `ms` pass; throws with its output unless ok. */
async function waitUntil(p: AgentProcess, ok: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = SYSTEM_CLOCK.now() + ms;
  while (!ok()) {
    if (p.child.exitCode !== null || p.child.signalCode !== null || SYSTEM_CLOCK.now() > deadline) {
      throw new Error(`lab: ${what} (${p.child.exitCode ?? p.child.signalCode ?? 'timed out'}):\n${p.output()}`);
    }
    await SYSTEM_CLOCK.sleep(50);
  }
}

export interface EchoServer {
  stop(): Promise<void>;
}

/** `agent echo NAME --tcp PORTS` in `ns`; resolves once it listens. */
export async function startEchoServer(ns: string, name: string, tcpPorts: readonly number[], maxSeconds = 900): Promise<EchoServer> {
  const p = spawnAgent(ns, ['echo', name, '--tcp', tcpPorts.join(','), '--max-seconds', String(maxSeconds)]);
  try {
    await waitUntil(p, () => p.output().includes('ready'), 30_000, `the echo server in ${ns} did not start`);
  } catch (e) {
    await p.stop('SIGKILL');
    throw e;
  }
  return { stop: () => p.stop('SIGKILL') };
}

export interface HoldRun {
  /** every line so far, oldest first */
  readonly events: readonly HoldEvent[];
  latest(): HoldEvent | undefined;
  /** resolves with the first event (seen already or to come) that satisfies `pred` */
  waitFor(pred: (e: HoldEvent) => boolean, timeoutMs: number, what?: string): Promise<HoldEvent>;
  /** SIGTERM, then the summary */
  stop(): Promise<HoldEvent>;
}

export interface HoldSettings {
  readonly connections?: number;
  readonly intervalMs?: number;
  readonly stallMs?: number;
  readonly seconds?: number;
  readonly requestIntervalMs?: number;
  readonly requestTimeoutMs?: number;
  readonly reportMs?: number;
}

const FLAGS: Readonly<Record<keyof HoldSettings, string>> = {
  connections: '--connections',
  intervalMs: '--interval-ms',
  stallMs: '--stall-ms',
  seconds: '--seconds',
  requestIntervalMs: '--request-interval-ms',
  requestTimeoutMs: '--request-timeout-ms',
  reportMs: '--report-ms',
};

/** `agent hold TARGET` in `ns` (the client): held connections and the request loop, read live. */
export function startHold(ns: string, target: Target, settings: HoldSettings = {}): HoldRun {
  const events: HoldEvent[] = [];
  const args = ['hold', formatTarget(target)];
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) args.push(FLAGS[k as keyof HoldSettings], String(v));
  const p = spawnAgent(ns, args, (line) => {
    if (line.startsWith('{')) events.push(JSON.parse(line) as HoldEvent);
  });
  const waitFor = async (pred: (e: HoldEvent) => boolean, timeoutMs: number, what = 'the hold agent ended before the awaited event'): Promise<HoldEvent> => {
    await waitUntil(p, () => events.some(pred), timeoutMs, what);
    return events.find(pred)!;
  };
  return {
    events,
    latest: () => events.at(-1),
    waitFor,
    async stop() {
      await p.stop('SIGTERM');
      const summary = events.find((e) => e.event === 'summary');
      if (!summary) throw new Error(`lab: the hold agent printed no summary:\n${p.output()}`);
      return summary;
    },
  };
}
