// The drain engine: watch the connection counts of real servers (already at weight 0) until each
// is drained or the time is up. Used by `ipvsadm drain --wait` and `ipvsadm apply --drain-wait`.
// Each read dumps the real servers of the services concerned only, never the whole table.
import type { IpvsClient } from '../ipvs/client.js';
import type { Destination, DestinationConfig, ServiceKey } from '../ipvs/model.js';
import { destinationId, serviceId } from '../ipvs/vocabulary.js';

/**
 * What "drained" means: `active` is no active connection and no persistence template; `all` is
 * no inactive connection either (closed TCP connections stay inactive for TIME_WAIT).
 */
export type Until = 'active' | 'all';

export interface Counts {
  readonly active: number;
  readonly inactive: number;
  readonly persistent: number;
}

/** One real server of one service, named by address and port. */
export interface DrainTarget {
  readonly key: ServiceKey;
  readonly server: Pick<DestinationConfig, 'addr' | 'port'>;
}

/** The counts of each target at one read; a target no longer in its service has none. */
export interface CountsRead {
  readonly elapsedMs: number;
  readonly counts: readonly (Counts | undefined)[];
  /** every target drained (or gone) */
  readonly drained: boolean;
  /** not drained and the time is up: the last read */
  readonly timedOut: boolean;
}

export interface WatchOptions {
  readonly until: Until;
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** called with every read, the last one included; what it throws ends the watch */
  readonly onRead?: (read: CountsRead) => void;
}

export const countsOf = (d: Destination): Counts => ({ active: d.activeConns >>> 0, inactive: d.inactConns >>> 0, persistent: d.persistConns >>> 0 });

export const isDrained = (c: Counts, until: Until): boolean => c.active === 0 && c.persistent === 0 && (until === 'active' || c.inactive === 0);

export const sameCounts = (a: Counts, b: Counts): boolean => a.active === b.active && a.inactive === b.inactive && a.persistent === b.persistent;

export const targetLabel = (t: DrainTarget): string => `${destinationId(t.server)} of ${serviceId(t.key)}`;

/** The counts of each target: one dump of real servers per service concerned. */
export async function readCounts(client: IpvsClient, targets: readonly DrainTarget[]): Promise<(Counts | undefined)[]> {
  const listed = new Map<string, Destination[]>();
  for (const t of targets) {
    const id = serviceId(t.key);
    if (!listed.has(id)) listed.set(id, await client.destinations(t.key));
  }
  return targets.map((t) => {
    const d = listed.get(serviceId(t.key))!.find((x) => destinationId(x) === destinationId(t.server));
    return d && countsOf(d);
  });
}

/** Reads the counts until every target is drained (or gone) or `timeoutMs` has passed. */
export async function watchDrain(client: IpvsClient, targets: readonly DrainTarget[], o: WatchOptions): Promise<CountsRead> {
  const started = o.now();
  for (;;) {
    const counts = await readCounts(client, targets);
    const elapsedMs = o.now() - started;
    const drained = counts.every((c) => c === undefined || isDrained(c, o.until));
    const read: CountsRead = { elapsedMs, counts, drained, timedOut: !drained && elapsedMs >= o.timeoutMs };
    o.onRead?.(read);
    if (read.drained || read.timedOut) return read;
    await o.sleep(Math.min(o.pollMs, Math.max(0, o.timeoutMs - elapsedMs)));
  }
}
