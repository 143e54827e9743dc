// Parses /proc/net/ip_vs (the kernel's text listing of services and their destinations) into
// destination lists keyed like the netlink services. Source of truth: ip_vs_info_seq_show in
// net/netfilter/ipvs/ip_vs_ctl.c (Linux 6.1): addresses and ports in hex, IPv6 as full %pI6.
import { AF_INET, AF_INET6 } from './constants.js';
import { decodeForwarding, encodeForwarding } from './value-codec.js';
import { forwardingLabel } from './vocabulary.js';
import type { Address } from './address.js';
import { ZERO_STATS } from './model.js';
import type { Destination, ForwardingMethod, ServiceKey } from './model.js';

/** The kernel's protocol names (ip_vs_proto_name) for the protocols IPVS serves, and their ids here. */
const PROTOCOLS: readonly (readonly [name: string, number: number])[] = [
  ['TCP', 6],
  ['UDP', 17],
  ['SCTP', 132],
  ['ESP', 50],
  ['AH', 51],
];
const PROTO_NAME: Readonly<Record<number, string>> = Object.fromEntries(PROTOCOLS.map(([name, n]) => [n, name]));
/** 1-based place of a protocol in PROTOCOLS: part of an IPv4 service's numeric id */
const PROTO_INDEX: Readonly<Record<number, number>> = Object.fromEntries(PROTOCOLS.map(([, n], i) => [n, i + 1]));

/**
 * The Forward column; the kernel prints "Masq" for MASQ and for every code above DROUTE, so a
 * "Masq" here may stand for 4..7 (never set by ipvsadm, only by raw netlink).
 */
const FORWARD: readonly (readonly [word: string, code: number])[] = (['masq', 'local', 'tunnel', 'route'] as const).map(
  (method) => [forwardingLabel(method), encodeForwarding(method)] as const,
);

/**
 * The id a service has in the file. IPv4 services and marks get a number (no string built per
 * service): protocol, address and port packed below 2^51, a mark as -(mark + 1). IPv6 services
 * get their text, `TCP [2001:0db8:…:0001]:01BB`. Marks carry no family in the file.
 */
export type ProcServiceId = number | string;

export function procServiceId(key: ServiceKey): ProcServiceId | undefined {
  if (key.kind === 'fwmark') return -(key.fwmark >>> 0) - 1;
  const proto = PROTO_INDEX[key.protocol];
  if (proto === undefined) return undefined;
  const b = key.addr.bytes;
  if (key.af !== AF_INET6) return v4Id(proto, ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, key.port);
  return `${PROTO_NAME[key.protocol]} [${ipv6Full(b)}]:${hex(key.port, 4)}`;
}

function v4Id(protoIndex: number, addr: number, port: number): number {
  return (protoIndex * 2 ** 32 + addr) * 2 ** 16 + port;
}

/** A service's place in ProcServices: absent, or listed more than once. */
export const NOT_LISTED = -1;

/**
 * What the file lists: each service's scheduler and destinations (with what the file shows;
 * thresholds, tunnel details, persistConns and stats are zero). Destinations are kept in
 * columns and made into objects only when asked for, so a table of 10,000 services holds a few
 * typed arrays rather than 40,000 objects until it is printed.
 */
export class ProcServices {
  /** services listed, each id counted once */
  get size(): number {
    return this.ids.size;
  }

  constructor(
    private readonly text: Uint8Array,
    private readonly ids: ReadonlyMap<ProcServiceId, number>,
    private readonly schedulers: readonly number[],
    private readonly firstDest: readonly number[],
    private readonly dests: DestColumns,
  ) {}

  /** Whether the file lists the service with `id` (once or more). */
  lists(id: ProcServiceId): boolean {
    return this.ids.has(id);
  }

  /** The entry of the service with `id`, or NOT_LISTED (also when it is listed twice). */
  entry(id: ProcServiceId): number {
    return this.ids.get(id) ?? NOT_LISTED;
  }

  /** Whether the entry's scheduler is `name`. */
  schedulerIs(entry: number, name: string): boolean {
    const at = this.schedulers[entry]!;
    const b = this.text;
    for (let i = 0; i < name.length; i++) if (b[at + i] !== name.charCodeAt(i)) return false;
    return b[at + name.length] === SPACE;
  }

