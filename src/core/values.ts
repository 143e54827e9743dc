// Parsers for the values of ipvsadm's options: numbers with strtol rules, inet_aton addresses,
// host[:port] of services and real servers, netmasks, scheduler flags, multicast groups.
// Ranges, messages and address rules as ipvsadm 1.31 applies them (test/cli/values.test.ts).
import { ipv4, parseIPv4, parseIPv6 } from '../ipvs/address.js';
import type { Address, AddressFamily } from '../ipvs/address.js';
import { AF_INET, AF_INET6, DaemonState } from '../ipvs/constants.js';
import { fail } from './errors.js';
import { encodeSchedFlag, encodeTunnelType } from '../ipvs/value-codec.js';
import { protocolOf, TUNNEL_TYPES } from '../ipvs/vocabulary.js';
import type { NameResolver } from '../app/io.js';
import { schedFlagOfWord } from '../fields/sched-flags.js';

/** C isspace() in the C locale. */
const isCSpace = (c: string | undefined): boolean => c !== undefined && ' \t\n\v\f\r'.includes(c);

/** strtol(text, &end, 10) that must consume the whole text: the value, or undefined. */
function strtolWhole(text: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (!m) return undefined;
  const v = BigInt(m[2]!);
  return m[1] === '-' ? -v : v;
}

/**
 * ipvsadm's string_to_number(): base-10 strtol with leading whitespace and a sign allowed, no
 * trailing characters, inside [min, max]; undefined otherwise (`' 7'`, `+85`, `087` = 87, `-0` = 0).
 */
export function stringToNumber(text: string, min: number, max: number): number | undefined {
  // The usual case (a port, a weight: up to 9 plain digits) read by hand: a restore reads 100,000.
  if (text.length > 0 && text.length <= 9) {
    let n = 0;
    let i = 0;
    for (; i < text.length; i++) {
      const digit = text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) break;
      n = n * 10 + digit;
    }
    if (i === text.length) return n < min || n > max ? undefined : n;
  }
  const v = strtolWhole(text);
  if (v === undefined || v < BigInt(min) || v > BigInt(max)) return undefined;
  return Number(v);
}

/** atoi(): leading whitespace, sign, then as many digits as there are; 0 when none (`64abc` = 64). */
export function atoi(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(text)!;
  let v = m[2] === '' ? 0n : BigInt(m[2]!);
  if (m[1] === '-') v = -v;
  // glibc's atoi is (int)strtol(): clamp to the 64-bit long range, then keep the low 32 bits.
  const clamped = v > 2n ** 63n - 1n ? 2n ** 63n - 1n : v < -(2n ** 63n) ? -(2n ** 63n) : v;
  return Number(BigInt.asIntN(32, clamped));
}

/** One inet_aton part: strtoul base 0 (0x hex, 0 octal, else decimal); returns value and length. */
function atonPart(text: string): { value: number; length: number } | undefined {
  if (!/^[0-9]/.test(text)) return undefined;
  const m = /^0[xX]([0-9a-fA-F]+)/.exec(text) ?? /^0([0-7]*)/.exec(text) ?? /^([0-9]+)/.exec(text)!;
  const digits = m[1]!;
  const radix = m[0].startsWith('0x') || m[0].startsWith('0X') ? 16 : m[0].startsWith('0') ? 8 : 10;
  const value = digits === '' ? 0 : parseInt(digits, radix);
  return value > 0xffffffff ? undefined : { value, length: m[0].length };
}

/**
 * glibc inet_aton(): `a.b.c.d`, `a.b.c` (c 16 bits), `a.b` (b 24 bits) or `a` (32 bits), each
 * part decimal, octal or hex; anything after a whitespace character is ignored.
 */
export function parseInetAton(text: string): Address | undefined {
  // The common case, read the same by inet_aton: a strict dotted quad (no leading zeros).
  const quad = parseIPv4(text);
  if (quad) return quad;
  const lead: number[] = [];
  let rest = text;
  for (;;) {
    const part = atonPart(rest);
    if (!part) return undefined;
    rest = rest.slice(part.length);
    if (rest[0] !== '.') {
      if (rest !== '' && !isCSpace(rest[0])) return undefined;
      const max = [0xffffffff, 0xffffff, 0xffff, 0xff][lead.length]!;
      if (part.value > max) return undefined;
      const word = lead.reduce((acc, b, i) => acc + b * 2 ** (24 - 8 * i), 0) + part.value;
      return ipv4([word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff]);
    }
    if (lead.length > 2 || part.value > 0xff) return undefined;
    lead.push(part.value);
    rest = rest.slice(1);
  }
}

/** An IPv4 address as a host-order unsigned 32-bit number (255.255.255.0 → 0xffffff00). */
export function ipv4ToNumber(addr: Address): number {
  const b = addr.bytes;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** A parsed host[:port]; `port` undefined when the text had no usable port part. */
export interface HostPort {
  readonly af: AddressFamily;
  readonly addr: Address;
  readonly port: number | undefined;
}

/**
 * ipvsadm's parse_service() for `-t/-u/--sctp-service/-r` : all-digit text is refused;
 * `[v6]:port` needs the port; un-bracketed text that is IPv6 has no port; otherwise the last `:`
 * splits host (inet_aton, then an IPv4 host name) from port (number, then a service name looked
 * up for `protocol`). A bracketed non-IPv6 host loses the port (`[192.0.2.1]:80`).
 * undefined when invalid; a promise only when a host name has to be looked up.
 */
export function parseHostPort(
  text: string,
  protocol: number,
  names: NameResolver,
): HostPort | undefined | Promise<HostPort | undefined> {
  if (/^[0-9]*$/.test(text)) return undefined;
  let host = text;
  let bracketPort: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    host = text.slice(1, close);
    bracketPort = text.slice(close + 2);
  }
  const v6 = parseIPv6(host);
  if (v6) return withPort(v6, bracketPort, protocol, names);
  const colon = host.lastIndexOf(':');
  const portText = colon < 0 ? undefined : host.slice(colon + 1);
  const name = colon < 0 ? host : host.slice(0, colon);
  // Numeric hosts are answered at once (a restore parses thousands): only names wait.
  const numeric = parseInetAton(name);
  if (numeric) return withPort(numeric, portText, protocol, names);
  if (name === '') return undefined;
  return names.hostByName(name).then((addr) => (addr && addr.af === AF_INET ? withPort(addr, portText, protocol, names) : undefined));
}

