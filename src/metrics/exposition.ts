// `ipvsadm metrics`: the IPVS state in the Prometheus text exposition format (version 0.0.4) —
// per service and per real server the connection, packet and byte counters (exact decimal
// integers from the kernel's 64-bit counters), rates, connection counts, weights and
// thresholds; the global counters of /proc/net/ip_vs_stats; the timeouts; the sync daemons; the
// entries of /proc/net/ip_vs_conn by protocol and state. Pure.
import { formatAddress } from '../ipvs/address.js';
import { AF_INET6 } from '../ipvs/constants.js';
import type { DaemonConfig, Destination, DestinationConfig, ServiceConfig, Snapshot, Stats, Timeouts } from '../ipvs/model.js';
import { DAEMON_ROLES, ipvsVersionText, protocolOf } from '../ipvs/vocabulary.js';
import { DAEMON_FIELDS, DESTINATION_FIELDS, SERVICE_FIELDS, TIMEOUT_FIELDS } from '../fields/registry.js';
import type { ConnectionEntry } from '../table/connections.js';
import { metricGauges, metricLabels } from '../fields/outputs.js';
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

type Labels = Readonly<Record<string, string>>;

/** A label value with `\`, `"` and newlines escaped as the format asks. */
const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelText = (l: Labels): string => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
};

class Family {
  readonly samples: string[] = [];
  constructor(
    readonly name: string,
    readonly type: 'counter' | 'gauge',
    readonly help: string,
  ) {}

  add(labels: Labels, value: bigint | number): void {
    this.samples.push(`${this.name}${labelText(labels)} ${value.toString()}`);
  }

  text(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n${this.samples.map((s) => `${s}\n`).join('')}`;
  }
}

function serviceLabels(s: ServiceConfig): Labels {
  const k = s.key;
  const family = k.af === AF_INET6 ? 'inet6' : 'inet';
  if (k.kind === 'fwmark') return { service: `fwmark ${k.fwmark >>> 0} ${family}`, protocol: 'fwmark', address: '', port: '', fwmark: String(k.fwmark >>> 0), family };
  const protocol = protocolOf(k.protocol) ?? String(k.protocol);
  const address = formatAddress(k.addr);
  const endpoint = k.af === AF_INET6 ? `[${address}]:${k.port}` : `${address}:${k.port}`;
  return { service: `${protocol} ${endpoint}`, protocol, address, port: String(k.port), fwmark: '', family };
}

/** A service's labels on its own families: its identity, then its settings' labels. */
export function serviceFamilyLabels<S extends ServiceConfig>(s: S, fields: Registry<S>): Labels {
  return { ...serviceLabels(s), ...metricLabels(fields, s) };
}

/** A real server's labels: its service's identity, then its own fields' labels. */
function destinationLabels(s: Labels, d: Destination): Labels {
  return { ...s, ...metricLabels<DestinationConfig>(DESTINATION_FIELDS, d) };
}

/** Counter and rate families of one kind of object (`ipvs_service_…`, `ipvs_destination_…`, `ipvs_…`). */
function trafficFamilies(prefix: string, what: string): { add(labels: Labels, s: Stats | GlobalStats): void; all(): Family[] } {
  const f = {
    conns: new Family(`${prefix}connections_total`, 'counter', `Connections scheduled ${what}.`),
    packets: new Family(`${prefix}packets_total`, 'counter', `Packets ${what}, by direction.`),
    bytes: new Family(`${prefix}bytes_total`, 'counter', `Bytes ${what}, by direction.`),
    cps: new Family(`${prefix}connections_per_second`, 'gauge', `Connection rate ${what} (the kernel's estimate).`),
    pps: new Family(`${prefix}packets_per_second`, 'gauge', `Packet rate ${what}, by direction (the kernel's estimate).`),
    bps: new Family(`${prefix}bytes_per_second`, 'gauge', `Byte rate ${what}, by direction (the kernel's estimate).`),
  };
  return {
    add(l, s) {
      f.conns.add(l, s.conns);
      f.packets.add({ ...l, direction: 'in' }, s.inpkts);
      f.packets.add({ ...l, direction: 'out' }, s.outpkts);
      f.bytes.add({ ...l, direction: 'in' }, s.inbytes);
      f.bytes.add({ ...l, direction: 'out' }, s.outbytes);
      f.cps.add(l, s.cps);
      f.pps.add({ ...l, direction: 'in' }, s.inpps);
      f.pps.add({ ...l, direction: 'out' }, s.outpps);
      f.bps.add({ ...l, direction: 'in' }, s.inbps);
      f.bps.add({ ...l, direction: 'out' }, s.outbps);
    },
    all: () => Object.values(f),
  };
}

/**
 * The sync daemons: whether each role runs (two series, 0 or 1, always present), and one info
 * series per running daemon with its settings' labels (at most two: one master, one backup).
 */
function daemonFamilies(daemons: readonly DaemonConfig[]): Family[] {
  const running = new Family('ipvs_sync_daemon_running', 'gauge', 'Whether the connection-sync daemon of the role runs (1) or not (0).');
  const info = new Family('ipvs_sync_daemon_info', 'gauge', 'A running connection-sync daemon: its role, multicast interface and sync ID (always 1).');
  for (const role of DAEMON_ROLES) running.add({ state: role }, daemons.some((d) => d.state === role) ? 1 : 0);
  for (const d of daemons) info.add(metricLabels<DaemonConfig>(DAEMON_FIELDS, d), 1);
  return [running, info];
}

/**
 * Entries of the connection table (templates included) counted by protocol and state, one series
 * per pair present. Bounded by the kernel's fixed state names: tcp at most 11 (ESTABLISHED,
 * SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, SYNACK, SYN_SENT, NONE),
 * udp and the persistence templates (protocol ip) one each, sctp at most 13.
 */
function connectionEntryFamily(entries: readonly ConnectionEntry[]): Family {
  const counts = new Map<string, { protocol: string; state: string; n: number }>();
  for (const e of entries) {
    // lower case, as the services' protocol label (the kernel writes TCP, UDP, SCTP, IP)
    const protocol = e.protocol.toLowerCase();
    const key = `${protocol} ${e.state}`;
    const c = counts.get(key) ?? { protocol, state: e.state, n: 0 };
    c.n++;
    counts.set(key, c);
  }
  const family = new Family('ipvs_connection_entries', 'gauge', 'Entries of the connection table (/proc/net/ip_vs_conn) by protocol and state.');
  const ordered = [...counts.values()].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.state.localeCompare(b.state));
  for (const c of ordered) family.add({ protocol: c.protocol, state: c.state }, c.n);
  return family;
}