  /** Whether two of the entry's destinations have the same address and port. */
  hasDuplicateDestinations(entry: number): boolean {
    const seen = new Set<string | number>();
    const end = this.firstDest[entry + 1]!;
    for (let i = this.firstDest[entry]!; i < end; i++) seen.add(this.dests.id(i));
    return seen.size !== end - this.firstDest[entry]!;
  }

  /** Whether one of the entry's destinations has forwarding method `method`. */
  hasMethod(entry: number, method: ForwardingMethod): boolean {
    const code = encodeForwarding(method);
    const end = this.firstDest[entry + 1]!;
    for (let i = this.firstDest[entry]!; i < end; i++) if (this.dests.method(i) === code) return true;
    return false;
  }

  /** The entry's destinations, in the file's order: new objects on each call. */
  destinations(entry: number): Destination[] {
    const out: Destination[] = [];
    const end = this.firstDest[entry + 1]!;
    for (let i = this.firstDest[entry]!; i < end; i++) out.push(this.dests.destination(i));
    return out;
  }
}

/** Destination lines as columns, grown by doubling. */
class DestColumns {
  count = 0;
  private v4 = new Uint32Array(0);
  /** byte offset in the text of an IPv6 address's `[`, or -1 for IPv4 */
  private v6At = new Int32Array(0);
  private port = new Uint16Array(0);
  private fwd = new Uint8Array(0);
  private weight = new Int32Array(0);
  private active = new Uint32Array(0);
  private inactive = new Uint32Array(0);
  /**
   * One Address per IPv4 real server, shared by the destinations made (directors give the same
   * real servers to many services; addresses are never changed in place)
   */
  private readonly v4Addresses = new Map<number, Address>();

  constructor(
    private readonly text: Uint8Array,
    capacity: number,
  ) {
    this.grow(Math.max(16, capacity));
  }

  add(v4: number, v6At: number, port: number, fwd: number, weight: number, active: number, inactive: number): void {
    if (this.count === this.port.length) this.grow(this.count * 2);
    const i = this.count++;
    this.v4[i] = v4;
    this.v6At[i] = v6At;
    this.port[i] = port;
    this.fwd[i] = fwd;
    this.weight[i] = weight;
    this.active[i] = active;
    this.inactive[i] = inactive;
  }

  method(i: number): number {
    return this.fwd[i]!;
  }

  id(i: number): string | number {
    const at = this.v6At[i]!;
    return at < 0 ? this.v4[i]! * 2 ** 16 + this.port[i]! : `${latin1(this.text, at, at + 41)}:${this.port[i]}`;
  }

  destination(i: number): Destination {
    const at = this.v6At[i]!;
    let addr: Address;
    if (at < 0) {
      const v = this.v4[i]!;
      let shared = this.v4Addresses.get(v);
      if (!shared) {
        shared = { af: AF_INET, bytes: Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff) };
        this.v4Addresses.set(v, shared);
      }
      addr = shared;
    } else {
      addr = { af: AF_INET6, bytes: ipv6Bytes(this.text, at + 1) };
    }
    return {
      addr,
      port: this.port[i]!,
      forwarding: decodeForwarding(this.fwd[i]!),
      weight: this.weight[i]!,
      uThreshold: 0,
      lThreshold: 0,
      tunnelType: 'ipip',
      tunnelPort: 0,
      checksum: 'nocsum',
      activeConns: this.active[i]!,
      inactConns: this.inactive[i]!,
      persistConns: 0,
      stats: ZERO_STATS,
    };
  }

  private grow(capacity: number): void {
    const more = <T extends Uint32Array | Int32Array | Uint16Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old.subarray(0, this.count));
      return next;
    };
    this.v4 = more(this.v4, (n) => new Uint32Array(n));
    this.v6At = more(this.v6At, (n) => new Int32Array(n));
    this.port = more(this.port, (n) => new Uint16Array(n));
    this.fwd = more(this.fwd, (n) => new Uint8Array(n));
    this.weight = more(this.weight, (n) => new Int32Array(n));
    this.active = more(this.active, (n) => new Uint32Array(n));
    this.inactive = more(this.inactive, (n) => new Uint32Array(n));
  }
}

