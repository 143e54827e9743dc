// Performs a plan in order. Each step re-reads what it changes (so the recorded "before" is the
// value really replaced, even on a device a module created a moment ago) and yields its undo; on
// the first failure the steps done so far are undone in reverse and an ApplyError says what happened.
import { AF_INET, AF_INET6 } from '../ipvs/constants.js';
import { ApplyError, StepError, reasonOf } from './errors.js';
import { describeStep } from './format.js';
import type { Step } from './model.js';
import { ModuleLoadError } from '../host/modules.js';
import { IFA_F_NODAD, IFF_UP, RT_SCOPE_UNIVERSE } from '../rtnl/client.js';
import type { IfAddress } from '../rtnl/client.js';
import type { System } from './system.js';

interface Performed {
  /** the step as performed (sysctl `from` = the value actually replaced) */
  readonly step: Step;
  readonly undo?: Step;
}

/** Runs after the last step with what was performed; a failure rolls the whole run back. */
export type Commit = (performed: readonly Step[]) => Promise<void>;

/**
 * Runs `steps`, then `commit` (state file, --persist); resolves with the steps that changed
 * something (as performed). On failure, rolls back and rejects with ApplyError; nothing of this
 * run stays applied unless the rollback itself failed (ApplyError.rollbackFailures).
 */
export async function apply(steps: readonly Step[], sys: System, commit?: Commit): Promise<Step[]> {
  const done: Performed[] = [];
  for (const step of steps) {
    let performed: Performed | undefined;
    try {
      performed = await perform(step, sys);
    } catch (e) {
      throw await rollback(done, failure(step, e), sys);
    }
    if (performed) done.push(performed);
  }
  const performed = done.map((p) => p.step);
  try {
    await commit?.(performed);
  } catch (e) {
    throw await rollback(done, new StepError(undefined, reasonOf(e), { cause: e }), sys);
  }
  return performed;
}

function failure(step: Step, e: unknown): StepError {
  const reason = e instanceof ModuleLoadError ? e.detail : reasonOf(e);
  return new StepError(step, `cannot ${describeStep(step)}: ${reason}`, { cause: e });
}

async function rollback(done: readonly Performed[], failed: StepError, sys: System): Promise<ApplyError> {
  const rolledBack: Step[] = [];
  const failures: StepError[] = [];
  const remaining: Step[] = [];
  for (const p of [...done].reverse()) {
    if (!p.undo) continue;
    try {
      await perform(p.undo, sys);
      rolledBack.push(p.undo);
    } catch (e) {
      failures.push(failure(p.undo, e));
      remaining.unshift(p.step);
    }
  }
  const modulesLeft = done.flatMap((p) => (p.step.kind === 'module-load' ? [p.step.module] : []));
  return new ApplyError(failed, rolledBack, failures, modulesLeft, remaining);
}

type Performer<K extends Step['kind']> = (step: Extract<Step, { kind: K }>, sys: System) => Promise<Performed | undefined>;

/** How each kind of step is made (an add and its delete share one function). */
const PERFORMERS: { readonly [K in Step['kind']]: Performer<K> } = {
  'module-load': async (step, sys) => {
    await sys.modules.load(step.module);
    return { step }; // not undone: a loaded module configures nothing by itself
  },
  'sysctl-set': (step, sys) => setSysctl(step, sys),
  'link-set': (step, sys) => setLink(step, sys),
  'address-add': (step, sys) => changeAddress(step, sys),
  'address-del': (step, sys) => changeAddress(step, sys),
  'fou-add': (step, sys) => changeFou(step, sys),
  'fou-del': (step, sys) => changeFou(step, sys),
  'tunnel-add': (step, sys) => changeTunnel(step, sys),
  'tunnel-del': (step, sys) => changeTunnel(step, sys),
  'daemon-start': (step, sys) => changeDaemon(step, sys),
  'daemon-stop': (step, sys) => changeDaemon(step, sys),
};

function perform(step: Step, sys: System): Promise<Performed | undefined> {
  return (PERFORMERS[step.kind] as Performer<Step['kind']>)(step, sys);
}

