// The three actions over a System: observe → plan → apply (+ state record, --persist) for up and
// down, observe → check for check. Returns data for format.ts; throws the typed errors of errors.ts.
// This is the programmatic API (the lab and the traffic tests call it, or the CLI over it).
// A record of a deleted namespace that had this one's inode (netns-marker.ts) is set aside, with a note.
// up and down (not their dry runs) hold the lock of preparing this namespace throughout (host/lock.ts).
import { LockBusyError, prepLock, takeLockIfPermitted } from '../host/lock.js';
import type { Marking } from '../host/netns.js';
import { apply } from './apply.js';
import { checkState, undeprecatedVips } from './check.js';
import type { CheckReport } from './check.js';
import { ApplyError, PlanError, PrepUsageError, SystemError, reasonOf } from './errors.js';
import { modeLabel } from './format.js';
import type { RunReport, SetAsideReport } from './format.js';
import type { Side, Spec, Step } from './model.js';
import { judge, markNamespace, unmarkNamespace } from './netns-marker.js';
import { observe, scopeOf } from './observe.js';
import { formatSysctlConf, removeSysctlConf, writeSysctlConf } from './persist.js';
import { planDownFromRecord, planDownWithoutRecord, planUp } from './plan.js';
import type { DownPlan } from './plan.js';
import { desiredState } from './requirements.js';
import type { PrepRequest } from './spec.js';
import { DEFAULT_STATE_DIR, readState, recordAfterDown, recordAfterUp, recordedHa, stateFile, withMarker, writeRecord } from './state.js';
import type { RecordedHa, StaleRecord, StateRecord, WriterLock } from './state.js';
import type { System } from './system.js';

export interface RunOptions {
  readonly dryRun?: boolean;
  /** sysctl.d file to write (up) or remove (down) */
  readonly persist?: string;
  /** default /run/ipvsadm-ts */
  readonly stateDir?: string;
  /** for the --persist header */
  readonly commandLine?: string;
  /** who runs, as another run waiting for the lock is told; default `ipvsadm SIDE ACTION` */
  readonly holder?: string;
  /** how long to wait for another up or down of this namespace (and for the state files); default 30 s */
  readonly lockWaitMs?: number;
}

/** How long up and down wait for another run in the same namespace (`flock -w` style). */
export const PREP_LOCK_WAIT_MS = 30_000;

interface StateContext {
  readonly path: string;
  /** the other side's file (the marker on lo stays while either side has a record) */
  readonly otherPath: string;
  readonly netns: string;
  /** this namespace's record */
  readonly record: StateRecord | undefined;
  /** a deleted namespace's record filed under the same inode: set aside by the next write */
  readonly stale: StaleRecord | undefined;
  /** how this run takes the lock of the state files */
  readonly writer: WriterLock;
}

const OTHER: Readonly<Record<Side, Side>> = { realserver: 'director', director: 'realserver' };

const netnsOf = (sys: System): Promise<string> =>
  sys.netnsId().catch((e: unknown) => {
    throw new SystemError(`cannot identify the network namespace: ${reasonOf(e)}`, { cause: e });
  });

const holderOf = (req: PrepRequest, action: 'up' | 'down', opts: RunOptions): string => opts.holder ?? `ipvsadm ${req.side} ${action}`;

async function loadState(req: PrepRequest, action: 'up' | 'down', sys: System, opts: RunOptions): Promise<StateContext> {
  const dir = opts.stateDir ?? DEFAULT_STATE_DIR;
  const path = stateFile(dir, req.side);
  const netns = await netnsOf(sys);
  const verdict = await judge((await readState(path)).netns[netns], sys);
  const stale = verdict.kind === 'stale' ? { netns, setAside: new Date().toISOString(), reason: verdict.reason, record: verdict.record } : undefined;
  const writer = { holder: holderOf(req, action, opts), waitMs: opts.lockWaitMs ?? PREP_LOCK_WAIT_MS };
  return { path, otherPath: stateFile(dir, OTHER[req.side]), netns, record: verdict.kind === 'ours' ? verdict.record : undefined, stale, writer };
}

/** Runs `f` holding the lock of preparing this namespace (a dry run changes nothing and takes none). */
async function inNamespaceLock<T>(req: PrepRequest, action: 'up' | 'down', sys: System, opts: RunOptions, f: () => Promise<T>): Promise<T> {
  if (opts.dryRun === true) return f();
  const request = prepLock(opts.stateDir ?? DEFAULT_STATE_DIR, await netnsOf(sys), holderOf(req, action, opts), opts.lockWaitMs ?? PREP_LOCK_WAIT_MS);
  // without the right to make the lock file, the run goes on unlocked: its first change (or its
  // state file) needs the same right, and fails naming it
  const lock = await takeLockIfPermitted(request).catch((e: unknown) => {
    throw new SystemError(e instanceof LockBusyError ? e.message : `cannot take the lock ${request.path}: ${reasonOf(e)}`, { cause: e });
  });
  try {
    return await f();
  } finally {
    lock.release();
  }
}