const NL = 0x0a;
const SPACE = 0x20;
const COLON = 0x3a;
const HEADER_1 = /^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)$/;
const HEADER_2 = 'Prot LocalAddress:Port Scheduler Flags';
const HEADER_3 = '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn';
/** the bytes of a destination line's start, `  -> ` */
const ARROW = [SPACE, SPACE, 0x2d, 0x3e, SPACE];
/** the shortest destination line the kernel prints (IPv4, one-digit columns) */
const MIN_DEST_LINE = 50;

/**
 * The services of the file (its bytes, as read), or undefined when it is not what Linux prints
 * (then the caller must not use it). A service id listed twice is NOT_LISTED: the file was read
 * while the table changed, or two fwmark services of different families share a mark.
 */
export function parseProcServices(text: Uint8Array): ProcServices | undefined {
  const n = text.length;
  if (n === 0 || text[n - 1] !== NL) return undefined;
  let p = 0;
  for (const header of [HEADER_1, HEADER_2, HEADER_3]) {
    const eol = text.indexOf(NL, p);
    const line = latin1(text, p, eol);
    if (typeof header === 'string' ? line !== header : !header.test(line)) return undefined;
    p = eol + 1;
  }
  const ids = new Map<ProcServiceId, number>();
  const schedulers: number[] = [];
  const firstDest: number[] = [];
  const dests = new DestColumns(text, Math.ceil(n / MIN_DEST_LINE));
  /** the entry destinations are added to, or NOT_LISTED (its id was seen before) */
  let entry = NOT_LISTED;
  let seen = false; // a service line came before
  while (p < n) {
    const eol = text.indexOf(NL, p);
    if (startsWith(text, p, ARROW)) {
      if (!seen || !readDestination(text, p + ARROW.length, eol, dests)) return undefined;
      if (entry === NOT_LISTED) dests.count--; // checked, but a service listed twice keeps none
    } else {
      const id = readServiceLine(text, p, eol);
      if (id === undefined) return undefined;
      seen = true;
      if (ids.has(id)) {
        ids.set(id, NOT_LISTED);
        entry = NOT_LISTED;
      } else {
        entry = schedulers.length;
        ids.set(id, entry);
        schedulers.push(scanned.scheduler);
        firstDest.push(dests.count);
      }
    }
    p = eol + 1;
  }
  firstDest.push(dests.count);
  return new ProcServices(text, ids, schedulers, firstDest, dests);
}

/** what the readers found besides what they return (no object per line) */
const scanned = { scheduler: 0, v4: -1, port: 0 };

/**
 * `C0000201:0050` or `[2001:0db8:…:0001]:01BB` at p: the offset after it, or -1; sets
 * scanned.v4 (the IPv4 address, -1 for IPv6: its text is at p) and scanned.port.
 */
function readAddrPort(b: Uint8Array, p: number): number {
  let v4 = -1;
  if (b[p] === OPEN) {
    if (!isIPv6Full(b, p + 1) || b[p + 40] !== CLOSE) return -1;
    p += 41;
  } else {
    v4 = hexAt(b, p, 8, UPPER);
    if (v4 < 0) return -1;
    p += 8;
  }
  if (b[p] !== COLON) return -1;
  const port = hexAt(b, p + 1, 4, UPPER);
  if (port < 0) return -1;
  scanned.v4 = v4;
  scanned.port = port;
  return p + 5;
}

/**
 * `FWM  0000000A wrr …`, `TCP  C0000201:0050 rr …`, `TCP  [2001:…]:01BB lc …`: the service's
 * id, with the scheduler's offset in `scanned`; undefined when the line is none of these.
 */
function readServiceLine(b: Uint8Array, p: number, eol: number): ProcServiceId | undefined {
  let id: ProcServiceId;
  if (startsWith(b, p, FWM)) {
    const mark = hexAt(b, p + FWM.length, 8, UPPER);
    if (mark < 0) return undefined;
    id = -mark - 1;
    p += FWM.length + 8;
  } else {
    let q = p;
    while (q < eol && b[q]! > SPACE) q++;
    const proto = protocolIndex(b, p, q);
    if (proto === 0 || b[q] !== SPACE || b[q + 1] !== SPACE) return undefined;
    q += 2;
    const after = readAddrPort(b, q);
    if (after < 0) return undefined;
    const { v4, port } = scanned;
    id = v4 >= 0 ? v4Id(proto, v4, port) : `${PROTOCOLS[proto - 1]![0]} ${latin1(b, q, after - 5)}:${hex(port, 4)}`;
    p = after;
  }
  if (b[p] !== SPACE) return undefined;
  let q = p + 1;
  while (q < eol && b[q]! > SPACE) q++;
  if (q === p + 1 || b[q] !== SPACE) return undefined;
  scanned.scheduler = p + 1;
  return id;
}

