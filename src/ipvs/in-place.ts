// The attribute walk shared by the in-place readers of IPVS replies (service-reader.ts,
// dest-reader.ts): where each attribute of a nest is, checked against the sizes the codec's
// attribute sets would require, in one pass and without allocation.
import { NLA_HDRLEN, NLA_TYPE_MASK } from '../netlink/constants.js';
import { HOST_LE, align4 } from '../netlink/endian.js';

/** Offset of the last attribute of `type` in [begin, end) (its header), -1 if none, -2 if a length is bad. */
export function findLast(dv: DataView, begin: number, end: number, type: number): number {
  let found = -1;
  for (let off = begin; off + NLA_HDRLEN <= end; ) {
    const len = dv.getUint16(off, HOST_LE);
    if (len < NLA_HDRLEN || off + len > end) return -2;
    if ((dv.getUint16(off + 2, HOST_LE) & NLA_TYPE_MASK) === type) found = off;
    off += align4(len);
  }
  return found;
}

/** A payload of any size (names, nests). */
export const ANY_SIZE = -1;
const IGNORED = -2;

/** Where each attribute's payload is: at[type] and end[type], -1 when absent (the last one wins). */
export interface Payloads {
  readonly at: Int32Array;
  readonly end: Int32Array;
}

/** What a reader reads of a nest: each type's required size (or ANY_SIZE), and its scratch space. */
export interface NestShape {
  readonly sizeOf: Int32Array;
  /** reused by every call (a listing reads 10,000 replies; each is read to the end before the next) */
  readonly scratch: Payloads;
}

export function nestShape(sizes: readonly (readonly [type: number, size: number])[]): NestShape {
  const last = Math.max(...sizes.map(([type]) => type));
  const sizeOf = new Int32Array(last + 1).fill(IGNORED);
  for (const [type, size] of sizes) sizeOf[type] = size;
  return { sizeOf, scratch: { at: new Int32Array(last + 1), end: new Int32Array(last + 1) } };
}

/** The payloads of the nest [from, to), or undefined if a length or a required size is off. */
export function payloadsOf(dv: DataView, from: number, to: number, shape: NestShape): Payloads | undefined {
  const { sizeOf, scratch } = shape;
  const { at, end } = scratch;
  at.fill(-1);
  end.fill(-1);
  for (let off = from; off + NLA_HDRLEN <= to; ) {
    const len = dv.getUint16(off, HOST_LE);
    if (len < NLA_HDRLEN || off + len > to) return undefined;
    const type = dv.getUint16(off + 2, HOST_LE) & NLA_TYPE_MASK;
    const want = type < sizeOf.length ? sizeOf[type]! : IGNORED;
    if (want >= 0 && len - NLA_HDRLEN !== want) return undefined;
    if (want !== IGNORED) {
      at[type] = off + NLA_HDRLEN;
      end[type] = off + len;
    }
    off += align4(len);
  }
  return scratch;
}
