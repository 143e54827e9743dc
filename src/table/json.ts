// The table model as JSON (`--json` listings and the JSON save): every attribute the kernel
// reports, exact counters. Its shape is src/schema/ipvsadm.schema.json (version JSON_VERSION);
// a change that is not an addition raises the version.
import { formatAddress } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';
import { AF_INET, AF_INET6 } from '../ipvs/constants.js';
import type { DaemonConfig, Destination, DestinationConfig, Info, Service, ServiceConfig, ServiceWithDestinations, Stats, Timeouts } from '../ipvs/model.js';
import { ipvsVersionText, protocolOf } from '../ipvs/vocabulary.js';
import { DAEMON_FIELDS, DESTINATION_FIELDS, SERVICE_FIELDS, TIMEOUT_FIELDS } from '../fields/registry.js';
import { jsonMembers } from '../fields/outputs.js';
import type { Json, Registry } from '../fields/spec.js';
import type { NameTable } from './names.js';
import { sortDestinations, sortServices } from './sort.js';

/** The schema's version: `"version"` of every document. */
export const JSON_VERSION = 1;

/** A 64-bit counter: a number while it is a safe integer (below 2^53), else its decimal text. */
export type Counter = number | string;

export function counter(value: bigint): Counter {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

export type { Json };

const family = (af: number): string => (af === AF_INET6 ? 'inet6' : af === AF_INET ? 'inet' : `af-${af}`);

function statsJson(s: Stats): Json {
  return { connections: counter(s.conns), packetsIn: counter(s.inpkts), packetsOut: counter(s.outpkts), bytesIn: counter(s.inbytes), bytesOut: counter(s.outbytes) };
}

function ratesJson(s: Stats): Json {
  return {
    connectionsPerSecond: counter(s.cps),
    packetsInPerSecond: counter(s.inpps),
    packetsOutPerSecond: counter(s.outpps),
    bytesInPerSecond: counter(s.inbps),
    bytesOutPerSecond: counter(s.outbps),
  };
}

/** The host name and port name found for an endpoint, when names are resolved. */
export function namesOf(addr: Address, port: number, protocol: number, names: NameTable | undefined): { hostname?: string; portName?: string } {
  if (!names) return {};
  const hostname = names.host(addr);
  const proto = protocolOf(protocol);
  const portName = proto && port !== 0 ? names.port(port, proto) : undefined;
  return { ...(hostname !== undefined ? { hostname } : {}), ...(portName !== undefined ? { portName } : {}) };
}

/** What a destination is set to: all that -a/-e (and a JSON restore) can give it. */
function destinationSettings(d: Destination): Record<string, Json> {
  return jsonMembers<DestinationConfig>(DESTINATION_FIELDS, d, false);
}

function destinationJson(d: Destination, protocol: number, names: NameTable | undefined): Json {
  return {
    address: formatAddress(d.addr),
    family: family(d.addr.af),
    port: d.port,
    ...namesOf(d.addr, d.port, protocol, names),
    ...destinationSettings(d),
    activeConnections: d.activeConns >>> 0,
    inactiveConnections: d.inactConns >>> 0,
    persistentConnections: d.persistConns >>> 0,
    stats: statsJson(d.stats),
    rates: ratesJson(d.stats),
  };
}

/** Protocol (or mark), address, family and port of a service, with the names found. */
function serviceIdentity(svc: Service, names: NameTable | undefined): Record<string, Json> {
  const k = svc.key;
  if (k.kind === 'fwmark') return { fwmark: k.fwmark >>> 0, family: family(k.af) };
  return { protocol: protocolOf(k.protocol) ?? k.protocol, address: formatAddress(k.addr), family: family(k.af), port: k.port, ...namesOf(k.addr, k.port, k.protocol, names) };
}

/**
 * What a service is set to: all that -A/-E (and a JSON restore) can give it; a listing also has
 * the kernel's raw flag bits.
 */
export function serviceSettings<S extends ServiceConfig>(svc: S, listing: boolean, fields: Registry<S>): Record<string, Json> {
  return jsonMembers(fields, svc, listing);
}

function serviceJson(entry: ServiceWithDestinations, nosort: boolean, names: NameTable | undefined): Json {
  const { service: svc } = entry;
  const protocol = svc.key.kind === 'addr' ? svc.key.protocol : 0;
  const dests = nosort ? entry.destinations : sortDestinations(entry.destinations);
  return {
    ...serviceIdentity(svc, names),
    ...serviceSettings<ServiceConfig>(svc, true, SERVICE_FIELDS),
    stats: statsJson(svc.stats),
    rates: ratesJson(svc.stats),
    destinations: dests.map((d) => destinationJson(d, protocol, names)),
  };
}

/**
 * A service of a save document: its identity and settings and its destinations' (sorted as the
 * listing sorts them), numeric, without counters: what a restore gives back.
 */
export function savedServiceJson(entry: ServiceWithDestinations): Json {
  return {
    ...serviceIdentity(entry.service, undefined),
    ...serviceSettings<ServiceConfig>(entry.service, false, SERVICE_FIELDS),
    destinations: sortDestinations(entry.destinations).map((d) => ({ address: formatAddress(d.addr), family: family(d.addr.af), port: d.port, ...destinationSettings(d) })),
  };
}

export function document(kind: string, body: Record<string, Json | undefined>): string {
  return `${JSON.stringify({ format: 'ipvsadm-ts', version: JSON_VERSION, kind, ...body }, null, 2)}\n`;
}

/**
 * `-L --json` in any mode: the table as one document, services and their destinations in the
 * text listing's order (sorted unless `nosort`). With `info` (the whole table): the IPVS version
 * and connection table size. With `names`: the host and port names found, beside the numbers.
 */
export function listingJson(
  data: { readonly info?: Info; readonly services: readonly ServiceWithDestinations[] },
  options: { readonly nosort: boolean },
  names: NameTable | undefined,
): string {
  const services = options.nosort ? data.services : sortServices(data.services);
  const ipvs = data.info ? { version: ipvsVersionText(data.info.version), connectionTableSize: data.info.connTabSize >>> 0 } : undefined;
  return document('table', { ...(ipvs ? { ipvs } : {}), services: services.map((s) => serviceJson(s, options.nosort, names)) });
}

/** `-L --timeout --json`: the three timeouts in seconds. */
export function timeoutsJson(t: Timeouts): string {
  return document('timeouts', { timeouts: timeoutsObject(t) });
}

export function timeoutsObject(t: Timeouts): Json {
  return jsonMembers<Timeouts>(TIMEOUT_FIELDS, t, false);
}

/** `-L --daemon --json`: each running sync daemon, once per state it runs in. */
export function daemonsJson(daemons: readonly DaemonConfig[]): string {
  return document('daemons', { daemons: daemonObjects(daemons) });
}

/** Each daemon once per role it runs in (the codec reads an entry holding both as two). */
export function daemonObjects(daemons: readonly DaemonConfig[]): Json[] {
  return daemons.map((d) => jsonMembers<DaemonConfig>(DAEMON_FIELDS, d, false));
}
