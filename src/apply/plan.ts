// The plan of `ipvsadm apply`: what to change so that the kernel's table (a Snapshot) holds what
// the file says (a Desired), make-before-break — timeouts, adds, changes in place, daemons, then
// removals; never a flush. Pure: each step carries its kernel changes and what undoes each.
import { addressEquals, formatAddress } from '../ipvs/address.js';
import type { Change } from '../ipvs/changes.js';
import { destinationConfig } from '../ipvs/model.js';
import type { DaemonConfig, DaemonRole, Destination, DestinationConfig, ServiceConfig, ServiceKey, Snapshot, Timeouts } from '../ipvs/model.js';
import { DAEMON_ROLES, destinationId, serviceId } from '../ipvs/vocabulary.js';
import { DAEMON_FIELDS, DESTINATION_FIELDS, SERVICE_FIELDS, TIMEOUT_FIELDS } from '../fields/registry.js';
import { differences, shownSettings } from '../fields/outputs.js';
import type { SettingChange } from '../fields/outputs.js';
import type { Desired } from '../core/desired.js';
import { inCanonicalOrder, planOrder } from './order.js';
import type { OrderedAdd } from './order.js';
import { inScope } from './scope.js';
import type { Scope } from './scope.js';

export type StepAction = 'add' | 'change' | 'remove';
export type StepObject = 'service' | 'real server' | 'timeouts' | 'daemon';

/** One setting as shown: its value before and after (absent on the side that has none). */
export type Field = SettingChange;

export interface PlanStep {
  readonly action: StepAction;
  readonly object: StepObject;
  /** `tcp 192.0.2.1:80`, `198.51.100.1:80 of tcp 192.0.2.1:80`, `master daemon` */
  readonly label: string;
  readonly fields: readonly Field[];
  /** what the kernel is asked, in order, each with what puts it back */
  readonly changes: readonly Planned[];
}

/** One kernel change and the changes that undo it (a removed service: add it and its servers). */
export interface Planned {
  readonly do: Change;
  readonly undo: readonly Change[];
}

const planned = (change: Change, ...undo: Change[]): Planned => ({ do: change, undo });

export interface Plan {
  readonly steps: readonly PlanStep[];
  /** in scope and in the kernel but not in the file, and kept (no --prune) */
  readonly unmanaged: readonly string[];
  /** what the plan leaves alone and why */
  readonly notes: readonly string[];
}

export interface PlanOptions {
  readonly prune: boolean;
  readonly scope?: Scope;
  /** real servers in the canonical kernel order (order.ts), where no connection can be dropped */
  readonly canonicalOrder?: boolean;
  /** net.ipv4.vs.expire_nodest_conn as read (undefined: not known), which decides that */
  readonly expireNodestConn?: number;
}

// ---- settings as shown and compared: both from the field registry ----

export function serviceFields(s: ServiceConfig): Field[] {
  return shownSettings<ServiceConfig>(SERVICE_FIELDS, s);
}

export function destinationFields(d: DestinationConfig): Field[] {
  return shownSettings<DestinationConfig>(DESTINATION_FIELDS, d);
}

export function daemonFields(d: DaemonConfig): Field[] {
  return shownSettings<DaemonConfig>(DAEMON_FIELDS, d);
}

const asBefore = (fields: readonly Field[]): Field[] => fields.map((f) => ({ name: f.name, ...(f.after !== undefined ? { before: f.after } : {}) }));

// ---- the plan ----


const destLabel = (d: DestinationConfig, key: ServiceKey): string => `${destinationId(d)} of ${serviceId(key)}`;

