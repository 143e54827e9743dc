// The default order of listings and save output: libipvs's service and destination comparators
// (each key an unsigned difference read back as a signed int, so it wraps) run through glibc's
// stable top-down merge sort, which is what qsort() used on the observed system. Spec §9.3.
import { addressToWire, type Address } from '../../ipvs/address.js';
import { AF_INET, AF_INET6 } from '../../ipvs/constants.js';
import type { Destination, Service, ServiceWithDestinations } from '../../ipvs/model.js';

export type Comparator<T> = (a: T, b: T) => number;

/** `(int)(a - b)` for two C `u32`: 0xffffffff - 0 is -1, 0 - 0x80000000 is INT_MIN. */
export function wrappedDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** The i-th 32-bit word of the 16-byte kernel address, in host order (ntohl). */
function word(wire: Uint8Array, i: number): number {
  const o = 4 * i;
  return ((wire[o]! << 24) | (wire[o + 1]! << 16) | (wire[o + 2]! << 8) | wire[o + 3]!) >>> 0;
}

/**
 * Addresses as libipvs compares them: the left operand's family decides whether one word (IPv4)
 * or four (IPv6) are compared; the right one is read as the same 16-byte union, zero-padded.
 */
export function compareAddresses(left: Address, right: Address): number {
  const l = addressToWire(left);
  const r = addressToWire(right);
  const words = left.af === AF_INET6 ? 4 : 1;
  for (let i = 0; i < words; i++) {
    const d = wrappedDiff(word(l, i), word(r, i));
    if (d !== 0) return d;
  }
  return 0;
}

interface ServiceSortKey {
  readonly fwmark: number;
  readonly af: number;
  readonly protocol: number;
  readonly addr: Address | undefined;
  readonly port: number;
}

/** A fwmark service has protocol, address and port 0 in libipvs's entry. */
function sortKey(svc: Service): ServiceSortKey {
  const k = svc.key;
  if (k.kind === 'fwmark') return { fwmark: k.fwmark, af: k.af, protocol: 0, addr: undefined, port: 0 };
  return { fwmark: 0, af: k.af, protocol: k.protocol, addr: k.addr, port: k.port };
}

/** The all-zero address libipvs leaves in a fwmark service's entry. */
function zeroAddress(af: number): Address {
  return af === AF_INET6 ? { af: AF_INET6, bytes: new Uint8Array(16) } : { af: AF_INET, bytes: new Uint8Array(4) };
}

/** (fwmark, af, protocol, address, port); fwmarks ≥ 2^31 therefore sort before everything. */
export function compareServices(a: Service, b: Service): number {
  const l = sortKey(a);
  const r = sortKey(b);
  const order = [
    wrappedDiff(l.fwmark, r.fwmark),
    wrappedDiff(l.af, r.af),
    wrappedDiff(l.protocol, r.protocol),
  ];
  for (const d of order) if (d !== 0) return d;
  const d = compareAddresses(l.addr ?? zeroAddress(l.af), r.addr ?? zeroAddress(r.af));
  return d !== 0 ? d : wrappedDiff(l.port, r.port);
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
  if (items.length <= 1) return [...items];
  const n1 = Math.floor(items.length / 2);
  const left = mergeSort(items.slice(0, n1), cmp);
  const right = mergeSort(items.slice(n1), cmp);
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (cmp(left[i]!, right[j]!) <= 0) out.push(left[i++]!);
    else out.push(right[j++]!);
  }
  while (i < left.length) out.push(left[i++]!);
  while (j < right.length) out.push(right[j++]!);
  return out;
}

/** Services in ipvsadm's default order (their destinations untouched). */
export function sortServices(list: readonly ServiceWithDestinations[]): ServiceWithDestinations[] {
  return mergeSort(list, (a, b) => compareServices(a.service, b.service));
}

/** Destinations in ipvsadm's default order. */
export function sortDestinations(dests: readonly Destination[]): Destination[] {
  return mergeSort(dests, compareDestinations);
}
