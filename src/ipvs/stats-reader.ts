// A STATS64 nest read in place, in one pass and without attribute sets: the fast path of the
// counters of a listing (one per service and per real server). Its reference is codec.ts's
// decodeStats: a nest out of the ordinary is handed to that, which names the fault.
import { NLA_HDRLEN, NLA_TYPE_MASK } from '../netlink/constants.js';
import { HOST_LE, align4 } from '../netlink/endian.js';
import { StatsAttr } from './constants.js';
import type { Stats } from './model.js';

/** Counters below this are shared BigInts (a quiet table's counters are mostly small). */
const SMALL = 4096;
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: SMALL }, (_, i) => BigInt(i));

/** Reused by every call: each counter's value, by attribute type (undefined: not seen). */
const SEEN = new Array<bigint | undefined>(StatsAttr.PAD + 1);

function u64At(dv: DataView, at: number): bigint {
  const lo = dv.getUint32(at + (HOST_LE ? 0 : 4), HOST_LE);
  const hi = dv.getUint32(at + (HOST_LE ? 4 : 0), HOST_LE);
  return hi === 0 && lo < SMALL ? SMALL_BIGINTS[lo]! : dv.getBigUint64(at, HOST_LE);
}

/**
 * The counters of the STATS64 nest [at, end) of `dv`, as decodeStats gives them, or undefined
 * when the nest is not plain (a bad length, a counter not 8 bytes, a type it does not know).
 */
export function readStats64(dv: DataView, at: number, end: number): Stats | undefined {
  SEEN.fill(undefined);
  for (let off = at; off + NLA_HDRLEN <= end; ) {
    const len = dv.getUint16(off, HOST_LE);
    if (len < NLA_HDRLEN || off + len > end) return undefined;
    const type = dv.getUint16(off + 2, HOST_LE) & NLA_TYPE_MASK;
    if (type !== StatsAttr.PAD) {
      if (type < StatsAttr.CONNS || type > StatsAttr.OUTBPS || len !== NLA_HDRLEN + 8) return undefined;
      SEEN[type] = u64At(dv, off + NLA_HDRLEN);
    }
    off += align4(len);
  }
  const zero = SMALL_BIGINTS[0]!;
  return {
    conns: SEEN[StatsAttr.CONNS] ?? zero,
    inpkts: SEEN[StatsAttr.INPKTS] ?? zero,
    outpkts: SEEN[StatsAttr.OUTPKTS] ?? zero,
    inbytes: SEEN[StatsAttr.INBYTES] ?? zero,
    outbytes: SEEN[StatsAttr.OUTBYTES] ?? zero,
    cps: SEEN[StatsAttr.CPS] ?? zero,
    inpps: SEEN[StatsAttr.INPPS] ?? zero,
    outpps: SEEN[StatsAttr.OUTPPS] ?? zero,
    inbps: SEEN[StatsAttr.INBPS] ?? zero,
    outbps: SEEN[StatsAttr.OUTBPS] ?? zero,
  };
}