/** The steps that make the kernel (`current`) match the file (`desired`) within the scope. */
export function planApply(current: Snapshot, desired: Desired, options: PlanOptions): Plan {
  const adds: PlanStep[] = [];
  const edits: PlanStep[] = [];
  const removals: PlanStep[] = [];
  const unmanaged: string[] = [];
  const notes: string[] = [];
  const kernel = new Map(current.services.filter((s) => inScope(options.scope, s.service.key)).map((s) => [serviceId(s.service.key), s]));
  const wanted = new Set<string>();

  for (const { service, destinations } of desired.services) {
    const id = serviceId(service.key);
    wanted.add(id);
    const have = kernel.get(id);
    if (!have) {
      adds.push({ action: 'add', object: 'service', label: id, fields: serviceFields(service), changes: [planned({ op: 'add-service', service }, { op: 'delete-service', key: service.key })] });
      const dests = planDestinations(service, [], destinations, options);
      adds.push(...dests.adds);
      notes.push(...dests.notes);
      continue;
    }
    const { stats: _stats, ...was } = have.service;
    const changed = differences<ServiceConfig>(SERVICE_FIELDS, was, service);
    if (changed.length > 0) {
      edits.push({ action: 'change', object: 'service', label: id, fields: changed, changes: [planned({ op: 'edit-service', service }, { op: 'edit-service', service: was })] });
    }
    const dests = planDestinations(service, have.destinations, destinations, options);
    adds.push(...dests.adds);
    edits.push(...dests.edits);
    removals.push(...dests.removals);
    notes.push(...dests.notes);
  }

  const serviceRemovals: PlanStep[] = [];
  for (const [id, have] of kernel) {
    if (wanted.has(id)) continue;
    if (!options.prune) {
      unmanaged.push(`service ${id}`);
      continue;
    }
    const { stats: _stats, ...was } = have.service;
    serviceRemovals.push({
      action: 'remove',
      object: 'service',
      label: id,
      fields: asBefore(serviceFields(was)),
      changes: [planned({ op: 'delete-service', key: was.key }, { op: 'add-service', service: was }, ...have.destinations.map((d): Change => ({ op: 'add-dest', key: was.key, dest: destinationConfig(d) })))],
    });
  }

  // Timeouts and daemons belong to the whole director: a scoped apply leaves them alone.
  if (options.scope && (desired.timeouts || desired.daemons)) notes.push(`timeouts and sync daemons: left as they are (--scope ${options.scope.text} covers services only)`);
  const timeoutSteps = options.scope ? [] : planTimeouts(current.timeouts, desired.timeouts);
  const daemons = options.scope ? { adds: [], removals: [] } : planDaemons(current.daemons, desired.daemons, options.prune, unmanaged);

  return { steps: [...timeoutSteps, ...adds, ...edits, ...daemons.adds, ...removals, ...serviceRemovals, ...daemons.removals], unmanaged, notes };
}

interface DestinationSteps {
  readonly adds: PlanStep[];
  readonly edits: PlanStep[];
  readonly removals: PlanStep[];
  readonly notes: string[];
}

/** The steps for the real servers of one service: adds (in canonical order when asked), edits, removals. */
function planDestinations(service: ServiceConfig, kernel: readonly Destination[], destinations: readonly DestinationConfig[], options: PlanOptions): DestinationSteps {
  const key = service.key;
  const id = serviceId(key);
  const out: DestinationSteps = { adds: [], edits: [], removals: [], notes: [] };
  if (!options.canonicalOrder && service.scheduler === 'mh' && !inCanonicalOrder(orderAfter(kernel, destinations))) {
    out.notes.push(`${id} (mh): its real servers will not be in the canonical kernel order, so a director with the same file and another history can send some flows to other real servers (ipvsadm compare counts them); --canonical-order puts them in it`);
  }
  const present = new Map(kernel.map((d) => [destinationId(d), destinationConfig(d)]));
  const order = options.canonicalOrder ? planOrder(kernel, destinations, options.expireNodestConn) : undefined;
  if (order?.kind === 'unsafe') out.notes.push(unsafeNote(id, order.held, options.expireNodestConn));
  const ordered = order?.kind === 'ordered' ? order.adds : undefined;
  const moved = new Set((ordered ?? []).filter((a) => a.moved).map((a) => destinationId(a.dest)));
  if (ordered) out.adds.push(...ordered.map((a) => (a.moved ? moveDest(key, a, destinationConfig(a.moved)) : addDest(key, a.dest))));
  for (const dest of destinations) {
    const did = destinationId(dest);
    const before = present.get(did);
    if (!before) {
      if (!ordered) out.adds.push(addDest(key, dest));
      continue;
    }
    const diff = differences<DestinationConfig>(DESTINATION_FIELDS, before, dest);
    if (diff.length > 0 && !moved.has(did)) {
      out.edits.push({ action: 'change', object: 'real server', label: destLabel(dest, key), fields: diff, changes: [planned({ op: 'edit-dest', key, dest }, { op: 'edit-dest', key, dest: before })] });
    }
  }
  const keep = new Set(destinations.map(destinationId));
  for (const [did, before] of present) {
    if (keep.has(did)) continue;
    const moving = destinations.find((d) => !present.has(destinationId(d)) && addressEquals(d.addr, before.addr));
    if (moving) {
      out.notes.push(`real server ${formatAddress(before.addr)} of ${id}: its port cannot change in place (address and port name a real server), so ${destinationId(before)} is removed and ${destinationId(moving)} added`);
    }
    out.removals.push({
      action: 'remove',
      object: 'real server',
      label: destLabel(before, key),
      fields: asBefore(destinationFields(before)),
      changes: [planned({ op: 'delete-dest', key, dest: before }, { op: 'add-dest', key, dest: before })],
    });
  }
  return out;
}