/**
 * The whole exposition: every family with HELP and TYPE, each sample once. `entries` is the
 * connection table, or undefined when it could not be read (its family is then left out).
 */
export function exposition(snap: Snapshot, global: GlobalStats | undefined, entries?: readonly ConnectionEntry[]): string {
  const info = new Family('ipvs_info', 'gauge', 'IPVS version and connection table size (always 1).');
  info.add({ version: ipvsVersionText(snap.info.version), connection_table_size: String(snap.info.connTabSize >>> 0) }, 1);
  const services = new Family('ipvs_services', 'gauge', 'Virtual services in the table.');
  const servers = new Family('ipvs_destinations', 'gauge', 'Real servers in the table.');
  const timeouts = new Family('ipvs_timeout_seconds', 'gauge', 'Connection timeouts (ipvsadm --set).');
  const svcTraffic = trafficFamilies('ipvs_service_', 'by the virtual service');
  const dstTraffic = trafficFamilies('ipvs_destination_', 'to the real server');
  const active = new Family('ipvs_destination_active_connections', 'gauge', 'Active connections of the real server.');
  const inactive = new Family('ipvs_destination_inactive_connections', 'gauge', 'Inactive connections of the real server (closed TCP ones linger here).');
  const persistent = new Family('ipvs_destination_persistent_connections', 'gauge', 'Persistence templates pointing at the real server.');
  const settings = metricGauges<DestinationConfig>(DESTINATION_FIELDS).map((g) => ({ family: new Family(g.family, 'gauge', g.help), value: g.value }));
  services.add({}, snap.services.length);
  servers.add({}, snap.services.reduce((n, s) => n + s.destinations.length, 0));
  for (const [protocol, seconds] of Object.entries(metricLabels<Timeouts>(TIMEOUT_FIELDS, snap.timeouts))) timeouts.add({ protocol }, BigInt(seconds));
  for (const { service, destinations } of snap.services) {
    const sl = serviceFamilyLabels<ServiceConfig>(service, SERVICE_FIELDS);
    svcTraffic.add(sl, service.stats);
    for (const d of destinations) {
      const dl = destinationLabels(serviceLabels(service), d);
      dstTraffic.add(dl, d.stats);
      active.add(dl, d.activeConns >>> 0);
      inactive.add(dl, d.inactConns >>> 0);
      persistent.add(dl, d.persistConns >>> 0);
      for (const s of settings) s.family.add(dl, s.value(d));
    }
  }
  const families = [info, services, servers, timeouts];
  if (global) {
    const g = trafficFamilies('ipvs_', 'by IPVS in all');
    g.add({}, global);
    families.push(...g.all());
  }
  families.push(...svcTraffic.all(), ...dstTraffic.all(), active, inactive, persistent, ...settings.map((s) => s.family));
  families.push(...daemonFamilies(snap.daemons));
  if (entries) families.push(connectionEntryFamily(entries));
  return families.map((f) => f.text()).join('');
}
