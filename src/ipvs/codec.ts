// IPVS attribute codec: the domain model (model.ts) ↔ the nested attributes of the IPVS generic
// netlink family. Pure; every wire quirk is noted where it is handled. Source: uapi ip_vs.h,
// ip_vs_ctl.c (Linux 6.1) and the requests ipvsadm 1.31 was seen to send.
import { readStats64 } from './stats-reader.js';
import { AttributeSet, AttributeWriter } from '../netlink/attributes.js';
import { HOST_LE } from '../netlink/endian.js';
import { MalformedMessageError } from '../netlink/errors.js';
import { WIRE_ADDRESS_BYTES, addressFromWire, wireAddressLength } from './address.js';
import type { AddressFamily } from './address.js';
import { AF_INET, AF_INET6, CmdAttr, DaemonAttr, DestAttr, InfoAttr, StatsAttr, SvcAttr } from './constants.js';
import type { DaemonConfig, Destination, DestinationConfig, Info, Service, ServiceConfig, ServiceKey, Stats, Timeouts } from './model.js';
import { ZERO_STATS } from './model.js';
import {
  decodeChecksum,
  decodeDaemonRoles,
  decodeForwarding,
  decodeServiceFlags,
  decodeTunnelType,
  encodeChecksum,
  encodeDaemonRole,
  encodeForwarding,
  encodeServiceFlags,
  encodeTunnelType,
} from './value-codec.js';

function family(af: number | undefined, set: AttributeSet): AddressFamily {
  if (af === AF_INET || af === AF_INET6) return af;
  throw new MalformedMessageError(set.where, `unknown address family ${String(af)}`);
}

/** The identity attributes: AF, then FWMARK or PROTOCOL + ADDR (16 bytes) + PORT (big endian). */
function putServiceKey(w: AttributeWriter, key: ServiceKey): void {
  w.u16(SvcAttr.AF, key.af);
  if (key.kind === 'fwmark') {
    w.u32(SvcAttr.FWMARK, key.fwmark);
  } else {
    w.u16(SvcAttr.PROTOCOL, key.protocol).padded(SvcAttr.ADDR, key.addr.bytes, wireAddressLength(key.addr), WIRE_ADDRESS_BYTES).be16(SvcAttr.PORT, key.port);
  }
}

/** CMD_ATTR_SERVICE holding only the key (lookups: -D, -Z, -a/-e/-d, GET_DEST, GET_SERVICE). */
export function putServiceKeyNest(w: AttributeWriter, key: ServiceKey): void {
  w.nested(CmdAttr.SERVICE, (n) => putServiceKey(n, key));
}

/**
 * CMD_ATTR_SERVICE with every setting (-A, -E). FLAGS travels as {flags, mask}; the mask of all
 * ones makes -E a full replacement, as ipvsadm does. NETMASK: IPv4 mask bytes in network order,
 * IPv6 a plain prefix length.
 */
export function putServiceNest(w: AttributeWriter, svc: ServiceConfig): void {
  w.nested(CmdAttr.SERVICE, (n) => {
    putServiceKey(n, svc.key);
    n.string(SvcAttr.SCHED_NAME, svc.scheduler);
    if (svc.pe) n.string(SvcAttr.PE_NAME, svc.pe);
    const flags = new Uint8Array(8);
    const dv = new DataView(flags.buffer);
    dv.setUint32(0, encodeServiceFlags(svc), HOST_LE);
    dv.setUint32(4, 0xffffffff, HOST_LE);
    n.bytes(SvcAttr.FLAGS, flags);
    n.u32(SvcAttr.TIMEOUT, svc.timeout);
    if (svc.key.af === AF_INET) n.be32(SvcAttr.NETMASK, svc.netmask);
    else n.u32(SvcAttr.NETMASK, svc.netmask);
  });
}

/** CMD_ATTR_DEST with every setting (-a, -e, -d): the kernel wants them all, even for delete. */
export function putDestNest(w: AttributeWriter, d: DestinationConfig): void {
  w.nested(CmdAttr.DEST, (n) => {
    n.u16(DestAttr.ADDR_FAMILY, d.addr.af)
      .padded(DestAttr.ADDR, d.addr.bytes, wireAddressLength(d.addr), WIRE_ADDRESS_BYTES)
      .be16(DestAttr.PORT, d.port)
      .u32(DestAttr.FWD_METHOD, encodeForwarding(d.forwarding))
      .u32(DestAttr.WEIGHT, d.weight)
      .u8(DestAttr.TUN_TYPE, encodeTunnelType(d.tunnelType))
      .be16(DestAttr.TUN_PORT, d.tunnelPort)
      .u16(DestAttr.TUN_FLAGS, encodeChecksum(d.checksum))
      .u32(DestAttr.U_THRESH, d.uThreshold)
      .u32(DestAttr.L_THRESH, d.lThreshold);
  });
}

