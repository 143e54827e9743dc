// The table model as JSON (`--json` listings and the JSON save): every attribute the kernel
// reports, exact counters. Its shape is src/schema/ipvsadm.schema.json (version JSON_VERSION);
// a change that is not an addition raises the version.
import { formatAddress } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';
import { AF_INET, AF_INET6 } from '../ipvs/constants.js';
import type { DaemonConfig, Destination, Info, Service, ServiceWithDestinations, Stats, Timeouts } from '../ipvs/model.js';
import { encodeServiceFlags } from '../ipvs/value-codec.js';
import { ipvsVersionText, protocolOf } from '../ipvs/vocabulary.js';
import { tunnelJson } from '../fields/words.js';
import type { NameTable } from './names.js';
import { dottedMask } from './service-text.js';
import { schedFlagWords } from './sched-flags.js';
import { sortDestinations, sortServices } from './sort.js';

/** The schema's version: `"version"` of every document. */
export const JSON_VERSION = 1;

/** A 64-bit counter: a number while it is a safe integer (below 2^53), else its decimal text. */
export type Counter = number | string;

export function counter(value: bigint): Counter {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

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
  return {
    forwarding: d.forwarding,
    weight: d.weight | 0,
    upperThreshold: d.uThreshold >>> 0,
    lowerThreshold: d.lThreshold >>> 0,
    tunnel: tunnelJson(d),
  };
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

function persistenceJson(svc: Service): Json {
  if (!svc.persistent) return null;
  const netmask = svc.key.af === AF_INET6 ? svc.netmask | 0 : dottedMask(svc.netmask);
  return { timeout: svc.timeout >>> 0, netmask };
}

/** Protocol (or mark), address, family and port of a service, with the names found. */
function serviceIdentity(svc: Service, names: NameTable | undefined): Record<string, Json> {
  const k = svc.key;
  if (k.kind === 'fwmark') return { fwmark: k.fwmark >>> 0, family: family(k.af) };
  return { protocol: protocolOf(k.protocol) ?? k.protocol, address: formatAddress(k.addr), family: family(k.af), port: k.port, ...namesOf(k.addr, k.port, k.protocol, names) };
}

/** What a service is set to: all that -A/-E (and a JSON restore) can give it. */
function serviceSettings(svc: Service, kernelFlags: boolean): Record<string, Json> {
  return {
    scheduler: svc.scheduler,
    schedulerFlags: schedFlagWords(svc.scheduler, svc.schedFlags),
    // the raw bits, as reported: listings only (a restore sets them from the fields around)
    ...(kernelFlags ? { flags: encodeServiceFlags(svc) } : {}),
    persistence: persistenceJson(svc),
    onePacket: svc.onePacket,
    pe: svc.pe || null,
  };
}

function serviceJson(entry: ServiceWithDestinations, nosort: boolean, names: NameTable | undefined): Json {
  const { service: svc } = entry;
  const protocol = svc.key.kind === 'addr' ? svc.key.protocol : 0;
  const dests = nosort ? entry.destinations : sortDestinations(entry.destinations);
  return {
    ...serviceIdentity(svc, names),
    ...serviceSettings(svc, true),
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
    ...serviceSettings(entry.service, false),
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
  return { tcp: t.tcp >>> 0, tcpFin: t.tcpFin >>> 0, udp: t.udp >>> 0 };
}

/** `-L --daemon --json`: each running sync daemon, once per state it runs in. */
export function daemonsJson(daemons: readonly DaemonConfig[]): string {
  return document('daemons', { daemons: daemonObjects(daemons) });
}

/** Each daemon once per role it runs in (the codec reads an entry holding both as two). */
export function daemonObjects(daemons: readonly DaemonConfig[]): Json[] {
  return daemons.map((d) => ({
    state: d.state,
    interface: d.mcastIfn,
    syncId: d.syncId >>> 0,
    ...(d.syncMaxlen !== undefined ? { syncMaxlen: d.syncMaxlen } : {}),
    ...(d.mcastGroup !== undefined ? { group: formatAddress(d.mcastGroup) } : {}),
    ...(d.mcastPort !== undefined ? { port: d.mcastPort } : {}),
    ...(d.mcastTtl !== undefined ? { ttl: d.mcastTtl } : {}),
  }));
}