/** `C6336401:0050      Masq    1      0          0         ` (after the arrow): adds it. */
function readDestination(b: Uint8Array, at: number, eol: number, dests: DestColumns): boolean {
  const p = readAddrPort(b, at);
  if (p < 0) return false;
  const { v4, port } = scanned;
  const v6At = v4 < 0 ? at : -1;
  const fwdStart = spaces(b, p, eol);
  if (fwdStart === p) return false;
  let q = fwdStart;
  while (q < eol && b[q]! > SPACE) q++;
  const fwd = forwardMethod(b, fwdStart, q);
  if (fwd < 0) return false;
  const weight = readInt(b, q, eol);
  if (weight === undefined) return false;
  const active = readInt(b, next, eol);
  if (active === undefined) return false;
  const inactive = readInt(b, next, eol);
  if (inactive === undefined || spaces(b, next, eol) !== eol) return false;
  dests.add(Math.max(v4, 0), v6At, port, fwd, weight | 0, active >>> 0, inactive >>> 0);
  return true;
}

/** where readInt stopped */
let next = 0;

/** One or more spaces, then an optionally negative decimal of at most 11 digits; sets `next`. */
function readInt(b: Uint8Array, p: number, eol: number): number | undefined {
  let q = spaces(b, p, eol);
  if (q === p) return undefined;
  const negative = b[q] === MINUS;
  if (negative) q++;
  const start = q;
  let v = 0;
  while (q < eol && b[q]! >= ZERO && b[q]! <= NINE) v = v * 10 + (b[q++]! - ZERO);
  if (q === start || q - start > 11 || (q < eol && b[q] !== SPACE)) return undefined;
  next = q;
  return negative ? -v : v;
}

function spaces(b: Uint8Array, p: number, eol: number): number {
  while (p < eol && b[p] === SPACE) p++;
  return p;
}

const FWM = [0x46, 0x57, 0x4d, SPACE, SPACE]; // `FWM  `
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const UPPER = 0x41; // hex letters as the kernel's %X prints them
const LOWER = 0x61; // and as %pI6 does

function startsWith(b: Uint8Array, p: number, word: readonly number[]): boolean {
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) return false;
  return true;
}

/** `digits` hex digits at p (letters from `letterA` only), or -1. */
function hexAt(b: Uint8Array, p: number, digits: number, letterA: number): number {
  let v = 0;
  for (let i = 0; i < digits; i++) {
    const c = b[p + i]!;
    let d;
    if (c >= ZERO && c <= NINE) d = c - ZERO;
    else if (c >= letterA && c < letterA + 6) d = c - letterA + 10;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

/** Eight groups of four lowercase hex digits joined by colons (39 bytes), as %pI6 prints. */
function isIPv6Full(b: Uint8Array, p: number): boolean {
  for (let g = 0; g < 8; g++) {
    if (hexAt(b, p + 5 * g, 4, LOWER) < 0) return false;
    if (g < 7 && b[p + 5 * g + 4] !== COLON) return false;
  }
  return true;
}

function ipv6Bytes(b: Uint8Array, p: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let g = 0; g < 8; g++) {
    const v = hexAt(b, p + 5 * g, 4, LOWER);
    out[2 * g] = v >> 8;
    out[2 * g + 1] = v & 0xff;
  }
  return out;
}

function protocolIndex(b: Uint8Array, p: number, end: number): number {
  for (let i = 0; i < PROTOCOLS.length; i++) if (isWord(b, p, end, PROTOCOLS[i]![0])) return i + 1;
  return 0;
}

function forwardMethod(b: Uint8Array, p: number, end: number): number {
  for (const [word, method] of FORWARD) if (isWord(b, p, end, word)) return method;
  return -1;
}

function isWord(b: Uint8Array, p: number, end: number, word: string): boolean {
  if (end - p !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word.charCodeAt(i)) return false;
  return true;
}

function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function ipv6Full(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16).padStart(4, '0'));
  return groups.join(':');
}

function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(width, '0');
}
