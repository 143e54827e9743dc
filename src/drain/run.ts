// `ipvsadm drain`: take one real server out gracefully — weight 0 (no new connections), then,
// when asked, watch its connection counts until it is drained or the time is up, and delete it
// once drained. "Drained" is no active connection and no persistence template by default; with
// `--until all`, no inactive connection either (closed TCP connections linger as inactive for
// TIME_WAIT, about two minutes). The watching itself is the drain engine's (core/drain.ts).
import { sameCounts, watchDrain } from '../core/drain.js';
import type { Counts, CountsRead, Until } from '../core/drain.js';
import type { IpvsClient } from '../ipvs/client.js';
import type { Destination, DestinationConfig, ServiceKey } from '../ipvs/model.js';
import { destinationConfig } from '../ipvs/model.js';
import { destinationId, serviceId } from '../ipvs/vocabulary.js';

export type { Counts, Until } from '../core/drain.js';

export interface DrainRequest {
  readonly key: ServiceKey;
  /** address and port of the real server (the rest of its settings are read from the kernel) */
  readonly server: Pick<DestinationConfig, 'addr' | 'port'>;
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly until: Until;
  readonly remove: boolean;
  readonly pollMs: number;
}

/** What a drain reports as it goes (the front end prints each). */
export type DrainEvent =
  | { readonly event: 'weight'; readonly server: string; readonly service: string; readonly before: number }
  | { readonly event: 'warning'; readonly text: string }
  | { readonly event: 'counts'; readonly counts: Counts; readonly elapsedMs: number; readonly changed: boolean }
  | { readonly event: 'drained'; readonly counts: Counts; readonly elapsedMs: number }
  | { readonly event: 'timeout'; readonly counts: Counts; readonly elapsedMs: number }
  | { readonly event: 'deleted' };

export type DrainOutcome = 'drained' | 'weight-set' | 'timed-out';

/** The sysctls that decide whether a drain can finish (net.ipv4.vs.*; undefined when absent). */
export interface DrainSysctls {
  readonly expireQuiescentTemplate?: number;
  readonly connReuseMode?: number;
  readonly expireNodestConn?: number;
}

/** The real server was not found, or the service does not exist. */
export class DrainTargetError extends Error {
  override readonly name = 'DrainTargetError';
}

export interface DrainPorts {
  readonly client: IpvsClient;
  readonly sysctls: () => DrainSysctls;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly emit: (e: DrainEvent) => void;
}

/** Warnings about what keeps this drain from finishing, from the kernel's settings. */
export function drainWarnings(s: DrainSysctls, persistent: boolean, req: Pick<DrainRequest, 'wait' | 'remove' | 'until'>): string[] {
  const out: string[] = [];
  if (persistent && s.expireQuiescentTemplate === 0) {
    out.push('the service is persistent and net.ipv4.vs.expire_quiescent_template is 0: clients with a persistence template keep reaching this real server at weight 0 until their template expires (sysctl -w net.ipv4.vs.expire_quiescent_template=1 ends them)');
  }
  if (req.wait && s.connReuseMode === 0) {
    out.push('net.ipv4.vs.conn_reuse_mode is 0: a client that reuses a source port of a lingering connection is sent to this real server again, so its counts may not reach 0');
  }
  if (req.remove && s.expireNodestConn === 1 && !req.wait) {
    out.push('net.ipv4.vs.expire_nodest_conn is 1: connections still open to this real server are dropped when it is deleted');
  }
  if (req.wait && req.until === 'all') {
    out.push('--until all waits for inactive connections too: closed TCP connections stay inactive for TIME_WAIT (about 2 minutes)');
  }
  return out;
}

async function find(client: IpvsClient, req: DrainRequest): Promise<Destination> {
  const dests = await client.destinations(req.key);
  const id = destinationId(req.server);
  const d = dests.find((x) => destinationId(x) === id);
  if (!d) throw new DrainTargetError(`real server ${id} is not in service ${serviceId(req.key)}`);
  return d;
}

/** Sets the weight to 0 and, as asked, waits and deletes. */
export async function runDrain(req: DrainRequest, p: DrainPorts): Promise<DrainOutcome> {
  const service = await p.client.service(req.key);
  const dest = await find(p.client, req);
  const label = { server: destinationId(dest), service: serviceId(req.key) };
  for (const text of drainWarnings(p.sysctls(), service.persistent, req)) p.emit({ event: 'warning', text });
  if ((dest.weight | 0) !== 0) await p.client.apply({ op: 'edit-dest', key: req.key, dest: { ...destinationConfig(dest), weight: 0 } });
  p.emit({ event: 'weight', ...label, before: dest.weight | 0 });
  if (!req.wait) {
    if (req.remove) await deleteIt(req, dest, p);
    return 'weight-set';
  }
  let last: Counts | undefined;
  const onRead = (read: CountsRead): void => {
    const counts = read.counts[0];
    if (!counts) throw new DrainTargetError(`real server ${label.server} is not in service ${label.service}`);
    const { elapsedMs } = read;
    if (read.drained) p.emit({ event: 'drained', counts, elapsedMs });
    else if (read.timedOut) p.emit({ event: 'timeout', counts, elapsedMs });
    else p.emit({ event: 'counts', counts, elapsedMs, changed: !last || !sameCounts(last, counts) });
    last = counts;
  };
  const read = await watchDrain(p.client, [req], { until: req.until, timeoutMs: req.timeoutMs, pollMs: req.pollMs, now: p.now, sleep: p.sleep, onRead });
  if (!read.drained) return 'timed-out';
  if (req.remove) await deleteIt(req, dest, p);
  return 'drained';
}

async function deleteIt(req: DrainRequest, dest: Destination, p: DrainPorts): Promise<void> {
  await p.client.apply({ op: 'delete-dest', key: req.key, dest: destinationConfig(dest) });
  p.emit({ event: 'deleted' });
}