/** The kernel's list (head first) after plain adds in file order, each at the head, and the removals. */
function orderAfter(kernel: readonly DestinationConfig[], destinations: readonly DestinationConfig[]): DestinationConfig[] {
  const ids = new Set(destinations.map(destinationId));
  const known = new Set(kernel.map(destinationId));
  return [...destinations.filter((d) => !known.has(destinationId(d))).reverse(), ...kernel.filter((d) => ids.has(destinationId(d)))];
}

/** A kept real server deleted and added again at the head of the list, in one batch (run.ts keeps the two together). */
function moveDest(key: ServiceKey, a: OrderedAdd, before: DestinationConfig): PlanStep {
  const fields: Field[] = [{ name: 'kernel order', before: String(a.from), after: String(a.to) }, ...differences<DestinationConfig>(DESTINATION_FIELDS, before, a.dest)];
  return {
    action: 'change',
    object: 'real server',
    label: destLabel(a.dest, key),
    fields,
    changes: [planned({ op: 'delete-dest', key, dest: before }, { op: 'add-dest', key, dest: before }), planned({ op: 'add-dest', key, dest: a.dest }, { op: 'delete-dest', key, dest: a.dest })],
  };
}

function unsafeNote(id: string, held: readonly Destination[], expire: number | undefined): string {
  const servers = held.map((d) => `${destinationId(d)} (${d.activeConns + d.inactConns + d.persistConns} connection entries)`).join(', ');
  const why = expire === undefined ? 'net.ipv4.vs.expire_nodest_conn could not be read' : `net.ipv4.vs.expire_nodest_conn is ${expire}`;
  return `--canonical-order: the real servers of ${id} are left in their kernel order: ${servers} would have to be deleted and added again, and ${why}, so a packet that arrives between the two would end its connections; apply again when they have none, or with expire_nodest_conn 0`;
}

function addDest(key: ServiceKey, dest: DestinationConfig): PlanStep {
  return { action: 'add', object: 'real server', label: destLabel(dest, key), fields: destinationFields(dest), changes: [planned({ op: 'add-dest', key, dest }, { op: 'delete-dest', key, dest })] };
}

/** Timeouts the file sets (a 0 keeps the kernel's, as `--set` does). */
function planTimeouts(current: Timeouts, wanted: Timeouts | undefined): PlanStep[] {
  if (!wanted) return [];
  const fields = differences<Timeouts>(TIMEOUT_FIELDS, current, wanted);
  if (fields.length === 0) return [];
  return [{ action: 'change', object: 'timeouts', label: 'timeouts', fields, changes: [planned({ op: 'set-timeouts', timeouts: wanted }, { op: 'set-timeouts', timeouts: current })] }];
}

/** The daemon running in a role (the codec reads an entry holding both roles as two). */
function runningOf(current: readonly DaemonConfig[], state: DaemonRole): DaemonConfig | undefined {
  return current.find((c) => c.state === state);
}

function planDaemons(current: readonly DaemonConfig[], wanted: readonly DaemonConfig[] | undefined, prune: boolean, unmanaged: string[]): { adds: PlanStep[]; removals: PlanStep[] } {
  const adds: PlanStep[] = [];
  const removals: PlanStep[] = [];
  if (!wanted) return { adds, removals };
  for (const state of DAEMON_ROLES) {
    const label = `${state} daemon`;
    const running = runningOf(current, state);
    const want = wanted.find((w) => w.state === state);
    const stop = (d: DaemonConfig): Change => ({ op: 'stop-daemon', state, syncId: d.syncId });
    const start = (d: DaemonConfig): Change => ({ op: 'start-daemon', daemon: d });
    if (want && !running) adds.push({ action: 'add', object: 'daemon', label, fields: daemonFields(want), changes: [planned(start(want), stop(want))] });
    if (want && running) {
      const diff = differences<DaemonConfig>(DAEMON_FIELDS, running, want);
      if (diff.length > 0) adds.push({ action: 'change', object: 'daemon', label, fields: diff, changes: [planned(stop(running), start(running)), planned(start(want), stop(want))] });
    }
    if (!want && running) {
      if (prune) removals.push({ action: 'remove', object: 'daemon', label, fields: asBefore(daemonFields(running)), changes: [planned(stop(running), start(running))] });
      else unmanaged.push(label);
    }
  }
  return { adds, removals };
}
