// The three actions over a System: observe → plan → apply (+ state record, --persist) for up and
// down, observe → check for check. Returns data for format.ts; throws the typed errors of errors.ts.
// This is the programmatic API (the lab and the traffic tests call it, or the CLI over it).
import { apply } from './apply.js';
import { checkState, undeprecatedVips } from './check.js';
import type { CheckReport } from './check.js';
import { ApplyError, PlanError, PrepUsageError, SystemError, reasonOf } from './errors.js';
import { modeLabel } from './format.js';
import type { RunReport } from './format.js';
import type { Spec, Step } from './model.js';
import { observe, scopeOf } from './observe.js';
import { formatSysctlConf, removeSysctlConf, writeSysctlConf } from './persist.js';
import { planDownFromRecord, planDownWithoutRecord, planUp } from './plan.js';
import type { DownPlan } from './plan.js';
import { desiredState } from './requirements.js';
import type { PrepRequest } from './spec.js';
import { DEFAULT_STATE_DIR, readState, recordAfterDown, recordAfterUp, stateFile, writeRecord } from './state.js';
import type { StateRecord } from './state.js';
import type { System } from './system.js';

export interface RunOptions {
  readonly dryRun?: boolean;
  /** sysctl.d file to write (up) or remove (down) */
  readonly persist?: string;
  /** default /run/ipvsadm-ts */
  readonly stateDir?: string;
  /** for the --persist header */
  readonly commandLine?: string;
}

interface StateContext {
  readonly path: string;
  readonly netns: string;
  readonly record: StateRecord | undefined;
}

async function loadState(side: PrepRequest['side'], sys: System, opts: RunOptions): Promise<StateContext> {
  const path = stateFile(opts.stateDir ?? DEFAULT_STATE_DIR, side);
  const netns = await sys.netnsId().catch((e: unknown) => {
    throw new SystemError(`cannot identify the network namespace: ${reasonOf(e)}`, { cause: e });
  });
  return { path, netns, record: (await readState(path)).netns[netns] };
}

function sameSetup(rec: StateRecord, spec: Spec): boolean {
  if (rec.mode !== spec.mode) return false;
  if (spec.side !== 'realserver' || spec.mode !== 'tun') return true;
  return rec.tunType === spec.tunType && (spec.tunType !== 'gue' || rec.tunPort === spec.tunPort) && (rec.csum === true) === (spec.csumLocals !== undefined);
}

function refuseOtherSetup(ctx: StateContext, spec: Spec): void {
  if (ctx.record && !sameSetup(ctx.record, spec)) {
    throw new PlanError([`this network namespace is already set up as ${modeLabel(ctx.record)} (${ctx.path}); run \`ipvsadm ${spec.side} down\` first`]);
  }
}

async function committing(what: string, f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
  } catch (e) {
    throw new Error(`cannot ${what}: ${reasonOf(e)}`, { cause: e });
  }
}

/**
 * Writes this namespace's record, then does `rest` (--persist); if `rest` fails, the previous
 * record is put back, since apply() then rolls every step back (else a failed `down` would lose
 * the values to restore, and a failed `up` would leave a record of changes that were undone).
 */
async function commitRecord(ctx: StateContext, next: StateRecord | undefined, rest: () => Promise<void>): Promise<void> {
  await committing(`write the state file ${ctx.path}`, () => writeRecord(ctx.path, ctx.netns, next));
  try {
    await rest();
  } catch (e) {
    await writeRecord(ctx.path, ctx.netns, ctx.record).catch(() => undefined);
    throw e;
  }
}

export async function runUp(req: PrepRequest, sys: System, opts: RunOptions = {}): Promise<RunReport> {
  const spec = req.spec;
  if (!spec) throw new PrepUsageError('--mode is required');
  const ctx = await loadState(req.side, sys, opts);
  refuseOtherSetup(ctx, spec);
  const desired = desiredState(spec);
  const observed = await observe(sys, scopeOf(desired));
  const steps = planUp(desired, observed);
  const notes = undeprecatedVips(desired, observed).map(
    (x) => `${x.text} on ${x.dev} was there before and is not deprecated, so it may be chosen as a source address; consider \`ip -6 addr change ${x.text}/${x.prefix} dev ${x.dev} preferred_lft 0\``,
  );
  const base = { side: req.side, action: 'up' as const, mode: modeLabel(spec), notes, stateFile: ctx.path };
  const persistPath = opts.persist;
  if (opts.dryRun) {
    return { ...base, dryRun: true, steps, ...(persistPath ? { persist: { path: persistPath, outcome: 'would write' as const } } : {}) };
  }
  const performed = await apply(steps, sys, async (done) => {
    const persist = async (): Promise<void> => {
      if (!persistPath) return;
      const text = formatSysctlConf(desired, opts.commandLine ?? `ipvsadm ${req.side} up`);
      await committing(`write ${persistPath}`, () => writeSysctlConf(persistPath, text));
    };
    if (done.length > 0) await commitRecord(ctx, recordAfterUp(ctx.record, spec, done), persist);
    else await persist();
  }).catch(async (e: unknown) => {
    // What could not be rolled back stays recorded, so a later `down` still restores it.
    if (e instanceof ApplyError && e.remaining.length > 0) {
      await writeRecord(ctx.path, ctx.netns, recordAfterUp(ctx.record, spec, e.remaining)).catch(() => undefined);
    }
    throw e;
  });
  return { ...base, dryRun: false, steps: performed, ...(persistPath ? { persist: { path: persistPath, outcome: 'written' as const } } : {}) };
}

function planDown(req: PrepRequest, ctx: StateContext, observed: Awaited<ReturnType<typeof observe>>): DownPlan {
  if (ctx.record) return planDownFromRecord(ctx.record, req.vips, observed);
  if (!req.spec || req.vips.length === 0) {
    throw new PrepUsageError(`no state recorded for this network namespace in ${ctx.path}: name what to remove with --mode and --vip`);
  }
  return planDownWithoutRecord(desiredState(req.spec), req.vips, observed);
}

export async function runDown(req: PrepRequest, sys: System, opts: RunOptions = {}): Promise<RunReport> {
  const ctx = await loadState(req.side, sys, opts);
  if (req.spec) refuseOtherSetup(ctx, req.spec);
  const observed = await observe(sys, scopeOf(undefined, ctx.record));
  const plan = planDown(req, ctx, observed);
  const mode = ctx.record ? modeLabel(ctx.record) : modeLabel(req.spec!);
  const base = { side: req.side, action: 'down' as const, mode, notes: plan.notes, stateFile: ctx.path };
  const persistPath = opts.persist;
  if (opts.dryRun) {
    return { ...base, dryRun: true, steps: plan.steps, ...(persistPath ? { persist: { path: persistPath, outcome: 'would remove' as const } } : {}) };
  }
  let removed = false;
  const performed: Step[] = await apply(plan.steps, sys, async () => {
    const persist = async (): Promise<void> => {
      if (persistPath) await committing(`remove ${persistPath}`, async () => (removed = await removeSysctlConf(persistPath)));
    };
    if (ctx.record) await commitRecord(ctx, recordAfterDown(ctx.record, plan.vips), persist);
    else await persist();
  });
  const persist = persistPath ? { persist: { path: persistPath, outcome: removed ? ('removed' as const) : ('absent' as const) } } : {};
  return { ...base, dryRun: false, steps: performed, ...persist };
}

export async function runCheck(req: PrepRequest, sys: System): Promise<CheckReport> {
  if (!req.spec) throw new PrepUsageError('--mode is required');
  const desired = desiredState(req.spec);
  return checkState(desired, await observe(sys, scopeOf(desired)));
}
