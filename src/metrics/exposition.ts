// `ipvsadm metrics`: the IPVS state in the Prometheus text exposition format (version 0.0.4) —
// per service and per real server the connection, packet and byte counters (exact decimal
// integers from the kernel's 64-bit counters) and the real servers' families chosen by --collect
// (COLLECTABLE); the global counters of /proc/net/ip_vs_stats; the timeouts; the sync daemons;
// the entries of /proc/net/ip_vs_conn by protocol and state. Pure; written in large chunks.
import { decodeRaw, encodeRaw } from '../app/raw-text.js';
import { formatAddress } from '../ipvs/address.js';
import { AF_INET6 } from '../ipvs/constants.js';
import type { DaemonConfig, Destination, DestinationConfig, ServiceConfig, Snapshot, Stats, Timeouts } from '../ipvs/model.js';
import { DAEMON_ROLES, ipvsVersionText, protocolOf } from '../ipvs/vocabulary.js';
import { DAEMON_FIELDS, DESTINATION_FIELDS, SERVICE_FIELDS, TIMEOUT_FIELDS } from '../fields/registry.js';
import type { ConnectionEntry } from '../table/connections.js';
import { metricGauges, metricLabels, metricLabelWriters } from '../fields/outputs.js';
import type { Registry } from '../fields/spec.js';

/** The global counters and rates of /proc/net/ip_vs_stats. */
export type GlobalStats = Pick<Stats, 'conns' | 'inpkts' | 'outpkts' | 'inbytes' | 'outbytes' | 'cps' | 'inpps' | 'outpps' | 'inbps' | 'outbps'>;

/**
 * Reads /proc/net/ip_vs_stats (Linux's ip_vs_stats_show: two title lines, the totals as five hex
 * numbers, a blank line, a title, the rates as five hex numbers); undefined when it is not that.
 */
export function parseGlobalStats(text: string): GlobalStats | undefined {
  const rows = text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w.length === 5 && w.every((x) => /^[0-9A-Fa-f]{1,16}$/.test(x)))
    .map((w) => w.map((x) => BigInt(`0x${x}`)));
  const [totals, rates] = rows;
  if (!totals || !rates || rows.length !== 2) return undefined;
  const [conns, inpkts, outpkts, inbytes, outbytes] = totals as [bigint, bigint, bigint, bigint, bigint];
  const [cps, inpps, outpps, inbps, outbps] = rates as [bigint, bigint, bigint, bigint, bigint];
  return { conns, inpkts, outpkts, inbytes, outbytes, cps, inpps, outpps, inbps, outbps };
}

/**
 * The families `--collect` chooses: `counters` (per real server: connections, packets and bytes,
 * 5 series), `connections` (active, inactive, persistent: 3), `weight` (1), `thresholds` (upper
 * and lower: 2), `rates` (the kernel's rate estimates, 5 per real server and 5 per service).
 */
export const COLLECTABLE = ['counters', 'connections', 'weight', 'thresholds', 'rates'] as const;
export type Collectable = (typeof COLLECTABLE)[number];
/** Without --collect: 9 series per real server, 5 per service (rates are Prometheus's to compute). */
export const DEFAULT_COLLECT: ReadonlySet<Collectable> = new Set<Collectable>(['counters', 'connections', 'weight']);

/** `counters,rates`, `all` or `none` → the set; a message naming the unknown word otherwise. */
export function parseCollect(text: string): ReadonlySet<Collectable> | string {
  const words = text.split(',').map((w) => w.trim());
  if (words.length === 1 && words[0] === 'all') return new Set(COLLECTABLE);
  if (words.length === 1 && words[0] === 'none') return new Set();
  const bad = words.find((w) => !(COLLECTABLE as readonly string[]).includes(w));
  if (bad !== undefined) return `unknown family '${bad}' (expected all, none, or some of ${COLLECTABLE.join(', ')})`;
  return new Set(words as Collectable[]);
}

/** A label value with `\`, `"` and newlines escaped as the format asks. */
const escape = (v: string): string => (/[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v);

/** `k1="v1",k2="v2"` (no braces). */
const labelList = (l: Readonly<Record<string, string>>): string =>
  Object.entries(l)
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(',');

/** Chunks of about this many bytes are handed out. */
const CHUNK = 1 << 20;
/** Room past CHUNK for the sample that crosses it (a larger one grows the buffer). */
const SLACK = 1 << 14;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A non-negative integer's decimal digits written at `at`; the offset after them. */
function writeDigits(b: Buffer, at: number, n: number): number {
  let end = at;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) end++;
  for (let i = end, x = n; i >= at; i--, x = Math.floor(x / 10)) b[i] = 0x30 + (x % 10);
  return end + 1;
}

