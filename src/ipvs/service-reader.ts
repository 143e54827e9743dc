// One GET_SERVICE reply read in place, in one pass and without attribute sets: the fast path of
// a listing's services dump (10,000 replies for 10,000 services). Its reference is codec.ts's
// decodeServiceWithoutStats: a reply out of the ordinary is handed to that, which names the fault.
import { AttributeSet } from '../netlink/attributes.js';
import { NLA_HDRLEN, NLA_TYPE_MASK } from '../netlink/constants.js';
import { HOST_LE, align4 } from '../netlink/endian.js';
import type { Address } from './address.js';
import { decodeServiceWithoutStats } from './codec.js';
import { AF_INET, AF_INET6, CmdAttr, SvcAttr, SvcFlag } from './constants.js';
import { ZERO_STATS } from './model.js';
import type { Service, ServiceKey } from './model.js';

/**
 * The service of a reply whose attributes are bytes[begin, end) (`dv` over `bytes`), as
 * decodeServiceWithoutStats gives it (counters ZERO_STATS), or its MalformedMessageError.
 */
export function readServiceWithoutStats(bytes: Uint8Array, dv: DataView, begin: number, end: number, where: string): Service {
  return inPlace(bytes, dv, begin, end) ?? decodeServiceWithoutStats(new AttributeSet(bytes, where, CmdAttr, { dv, begin, end }));
}

/** Offset of the last attribute of `type` in [begin, end) (its header), -1 if none, -2 if a length is bad. */
function findLast(dv: DataView, begin: number, end: number, type: number): number {
  let found = -1;
  for (let off = begin; off + NLA_HDRLEN <= end; ) {
    const len = dv.getUint16(off, HOST_LE);
    if (len < NLA_HDRLEN || off + len > end) return -2;
    if ((dv.getUint16(off + 2, HOST_LE) & NLA_TYPE_MASK) === type) found = off;
    off += align4(len);
  }
  return found;
}

function inPlace(b: Uint8Array, dv: DataView, begin: number, end: number): Service | undefined {
  const nestAt = findLast(dv, begin, end, CmdAttr.SERVICE);
  if (nestAt < 0) return undefined;
  const nestEnd = nestAt + dv.getUint16(nestAt, HOST_LE);
  let af = -1;
  let protocol = -1;
  let addrAt = -1;
  let port = -1;
  let fwmark = -1;
  let schedAt = -1;
  let schedEnd = -1;
  let flagsAt = -1;
  let timeout = -1;
  let netmaskAt = -1;
  let peAt = -1;
  let peEnd = -1;
  for (let off = nestAt + NLA_HDRLEN; off + NLA_HDRLEN <= nestEnd; ) {
    const len = dv.getUint16(off, HOST_LE);
    if (len < NLA_HDRLEN || off + len > nestEnd) return undefined;
    const at = off + NLA_HDRLEN;
    const size = len - NLA_HDRLEN;
    switch (dv.getUint16(off + 2, HOST_LE) & NLA_TYPE_MASK) {
      case SvcAttr.AF:
        if (size !== 2) return undefined;
        af = dv.getUint16(at, HOST_LE);
        break;
      case SvcAttr.PROTOCOL:
        if (size !== 2) return undefined;
        protocol = dv.getUint16(at, HOST_LE);
        break;
      case SvcAttr.ADDR:
        if (size !== 16) return undefined;
        addrAt = at;
        break;
      case SvcAttr.PORT:
        if (size !== 2) return undefined;
        port = dv.getUint16(at, false);
        break;
      case SvcAttr.FWMARK:
        if (size !== 4) return undefined;
        fwmark = dv.getUint32(at, HOST_LE);
        break;
      case SvcAttr.SCHED_NAME:
        schedAt = at;
        schedEnd = at + size;
        break;
      case SvcAttr.FLAGS:
        if (size !== 8) return undefined;
        flagsAt = at;
        break;
      case SvcAttr.TIMEOUT:
        if (size !== 4) return undefined;
        timeout = dv.getUint32(at, HOST_LE);
        break;
      case SvcAttr.NETMASK:
        if (size !== 4) return undefined;
        netmaskAt = at;
        break;
      case SvcAttr.PE_NAME:
        peAt = at;
        peEnd = at + size;
        break;
    }
    off += align4(len);
  }
  if ((af !== AF_INET && af !== AF_INET6) || schedAt < 0 || flagsAt < 0 || timeout < 0 || netmaskAt < 0) return undefined;
  let key: ServiceKey;
  if (fwmark > 0) {
    key = { kind: 'fwmark', af, fwmark };
  } else {
    if (protocol < 0 || addrAt < 0 || port < 0) return undefined;
    const bytes = new Uint8Array(af === AF_INET ? 4 : 16); // a copy: the datagram is not kept
    for (let i = 0; i < bytes.length; i++) bytes[i] = b[addrAt + i]!;
    const addr: Address = { af, bytes };
    key = { kind: 'addr', af, protocol, addr, port };
  }
  const scheduler = asciiName(b, schedAt, schedEnd);
  const pe = peAt < 0 ? '' : asciiName(b, peAt, peEnd);
  if (scheduler === undefined || pe === undefined) return undefined;
  const flags = dv.getUint32(flagsAt, HOST_LE) & dv.getUint32(flagsAt + 4, HOST_LE) & ~SvcFlag.HASHED;
  return {
    key,
    scheduler,
    flags: flags >>> 0,
    timeout,
    netmask: af === AF_INET ? dv.getUint32(netmaskAt, false) : dv.getUint32(netmaskAt, HOST_LE),
    pe,
    stats: ZERO_STATS,
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
