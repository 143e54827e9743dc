// `ipvsadm -L -c`: the entries of /proc/net/ip_vs_conn (parsed in table/connections.ts), one row per
// connection, unsorted, with names unless numeric. Row and title widths observed from
// ipvsadm 1.31; the file's layout from Linux 6.1's ip_vs_conn_seq_show().
import type { Address } from '../../ipvs/address.js';
import { protocolNumber, protocolOfLabel } from '../../ipvs/vocabulary.js';
import type { NameTable } from '../../table/names.js';
import { formatAddrPort, uniqueAddresses } from '../../table/addr-port.js';
import { padRight } from '../../fields/printf.js';
import { forEachFgetsPiece, parseConnectionLine } from '../../table/connections.js';
import { RowWriter } from './conn-rows.js';
import type { ConnectionEntry } from '../../table/connections.js';

export interface ConnectionListOptions {
  readonly numeric: boolean;
  readonly persistentConn: boolean;
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
  return connectionChunks(text, options, names)?.join('');
}

/**
 * The `-L -c` output for the text of /proc/net/ip_vs_conn in chunks (the first holds the title),
 * or undefined for an empty file. Each fgets() piece after the first is a row when it parses, as
 * formatConnectionRow prints it; a numeric listing writes the kernel's usual IPv4 lines straight
 * from their characters into a byte buffer (conn-rows.ts), anything else goes through
 * parseConnectionLine.
 */
export function connectionChunks(text: string, options: ConnectionListOptions, names: NameTable): string[] | undefined {
  if (text.length === 0) return undefined;
  const out = new RowWriter();
  out.text(`${connectionTitle(options)}\n`);
  let first = true;
  forEachFgetsPiece(text, (start, end) => {
    if (first) return void (first = false);
    if (options.numeric && out.numericIPv4Row(text, start, end, options.persistentConn)) return;
    const c = parseConnectionLine(text.slice(start, end));
    if (c) out.text(`${formatConnectionRow(c, options, names)}\n`);
  });
  return out.finish();
}

/** The addresses `-L -c` shows, once each, for name look-up. */
export function connectionAddresses(entries: readonly ConnectionEntry[]): Address[] {
  return uniqueAddresses(entries.flatMap((c) => [c.client, c.virtual, c.dest]));
}