const STATS_FIELDS = [
  ['conns', StatsAttr.CONNS],
  ['inpkts', StatsAttr.INPKTS],
  ['outpkts', StatsAttr.OUTPKTS],
  ['inbytes', StatsAttr.INBYTES],
  ['outbytes', StatsAttr.OUTBYTES],
  ['cps', StatsAttr.CPS],
  ['inpps', StatsAttr.INPPS],
  ['outpps', StatsAttr.OUTPPS],
  ['inbps', StatsAttr.INBPS],
  ['outbps', StatsAttr.OUTBPS],
] as const satisfies readonly (readonly [keyof Stats, number])[];

/**
 * Counters: STATS64 (all u64, with PAD attributes to skip) when present, else the old STATS
 * (u32 except the byte counters, which are u64 in both).
 */
export function decodeStats(parent: AttributeSet, stats64Type: number, statsType: number): Stats {
  const span = parent.span(stats64Type);
  const inPlace = span && readStats64(span.dv, span.at, span.end);
  if (inPlace) return inPlace;
  const s64 = parent.nested(stats64Type, StatsAttr);
  const s32 = s64 ? undefined : parent.nested(statsType, StatsAttr);
  const out: Record<string, bigint> = {};
  for (const [field, type] of STATS_FIELDS) {
    if (s64) out[field] = s64.u64(type) ?? 0n;
    else if (!s32) out[field] = 0n;
    else if (type === StatsAttr.INBYTES || type === StatsAttr.OUTBYTES) out[field] = s32.u64(type) ?? 0n;
    else out[field] = BigInt(s32.u32(type) ?? 0);
  }
  return out as unknown as Stats;
}

/** A service from a GET_SERVICE reply (nested CMD_ATTR_SERVICE). */
function serviceAttrs(top: AttributeSet): AttributeSet {
  const s = top.nested(CmdAttr.SERVICE, SvcAttr);
  if (!s) throw new MalformedMessageError(top.where, 'IPVS_CMD_ATTR_SERVICE is missing');
  return s;
}

function serviceKeyOf(s: AttributeSet): ServiceKey {
  const af = family(s.required(SvcAttr.AF, s.u16), s);
  // Fwmark services come back with FWMARK and without PROTOCOL/ADDR/PORT.
  const fwmark = s.u32(SvcAttr.FWMARK);
  return fwmark !== undefined && fwmark !== 0
    ? { kind: 'fwmark', af, fwmark }
    : {
        kind: 'addr',
        af,
        protocol: s.required(SvcAttr.PROTOCOL, s.u16),
        addr: addressFromWire(af, s.required(SvcAttr.ADDR, s.bytes16)),
        port: s.required(SvcAttr.PORT, s.be16),
      };
}

/** Only the key of a service in a GET_SERVICE reply (a dump taken to see what changed). */
export function decodeServiceKey(top: AttributeSet): ServiceKey {
  return serviceKeyOf(serviceAttrs(top));
}

export function decodeService(top: AttributeSet): Service {
  return decodeServiceWith(top, true);
}

/** A service without its counters (ZERO_STATS), for what shows none: the default listing, -S. */
export function decodeServiceWithoutStats(top: AttributeSet): Service {
  return decodeServiceWith(top, false);
}

function decodeServiceWith(top: AttributeSet, withStats: boolean): Service {
  const s = serviceAttrs(top);
  const key = serviceKeyOf(s);
  const af = key.af;
  // struct ip_vs_flags: the flags, then the mask of those that are set
  const [value, mask] = s.required(SvcAttr.FLAGS, s.u32Pair);
  return {
    key,
    scheduler: s.required(SvcAttr.SCHED_NAME, s.string),
    ...decodeServiceFlags(value & mask),
    timeout: s.required(SvcAttr.TIMEOUT, s.u32),
    netmask: af === AF_INET ? s.required(SvcAttr.NETMASK, s.be32) : s.required(SvcAttr.NETMASK, s.u32),
    pe: s.string(SvcAttr.PE_NAME) ?? '',
    stats: withStats ? decodeStats(s, SvcAttr.STATS64, SvcAttr.STATS) : ZERO_STATS,
  };
}

/**
 * A destination from a GET_DEST reply. ADDR_FAMILY is absent before Linux 3.18: the service's
 * family applies then. The 16-byte ADDR holds an IPv4 address in its first 4 bytes.
 */
