// One GET_SERVICE reply read in place, in one pass and without attribute sets: the fast path of
// a listing's services dump (10,000 replies for 10,000 services). Its references are codec.ts's
// decodeServiceWithoutStats and decodeService: a reply out of the ordinary is handed to them,
// which name the fault.
import { AttributeSet } from '../netlink/attributes.js';
import { NLA_HDRLEN } from '../netlink/constants.js';
import { HOST_LE } from '../netlink/endian.js';
import { ANY_SIZE, findLast, nestShape, payloadsOf } from './in-place.js';
import type { Payloads } from './in-place.js';
import type { Address } from './address.js';
import { decodeService, decodeServiceWithoutStats } from './codec.js';
import { readStats64 } from './stats-reader.js';
import { AF_INET, AF_INET6, CmdAttr, SvcAttr } from './constants.js';
import { decodeServiceFlags } from './value-codec.js';
import { ZERO_STATS } from './model.js';
import type { Service, ServiceKey } from './model.js';

/**
 * The service of a reply whose attributes are bytes[begin, end) (`dv` over `bytes`), as
 * decodeServiceWithoutStats gives it (counters ZERO_STATS), or its MalformedMessageError.
 */
export function readServiceWithoutStats(bytes: Uint8Array, dv: DataView, begin: number, end: number, where: string): Service {
  return inPlace(bytes, dv, begin, end, false) ?? decodeServiceWithoutStats(new AttributeSet(bytes, where, CmdAttr, { dv, begin, end }));
}

/** The same with the service's counters, as decodeService gives it (STATS64 read in place). */
export function readService(bytes: Uint8Array, dv: DataView, begin: number, end: number, where: string): Service {
  return inPlace(bytes, dv, begin, end, true) ?? decodeService(new AttributeSet(bytes, where, CmdAttr, { dv, begin, end }));
}

/** The payload size each fixed-size service attribute must have; the names are any size. */
const SHAPE = nestShape([
  [SvcAttr.AF, 2],
  [SvcAttr.PROTOCOL, 2],
  [SvcAttr.ADDR, 16],
  [SvcAttr.PORT, 2],
  [SvcAttr.FWMARK, 4],
  [SvcAttr.FLAGS, 8],
  [SvcAttr.TIMEOUT, 4],
  [SvcAttr.NETMASK, 4],
  [SvcAttr.SCHED_NAME, ANY_SIZE],
  [SvcAttr.PE_NAME, ANY_SIZE],
  [SvcAttr.STATS64, ANY_SIZE],
]);

/** The service key: a fwmark above 0, else protocol, address and port (all needed). */
function keyOf(b: Uint8Array, dv: DataView, p: Payloads, af: typeof AF_INET | typeof AF_INET6): ServiceKey | undefined {
  const fwmarkAt = p.at[SvcAttr.FWMARK]!;
  const fwmark = fwmarkAt < 0 ? -1 : dv.getUint32(fwmarkAt, HOST_LE);
  if (fwmark > 0) return { kind: 'fwmark', af, fwmark };
  const protocolAt = p.at[SvcAttr.PROTOCOL]!;
  const addrAt = p.at[SvcAttr.ADDR]!;
  const portAt = p.at[SvcAttr.PORT]!;
  if (protocolAt < 0 || addrAt < 0 || portAt < 0) return undefined;
  const bytes = new Uint8Array(af === AF_INET ? 4 : 16); // a copy: the datagram is not kept
  for (let i = 0; i < bytes.length; i++) bytes[i] = b[addrAt + i]!;
  const addr: Address = { af, bytes };
  return { kind: 'addr', af, protocol: dv.getUint16(protocolAt, HOST_LE), addr, port: dv.getUint16(portAt, false) };
}

function inPlace(b: Uint8Array, dv: DataView, begin: number, end: number, withStats: boolean): Service | undefined {
  const nestAt = findLast(dv, begin, end, CmdAttr.SERVICE);
  if (nestAt < 0) return undefined;
  const p = payloadsOf(dv, nestAt + NLA_HDRLEN, nestAt + dv.getUint16(nestAt, HOST_LE), SHAPE);
  if (!p) return undefined;
  const payload = (type: number): number => p.at[type]!;
  const af = payload(SvcAttr.AF) < 0 ? -1 : dv.getUint16(payload(SvcAttr.AF), HOST_LE);
  const schedAt = payload(SvcAttr.SCHED_NAME);
  const flagsAt = payload(SvcAttr.FLAGS);
  const timeoutAt = payload(SvcAttr.TIMEOUT);
  const netmaskAt = payload(SvcAttr.NETMASK);
  const peAt = payload(SvcAttr.PE_NAME);
  if ((af !== AF_INET && af !== AF_INET6) || schedAt < 0 || flagsAt < 0 || timeoutAt < 0 || netmaskAt < 0) return undefined;
  const key = keyOf(b, dv, p, af);
  if (!key) return undefined;
  const scheduler = asciiName(b, schedAt, p.end[SvcAttr.SCHED_NAME]!);
  const pe = peAt < 0 ? '' : asciiName(b, peAt, p.end[SvcAttr.PE_NAME]!);
  if (scheduler === undefined || pe === undefined) return undefined;
  const statsAt = payload(SvcAttr.STATS64);
  const stats = !withStats ? ZERO_STATS : statsAt < 0 ? undefined : readStats64(dv, statsAt, p.end[SvcAttr.STATS64]!);
  if (!stats) return undefined;
  const flags = decodeServiceFlags(dv.getUint32(flagsAt, HOST_LE) & dv.getUint32(flagsAt + 4, HOST_LE));
  return {
    key,
    scheduler,
    ...flags,
    timeout: dv.getUint32(timeoutAt, HOST_LE),
    netmask: af === AF_INET ? dv.getUint32(netmaskAt, false) : dv.getUint32(netmaskAt, HOST_LE),
    pe,
    stats,
  };
}

/** Names seen, so that 10,000 services on a few schedulers share a few strings. */
const NAMES: string[] = [];

/** The NUL-terminated ASCII text of bytes[at, end) (undefined for other bytes: left to the codec). */
function asciiName(b: Uint8Array, at: number, end: number): string | undefined {
  let stop = at;
  while (stop < end && b[stop] !== 0) stop++;
  for (const name of NAMES) if (name.length === stop - at && sameBytes(b, at, name)) return name;
  let text = '';
  for (let i = at; i < stop; i++) {
    if (b[i]! >= 0x80) return undefined;
    text += String.fromCharCode(b[i]!);
  }
  if (NAMES.length < 16) NAMES.push(text);
  return text;
}

function sameBytes(b: Uint8Array, at: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if (b[at + i] !== name.charCodeAt(i)) return false;
  return true;
}