async function changeTunnel(step: Extract<Step, { kind: 'tunnel-add' | 'tunnel-del' }>, sys: System): Promise<Performed> {
  const rtnl = await sys.rtnl();
  if (step.kind === 'tunnel-add') await rtnl.createGre({ name: step.dev, type: step.type, local: step.local.address.bytes });
  else await rtnl.deleteLink((await indexOf(step.dev, sys)).index);
  return { step, undo: { ...step, kind: step.kind === 'tunnel-add' ? 'tunnel-del' : 'tunnel-add' } };
}

async function setSysctl(step: Extract<Step, { kind: 'sysctl-set' }>, sys: System): Promise<Performed | undefined> {
  const before = await sys.sysctl.read(step.key);
  if (before === undefined) throw new Error('no such sysctl');
  // A device key the kernel has never been told a value for follows conf/default, so setting
  // default a step earlier may already have changed it. It is still written (pinned, so it no
  // longer moves with default) and recorded with the planned value, which `down` then restores.
  const followed = before === step.to && step.from !== undefined && step.from !== step.to;
  if (before === step.to && !followed) return undefined;
  const from = followed ? step.from! : before;
  await sys.sysctl.write(step.key, step.to);
  return { step: { ...step, from }, undo: { kind: 'sysctl-set', key: step.key, from: step.to, to: from } };
}

async function indexOf(dev: string, sys: System): Promise<{ index: number; up: boolean }> {
  const link = await (await sys.rtnl()).link(dev);
  if (!link) throw new Error(`unknown interface ${dev}`);
  return { index: link.index, up: (link.flags & IFF_UP) !== 0 };
}

async function setLink(step: Extract<Step, { kind: 'link-set' }>, sys: System): Promise<Performed | undefined> {
  const link = await indexOf(step.dev, sys);
  if (link.up === step.up) return undefined;
  await (await sys.rtnl()).setLink(link.index, step.up);
  return { step, undo: { ...step, up: !step.up } };
}

async function changeAddress(step: Extract<Step, { kind: 'address-add' | 'address-del' }>, sys: System): Promise<Performed> {
  const { index } = await indexOf(step.dev, sys);
  const a: IfAddress = {
    family: step.vip.family === 4 ? AF_INET : AF_INET6,
    prefix: step.prefix,
    flags: step.nodad && step.vip.family === 6 ? IFA_F_NODAD : 0,
    scope: RT_SCOPE_UNIVERSE,
    index,
    local: step.vip.address.bytes,
    // An IPv6 VIP is added deprecated, so that it is never picked as a source address: a tunnel
    // packet from a director whose VIP shares a longer prefix with the real server would
    // otherwise carry the VIP as outer source, which the real server (holding the VIP) drops.
    ...(step.kind === 'address-add' && step.vip.family === 6 ? { preferredLft: 0 } : {}),
  };
  const rtnl = await sys.rtnl();
  if (step.kind === 'address-add') await rtnl.addAddress(a);
  else await rtnl.deleteAddress(a);
  return { step, undo: { ...step, kind: step.kind === 'address-add' ? 'address-del' : 'address-add' } };
}

async function changeFou(step: Extract<Step, { kind: 'fou-add' | 'fou-del' }>, sys: System): Promise<Performed> {
  const fou = await sys.fou();
  if (!fou) throw new Error('the fou module is not loaded');
  if (step.kind === 'fou-add') await fou.addGue(step.port, step.family);
  else await fou.delete(step.port, step.family);
  return { step, undo: { ...step, kind: step.kind === 'fou-add' ? 'fou-del' : 'fou-add' } };
}

async function changeDaemon(step: Extract<Step, { kind: 'daemon-start' | 'daemon-stop' }>, sys: System): Promise<Performed> {
  const ipvs = await sys.ipvs();
  if (step.kind === 'daemon-start') await ipvs.apply({ op: 'start-daemon', daemon: step.daemon });
  else await ipvs.apply({ op: 'stop-daemon', state: step.daemon.state, syncId: step.daemon.syncId });
  return { step, undo: { ...step, kind: step.kind === 'daemon-start' ? 'daemon-stop' : 'daemon-start' } };
}