export function decodeDestination(top: AttributeSet, serviceAf: AddressFamily): Destination {
  const d = top.nested(CmdAttr.DEST, DestAttr);
  if (!d) throw new MalformedMessageError(top.where, 'IPVS_CMD_ATTR_DEST is missing');
  const af = family(d.u16(DestAttr.ADDR_FAMILY) ?? serviceAf, d);
  return {
    addr: addressFromWire(af, d.required(DestAttr.ADDR, d.bytes16)),
    port: d.required(DestAttr.PORT, d.be16),
    forwarding: decodeForwarding(d.required(DestAttr.FWD_METHOD, d.u32)),
    weight: d.required(DestAttr.WEIGHT, d.u32),
    uThreshold: d.required(DestAttr.U_THRESH, d.u32),
    lThreshold: d.required(DestAttr.L_THRESH, d.u32),
    tunnelType: decodeTunnelType(d.u8(DestAttr.TUN_TYPE) ?? 0),
    tunnelPort: d.be16(DestAttr.TUN_PORT) ?? 0,
    checksum: decodeChecksum(d.u16(DestAttr.TUN_FLAGS) ?? 0),
    activeConns: d.required(DestAttr.ACTIVE_CONNS, d.u32),
    inactConns: d.required(DestAttr.INACT_CONNS, d.u32),
    persistConns: d.required(DestAttr.PERSIST_CONNS, d.u32),
    stats: decodeStats(d, DestAttr.STATS64, DestAttr.STATS),
  };
}

/** GET_INFO's reply (command SET_INFO): both attributes are required. */
export function decodeInfo(top: AttributeSet): Info {
  return { version: top.required(InfoAttr.VERSION, top.u32), connTabSize: top.required(InfoAttr.CONN_TAB_SIZE, top.u32) };
}

/** SET_CONFIG: 0 means "leave as is" to the kernel. */
export function putTimeouts(w: AttributeWriter, t: Timeouts): void {
  w.u32(CmdAttr.TIMEOUT_TCP, t.tcp).u32(CmdAttr.TIMEOUT_TCP_FIN, t.tcpFin).u32(CmdAttr.TIMEOUT_UDP, t.udp);
}

/** GET_CONFIG's reply: each timeout is optional (0 when absent). */
export function decodeTimeouts(top: AttributeSet): Timeouts {
  return {
    tcp: top.u32(CmdAttr.TIMEOUT_TCP) ?? 0,
    tcpFin: top.u32(CmdAttr.TIMEOUT_TCP_FIN) ?? 0,
    udp: top.u32(CmdAttr.TIMEOUT_UDP) ?? 0,
  };
}

/** NEW_DAEMON: optional parts only when set; the IPv4 group as its 4 bytes, IPv6 as 16. */
export function putDaemonNest(w: AttributeWriter, d: DaemonConfig): void {
  w.nested(CmdAttr.DAEMON, (n) => {
    n.u32(DaemonAttr.STATE, encodeDaemonRole(d.state)).string(DaemonAttr.MCAST_IFN, d.mcastIfn).u32(DaemonAttr.SYNC_ID, d.syncId);
    if (d.syncMaxlen !== undefined) n.u16(DaemonAttr.SYNC_MAXLEN, d.syncMaxlen);
    if (d.mcastPort !== undefined) n.u16(DaemonAttr.MCAST_PORT, d.mcastPort);
    if (d.mcastTtl !== undefined) n.u8(DaemonAttr.MCAST_TTL, d.mcastTtl);
    if (d.mcastGroup?.af === AF_INET6) n.bytes(DaemonAttr.MCAST_GROUP6, d.mcastGroup.bytes);
    else if (d.mcastGroup) n.bytes(DaemonAttr.MCAST_GROUP, d.mcastGroup.bytes);
  });
}

/** A GET_DAEMON entry: one daemon per role its state holds (none for a state without one). */
export function decodeDaemons(top: AttributeSet): DaemonConfig[] {
  const d = top.nested(CmdAttr.DAEMON, DaemonAttr);
  if (!d) throw new MalformedMessageError(top.where, 'IPVS_CMD_ATTR_DAEMON is missing');
  const g4 = d.bytes(DaemonAttr.MCAST_GROUP, 4);
  const g6 = d.bytes(DaemonAttr.MCAST_GROUP6, 16);
  const opt = <T>(v: T | undefined, k: string): Record<string, T> => (v === undefined ? {} : { [k]: v });
  const settings = {
    mcastIfn: d.required(DaemonAttr.MCAST_IFN, d.string),
    syncId: d.required(DaemonAttr.SYNC_ID, d.u32),
    ...opt(d.u16(DaemonAttr.SYNC_MAXLEN), 'syncMaxlen'),
    ...opt(d.u16(DaemonAttr.MCAST_PORT), 'mcastPort'),
    ...opt(d.u8(DaemonAttr.MCAST_TTL), 'mcastTtl'),
    ...(g6 ? { mcastGroup: addressFromWire(AF_INET6, g6) } : g4 ? { mcastGroup: addressFromWire(AF_INET, g4) } : {}),
  };
  return decodeDaemonRoles(d.required(DaemonAttr.STATE, d.u32)).map((state) => ({ state, ...settings }));
}

export { AttributeSet, AttributeWriter };