/** The one line that tells the operator a record was set aside (or, in a dry run, would be). */
function staleNote(ctx: StateContext, dryRun: boolean): string[] {
  if (!ctx.stale) return [];
  const what = `the state record for inode ${ctx.netns} (${modeLabel(ctx.stale.record)}) belongs to a deleted network namespace (${ctx.stale.reason})`;
  return [`${what}; ${dryRun ? 'it would be set aside' : 'set aside'} under "stale" in ${ctx.path}`];
}

function setAsideReport(ctx: StateContext): { setAside?: SetAsideReport } {
  return ctx.stale ? { setAside: { netns: ctx.netns, mode: modeLabel(ctx.stale.record), reason: ctx.stale.reason } } : {};
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
  const [had, want] = [ctx.record?.haSettings, recordedHa(spec)];
  if (had && want && (had.preset !== want.preset || had.sync !== want.sync)) {
    throw new PlanError([
      `this network namespace is already set up with ${haText(had)} (${ctx.path}); an up with ${haText(want)} would stack the two settings: ` +
        `run \`ipvsadm director down\` first, then up with the settings wanted (an up with the same --ha and --sync, or without either, adds to it)`,
    ]);
  }
}

/** `--ha pair (sync both)`, `--sync master` */
const haText = (h: RecordedHa): string => (h.preset ? `--ha ${h.preset} (sync ${h.sync})` : `--sync ${h.sync}`);

async function committing<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new Error(`cannot ${what}: ${reasonOf(e)}`, { cause: e });
  }
}

/** Writes this namespace's record (marked, see netns-marker.ts), setting aside a stale one. */
async function saveRecord(ctx: StateContext, sys: System, next: StateRecord | undefined): Promise<Marking | undefined> {
  const marking = next ? await committing('mark the network namespace (alias of lo)', () => markNamespace(sys)) : undefined;
  try {
    await committing(`write the state file ${ctx.path}`, () => writeRecord(ctx.path, ctx.netns, next && withMarker(next, marking?.token), ctx.stale, ctx.writer));
  } catch (e) {
    if (marking?.setNow) await unmarkNamespace(sys, marking.token!).catch(() => undefined);
    throw e;
  }
  return marking;
}

/**
 * Writes this namespace's record, then does `rest` (--persist); if `rest` fails, the previous
 * record is put back, since apply() then rolls every step back (else a failed `down` would lose
 * the values to restore, and a failed `up` would leave a record of changes that were undone).
 * When no record is left on either side, the marker comes off lo (best effort: it is inert).
 */
async function commitRecord(ctx: StateContext, sys: System, next: StateRecord | undefined, rest: () => Promise<void>): Promise<void> {
  const marking = await saveRecord(ctx, sys, next);
  try {
    await rest();
  } catch (e) {
    await writeRecord(ctx.path, ctx.netns, ctx.record, ctx.stale, ctx.writer).catch(() => undefined);
    if (marking?.setNow) await unmarkNamespace(sys, marking.token!).catch(() => undefined);
    throw e;
  }
  if (!next && ctx.record?.marker !== undefined) await unmarkUnlessUsed(ctx, sys, ctx.record.marker).catch(() => undefined);
}

async function unmarkUnlessUsed(ctx: StateContext, sys: System, token: string): Promise<void> {
  const other = (await readState(ctx.otherPath)).netns[ctx.netns];
  if (other?.marker !== token) await unmarkNamespace(sys, token);
}

/** A run that records nothing still sets a stale record aside. */
async function setAsideOnly(ctx: StateContext): Promise<void> {
  if (ctx.stale) await committing(`write the state file ${ctx.path}`, () => writeRecord(ctx.path, ctx.netns, undefined, ctx.stale, ctx.writer));
}

export async function runUp(req: PrepRequest, sys: System, opts: RunOptions = {}): Promise<RunReport> {
  const spec = req.spec;
  if (!spec) throw new PrepUsageError('--mode is required');
  return inNamespaceLock(req, 'up', sys, opts, () => up(req, spec, sys, opts));
}

