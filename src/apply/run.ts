// `ipvsadm apply` against the kernel as one transaction: the table read to plan is the snapshot;
// the changes are made in the plan's order, then the table is read back (the services, and the
// real servers of those changed) and compared with the file. After any failure (a refusal, an
// exchange that failed, a difference) rollback.ts puts the kernel back to the snapshot. With
// --drain-wait, the real servers that leave are set to weight 0 and watched by the drain engine
// until they have no active connection, or the wait runs out.
import { SYSTEM_CLOCK } from '../core/clock.js';
import { targetLabel, watchDrain } from '../core/drain.js';
import type { Counts, DrainTarget } from '../core/drain.js';
import type { Change } from '../ipvs/changes.js';
import type { IpvsClient } from '../ipvs/client.js';
import type { DestinationConfig, Snapshot } from '../ipvs/model.js';
import { destinationId, serviceId } from '../ipvs/vocabulary.js';
import type { Desired } from '../core/desired.js';
import { stepLine } from './format.js';
import type { Outcome } from './format.js';
import { planApply } from './plan.js';
import type { Plan, PlanOptions, PlanStep } from './plan.js';
import { reasonOf, rollBack, touchedBy } from './rollback.js';
import { countText, NO_PROGRESS } from '../app/progress.js';
import type { Progress } from '../app/progress.js';

export interface RunOptions extends PlanOptions {
  readonly dryRun: boolean;
  /** weight 0 for every real server that leaves, then up to this long for them to drain */
  readonly drainWaitMs?: number;
  /** a client on a new socket, for the rollback (a socket whose exchange failed may be closed) */
  readonly connect: () => Promise<IpvsClient>;
  /** the clock of --drain-wait (tests pass their own) */
  readonly clock?: { readonly now: () => number; readonly sleep: (ms: number) => Promise<void> };
  /** how often --drain-wait reads the counts (default 1 s) */
  readonly pollMs?: number;
  /** what the run is doing, shown on a terminal (absent: nothing shown) */
  readonly progress?: Progress;
}

export interface RunResult {
  readonly plan: Plan;
  readonly outcome: Outcome;
}

interface Failure {
  readonly step: string;
  readonly reason: string;
}

/** One change to send, with the step it belongs to (for the message when it fails). */
interface Sent {
  readonly change: Change;
  readonly what: string;
  /** sent in the same batch as the change before it (a real server deleted and added again) */
  readonly joined?: boolean;
}

const sentOf = (steps: readonly PlanStep[]): Sent[] => steps.flatMap((step) => step.changes.map((p, i) => ({ change: p.do, what: stepLine(step), ...(i > 0 ? { joined: true } : {}) })));

/** Where the batch that starts at `at` ends: at most BATCH changes, never between joined ones. */
export function batchEnd(changes: readonly { readonly joined?: boolean }[], at: number, size: number): number {
  let end = Math.min(at + size, changes.length);
  while (end < changes.length && changes[end]!.joined && end > at + 1) end--;
  return end;
}

type DestChange = Extract<Change, { readonly dest: DestinationConfig }>;

/** The real servers a removal step takes away (a removed service's too), each with its settings. */
function leavingOf(steps: readonly PlanStep[]): DestChange[] {
  const seen = new Set<string>();
  return steps
    .filter((s) => s.action === 'remove')
    .flatMap((s) => s.changes.flatMap((p) => [p.do, ...p.undo]))
    .filter((c): c is DestChange => c.op === 'add-dest' || c.op === 'delete-dest')
    .filter((c) => {
      const id = `${serviceId(c.key)} ${destinationId(c.dest)}`;
      return !seen.has(id) && (seen.add(id), true);
    });
}

/** Plans and, unless a dry run, applies, verifies, and rolls back on failure. */
export async function runApply(client: IpvsClient, desired: Desired, o: RunOptions): Promise<RunResult> {
  const progress = o.progress ?? NO_PROGRESS;
  progress.show(() => 'apply: reading the table');
  const before = await client.snapshot();
  const planned = planApply(before, desired, o);
  if (planned.steps.length === 0) return { plan: planned, outcome: { kind: 'unchanged' } };
  if (o.dryRun) return { plan: planned, outcome: { kind: 'pending' } };
  const made = await make(client, planned, o);
  const plan = made.notes.length > 0 ? { ...planned, notes: [...planned.notes, ...made.notes] } : planned;
  progress.show(() => 'apply: reading the table back');
  const failed = made.failed ?? (await verify(client, desired, o, before, plan));
  if (!failed) return { plan, outcome: { kind: 'applied', steps: plan.steps.length } };
  progress.show(() => 'apply: rolling back');
  const rollback = await rollBack({ before, touched: touchedBy(plan), options: o, connect: o.connect });
  return { plan, outcome: { kind: 'failed', ...failed, rollback } };
}

/** The changes in the plan's order; with --drain-wait, the drain before the first removal. */
async function make(client: IpvsClient, plan: Plan, o: RunOptions): Promise<{ failed?: Failure; notes: string[] }> {
  const firstRemoval = plan.steps.findIndex((s) => s.action === 'remove');
  const removing = firstRemoval >= 0 ? plan.steps.slice(firstRemoval) : [];
  const first = sentOf(firstRemoval >= 0 ? plan.steps.slice(0, firstRemoval) : plan.steps);
  const rest = sentOf(removing);
  const counter = changeCounter(first.length + rest.length, o.progress);
  const failed = await send(client, first, counter);
  if (failed || removing.length === 0) return failed ? { failed, notes: [] } : { notes: [] };
  const drained = o.drainWaitMs !== undefined && o.drainWaitMs > 0 ? await drain(client, leavingOf(removing), o.drainWaitMs, o) : { notes: [] };
  if (drained.failed) return drained;
  const last = await send(client, rest, counter);
  return last ? { failed: last, notes: drained.notes } : drained;
}

