// Two directors' tables compared service by service: services only in one, settings and real
// servers that differ (by the field registry's typed equality, as apply compares), and the kernel
// order of the real servers where the scheduler walks it. Pure: the tables come in as data.
import type { DestinationConfig, ServiceConfig } from '../ipvs/model.js';
import { destinationId, serviceId } from '../ipvs/vocabulary.js';
import { DESTINATION_FIELDS, SERVICE_FIELDS } from '../fields/registry.js';
import { differences } from '../fields/outputs.js';
import type { SettingChange } from '../fields/outputs.js';
import { DEFAULT_MH_TABLE_INDEX, maglevSlotsMoved } from './maglev.js';

/**
 * What an input says of the order of each service's real servers: the kernel's own (read from
 * it), as a listing printed them (the kernel's with --nosort, sorted without), or none (a save
 * is always sorted).
 */
export type OrderSource = 'kernel' | 'listing' | 'none';

export interface TableService {
  readonly service: ServiceConfig;
  readonly destinations: readonly DestinationConfig[];
}

/** One director's table, as read from one input. */
export interface TableSide {
  /** `kernel`, the file name, `<stdin>` */
  readonly name: string;
  readonly order: OrderSource;
  readonly services: readonly TableService[];
}

/**
 * The schedulers whose choice depends on the kernel's real-server order: mh fills its lookup
 * table, sh and dh their buckets, walking the list in that order; fo sends every connection to
 * the first real server of the highest weight in the list. The others choose by counters or by
 * a position that is each director's own, so the order of the list changes nothing shared.
 */
export const ORDER_SCHEDULERS: readonly string[] = ['mh', 'sh', 'dh', 'fo'];

export interface OrderDifference {
  readonly scheduler: string;
  /** the real servers in each side's order */
  readonly a: readonly string[];
  readonly b: readonly string[];
  /** mh only: the lookup-table slots whose real server differs between the two tables */
  readonly slots?: { readonly moved: number; readonly size: number };
  /** fo only: the real server each side sends every connection to */
  readonly chosen?: { readonly a: string | null; readonly b: string | null };
}

export interface ServerDifference {
  readonly server: string;
  /** before: A's value, after: B's */
  readonly settings: readonly SettingChange[];
}

export interface ServiceDifference {
  readonly service: string;
  /** the service is in one input only */
  readonly onlyIn?: 'a' | 'b';
  /** before: A's value, after: B's */
  readonly settings: readonly SettingChange[];
  readonly serversOnlyInA: readonly string[];
  readonly serversOnlyInB: readonly string[];
  readonly servers: readonly ServerDifference[];
  readonly order?: OrderDifference;
}

export interface Comparison {
  readonly a: { readonly name: string; readonly order: OrderSource };
  readonly b: { readonly name: string; readonly order: OrderSource };
  /** whether real-server order was compared at all (both inputs carry an order) */
  readonly orderCompared: boolean;
  readonly servicesCompared: number;
  /** only the services that differ, A's order first, then those only in B */
  readonly differences: readonly ServiceDifference[];
}

export interface CompareOptions {
  /** the kernel's mh build option (table size), DEFAULT_MH_TABLE_INDEX unless given */
  readonly mhTableIndex?: number;
}

/** Compares two tables; `differences` is empty when they are the same. */
export function compareTables(a: TableSide, b: TableSide, options: CompareOptions = {}): Comparison {
  const orderCompared = a.order !== 'none' && b.order !== 'none';
  const inB = new Map(b.services.map((s) => [serviceId(s.service.key), s]));
  const inA = new Set(a.services.map((s) => serviceId(s.service.key)));
  const out: ServiceDifference[] = [];
  for (const sa of a.services) {
    const id = serviceId(sa.service.key);
    const sb = inB.get(id);
    const diff = sb ? compareService(id, sa, sb, orderCompared, options) : onlyIn(id, 'a');
    if (diff) out.push(diff);
  }
  for (const sb of b.services) {
    const id = serviceId(sb.service.key);
    if (!inA.has(id)) out.push(onlyIn(id, 'b'));
  }
  return { a: { name: a.name, order: a.order }, b: { name: b.name, order: b.order }, orderCompared, servicesCompared: new Set([...inA, ...inB.keys()]).size, differences: out };
}

const onlyIn = (service: string, side: 'a' | 'b'): ServiceDifference => ({ service, onlyIn: side, settings: [], serversOnlyInA: [], serversOnlyInB: [], servers: [] });

/** The differences of one service in both tables, or undefined when there are none. */
function compareService(id: string, a: TableService, b: TableService, orderCompared: boolean, options: CompareOptions): ServiceDifference | undefined {
  const settings = differences<ServiceConfig>(SERVICE_FIELDS, a.service, b.service);
  const byId = (list: readonly DestinationConfig[]): Map<string, DestinationConfig> => new Map(list.map((d) => [destinationId(d), d]));
  const [da, db] = [byId(a.destinations), byId(b.destinations)];
  const servers: ServerDifference[] = [];
  for (const [server, d] of da) {
    const other = db.get(server);
    const changed = other ? differences<DestinationConfig>(DESTINATION_FIELDS, d, other) : [];
    if (changed.length > 0) servers.push({ server, settings: changed });
  }
  const serversOnlyInA = [...da.keys()].filter((k) => !db.has(k));
  const serversOnlyInB = [...db.keys()].filter((k) => !da.has(k));
  const order = orderCompared ? orderDifference(a, b, options) : undefined;
  if (settings.length + servers.length + serversOnlyInA.length + serversOnlyInB.length === 0 && !order) return undefined;
  return { service: id, settings, serversOnlyInA, serversOnlyInB, servers, ...(order ? { order } : {}) };
}

/**
 * The order difference of a service both sides schedule with the same order-walking scheduler:
 * the real servers both have are not in the same relative order. For mh, with the slots of the
 * two lookup tables (whole lists, weights included) that send a flow elsewhere.
 */
function orderDifference(a: TableService, b: TableService, options: CompareOptions): OrderDifference | undefined {
  const scheduler = a.service.scheduler;
  if (scheduler !== b.service.scheduler || !ORDER_SCHEDULERS.includes(scheduler)) return undefined;
  const [ids, otherIds] = [a.destinations.map(destinationId), b.destinations.map(destinationId)];
  const common = (list: string[], other: string[]): string[] => list.filter((x) => other.includes(x));
  const [ca, cb] = [common(ids, otherIds), common(otherIds, ids)];
  if (ca.every((x, i) => x === cb[i])) return undefined;
  if (scheduler === 'fo') {
    const chosen = { a: failoverChoice(a.destinations), b: failoverChoice(b.destinations) };
    return chosen.a === chosen.b ? undefined : { scheduler, a: ids, b: otherIds, chosen };
  }
  const slots = scheduler === 'mh' ? maglevSlotsMoved(a.destinations, b.destinations, options.mhTableIndex ?? DEFAULT_MH_TABLE_INDEX) : undefined;
  return { scheduler, a: ids, b: otherIds, ...(slots ? { slots } : {}) };
}

/** fo's choice: the first real server in the list with the highest weight above 0 (thresholds aside). */
function failoverChoice(list: readonly DestinationConfig[]): string | null {
  let best: DestinationConfig | undefined;
  for (const d of list) if ((d.weight | 0) > (best ? best.weight | 0 : 0)) best = d;
  return best ? destinationId(best) : null;
}
