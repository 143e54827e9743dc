// Undoing a failed `ipvsadm apply` from what the kernel holds, not from what it acknowledged: a
// change whose reply was lost may have been made. The table is read back, the way from it to the
// snapshot taken before the first change is planned (within the scope) and sent one undo at a
// time, each checked; then the table is read once more, and only that read says how it ended.
import type { IpvsClient } from '../ipvs/client.js';
import { kernelFailureOrThrow } from '../core/failure.js';
import { IpvsExchangeError } from '../ipvs/errors.js';
import { destinationConfig } from '../ipvs/model.js';
import type { DaemonConfig, Snapshot } from '../ipvs/model.js';
import { DAEMON_ROLES } from '../ipvs/vocabulary.js';
import type { Desired } from '../core/desired.js';
import { stepLine } from './format.js';
import type { Rollback } from './format.js';
import { planApply } from './plan.js';
import type { Plan, PlanOptions } from './plan.js';
import { inScope } from './scope.js';

/** What a rollback compares besides the services in scope: what the apply planned to change. */
export interface Touched {
  readonly timeouts: boolean;
  readonly daemons: boolean;
}

export function touchedBy(plan: Plan): Touched {
  return { timeouts: plan.steps.some((s) => s.object === 'timeouts'), daemons: plan.steps.some((s) => s.object === 'daemon') };
}

/** A file has one daemon per role (the codec reads a kernel entry holding both roles as two). */
function daemonsByState(daemons: readonly DaemonConfig[]): DaemonConfig[] {
  return DAEMON_ROLES.flatMap((state) => {
    const d = daemons.find((c) => c.state === state);
    return d ? [d] : [];
  });
}

/** A table read from the kernel as a file to apply: the services in scope, and what was touched. */
function asDesired(table: Snapshot, touched: Touched, options: PlanOptions): Desired {
  const services = table.services
    .filter((s) => inScope(options.scope, s.service.key))
    .map(({ service, destinations }) => {
      const { stats: _stats, ...config } = service;
      return { service: config, destinations: destinations.map(destinationConfig), at: 'the table before' };
    });
  return {
    format: 'text',
    services,
    ...(touched.timeouts ? { timeouts: table.timeouts } : {}),
    ...(touched.daemons ? { daemons: daemonsByState(table.daemons) } : {}),
  };
}

const both = (options: PlanOptions): PlanOptions => ({ prune: true, ...(options.scope ? { scope: options.scope } : {}) });

/** The plan from `now` back to `before` (make-before-break, removals last). */
export function wayBack(before: Snapshot, now: Snapshot, touched: Touched, options: PlanOptions): Plan {
  return planApply(now, asDesired(before, touched, options), both(options));
}

/**
 * Each difference between the table before and the table now, as the change that would make it
 * (`+ service …` is there and was not, `~ …` differs, `-` was there and is not); counters aside.
 */
export function differences(before: Snapshot, now: Snapshot, touched: Touched, options: PlanOptions): string[] {
  return planApply(before, asDesired(now, touched, options), both(options)).steps.map(stepLine);
}

export interface RollbackInput {
  readonly before: Snapshot;
  readonly touched: Touched;
  readonly options: PlanOptions;
  /** a client on a new socket (the one that failed may be closed) */
  readonly connect: () => Promise<IpvsClient>;
}

/** Why a change or a read failed, in the kernel's words (ipvsadm's message) or the exchange's. */
export const reasonOf: (e: unknown) => string = kernelFailureOrThrow;

/** Reads back, undoes the differences, reads back again; how it ended, as the last read says. */
export async function rollBack(input: RollbackInput): Promise<Rollback> {
  const link = { client: undefined as IpvsClient | undefined };
  const stage = { undone: 0, refused: [] as string[] };
  try {
    const now = await readBack(input, link);
    const back = wayBack(input.before, now, input.touched, input.options);
    await undo(back, input, link, stage);
    const after = await readBack(input, link);
    return { ...stage, left: differences(input.before, after, input.touched, input.options) };
  } catch (e) {
    return { ...stage, left: [], unreadable: reasonOf(e) };
  } finally {
    link.client?.close();
  }
}

async function readBack(input: RollbackInput, link: { client: IpvsClient | undefined }): Promise<Snapshot> {
  link.client ??= await input.connect();
  return link.client.snapshot();
}

/** Sends each undo on its own and checks it; a refusal is noted and the rest go on. */
async function undo(back: Plan, input: RollbackInput, link: { client: IpvsClient | undefined }, stage: { undone: number; refused: string[] }): Promise<void> {
  for (const step of back.steps) {
    for (const { do: change } of step.changes) {
      try {
        link.client ??= await input.connect();
        await link.client.apply(change);
        stage.undone++;
      } catch (e) {
        stage.refused.push(`${stepLine(step)}: ${reasonOf(e)}`);
        // an exchange that failed may have closed the socket: the next undo opens another
        if (e instanceof IpvsExchangeError) {
          link.client?.close();
          link.client = undefined;
        }
      }
    }
  }
}
