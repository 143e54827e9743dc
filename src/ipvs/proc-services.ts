// Parses /proc/net/ip_vs (the kernel's text listing of services and their destinations) into
// destination lists keyed like the netlink services. Source of truth: ip_vs_info_seq_show in
// net/netfilter/ipvs/ip_vs_ctl.c (Linux 6.1): addresses and ports in hex, IPv6 as full %pI6.
import { AF_INET, AF_INET6, FwdMethod } from './constants.js';
import type { Address } from './address.js';
import { ZERO_STATS } from './model.js';
import type { Destination, ServiceKey } from './model.js';

/** The kernel's protocol names (ip_vs_proto_name) for the protocols IPVS serves. */
const PROTO_NAMES: Readonly<Record<number, string>> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP', 50: 'ESP', 51: 'AH' };

/**
 * The Forward column; the kernel prints "Masq" for MASQ and for every code above DROUTE, so a
 * "Masq" here may stand for 4..7 (never set by ipvsadm, only by raw netlink).
 */
const FORWARD: Readonly<Record<string, number>> = {
  Masq: FwdMethod.MASQ,
  Local: FwdMethod.LOCALNODE,
  Tunnel: FwdMethod.TUNNEL,
  Route: FwdMethod.DROUTE,
};

/** The id a service has in the file: `TCP C0000201:0050`, `FWM 00000001` (no family for marks). */
export function procServiceId(key: ServiceKey): string | undefined {
  if (key.kind === 'fwmark') return `FWM ${hex(key.fwmark, 8)}`;
  const proto = PROTO_NAMES[key.protocol];
  if (proto === undefined) return undefined;
  const b = key.addr.bytes;
  const addr = key.af === AF_INET6 ? `[${ipv6Full(b)}]` : hex(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, 8);
  return `${proto} ${addr}:${hex(key.port, 4)}`;
}

export interface ProcService {
  readonly scheduler: string;
  /** Destinations with what the file shows; thresholds, tunnel details, persistConns, stats zero. */
  readonly destinations: Destination[];
}

/**
 * Services by procServiceId, or undefined when the text is not what Linux prints (then the
 * caller must not use it). A service id listed twice maps to undefined: the file was read while
 * the table changed, or two fwmark services of different families share a mark.
 */
export function parseProcServices(text: string): Map<string, ProcService | undefined> | undefined {
  const lines = text.split('\n');
  if (!/^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)$/.test(lines[0] ?? '')) return undefined;
  if (lines[1] !== 'Prot LocalAddress:Port Scheduler Flags') return undefined;
  if (lines[2] !== '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn') return undefined;
  if (lines[lines.length - 1] !== '') return undefined;
  const out = new Map<string, ProcService | undefined>();
  let current: ProcService | undefined;
  let currentId = '';
  for (let i = 3; i < lines.length - 1; i++) {
    const line = lines[i]!;
    if (line.startsWith('  -> ')) {
      const dest = parseDestination(line);
      if (!dest || !current) return undefined;
      if (out.get(currentId) === current) current.destinations.push(dest);
      continue;
    }
    const svc = parseServiceLine(line);
    if (!svc) return undefined;
    currentId = svc.id;
    current = { scheduler: svc.scheduler, destinations: [] };
    out.set(svc.id, out.has(svc.id) ? undefined : current);
  }
  return out;
}

function parseServiceLine(line: string): { id: string; scheduler: string } | undefined {
  const m = /^(FWM  ([0-9A-F]{8})|(\S+)  ([0-9A-F]{8}|\[[0-9a-f:]{39}\]):([0-9A-F]{4})) (\S+) /.exec(line);
  if (!m) return undefined;
  const id = m[2] !== undefined ? `FWM ${m[2]}` : `${m[3]} ${m[4]}:${m[5]}`;
  return { id, scheduler: m[6]! };
}

function parseDestination(line: string): Destination | undefined {
  const m = /^ {2}-> ([0-9A-F]{8}|\[[0-9a-f:]{39}\]):([0-9A-F]{4}) +(\S+) +(-?\d+) +(-?\d+) +(-?\d+) *$/.exec(line);
  if (!m) return undefined;
  const addr = parseHexAddress(m[1]!);
  const fwdMethod = Object.hasOwn(FORWARD, m[3]!) ? FORWARD[m[3]!] : undefined;
  if (!addr || fwdMethod === undefined) return undefined;
  return {
    addr,
    port: parseInt(m[2]!, 16),
    fwdMethod,
    weight: Number(m[4]) | 0,
    uThreshold: 0,
    lThreshold: 0,
    tunType: 0,
    tunPort: 0,
    tunFlags: 0,
    activeConns: Number(m[5]) >>> 0,
    inactConns: Number(m[6]) >>> 0,
    persistConns: 0,
    stats: ZERO_STATS,
  };
}

function parseHexAddress(text: string): Address | undefined {
  if (!text.startsWith('[')) {
    const v = parseInt(text, 16);
    return { af: AF_INET, bytes: Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff) };
  }
  const groups = text.slice(1, -1).split(':');
  if (groups.length !== 8 || groups.some((g) => g.length !== 4)) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[2 * i] = v >> 8;
    bytes[2 * i + 1] = v & 0xff;
  });
  return { af: AF_INET6, bytes };
}

function ipv6Full(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16).padStart(4, '0'));
  return groups.join(':');
}

function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(width, '0');
}
