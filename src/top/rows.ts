// `ipvsadm top`'s model: one row per service and per real server, with the kernel's counts and
// rates and the deltas of its counters since the previous read, and the orders the view sorts
// by. Pure: the snapshot in, rows out; the counters are the kernel's 64-bit ones (bigint).
import type { Destination, ServiceWithDestinations, Stats } from '../ipvs/model.js';
import { destinationId, serviceId } from '../ipvs/vocabulary.js';
import { sortDestinations, sortServices } from '../table/sort.js';

/** What changed in a counter since the previous read (undefined: no previous read, or it went back, as after -Z). */
export interface Deltas {
  readonly conns?: bigint;
  readonly inpkts?: bigint;
  readonly outpkts?: bigint;
  readonly inbytes?: bigint;
  readonly outbytes?: bigint;
}

export interface TopRow {
  /** stable across reads: the service's id, or the service's and the real server's */
  readonly id: string;
  readonly level: 'service' | 'server';
  /** service rows: the kernel's entry; server rows: their service's */
  readonly entry: ServiceWithDestinations;
  /** server rows only */
  readonly server?: Destination;
  /** server rows: the real server's; service rows: the sum over its real servers */
  readonly active: number;
  readonly inactive: number;
  readonly persistent: number;
  /** service rows: the sum of the weights */
  readonly weight: number;
  readonly stats: Stats;
  readonly deltas: Deltas;
}

export interface TopGroup {
  readonly service: TopRow;
  readonly servers: readonly TopRow[];
}

/** The counters a read keeps for the next one's deltas, by row id. */
export type CounterMemory = ReadonlyMap<string, Stats>;

const COUNTERS = ['conns', 'inpkts', 'outpkts', 'inbytes', 'outbytes'] as const;

function deltasOf(now: Stats, before: Stats | undefined): Deltas {
  if (!before) return {};
  const out: { -readonly [K in keyof Deltas]: bigint } = {};
  for (const c of COUNTERS) if (now[c] >= before[c]) out[c] = now[c] - before[c];
  return out;
}

/** The rows of one read, in 1.31's order (services, and real servers within each), and the counters to remember. */
export function buildGroups(table: readonly ServiceWithDestinations[], before: CounterMemory | undefined): { groups: TopGroup[]; memory: CounterMemory } {
  const memory = new Map<string, Stats>();
  const groups = sortServices(table).map((entry) => {
    const sid = serviceId(entry.service.key);
    const servers = sortDestinations(entry.destinations).map((d): TopRow => {
      const id = `${sid} -> ${destinationId(d)}`;
      memory.set(id, d.stats);
      return { id, level: 'server', entry, server: d, active: d.activeConns, inactive: d.inactConns, persistent: d.persistConns, weight: d.weight, stats: d.stats, deltas: deltasOf(d.stats, before?.get(id)) };
    });
    memory.set(sid, entry.service.stats);
    const sum = (f: (r: TopRow) => number): number => servers.reduce((n, r) => n + f(r), 0);
    const service: TopRow = {
      id: sid,
      level: 'service',
      entry,
      active: sum((r) => r.active),
      inactive: sum((r) => r.inactive),
      persistent: sum((r) => r.persistent),
      weight: sum((r) => r.weight),
      stats: entry.service.stats,
      deltas: deltasOf(entry.service.stats, before?.get(sid)),
    };
    return { service, servers };
  });
  return { groups, memory };
}

/** What the view can sort by; each has a key in the view and a `--sort` word. */
export const SORT_ORDERS = {
  natural: { key: 'n', title: '1.31 order', value: undefined },
  active: { key: 'a', title: 'active connections', value: (r: TopRow) => BigInt(r.active) },
  inactive: { key: 'i', title: 'inactive connections', value: (r: TopRow) => BigInt(r.inactive) },
  cps: { key: 'c', title: 'connections/s', value: (r: TopRow) => r.stats.cps },
  new: { key: 'd', title: 'new connections', value: (r: TopRow) => r.deltas.conns ?? -1n },
  packets: { key: 'p', title: 'packets/s', value: (r: TopRow) => r.stats.inpps + r.stats.outpps },
  bytes: { key: 'b', title: 'bytes/s', value: (r: TopRow) => r.stats.inbps + r.stats.outbps },
  weight: { key: 'w', title: 'weight', value: (r: TopRow) => BigInt(r.weight) },
} as const satisfies Record<string, { key: string; title: string; value: ((r: TopRow) => bigint) | undefined }>;

export type SortOrder = keyof typeof SORT_ORDERS;

export const isSortOrder = (word: string): word is SortOrder => Object.hasOwn(SORT_ORDERS, word);

/** The order a key of the view selects, if any. */
export function sortOrderOfKey(key: string): SortOrder | undefined {
  return (Object.keys(SORT_ORDERS) as SortOrder[]).find((o) => SORT_ORDERS[o].key === key);
}

/**
 * Groups sorted by `order`, real servers within each group too: by value, largest first
 * (`reverse`: smallest first); ties, and the natural order, keep 1.31's order (reversed by `reverse`).
 */
export function sortGroups(groups: readonly TopGroup[], order: SortOrder, reverse: boolean): TopGroup[] {
  const value = SORT_ORDERS[order].value;
  const sorted = <T>(items: readonly T[], v: (t: T) => bigint): T[] => {
    const indexed = items.map((item, i) => ({ item, i, v: value ? v(item) : 0n }));
    indexed.sort((a, b) => {
      const byValue = a.v === b.v ? 0 : a.v > b.v ? -1 : 1;
      return (byValue || a.i - b.i) * (reverse ? -1 : 1);
    });
    return indexed.map((x) => x.item);
  };
  if (!value) return sorted(groups, () => 0n).map((g) => ({ service: g.service, servers: sorted(g.servers, () => 0n) }));
  return sorted(groups, (g) => value(g.service)).map((g) => ({ service: g.service, servers: sorted(g.servers, value) }));
}
