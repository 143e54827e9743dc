// The service and destination lines of `ipvsadm -L` in every mode. Widths and field order
// observed from ipvsadm 1.31's printf formats (each mode's columns are pinned in
// test/cli/format/list-modes.test.ts).
import { AF_INET, AF_INET6 } from '../../ipvs/constants.js';
import type { Destination, ForwardingMethod, Reported, Service, ServiceConfig, Stats } from '../../ipvs/model.js';
import { encodeForwarding } from '../../ipvs/value-codec.js';
import { FORWARDING_METHODS, protocolLabel, protocolOf } from '../../ipvs/vocabulary.js';
import { DESTINATION_FIELDS, forwardName, SERVICE_FIELDS } from '../../fields/registry.js';
import { textPieces } from '../../fields/outputs.js';
import type { Registry } from '../../fields/spec.js';
import type { ListOptions } from '../../core/command.js';
import type { NameTable } from '../../table/names.js';
import { formatAddrPort } from '../../table/addr-port.js';
import { formatLargeNumber } from './largenum.js';
import { cut, i32, low32, padLeft, padRight, u32, u64 } from '../../fields/printf.js';
import { serviceProtocolNumber } from '../../fields/service-text.js';

/** Which layout a listing uses; see listMode for the precedence. */
export type ListMode = 'stats' | 'rate' | 'thresholds' | 'persistent-conn' | 'tun-info' | 'default';

/** stats > rate > thresholds > persistent-conn > tun-info > default: 1.31's precedence when several are given. */
export function listMode(o: ListOptions): ListMode {
  if (o.stats) return 'stats';
  if (o.rate) return 'rate';
  if (o.thresholds) return 'thresholds';
  if (o.persistentConn) return 'persistent-conn';
  if (o.tunInfo) return 'tun-info';
  return 'default';
}

/** Listing protocol column: TCP, UDP, SCTP, anything else `?`. */
export function protocolName(protocol: number): string {
  const known = protocolOf(protocol);
  return known ? protocolLabel(known) : '?';
}

/**
 * The name field: `TCP  192.0.2.1:80`, `FWM  -1` (the mark as a C int), `FWM  2 IPv6`.
 * IPv4 names are cut to 33 characters; IPv6 ones never.
 */
export function listServiceName(svc: Service, numeric: boolean, names: NameTable): string {
  const k = svc.key;
  if (k.kind === 'fwmark') return `FWM  ${i32(k.fwmark)}${k.af === AF_INET6 ? ' IPv6' : ''}`;
  const name = `${padRight(protocolName(k.protocol), 4)} ${formatAddrPort(k.addr, k.port, k.protocol, numeric, names)}`;
  return k.af === AF_INET6 ? name : cut(name, 33);
}

/** Default service line: the name, then each setting's piece (scheduler, `(flags)`, persistence, `ops`). */
export function defaultServiceLine<S extends ServiceConfig>(name: string, svc: S, fields: Registry<S>): string {
  return name + textPieces(fields, svc).join('');
}

/** The --stats columns: conns, inpkts, outpkts, inbytes, outbytes. */
function counters(s: Stats): bigint[] {
  return [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes];
}

function largeNumbers(values: readonly bigint[], exact: boolean): string {
  return values.map((v) => formatLargeNumber(v, exact)).join('');
}

/** The service line of the given mode (thresholds, persistent-conn, tun-info: the default one). */
export function formatServiceLine(svc: Service, mode: ListMode, o: ListOptions, names: NameTable): string {
  const name = listServiceName(svc, o.numeric, names);
  const s = svc.stats;
  if (mode === 'stats') return padRight(name, 33) + largeNumbers(counters(s), o.exact);
  if (mode === 'rate') return padRight(name, 33) + largeNumbers([s.cps, s.inpps, s.outpps, s.inbps, s.outbps], o.exact);
  return defaultServiceLine<ServiceConfig>(name, svc, SERVICE_FIELDS);
}

/** ` %-7s` of each forwarding method's name, made once; UNNAMED_FORWARD_COLUMN for the rest */
const FORWARD_COLUMNS = new Map(FORWARDING_METHODS.map((m) => [m, ` ${padRight(forwardName(m), 7)}`]));
const UNNAMED_FORWARD_COLUMN = ` ${padRight(forwardName(-1), 7)}`;
const forwardColumn = (f: Reported<ForwardingMethod>): string => (typeof f === 'string' ? FORWARD_COLUMNS.get(f)! : UNNAMED_FORWARD_COLUMN);

/** A real server's setting as its column shows it (the registry's words). */
const WORD = {
  weight: DESTINATION_FIELDS.weight.text.show,
  uThreshold: DESTINATION_FIELDS.uThreshold.text.show,
  lThreshold: DESTINATION_FIELDS.lThreshold.text.show,
} as const;

/** TunnelInfo column: `n/a`, `ipip`, `gue:<port>:<flag>`, `gre:<flag>`. */
export const tunnelInfo = DESTINATION_FIELDS.tunnelType.text.show;