/**
 * The text under construction, as bytes in one buffer of about CHUNK, taken off whole and then
 * reused (no string or object per sample: names and label sets are encoded once, values written
 * as digits; no fresh memory per chunk).
 */
class Out {
  private buf = Buffer.allocUnsafe(CHUNK + SLACK);
  private at = 0;

  family(name: string, type: 'counter' | 'gauge', help: string): void {
    this.bytes(encodeRaw(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`));
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  /** One sample: `name{labels extra} value`, or `name value` when both are empty. */
  sample(name: Uint8Array, labels: Uint8Array, extra: Uint8Array, value: bigint | number): void {
    this.room(name.length + labels.length + extra.length + 32);
    const b = this.buf;
    let at = this.at;
    b.set(name, at);
    at += name.length;
    if (labels.length + extra.length > 0) {
      b[at++] = 0x7b; // {
      b.set(labels, at);
      at += labels.length;
      b.set(extra, at);
      at += extra.length;
      b[at++] = 0x7d; // }
    }
    b[at++] = 0x20;
    const n = typeof value === 'bigint' ? (value >= 0n && value <= MAX_SAFE ? Number(value) : value) : value;
    at = typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? writeDigits(b, at, n) : at + b.write(String(n), at, 'latin1');
    b[at++] = 0x0a;
    this.at = at;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.at + n));
    bigger.set(this.buf.subarray(0, this.at));
    this.buf = bigger;
  }

  get full(): boolean {
    return this.at >= CHUNK;
  }

  /** The bytes so far; the buffer is written over from the start by what comes next. */
  take(): Uint8Array {
    const t = this.buf.subarray(0, this.at);
    this.at = 0;
    return t;
  }
}

const NONE = new Uint8Array(0);
const bytes = (text: string): Uint8Array => (text === '' ? NONE : encodeRaw(text));

/** A service's identity labels (the real servers' families carry them too). */
function serviceLabels(s: ServiceConfig): Record<string, string> {
  const k = s.key;
  const family = k.af === AF_INET6 ? 'inet6' : 'inet';
  if (k.kind === 'fwmark') return { service: `fwmark ${k.fwmark >>> 0} ${family}`, protocol: 'fwmark', address: '', port: '', fwmark: String(k.fwmark >>> 0), family };
  const protocol = protocolOf(k.protocol) ?? String(k.protocol);
  const address = formatAddress(k.addr);
  const endpoint = k.af === AF_INET6 ? `[${address}]:${k.port}` : `${address}:${k.port}`;
  return { service: `${protocol} ${endpoint}`, protocol, address, port: String(k.port), fwmark: '', family };
}

/** A service's labels on its own families: its identity, then its settings' labels. */
export function serviceFamilyLabels<S extends ServiceConfig>(s: S, fields: Registry<S>): Record<string, string> {
  return { ...serviceLabels(s), ...metricLabels(fields, s) };
}

type Traffic = Stats | GlobalStats;
/** A traffic family: its name's stem, type, help, and its samples (value, direction label or none). */
interface TrafficFamily {
  stem: string;
  type: 'counter' | 'gauge';
  help: string;
  values: readonly [keyof Traffic, string][];
}
const TRAFFIC_COUNTERS: readonly TrafficFamily[] = [
  { stem: 'connections_total', type: 'counter', help: 'Connections scheduled', values: [['conns', '']] },
  { stem: 'packets_total', type: 'counter', help: 'Packets', values: [['inpkts', 'in'], ['outpkts', 'out']] },
  { stem: 'bytes_total', type: 'counter', help: 'Bytes', values: [['inbytes', 'in'], ['outbytes', 'out']] },
];
const TRAFFIC_RATES: readonly TrafficFamily[] = [
  { stem: 'connections_per_second', type: 'gauge', help: 'Connection rate', values: [['cps', '']] },
  { stem: 'packets_per_second', type: 'gauge', help: 'Packet rate', values: [['inpps', 'in'], ['outpps', 'out']] },
  { stem: 'bytes_per_second', type: 'gauge', help: 'Byte rate', values: [['inbps', 'in'], ['outbps', 'out']] },
];
const trafficHelp = (f: TrafficFamily, what: string): string =>
  `${f.help} ${what}${f.values.length > 1 ? ', by direction' : ''}${f.type === 'gauge' ? " (the kernel's estimate)" : ''}.`;

/** The traffic families of one kind of object, each over all `objects` (labels, stats). */
function* trafficFamilies(out: Out, families: readonly TrafficFamily[], prefix: string, what: string, objects: readonly (readonly [Uint8Array, Traffic])[]): Generator<Uint8Array> {
  for (const f of families) {
    const name = bytes(prefix + f.stem);
    out.family(prefix + f.stem, f.type, trafficHelp(f, what));
    const values = f.values.map(([key, direction]) => [key, direction === '' ? NONE : bytes(`,direction="${direction}"`), bytes(`direction="${direction}"`)] as const);
    for (const [labels, stats] of objects) {
      for (const [key, extra, alone] of values) out.sample(name, labels, labels.length > 0 || extra === NONE ? extra : alone, stats[key]);
      if (out.full) yield out.take();
    }
  }
}

/**
 * The sync daemons: whether each role runs (two series, 0 or 1, always present), and one info
 * series per running daemon with its settings' labels (at most two: one master, one backup).
 */
function daemonFamilies(out: Out, daemons: readonly DaemonConfig[]): void {
  out.family('ipvs_sync_daemon_running', 'gauge', 'Whether the connection-sync daemon of the role runs (1) or not (0).');
  for (const role of DAEMON_ROLES) out.sample(bytes('ipvs_sync_daemon_running'), bytes(`state="${role}"`), NONE, daemons.some((d) => d.state === role) ? 1 : 0);
  out.family('ipvs_sync_daemon_info', 'gauge', 'A running connection-sync daemon: its role, multicast interface and sync ID (always 1).');
  for (const d of daemons) out.sample(bytes('ipvs_sync_daemon_info'), bytes(labelList(metricLabels<DaemonConfig>(DAEMON_FIELDS, d))), NONE, 1);
}

/**
 * Entries of the connection table (templates included) counted by protocol and state, one series
 * per pair present. Bounded by the kernel's fixed state names: tcp at most 11 (ESTABLISHED,
 * SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, SYNACK, SYN_SENT, NONE),
 * udp and the persistence templates (protocol ip) one each, sctp at most 13.
 */
function connectionEntryFamily(out: Out, entries: readonly ConnectionEntry[]): void {
  const counts = new Map<string, { protocol: string; state: string; n: number }>();
  for (const e of entries) {
    // lower case, as the services' protocol label (the kernel writes TCP, UDP, SCTP, IP)
    const protocol = e.protocol.toLowerCase();
    const key = `${protocol} ${e.state}`;
    const c = counts.get(key) ?? { protocol, state: e.state, n: 0 };
    c.n++;
    counts.set(key, c);
  }
  out.family('ipvs_connection_entries', 'gauge', 'Entries of the connection table (/proc/net/ip_vs_conn) by protocol and state.');
  const ordered = [...counts.values()].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.state.localeCompare(b.state));
  for (const c of ordered) out.sample(bytes('ipvs_connection_entries'), bytes(`protocol="${escape(c.protocol)}",state="${escape(c.state)}"`), NONE, c.n);
}

/** A gauge family of the real servers: its name, help and value. */
interface DestinationGauge {
  family: string;
  help: string;
  value(d: Destination): number;
}

/** The real servers' gauge families `collect` asks for, in the order they are written. */
function destinationGauges(collect: ReadonlySet<Collectable>): DestinationGauge[] {
  const connections: DestinationGauge[] = [
    { family: 'ipvs_destination_active_connections', help: 'Active connections of the real server.', value: (d) => d.activeConns >>> 0 },
    { family: 'ipvs_destination_inactive_connections', help: 'Inactive connections of the real server (closed TCP ones linger here).', value: (d) => d.inactConns >>> 0 },
    { family: 'ipvs_destination_persistent_connections', help: 'Persistence templates pointing at the real server.', value: (d) => d.persistConns >>> 0 },
  ];
  const settings = metricGauges<DestinationConfig>(DESTINATION_FIELDS).filter((g) => collect.has(g.family.endsWith('_threshold') ? 'thresholds' : 'weight'));
  return [...(collect.has('connections') ? connections : []), ...settings];
}

/** Headers and the counts of the table: info, services, real servers, timeouts. */
function tableFamilies(out: Out, snap: Snapshot): void {
  out.family('ipvs_info', 'gauge', 'IPVS version and connection table size (always 1).');
  out.sample(bytes('ipvs_info'), bytes(`version="${escape(ipvsVersionText(snap.info.version))}",connection_table_size="${snap.info.connTabSize >>> 0}"`), NONE, 1);
  out.family('ipvs_services', 'gauge', 'Virtual services in the table.');
  out.sample(bytes('ipvs_services'), NONE, NONE, snap.services.length);
  out.family('ipvs_destinations', 'gauge', 'Real servers in the table.');
  out.sample(bytes('ipvs_destinations'), NONE, NONE, snap.services.reduce((n, s) => n + s.destinations.length, 0));
  out.family('ipvs_timeout_seconds', 'gauge', 'Connection timeouts (ipvsadm --set).');
  for (const [protocol, seconds] of Object.entries(metricLabels<Timeouts>(TIMEOUT_FIELDS, snap.timeouts))) out.sample(bytes('ipvs_timeout_seconds'), bytes(`protocol="${protocol}"`), NONE, BigInt(seconds));
}

/** What a scrape read: the table, the global counters, the connection table (each may be missing). */
export interface Reading {
  snap: Snapshot;
  global: GlobalStats | undefined;
  /** undefined when /proc/net/ip_vs_conn could not be read (its family is then left out) */
  entries?: readonly ConnectionEntry[] | undefined;
}

/** The real servers, each with its labels (its service's identity, then its own). */
function destinationsWithLabels(snap: Snapshot): { dests: Destination[]; labels: Uint8Array[] } {
  const own = metricLabelWriters<DestinationConfig>(DESTINATION_FIELDS);
  const dests: Destination[] = [];
  const labels: Uint8Array[] = [];
  for (const { service, destinations } of snap.services) {
    const identity = labelList(serviceLabels(service));
    for (const d of destinations) {
      dests.push(d);
      let l = identity;
      for (const w of own) l += `,${w.label}="${escape(w.value(d))}"`;
      labels.push(bytes(l));
    }
  }
  return { dests, labels };
}

/**
 * The whole exposition in chunks of about a megabyte (the text written in order): every family
 * with HELP and TYPE, each sample once; the real servers' families those of `collect`. The chunks
 * share one buffer: each must be written (or copied) before the next is asked for.
 */
export function* expositionChunks(reading: Reading, collect: ReadonlySet<Collectable> = DEFAULT_COLLECT): Generator<Uint8Array> {
  const { snap, global, entries } = reading;
  const out = new Out();
  tableFamilies(out, snap);
  if (global) yield* trafficFamilies(out, [...TRAFFIC_COUNTERS, ...TRAFFIC_RATES], 'ipvs_', 'by IPVS in all', [[NONE, global]]);
  const services = snap.services.map(({ service }) => [bytes(labelList(serviceFamilyLabels<ServiceConfig>(service, SERVICE_FIELDS))), service.stats] as const);
  yield* trafficFamilies(out, collect.has('rates') ? [...TRAFFIC_COUNTERS, ...TRAFFIC_RATES] : TRAFFIC_COUNTERS, 'ipvs_service_', 'by the virtual service', services);
  const { dests, labels } = destinationsWithLabels(snap);
  const traffic = [...(collect.has('counters') ? TRAFFIC_COUNTERS : []), ...(collect.has('rates') ? TRAFFIC_RATES : [])];
  yield* trafficFamilies(out, traffic, 'ipvs_destination_', 'to the real server', dests.map((d, i) => [labels[i]!, d.stats] as const));
  for (const g of destinationGauges(collect)) {
    out.family(g.family, 'gauge', g.help);
    const name = bytes(g.family);
    for (let i = 0; i < dests.length; i++) {
      out.sample(name, labels[i]!, NONE, g.value(dests[i]!));
      if (out.full) yield out.take();
    }
  }
  daemonFamilies(out, snap.daemons);
  if (entries) connectionEntryFamily(out, entries);
  yield out.take();
}

/** The whole exposition as one string (see expositionChunks). */
export function exposition(snap: Snapshot, global: GlobalStats | undefined, entries?: readonly ConnectionEntry[], collect: ReadonlySet<Collectable> = DEFAULT_COLLECT): string {
  const chunks: Buffer[] = [];
  for (const c of expositionChunks({ snap, global, entries }, collect)) chunks.push(Buffer.from(c));
  return decodeRaw(Buffer.concat(chunks));
}
