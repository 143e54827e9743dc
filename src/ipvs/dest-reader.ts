// One GET_DEST reply read in place, in one pass and without attribute sets: the fast path of the
// listings that dump every service's real servers (40,000 replies for 10,000 services × 4). Its
// reference is codec.ts's decodeDestination: a reply out of the ordinary is handed to that,
// which names the fault.
import { AttributeSet } from '../netlink/attributes.js';
import { NLA_HDRLEN } from '../netlink/constants.js';
import { HOST_LE } from '../netlink/endian.js';
import type { AddressFamily } from './address.js';
import { decodeDestination } from './codec.js';
import { AF_INET, AF_INET6, CmdAttr, DestAttr } from './constants.js';
import { ANY_SIZE, findLast, nestShape, payloadsOf } from './in-place.js';
import type { Destination } from './model.js';
import { readStats64 } from './stats-reader.js';
import { decodeChecksum, decodeForwarding, decodeTunnelType } from './value-codec.js';

/**
 * The destination of a reply whose attributes are bytes[begin, end) (`dv` over `bytes`), as
 * decodeDestination gives it for a service of family `serviceAf`, or its MalformedMessageError.
 */
export function readDestination(bytes: Uint8Array, dv: DataView, begin: number, end: number, serviceAf: AddressFamily, where: string): Destination {
  return inPlace(bytes, dv, begin, end, serviceAf) ?? decodeDestination(new AttributeSet(bytes, where, CmdAttr, { dv, begin, end }), serviceAf);
}

/** The payload size each attribute the codec reads must have; the counters' nests any size. */
const SHAPE = nestShape([
  [DestAttr.ADDR, 16],
  [DestAttr.PORT, 2],
  [DestAttr.FWD_METHOD, 4],
  [DestAttr.WEIGHT, 4],
  [DestAttr.U_THRESH, 4],
  [DestAttr.L_THRESH, 4],
  [DestAttr.ACTIVE_CONNS, 4],
  [DestAttr.INACT_CONNS, 4],
  [DestAttr.PERSIST_CONNS, 4],
  [DestAttr.ADDR_FAMILY, 2],
  [DestAttr.TUN_TYPE, 1],
  [DestAttr.TUN_PORT, 2],
  [DestAttr.TUN_FLAGS, 2],
  [DestAttr.STATS64, ANY_SIZE],
]);
const REQUIRED = [
  DestAttr.ADDR, DestAttr.PORT, DestAttr.FWD_METHOD, DestAttr.WEIGHT, DestAttr.U_THRESH, DestAttr.L_THRESH,
  DestAttr.ACTIVE_CONNS, DestAttr.INACT_CONNS, DestAttr.PERSIST_CONNS, DestAttr.STATS64,
];

function inPlace(b: Uint8Array, dv: DataView, begin: number, end: number, serviceAf: AddressFamily): Destination | undefined {
  const nestAt = findLast(dv, begin, end, CmdAttr.DEST);
  if (nestAt < 0) return undefined;
  const p = payloadsOf(dv, nestAt + NLA_HDRLEN, nestAt + dv.getUint16(nestAt, HOST_LE), SHAPE);
  if (!p) return undefined;
  const { at } = p;
  for (const type of REQUIRED) if (at[type]! < 0) return undefined;
  const af = at[DestAttr.ADDR_FAMILY]! < 0 ? serviceAf : dv.getUint16(at[DestAttr.ADDR_FAMILY]!, HOST_LE);
  if (af !== AF_INET && af !== AF_INET6) return undefined;
  const stats = readStats64(dv, at[DestAttr.STATS64]!, p.end[DestAttr.STATS64]!);
  if (!stats) return undefined;
  const u32 = (type: number): number => dv.getUint32(at[type]!, HOST_LE);
  const optional = (type: number, get: (offset: number) => number): number => (at[type]! < 0 ? 0 : get(at[type]!));
  const bytes = new Uint8Array(af === AF_INET ? 4 : 16); // a copy: the datagram is not kept
  for (let i = 0; i < bytes.length; i++) bytes[i] = b[at[DestAttr.ADDR]! + i]!;
  return {
    addr: { af, bytes },
    port: dv.getUint16(at[DestAttr.PORT]!, false),
    forwarding: decodeForwarding(u32(DestAttr.FWD_METHOD)),
    weight: u32(DestAttr.WEIGHT),
    uThreshold: u32(DestAttr.U_THRESH),
    lThreshold: u32(DestAttr.L_THRESH),
    tunnelType: decodeTunnelType(optional(DestAttr.TUN_TYPE, (o) => dv.getUint8(o))),
    tunnelPort: optional(DestAttr.TUN_PORT, (o) => dv.getUint16(o, false)),
    checksum: decodeChecksum(optional(DestAttr.TUN_FLAGS, (o) => dv.getUint16(o, HOST_LE))),
    activeConns: u32(DestAttr.ACTIVE_CONNS),
    inactConns: u32(DestAttr.INACT_CONNS),
    persistConns: u32(DestAttr.PERSIST_CONNS),
    stats,
  };
}