function withPort(addr: Address, portText: string | undefined, protocol: number, names: NameResolver): HostPort | undefined {
  if (portText === undefined) return { af: addr.af, addr, port: undefined };
  const proto = protocolOf(protocol);
  const port = stringToNumber(portText, 0, 65535) ?? (proto && names.portByName(portText, proto));
  return port === undefined ? undefined : { af: addr.af, addr, port };
}

/** `-f`: decimal 1..4294967295. */
export function parseFwmark(text: string): number {
  const mark = stringToNumber(text, 1, 0xffffffff);
  if (mark === undefined) throw fail(`invalid fwmark value \`${text}' specified`);
  return mark;
}

/** Persistence timeout in seconds when `-p` has no value (ipvsadm's constant; not 300). */
export const DEFAULT_PERSISTENCE_TIMEOUT = 360;
/** Upper bound of every timeout: 31 days. */
export const MAX_TIMEOUT = 2678400;

/** A timeout value of `-p` (min 1) or `--set` (min 0). */
export function parseTimeout(text: string, min: 0 | 1): number {
  const value = stringToNumber(text, min, MAX_TIMEOUT);
  if (value === undefined) throw fail(`invalid timeout value \`${text}' specified`);
  return value;
}

/** `-p [timeout]`: no value means 360 s. */
export function parsePersistence(text: string | undefined): number {
  return text === undefined ? DEFAULT_PERSISTENCE_TIMEOUT : parseTimeout(text, 1);
}

/**
 * `-M`, read by the family known when it is parsed: IPv6 → atoi() prefix 1..128;
 * otherwise inet_aton then an IPv4 host name, returned as a host-order u32.
 */
export async function parseNetmask(text: string, af: number, names: NameResolver): Promise<number> {
  if (af === AF_INET6) {
    const prefix = atoi(text);
    if (prefix < 1 || prefix > 128) throw fail('illegal ipv6 netmask specified');
    return prefix;
  }
  const addr = parseInetAton(text) ?? (text === '' ? undefined : await names.hostByName(text));
  if (!addr || addr.af !== AF_INET) throw fail('illegal virtual server persistent mask specified');
  return ipv4ToNumber(addr);
}

/** A decimal option value in [min, max], else `fail(message)`. */
export function parseRanged(text: string, min: number, max: number, message: string): number {
  const value = stringToNumber(text, min, max);
  if (value === undefined) throw fail(message);
  return value;
}

export const INT_MAX = 2147483647;

/** The first `max` bytes of the UTF-8 form, as C's strncpy into a fixed buffer keeps them. */
export function truncateBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= max ? text : bytes.subarray(0, max).toString('utf8');
}

/**
 * `-b`: comma-separated names, empty items skipped, checked against the final
 * scheduler. ipvsadm crashes on a list of only commas (`-b ,`); we report it as an invalid flag.
 */
export function parseSchedFlags(text: string, scheduler: string): number {
  if (text === '') return 0;
  const items = text.split(',').filter((s) => s !== '');
  if (items.length === 0) throw fail(`invalid scheduler flag \`${text}'`);
  let flags = 0;
  for (const item of items) {
    const flag = schedFlagOfWord(item, scheduler);
    if ('problem' in flag) throw fail(`${flag.problem} scheduler flag \`${item}'`);
    flags |= encodeSchedFlag(flag.flag);
  }
  return flags;
}

/** `--mcast-group`: with a `:` an IPv6 ff00::/8 address, else an IPv4 224.0.0.0/4 one. */
export function parseMcastGroup(text: string): Address {
  if (text.includes(':')) {
    const v6 = parseIPv6(text);
    if (!v6 || v6.bytes[0] !== 0xff) throw fail(`invalid IPv6 mcast-group \`${text}'`);
    return v6;
  }
  const v4 = parseIPv4(text);
  if (!v4 || (v4.bytes[0]! & 0xf0) !== 0xe0) throw fail(`invalid IPv4 mcast-group \`${text}'`);
  return v4;
}

/** `--tun-type`: exact lowercase names. */
export function parseTunType(text: string): number {
  const type = TUNNEL_TYPES.find((t) => t === text);
  if (type === undefined) throw fail('illegal tunnel type specified');
  return encodeTunnelType(type);
}

/** `--start-daemon` / `--stop-daemon` argument (note ipvsadm's differing messages). */
export function parseDaemonState(text: string, command: 'start' | 'stop'): number {
  if (text === 'master') return DaemonState.MASTER;
  if (text === 'backup') return DaemonState.BACKUP;
  throw fail(command === 'start' ? 'illegal start-daemon parameter specified' : 'illegal start_daemon specified');
}