/**
 * libipvs fills a destination's conns, packet and rate counters with 32-bit reads of the 64-bit
 * attributes (only the byte counters are read whole), so the listing shows their low 32 bits.
 */
function destStats(s: Stats): Stats {
  return {
    ...s,
    conns: low32(s.conns),
    inpkts: low32(s.inpkts),
    outpkts: low32(s.outpkts),
    cps: low32(s.cps),
    inpps: low32(s.inpps),
    outpps: low32(s.outpps),
    inbps: low32(s.inbps),
    outbps: low32(s.outbps),
  };
}

/** `%-<w>u` columns, each preceded by one space. */
function unsignedColumns(values: readonly [number, number][]): string {
  return values.map(([v, w]) => ' ' + padRight(u32(v), w)).join('');
}

/** Distinct tails kept by a DestHeads at most (busy tables have as many as lines). */
const MAX_TAILS = 4096;

/** The default line after the head: method, weight, active and inactive connections. */
function defaultTail(d: Destination): string {
  return forwardColumn(d.forwarding) + ' ' + padRight(WORD.weight(d), 6) + ' ' + padRight(u32(d.activeConns), 10) + ' ' + padRight(u32(d.inactConns), 10);
}

/** `  -> 198.51.100.1:8080` padded to its column (the name cut to 28 unless the service is IPv6). */
function destHead(d: Destination, svc: Service, o: ListOptions, names: NameTable): string {
  const full = formatAddrPort(d.addr, d.port, serviceProtocolNumber(svc), o.numeric, names);
  return '  -> ' + padRight(svc.key.af === AF_INET6 ? full : cut(full, 28), 28);
}

/**
 * Parts of destination lines made once: the head per IPv4 address and port in a numeric
 * listing (a director gives the same real servers to many services: 10,000 services x 4
 * lines), the rest of a default line per method, weight and counts while they are small.
 */
export class DestHeads {
  private readonly made = new Map<number, string>();
  private readonly tails = new Map<number, string>();

  /** ` Masq    1      0          0         ` */
  tail(d: Destination): string {
    const { weight, activeConns: a, inactConns: i } = d;
    const small = weight >= 0 && weight < 0x10000 && a >= 0 && a < 0x10000 && i >= 0 && i < 0x10000;
    const key = small ? ((encodeForwarding(d.forwarding) * 0x10000 + weight) * 0x10000 + a) * 0x10000 + i : -1;
    let text = small ? this.tails.get(key) : undefined;
    if (text === undefined) {
      text = defaultTail(d);
      if (small && this.tails.size < MAX_TAILS) this.tails.set(key, text);
    }
    return text;
  }

  /** The head of the line, or undefined where it is not kept (names, IPv6). */
  get(d: Destination, svc: Service, o: ListOptions, names: NameTable): string | undefined {
    if (!o.numeric || d.addr.af !== AF_INET) return undefined;
    const b = d.addr.bytes;
    const key = ((((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) * 65536 + d.port) * 2 + (svc.key.af === AF_INET6 ? 1 : 0);
    let head = this.made.get(key);
    if (head === undefined) {
      head = destHead(d, svc, o, names);
      this.made.set(key, head);
    }
    return head;
  }
}

/**
 * A destination line. Its name is cut to 28 characters unless the SERVICE is IPv6 (ipvsadm
 * tests the service's family here, so a mixed-family tunnel follows the service).
 */
export function formatDestLine(d: Destination, svc: Service, mode: ListMode, o: ListOptions, names: NameTable, heads?: DestHeads): string {
  const head = heads?.get(d, svc, o, names) ?? destHead(d, svc, o, names);
  if (mode === 'default') return head + (heads ? heads.tail(d) : defaultTail(d));
  const fwd = forwardColumn(d.forwarding);
  const weight = ` ${padRight(WORD.weight(d), 6)}`;
  const conns = unsignedColumns([[d.activeConns, 10], [d.inactConns, 10]]);
  switch (mode) {
    case 'stats':
      return head + largeNumbers(counters(destStats(d.stats)), o.exact);
    case 'rate': { // cps, inpps, outpps are plain %8llu here, never abbreviated
      const s = destStats(d.stats);
      return head + [s.cps, s.inpps, s.outpps].map((v) => ' ' + padLeft(u64(v), 8)).join('') +
        largeNumbers([s.inbps, s.outbps], o.exact);
    }
    case 'thresholds':
      return head + [WORD.uThreshold(d), WORD.lThreshold(d)].map((w) => ' ' + padRight(w, 10)).join('') + conns;
    case 'persistent-conn':
      // this mode prints the weight with %u, not the %d of the others
      return head + unsignedColumns([[d.weight, 9], [d.persistConns, 11]]) + conns;
    case 'tun-info':
      return `${head}${fwd} ${padRight(tunnelInfo(d), 13)}${weight}${conns}`;
  }
}
