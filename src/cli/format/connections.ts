// `ipvsadm -L -c`: parse the kernel's /proc/net/ip_vs_conn text and print one row per
// connection, unsorted, with names unless numeric. Row and title widths observed from
// ipvsadm 1.31; the file's layout from Linux 6.1's ip_vs_conn_seq_show().
import { parseIPv6, type Address } from '../../ipvs/address.js';
import { AF_INET, AF_INET6 } from '../../ipvs/constants.js';
import { protocolNumber, protocolOfLabel } from '../../ipvs/vocabulary.js';
import type { NameTable } from '../../table/names.js';
import { formatAddrPort, uniqueAddresses } from '../../table/addr-port.js';
import { padRight } from '../../fields/printf.js';

/** One parsed line of /proc/net/ip_vs_conn. */
export interface ConnectionEntry {
  /** as the kernel spells it: TCP, UDP, SCTP, … */
  readonly protocol: string;
  readonly client: Address;
  readonly clientPort: number;
  readonly virtual: Address;
  readonly virtualPort: number;
  readonly dest: Address;
  readonly destPort: number;
  readonly state: string;
  /** seconds until expiry */
  readonly expires: number;
  /** persistence engine name and data, when the line carries both */
  readonly pe?: { readonly name: string; readonly data: string };
}

export interface ConnectionListOptions {
  readonly numeric: boolean;
  readonly persistentConn: boolean;
}

/** ipvsadm reads the file with fgets() into 256 bytes: longer lines arrive in pieces. */
const FGETS_SIZE = 256;

/** The pieces successive fgets() calls return. */
export function fgetsChunks(text: string, size = FGETS_SIZE): string[] {
  const out: string[] = [];
  for (let pos = 0; pos < text.length; ) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    const end = Math.min(lineEnd, pos + size - 1);
    out.push(text.slice(pos, end));
    pos = end;
  }
  return out;
}

/** IPv4 as the kernel prints it: 8 hex digits of the host-order value (C0000201). */
function parseHexIPv4(token: string): Address | undefined {
  if (!/^[0-9a-fA-F]{1,8}$/.test(token)) return undefined;
  const v = parseInt(token, 16);
  return { af: AF_INET, bytes: Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff) };
}

function parseConnAddress(token: string, af: number): Address | undefined {
  return af === AF_INET6 ? parseIPv6(token) : parseHexIPv4(token);
}

function parseHexPort(token: string): number | undefined {
  return /^[0-9a-fA-F]{1,4}$/.test(token) ? parseInt(token, 16) : undefined;
}

/**
 * One fgets() piece: protocol, client addr/port, virtual addr/port, dest addr/port (ports in
 * hex), state, expiry seconds, then optional pe name and pe data. The client address decides
 * the family of client and virtual; the destination has its own (mixed-family tunnels).
 * Undefined for a piece that does not hold those nine fields.
 */
export function parseConnectionLine(line: string): ConnectionEntry | undefined {
  const t = line.trim().split(/\s+/);
  if (t.length < 9) return undefined;
  const af = t[1]!.includes(':') ? AF_INET6 : AF_INET;
  const client = parseConnAddress(t[1]!, af);
  const virtual = parseConnAddress(t[3]!, af);
  const dest = parseConnAddress(t[5]!, t[5]!.includes(':') ? AF_INET6 : AF_INET);
  const [clientPort, virtualPort, destPort] = [t[2]!, t[4]!, t[6]!].map(parseHexPort);
  if (!client || !virtual || !dest || !/^[0-9]+$/.test(t[8]!)) return undefined;
  if (clientPort === undefined || virtualPort === undefined || destPort === undefined) return undefined;
  const pe = t.length >= 11 ? { pe: { name: t[9]!, data: t[10]! } } : {};
  const [protocol, state, expires] = [t[0]!, t[7]!, Number(t[8])];
  return { protocol, client, clientPort, virtual, virtualPort, dest, destPort, state, expires, ...pe };
}

/** Every connection in the file (its first line is the kernel's title), or undefined for an empty file. */
export function parseConnectionFile(text: string): ConnectionEntry[] | undefined {
  const chunks = fgetsChunks(text);
  if (chunks.length === 0) return undefined;
  return chunks.slice(1).flatMap((c) => parseConnectionLine(c) ?? []);
}

function protocolNumberOf(label: string): number {
  const protocol = protocolOfLabel(label);
  return protocol ? protocolNumber(protocol) : 0;
}

/** `%02d:%02d` of minutes and seconds; minutes are not bounded (44639:59). */
export function formatExpire(seconds: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(seconds / 60))}:${two(seconds % 60)}`;
}

/** One row; with --persistent-conn and pe fields, the destination is padded to 16 (not 18). */
export function formatConnectionRow(c: ConnectionEntry, o: ConnectionListOptions, names: NameTable): string {
  const proto = protocolNumberOf(c.protocol);
  const name = (a: Address, p: number) => formatAddrPort(a, p, proto, o.numeric, names);
  const head = `${padRight(c.protocol, 3)} ${padRight(formatExpire(c.expires), 6)} ${padRight(c.state, 11)} ` +
    `${padRight(name(c.client, c.clientPort), 18)} ${padRight(name(c.virtual, c.virtualPort), 18)} `;
  const dest = name(c.dest, c.destPort);
  if (o.persistentConn && c.pe) return `${head}${padRight(dest, 16)} ${padRight(c.pe.name, 18)} ${c.pe.data}`;
  return head + dest;
}

/** The two title lines (no final newline). */
export function connectionTitle(o: ConnectionListOptions): string {
  const cols = `pro expire ${padRight('state', 11)} ${padRight('source', 18)} ${padRight('virtual', 18)} `;
  const tail = o.persistentConn ? `${padRight('destination', 18)} ${padRight('pe name', 16)} pe_data` : 'destination';
  return `IPVS connection entries\n${cols}${tail}`;
}

/**
 * The whole `-L -c` output, newline-terminated, for the text of /proc/net/ip_vs_conn; undefined
 * when the file is empty (ipvsadm then says `unexpected input from /proc/net/ip_vs_conn`, exit 1).
 * Pieces that do not parse are left out (ipvsadm prints whatever its buffers held).
 */
export function formatConnections(text: string, options: ConnectionListOptions, names: NameTable): string | undefined {
  const entries = parseConnectionFile(text);
  return entries && formatConnectionEntries(entries, options, names);
}

/** The whole `-L -c` output, newline-terminated, for the entries the file held. */
export function formatConnectionEntries(entries: readonly ConnectionEntry[], options: ConnectionListOptions, names: NameTable): string {
  return [connectionTitle(options), ...entries.map((c) => formatConnectionRow(c, options, names))].join('\n') + '\n';
}

/** The addresses `-L -c` shows, once each, for name look-up. */
export function connectionAddresses(entries: readonly ConnectionEntry[]): Address[] {
  return uniqueAddresses(entries.flatMap((c) => [c.client, c.virtual, c.dest]));
}
