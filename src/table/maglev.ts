// The lookup table the kernel's `mh` (Maglev hashing) scheduler builds for a list of real
// servers, computed the way the kernel does, so that two kernel orders of the same real servers
// can be compared slot by slot: which share of the table sends a flow to another real server.
import type { Address } from '../ipvs/address.js';
import { AF_INET6 } from '../ipvs/constants.js';

/** The table sizes the kernel may be built with, by its build option IP_VS_MH_TAB_INDEX (8..17). */
const PRIMES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;

/** The kernel's default build option (Debian's kernels keep it): a table of 4093 slots. */
export const DEFAULT_MH_TABLE_INDEX = 12;

/** A real server as the table sees it: where it is and its weight (0: no slot). */
export interface MaglevServer {
  readonly addr: Address;
  readonly port: number;
  readonly weight: number;
}

/** The table size for a build option from 8 to 17. */
export function maglevTableSize(index: number = DEFAULT_MH_TABLE_INDEX): number {
  const size = PRIMES[index - 8];
  if (size === undefined) throw new RangeError(`the mh table index is 8 to 17, not ${index}`);
  return size;
}

const MASK64 = (1n << 64n) - 1n;
const rotl = (x: bigint, bits: bigint): bigint => ((x << bits) | (x >> (64n - bits))) & MASK64;

/** SipHash's four 64-bit words after one round. */
function sipRound([v0, v1, v2, v3]: bigint[]): bigint[] {
  v0 = (v0! + v1!) & MASK64; v1 = rotl(v1!, 13n) ^ v0; v0 = rotl(v0, 32n);
  v2 = (v2! + v3!) & MASK64; v3 = rotl(v3!, 16n) ^ v2;
  v0 = (v0 + v3) & MASK64; v3 = rotl(v3, 21n) ^ v0;
  v2 = (v2 + v1) & MASK64; v1 = rotl(v1, 17n) ^ v2; v2 = rotl(v2, 32n);
  return [v0, v1, v2, v3];
}

/**
 * The kernel's "half" SipHash of one 32-bit value on a 64-bit machine, where it is SipHash-1-3
 * (one compression round, three final rounds) with two 64-bit key words, the result cut to 32
 * bits. The value is hashed as its four bytes in little-endian order (the machine's own).
 */
export function hsiphash32(value: number, k0: bigint, k1: bigint): number {
  const last = (4n << 56n) | BigInt(value >>> 0);
  let v = [0x736f6d6570736575n ^ k0, 0x646f72616e646f6dn ^ k1, 0x6c7967656e657261n ^ k0, 0x7465646279746573n ^ k1];
  v[3]! ^= last;
  v = sipRound(v);
  v[0]! ^= last;
  v[2]! ^= 0xffn;
  for (let i = 0; i < 3; i++) v = sipRound(v);
  return Number((v[0]! ^ v[1]! ^ v[2]! ^ v[3]!) & 0xffffffffn);
}

/** The two fixed keys mh hashes with (the same on every kernel, so every director builds the same table). */
const OFFSET_KEY = 2654435761n;
const SKIP_KEY = 2654446892n;

/** What mh hashes of a real server: the port plus the address (IPv6: its four words xored), as 32 bits. */
function serverWord(addr: Address, port: number): number {
  const b = addr.bytes;
  const word = (i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  const folded = addr.af === AF_INET6 ? (word(0) ^ word(4) ^ word(8) ^ word(12)) >>> 0 : word(0);
  return (folded + port) >>> 0;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const bitLength = (n: number): number => (n <= 0 ? 0 : 32 - Math.clz32(n));

/** How many slots a server claims per pass: weight over the weights' gcd, shifted down when large. */
function turnsOf(servers: readonly MaglevServer[], index: number): number[] {
  const weights = servers.map((s) => Math.max(0, s.weight | 0));
  const g = weights.filter((w) => w > 0).reduce(gcd, 0);
  if (g === 0) return weights.map(() => 0);
  const shift = Math.max(0, bitLength(Math.floor(Math.max(...weights) / g)) - Math.floor(index / 2));
  return weights.map((w) => Math.floor(w / g) >> shift || (w !== 0 ? 1 : 0));
}

/**
 * The table for servers in the kernel's list order: slot → index into `servers`, or -1 for a slot
 * no server holds (every weight 0). Each server in turn takes its next preferred free slot (its
 * offset, then steps of its skip), as many slots per pass as its turns, until the table is full.
 */
export function maglevTable(servers: readonly MaglevServer[], index: number = DEFAULT_MH_TABLE_INDEX): Int32Array {
  const size = maglevTableSize(index);
  const table = new Int32Array(size).fill(-1);
  const turns = turnsOf(servers, index);
  if (!turns.some((t) => t > 0)) return table;
  const words = servers.map((s) => serverWord(s.addr, s.port));
  const next = words.map((w) => hsiphash32(w, OFFSET_KEY, OFFSET_KEY) % size);
  const skip = words.map((w) => (hsiphash32(w, SKIP_KEY, SKIP_KEY) % (size - 1)) + 1);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < servers.length; i++) {
      for (let t = 0; t < turns[i]!; t++) {
        while (table[next[i]!] !== -1) next[i] = (next[i]! + skip[i]!) % size;
        table[next[i]!] = i;
        if (++filled === size) return table;
      }
    }
  }
}

/**
 * The slot mh looks up for a client: the hash of its address plus port (the source port with
 * mh-port, else 0), as a real server's offset is hashed.
 */
export function maglevClientSlot(addr: Address, port: number, index: number = DEFAULT_MH_TABLE_INDEX): number {
  return hsiphash32(serverWord(addr, port), OFFSET_KEY, OFFSET_KEY) % maglevTableSize(index);
}

/** The identity of a real server in both lists. */
const serverKey = (s: MaglevServer): string => `${s.addr.af}/${[...s.addr.bytes].join('.')}/${s.port}`;

/**
 * How many slots of the table send a flow to another real server when the same servers are in
 * order `a` on one director and order `b` on the other; and the table size.
 */
export function maglevSlotsMoved(a: readonly MaglevServer[], b: readonly MaglevServer[], index: number = DEFAULT_MH_TABLE_INDEX): { moved: number; size: number } {
  const [ta, tb] = [maglevTable(a, index), maglevTable(b, index)];
  const keyOf = (servers: readonly MaglevServer[], slot: number): string => (slot < 0 ? '' : serverKey(servers[slot]!));
  let moved = 0;
  for (let slot = 0; slot < ta.length; slot++) if (keyOf(a, ta[slot]!) !== keyOf(b, tb[slot]!)) moved++;
  return { moved, size: ta.length };
}
