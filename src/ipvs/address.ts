// IP address value type shared by every layer: family + raw bytes, with strict text forms
// matching glibc inet_pton/inet_ntop (the forms ipvsadm 1.31 reads and prints).
import { AF_INET, AF_INET6 } from './constants.js';

export type AddressFamily = typeof AF_INET | typeof AF_INET6;

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order. */
export interface Address {
  readonly af: AddressFamily;
  readonly bytes: Uint8Array;
}

export function ipv4(bytes: ArrayLike<number>): Address {
  return { af: AF_INET, bytes: Uint8Array.from(bytes) };
}

/** Strict dotted quad, as inet_pton(AF_INET): four decimal parts 0..255, no leading zeros rule. */
export function parseIPv4(text: string): Address | undefined {
  // By hand, not split and a pattern per part: a restore parses one or two per line.
  const bytes = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : DOT;
    if (c === DOT) {
      if (digits === 0 || part === 4) return undefined;
      bytes[part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    if (c < ZERO || c > NINE) return undefined;
    if (digits === 1 && value === 0) return undefined; // a leading zero
    value = value * 10 + (c - ZERO);
    if (++digits > 3 || value > 255) return undefined;
  }
  return part === 4 ? { af: AF_INET, bytes } : undefined;
}

const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** As inet_pton(AF_INET6): hex groups, one `::`, optional trailing dotted quad. */
export function parseIPv6(text: string): Address | undefined {
  // every IPv6 text has two colons at least (`::` included): a quick no for host:port and names
  const colon = text.indexOf(':');
  if (colon < 0 || text.indexOf(':', colon + 1) < 0) return undefined;
  if (/[^0-9a-fA-F:.]/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string, allowV4Tail: boolean): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return undefined;
        out.push((v4.bytes[0]! << 8) | v4.bytes[1]!, (v4.bytes[2]! << 8) | v4.bytes[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let words: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0]!, false);
    const tail = parseGroups(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (!all || all.length !== 8) return undefined;
    words = all;
  }
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return { af: AF_INET6, bytes };
}

/** Either family's literal form (no brackets). */
export function parseAddress(text: string): Address | undefined {
  return parseIPv4(text) ?? parseIPv6(text);
}

/** Text form as glibc inet_ntop prints it (ipvsadm -n output). */
export function formatAddress(addr: Address): string {
  const b = addr.bytes;
  if (addr.af === AF_INET) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  // Longest run of at least two zero words; the first one wins a tie.
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestBase) {
      out += ':';
      i += bestLen - 1;
      if (i === 7) out += ':';
      continue;
    }
    if (i > 0) out += ':';
    // glibc prints an IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) tail dotted.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += words[i]!.toString(16);
  }
  return out;
}

/** Size of the `union nf_inet_addr` the kernel sends and expects (IPv4 in the first 4 bytes). */
export const WIRE_ADDRESS_BYTES = 16;

/** How many of an address's bytes go on the wire (the rest of the 16 are zero). */
export function wireAddressLength(addr: Address): number {
  return addr.af === AF_INET ? 4 : 16;
}

export function addressFromWire(af: AddressFamily, wire: Uint8Array): Address {
  return { af, bytes: new Uint8Array(wire.subarray(0, af === AF_INET ? 4 : 16)) }; // a copy
}

export function addressEquals(a: Address, b: Address): boolean {
  return a.af === b.af && a.bytes.length === b.bytes.length && a.bytes.every((x, i) => x === b.bytes[i]);
}