/** Changes sent per batch: one window of the client's pipelining. */
const BATCH = 64;

/**
 * Sends the changes in order, pipelined in batches, until the first that fails (the rest of its
 * batch may have been made: the rollback reads the table back, it does not trust the replies).
 */
async function send(client: IpvsClient, changes: readonly Sent[], counter?: (n: number) => void): Promise<Failure | undefined> {
  for (let at = 0, end = 0; at < changes.length; at = end) {
    counter?.(0);
    end = batchEnd(changes, at, BATCH);
    const batch = changes.slice(at, end);
    let results: (Error | undefined)[];
    try {
      results = await client.applyAll(batch.map((c) => c.change));
    } catch (e) {
      return { step: batch[0]!.what, reason: reasonOf(e) };
    }
    const i = results.findIndex((err) => err !== undefined);
    if (i >= 0) return { step: batch[i]!.what, reason: reasonOf(results[i]) };
    counter?.(batch.length);
  }
  return undefined;
}

/** Counts the changes made (`n` more each call) and shows `apply: 1,200/40,000 changes`. */
function changeCounter(total: number, progress: Progress | undefined): ((n: number) => void) | undefined {
  if (!progress) return undefined;
  let done = 0;
  const text = (): string => `apply: ${countText(done, total, 'changes')}`;
  return (n) => {
    done += n;
    progress.show(text);
  };
}

const countsText = (c: Counts): string => `active ${c.active}, inactive ${c.inactive}, persistent ${c.persistent}`;

/**
 * Weight 0 for each leaving real server (those not at 0 already), then the drain engine until
 * none has an active connection or the wait runs out; on timeout they are removed all the same,
 * and a note names those still holding connections.
 */
async function drain(client: IpvsClient, leaving: readonly DestChange[], waitMs: number, o: RunOptions): Promise<{ failed?: Failure; notes: string[] }> {
  o.progress?.show(() => `apply: draining ${leaving.length} real server${leaving.length === 1 ? '' : 's'}`);
  const edits = leaving.filter((c) => c.dest.weight !== 0).map((c) => ({ change: { op: 'edit-dest', key: c.key, dest: { ...c.dest, weight: 0 } } as const, what: `drain (edit-dest ${destinationId(c.dest)} of ${serviceId(c.key)})` }));
  const failed = await send(client, edits);
  if (failed) return { failed, notes: [] };
  const targets: DrainTarget[] = leaving.map((c) => ({ key: c.key, server: c.dest }));
  const clock = o.clock ?? SYSTEM_CLOCK;
  try {
    const read = await watchDrain(client, targets, { until: 'active', timeoutMs: waitMs, pollMs: o.pollMs ?? 1000, ...clock });
    if (!read.timedOut) return { notes: [] };
    const held = targets.flatMap((t, i) => {
      const c = read.counts[i];
      return c && (c.active > 0 || c.persistent > 0) ? [`${targetLabel(t)} (${countsText(c)})`] : [];
    });
    return { notes: [`--drain-wait: not drained after ${Math.round(read.elapsedMs / 1000)} s; removed with connections still open: ${held.join('; ')}`] };
  } catch (e) {
    return { failed: { step: 'drain (reading the connection counts)', reason: reasonOf(e) }, notes: [] };
  }
}

/** The services a plan's changes name (added, changed, removed, or whose real servers it changes). */
export function servicesTouched(plan: Plan): Set<string> {
  const keys = plan.steps.flatMap((s) => s.changes.map((p) => p.do)).flatMap((c) => ('service' in c ? [c.service.key] : 'key' in c && c.key ? [c.key] : []));
  return new Set(keys.map(serviceId));
}

/**
 * The table after the changes, read once: every service (their dump), the real servers of the
 * services the plan touched or that are new since `before` (one dump each), the timeouts and
 * the daemons. The real servers of the other services are `before`'s: the plan changed nothing
 * there, and dumping them again would make a 1% change cost two reads of the whole table.
 */
async function readBack(client: IpvsClient, before: Snapshot, plan: Plan): Promise<Snapshot> {
  const touched = servicesTouched(plan);
  const kept = new Map(before.services.map((s) => [serviceId(s.service.key), s.destinations]));
  const services = await client.services();
  const fresh = services.filter((s) => touched.has(serviceId(s.key)) || !kept.has(serviceId(s.key)));
  const dumped = await client.destinationsOfEach(fresh.map((s) => s.key));
  const byId = new Map(fresh.map((s, i) => [serviceId(s.key), dumped[i]!]));
  const table = services.map((service) => ({ service, destinations: byId.get(serviceId(service.key)) ?? kept.get(serviceId(service.key))! }));
  return { info: before.info, services: table, timeouts: await client.timeouts(), daemons: await client.daemons() };
}

/** The table read back (readBack) and compared with the file; the first difference is a failure. */
async function verify(client: IpvsClient, desired: Desired, o: RunOptions, before: Snapshot, plan: Plan): Promise<Failure | undefined> {
  let left: Plan;
  try {
    left = planApply(await readBack(client, before, plan), desired, o);
  } catch (e) {
    return { step: 'verify', reason: `the table could not be read back: ${reasonOf(e)}` };
  }
  if (left.steps.length > 0) return { step: 'verify', reason: `the kernel does not hold what the file says after applying (${stepLine(left.steps[0]!)})` };
  return undefined;
}
