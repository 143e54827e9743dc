// `ipvsadm apply` against the kernel: read the table, plan, make the changes one at a time, read
// the table back and compare it with the file; on a refusal or a difference, undo what this run
// made, newest first. Real servers that leave are drained first when asked (weight 0, a wait).
import type { Change } from '../ipvs/changes.js';
import type { IpvsClient } from '../ipvs/client.js';
import { DaemonState } from '../ipvs/constants.js';
import { IpvsExchangeError, IpvsOperationError } from '../ipvs/errors.js';
import type { DestinationConfig } from '../ipvs/model.js';
import { destinationId, serviceId } from '../ipvs/vocabulary.js';
import type { Desired } from './desired.js';
import { stepLine } from './format.js';
import type { Outcome, Rollback } from './format.js';
import { planApply } from './plan.js';
import type { Plan, PlanOptions, PlanStep, Planned } from './plan.js';

export interface RunOptions extends PlanOptions {
  readonly dryRun: boolean;
  /** weight 0 for every real server that leaves, then this long before they are removed */
  readonly drainWaitMs?: number;
  /** the wait of --drain-wait (tests pass their own) */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface RunResult {
  readonly plan: Plan;
  readonly outcome: Outcome;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why a change failed, in the kernel's words (ipvsadm's message) or the exchange's. */
function reasonOf(e: unknown): string {
  if (e instanceof IpvsOperationError || e instanceof IpvsExchangeError) return e.message;
  throw e;
}

/** A change in words, for what a rollback could not undo. */
export function changeText(c: Change): string {
  switch (c.op) {
    case 'add-service':
    case 'edit-service':
      return `${c.op} ${serviceId(c.service.key)}`;
    case 'delete-service':
      return `delete-service ${serviceId(c.key)}`;
    case 'zero':
      return c.key ? `zero ${serviceId(c.key)}` : 'zero';
    case 'flush':
      return 'flush';
    case 'add-dest':
    case 'edit-dest':
    case 'delete-dest':
      return `${c.op} ${destinationId(c.dest)} of ${serviceId(c.key)}`;
    case 'set-timeouts':
      return `set-timeouts ${c.timeouts.tcp} ${c.timeouts.tcpFin} ${c.timeouts.udp}`;
    case 'start-daemon':
      return `start-daemon ${c.daemon.state === DaemonState.MASTER ? 'master' : 'backup'} ${c.daemon.mcastIfn} syncid ${c.daemon.syncId}`;
    case 'stop-daemon':
      return `stop-daemon ${c.state === DaemonState.MASTER ? 'master' : 'backup'}`;
  }
}

type DestChange = Extract<Change, { readonly dest: DestinationConfig }>;

/** The weight-0 edits that drain the real servers a removal step takes away. */
function drainOf(step: PlanStep): Planned[] {
  if (step.action !== 'remove') return [];
  const leaving = step.changes.flatMap((p) => [p.do, ...p.undo]).filter((c): c is DestChange => c.op === 'add-dest' || c.op === 'delete-dest');
  const seen = new Set<string>();
  return leaving.flatMap((c) => {
    const id = `${serviceId(c.key)} ${destinationId(c.dest)}`;
    if (seen.has(id) || c.dest.weight === 0) return [];
    seen.add(id);
    return [{ do: { op: 'edit-dest', key: c.key, dest: { ...c.dest, weight: 0 } }, undo: [{ op: 'edit-dest', key: c.key, dest: c.dest }] }];
  });
}

/** Plans and, unless a dry run, applies, verifies, and rolls back on failure. */
export async function runApply(client: IpvsClient, desired: Desired, o: RunOptions): Promise<RunResult> {
  const plan = planApply(await client.snapshot(), desired, o);
  if (plan.steps.length === 0) return { plan, outcome: { kind: 'unchanged' } };
  if (o.dryRun) return { plan, outcome: { kind: 'pending' } };
  const done: Planned[] = [];
  const fail = async (step: string, reason: string): Promise<RunResult> => ({ plan, outcome: { kind: 'failed', step, reason, rollback: await rollback(client, done) } });
  const draining = o.drainWaitMs !== undefined && o.drainWaitMs > 0;
  const firstRemoval = plan.steps.findIndex((s) => s.action === 'remove');
  const drains = draining && firstRemoval >= 0 ? plan.steps.flatMap(drainOf) : [];
  const before = firstRemoval >= 0 ? plan.steps.slice(0, firstRemoval) : plan.steps;
  const after = firstRemoval >= 0 ? plan.steps.slice(firstRemoval) : [];
  const drainStep = (p: Planned): string => `drain (${changeText(p.do)})`;
  let failed = await send(client, before.flatMap((step) => step.changes.map((p) => ({ p, what: stepLine(step) }))), done);
  if (!failed && drains.length > 0) {
    failed = await send(client, drains.map((p) => ({ p, what: drainStep(p) })), done);
    if (!failed) await (o.sleep ?? defaultSleep)(o.drainWaitMs!);
  }
  if (!failed) failed = await send(client, after.flatMap((step) => step.changes.map((p) => ({ p, what: stepLine(step) }))), done);
  if (failed) return fail(failed.what, failed.reason);
  let left: Plan;
  try {
    left = planApply(await client.snapshot(), desired, o);
  } catch (e) {
    return fail('verify', `the table could not be read back: ${reasonOf(e)}`);
  }
  if (left.steps.length > 0) return fail('verify', `the kernel does not hold what the file says after applying (${stepLine(left.steps[0]!)})`);
  return { plan, outcome: { kind: 'applied', steps: plan.steps.length } };
}

/** Changes sent per batch: one window of the client's pipelining. */
const BATCH = 64;

/**
 * Sends the changes in order, pipelined in batches; every change the kernel made is added to
 * `done` (a batch goes on past a refusal, so later ones may be made too: all are undone). The
 * first refusal, if any, with the step it belongs to.
 */
async function send(client: IpvsClient, changes: readonly { p: Planned; what: string }[], done: Planned[]): Promise<{ what: string; reason: string } | undefined> {
  for (let at = 0; at < changes.length; at += BATCH) {
    const batch = changes.slice(at, at + BATCH);
    let results: (Error | undefined)[];
    try {
      results = await client.applyAll(batch.map((c) => c.p.do));
    } catch (e) {
      return { what: batch[0]!.what, reason: reasonOf(e) };
    }
    let first: { what: string; reason: string } | undefined;
    results.forEach((err, i) => {
      if (!err) done.push(batch[i]!.p);
      else first ??= { what: batch[i]!.what, reason: reasonOf(err) };
    });
    if (first) return first;
  }
  return undefined;
}

/** Undoes `done`, newest first; an undo the kernel refuses is listed and the rest go on. */
async function rollback(client: IpvsClient, done: readonly Planned[]): Promise<Rollback> {
  let undone = 0;
  const failures: string[] = [];
  for (const p of [...done].reverse()) {
    let ok = true;
    for (const u of p.undo) {
      try {
        await client.apply(u);
      } catch (e) {
        ok = false;
        failures.push(`${changeText(p.do)} (undo ${changeText(u)}: ${reasonOf(e)})`);
      }
    }
    if (ok) undone++;
  }
  return { undone, failures };
}
