// The kernel's connection table as text (/proc/net/ip_vs_conn, Linux 6.1's
// ip_vs_conn_seq_show()) read into entries, for the `-L -c` listing and the metrics by state.
import { parseIPv6, type Address } from '../ipvs/address.js';
import { AF_INET, AF_INET6 } from '../ipvs/constants.js';

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

/** ipvsadm reads the file with fgets() into 256 bytes: longer lines arrive in pieces. */
const FGETS_SIZE = 256;

/**
 * Calls `visit` with the start and end of each piece successive fgets() calls return, in order,
 * without copying the text (a table of 500,000 connections is 34 MB of it).
 */
export function forEachFgetsPiece(text: string, visit: (start: number, end: number) => void, size = FGETS_SIZE): void {
  let nl = -1;
  for (let pos = 0; pos < text.length; ) {
    if (nl < pos) {
      nl = text.indexOf('\n', pos);
      if (nl === -1) nl = text.length;
    }
    const end = Math.min(nl + 1, text.length, pos + size - 1);
    visit(pos, end);
    pos = end;
  }
}

/** The pieces successive fgets() calls return. */
export function fgetsChunks(text: string, size = FGETS_SIZE): string[] {
  const out: string[] = [];
  forEachFgetsPiece(text, (start, end) => out.push(text.slice(start, end)), size);
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