async function up(req: PrepRequest, spec: Spec, sys: System, opts: RunOptions): Promise<RunReport> {
  const ctx = await loadState(req, 'up', sys, opts);
  refuseOtherSetup(ctx, spec);
  const desired = desiredState(spec);
  const observed = await observe(sys, scopeOf(desired));
  const steps = planUp(desired, observed);
  const notes = undeprecatedVips(desired, observed).map(
    (x) => `${x.text} on ${x.dev} was there before and is not deprecated, so it may be chosen as a source address; consider \`ip -6 addr change ${x.text}/${x.prefix} dev ${x.dev} preferred_lft 0\``,
  );
  const dryRun = opts.dryRun === true;
  const base = { side: req.side, action: 'up' as const, mode: modeLabel(spec), notes: [...staleNote(ctx, dryRun), ...notes], stateFile: ctx.path, ...setAsideReport(ctx) };
  const persistPath = opts.persist;
  if (dryRun) {
    return { ...base, dryRun: true, steps, ...(persistPath ? { persist: { path: persistPath, outcome: 'would write' as const } } : {}) };
  }
  const performed = await apply(steps, sys, async (done) => {
    const persist = async (): Promise<void> => {
      if (!persistPath) return;
      const text = formatSysctlConf(desired, opts.commandLine ?? `ipvsadm ${req.side} up`);
      await committing(`write ${persistPath}`, () => writeSysctlConf(persistPath, text));
    };
    if (done.length > 0) await commitRecord(ctx, sys, recordAfterUp(ctx.record, spec, done), persist);
    else await setAsideOnly(ctx).then(persist);
  }).catch(async (e: unknown) => {
    // What could not be rolled back stays recorded, so a later `down` still restores it.
    // Unmarked if lo cannot be marked now: such a record is judged by the VIPs it lists.
    if (e instanceof ApplyError && e.remaining.length > 0) {
      const marking = await markNamespace(sys).catch(() => undefined);
      const rec = withMarker(recordAfterUp(ctx.record, spec, e.remaining), marking?.token);
      await writeRecord(ctx.path, ctx.netns, rec, ctx.stale, ctx.writer).catch(() => undefined);
    }
    throw e;
  });
  return { ...base, dryRun: false, steps: performed, ...(persistPath ? { persist: { path: persistPath, outcome: 'written' as const } } : {}) };
}

function planDown(req: PrepRequest, ctx: StateContext, observed: Awaited<ReturnType<typeof observe>>): DownPlan {
  if (ctx.record) return planDownFromRecord(ctx.record, req.vips, observed);
  if (!req.spec || req.vips.length === 0) {
    const stale = ctx.stale ? ` (the one under its inode ${ctx.netns} belongs to a deleted namespace: ${ctx.stale.reason})` : '';
    throw new PrepUsageError(`no state recorded for this network namespace in ${ctx.path}${stale}: name what to remove with --mode and --vip`);
  }
  return planDownWithoutRecord(desiredState(req.spec), req.vips, observed);
}

export async function runDown(req: PrepRequest, sys: System, opts: RunOptions = {}): Promise<RunReport> {
  return inNamespaceLock(req, 'down', sys, opts, () => down(req, sys, opts));
}

async function down(req: PrepRequest, sys: System, opts: RunOptions): Promise<RunReport> {
  const ctx = await loadState(req, 'down', sys, opts);
  if (req.spec) refuseOtherSetup(ctx, req.spec);
  const observed = await observe(sys, scopeOf(undefined, ctx.record));
  const plan = planDown(req, ctx, observed);
  const mode = ctx.record ? modeLabel(ctx.record) : modeLabel(req.spec!);
  const dryRun = opts.dryRun === true;
  const base = { side: req.side, action: 'down' as const, mode, notes: [...staleNote(ctx, dryRun), ...plan.notes], stateFile: ctx.path, ...setAsideReport(ctx) };
  const persistPath = opts.persist;
  if (dryRun) {
    return { ...base, dryRun: true, steps: plan.steps, ...(persistPath ? { persist: { path: persistPath, outcome: 'would remove' as const } } : {}) };
  }
  let removed = false;
  const performed: Step[] = await apply(plan.steps, sys, async () => {
    const persist = async (): Promise<void> => {
      if (persistPath) await committing(`remove ${persistPath}`, async () => (removed = await removeSysctlConf(persistPath)));
    };
    if (ctx.record) await commitRecord(ctx, sys, recordAfterDown(ctx.record, plan.vips), persist);
    else await setAsideOnly(ctx).then(persist);
  });
  const persist = persistPath ? { persist: { path: persistPath, outcome: removed ? ('removed' as const) : ('absent' as const) } } : {};
  return { ...base, dryRun: false, steps: performed, ...persist };
}

export async function runCheck(req: PrepRequest, sys: System): Promise<CheckReport> {
  if (!req.spec) throw new PrepUsageError('--mode is required');
  const desired = desiredState(req.spec);
  return checkState(desired, await observe(sys, scopeOf(desired)));
}
