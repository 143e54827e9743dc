// The default order of listings and save output: libipvs's service and destination comparators
// (each key an unsigned difference read back as a signed int, so it wraps) run through glibc's
// stable top-down merge sort, which is what qsort() used on the observed system.
import type { Address } from '../ipvs/address.js';
import { AF_INET, AF_INET6 } from '../ipvs/constants.js';
import type { Destination, Service, ServiceWithDestinations } from '../ipvs/model.js';

export type Comparator<T> = (a: T, b: T) => number;

/** `(int)(a - b)` for two C `u32`: 0xffffffff - 0 is -1, 0 - 0x80000000 is INT_MIN. */
export function wrappedDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * The i-th 32-bit word of the address as the kernel's 16-byte union holds it, in host order
 * (ntohl): an IPv4 address fills the first word, the rest is zero. Read in place: sorting 10,000
 * services makes over 100,000 comparisons.
 */
function word(addr: Address, i: number): number {
  const o = 4 * i;
  const b = addr.bytes;
  if (o + 4 > Math.min(addr.af === AF_INET ? 4 : 16, b.length)) return 0;
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/**
 * Addresses as libipvs compares them: the left operand's family decides whether one word (IPv4)
 * or four (IPv6) are compared; the right one is read as the same 16-byte union, zero-padded.
 */
export function compareAddresses(left: Address, right: Address): number {
  const words = left.af === AF_INET6 ? 4 : 1;
  for (let i = 0; i < words; i++) {
    const d = wrappedDiff(word(left, i), word(right, i));
    if (d !== 0) return d;
  }
  return 0;
}

/** The all-zero address libipvs leaves in a fwmark service's entry. */
const ZERO_V4: Address = { af: AF_INET, bytes: new Uint8Array(4) };
const ZERO_V6: Address = { af: AF_INET6, bytes: new Uint8Array(16) };

/** (fwmark, af, protocol, address, port); a fwmark service has protocol, address and port 0. */
export function compareServices(a: Service, b: Service): number {
  const l = a.key;
  const r = b.key;
  const d =
    wrappedDiff(l.kind === 'fwmark' ? l.fwmark : 0, r.kind === 'fwmark' ? r.fwmark : 0) ||
    wrappedDiff(l.af, r.af) ||
    wrappedDiff(l.kind === 'addr' ? l.protocol : 0, r.kind === 'addr' ? r.protocol : 0);
  if (d !== 0) return d;
  const zero = (af: number): Address => (af === AF_INET6 ? ZERO_V6 : ZERO_V4);
  const ad = compareAddresses(l.kind === 'addr' ? l.addr : zero(l.af), r.kind === 'addr' ? r.addr : zero(r.af));
  return ad !== 0 ? ad : wrappedDiff(l.kind === 'addr' ? l.port : 0, r.kind === 'addr' ? r.port : 0);
}

/** (address, port); the address family of the left operand rules, see compareAddresses. */
export function compareDestinations(a: Destination, b: Destination): number {
  const d = compareAddresses(a.addr, b.addr);
  return d !== 0 ? d : wrappedDiff(a.port, b.port);
}

/**
 * glibc's msort: split n into n/2 (rounded down) and the rest, sort both halves, merge taking
 * from the left half while cmp(left, right) <= 0. Stable and deterministic even for the
 * non-transitive comparators above, and the same sequence of comparisons as the reference.
 */
export function mergeSort<T>(items: readonly T[], cmp: Comparator<T>): T[] {
  const out = [...items];
  sortRange(out, new Array<T>(out.length), 0, out.length, cmp);
  return out;
}

/** Sorts a[lo, lo+n) in place through tmp, comparing exactly as glibc's msort_with_tmp. */
function sortRange<T>(a: T[], tmp: T[], lo: number, n: number, cmp: Comparator<T>): void {
  if (n <= 1) return;
  const n1 = Math.floor(n / 2);
  sortRange(a, tmp, lo, n1, cmp);
  sortRange(a, tmp, lo + n1, n - n1, cmp);
  let i = lo;
  let j = lo + n1;
  const iEnd = lo + n1;
  const jEnd = lo + n;
  let k = 0;
  while (i < iEnd && j < jEnd) tmp[k++] = cmp(a[i]!, a[j]!) <= 0 ? a[i++]! : a[j++]!;
  while (i < iEnd) tmp[k++] = a[i++]!;
  // what is left of the right half is in place already
  for (let x = 0; x < k; x++) a[lo + x] = tmp[x]!;
}

/** Numbers per service in sortKeys: fwmark, af, protocol, four address words, port. */
const KEY = 8;

/** compareServices's operands, read once per service into one array (10,000 services: 120,000 comparisons). */
function sortKeys(list: readonly ServiceWithDestinations[]): Uint32Array {
  const keys = new Uint32Array(list.length * KEY);
  list.forEach(({ service: { key: k } }, i) => {
    const at = i * KEY;
    keys[at] = k.kind === 'fwmark' ? k.fwmark : 0;
    keys[at + 1] = k.af;
    if (k.kind === 'fwmark') return; // protocol, address and port 0
    keys[at + 2] = k.protocol;
    for (let w = 0; w < 4; w++) keys[at + 3 + w] = word(k.addr, w);
    keys[at + 7] = k.port;
  });
  return keys;
}

/** compareServices over sortKeys: the same answer for every pair. */
function compareKeys(keys: Uint32Array, a: number, b: number): number {
  const l = a * KEY;
  const r = b * KEY;
  const d = wrappedDiff(keys[l]!, keys[r]!) || wrappedDiff(keys[l + 1]!, keys[r + 1]!) || wrappedDiff(keys[l + 2]!, keys[r + 2]!);
  if (d !== 0) return d;
  const words = keys[l + 1] === AF_INET6 ? 4 : 1;
  for (let w = 0; w < words; w++) {
    const dw = wrappedDiff(keys[l + 3 + w]!, keys[r + 3 + w]!);
    if (dw !== 0) return dw;
  }
  return wrappedDiff(keys[l + 7]!, keys[r + 7]!);
}

/** Services in ipvsadm's default order (their destinations untouched). */
export function sortServices(list: readonly ServiceWithDestinations[]): ServiceWithDestinations[] {
  const keys = sortKeys(list);
  const order = mergeSort(
    list.map((_, i) => i),
    (a, b) => compareKeys(keys, a, b),
  );
  return order.map((i) => list[i]!);
}

/** Destinations in ipvsadm's default order. */
export function sortDestinations(dests: readonly Destination[]): Destination[] {
  return mergeSort(dests, compareDestinations);
}
