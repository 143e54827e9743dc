// The lab's plan, pure: the IPVS table as the kernel holds it → which real-server hosts to build,
// how each is prepared (NAT / DR / TUN and its tunnel type), which ports they serve and which
// targets the client sends to. Also the demo tables `ipvsadm lab` loads when no rules file is given.
import { formatAddress, parseAddress } from '../ipvs/address.js';
import { AF_INET } from '../ipvs/constants.js';
import { checksumComputed } from '../ipvs/value-codec.js';
import type { ServiceWithDestinations } from '../ipvs/model.js';
import { protocolOf } from '../ipvs/vocabulary.js';
import type { TunnelType } from '../ipvs/vocabulary.js';
import type { Target } from './target.js';

export type LabMode = 'nat' | 'dr' | 'tun';

export interface LabServer {
  /** rs1, rs2, ...: its namespace name and what its servers answer */
  readonly name: string;
  readonly addr: string;
  readonly family: 4 | 6;
  /** how replies leave it: nat (through the director) when any of its destinations is masqueraded */
  readonly mode: LabMode;
  /** how `realserver up` prepares it for its DR/TUN services (tun when it has both: a VIP on the
   *  tunnel device takes direct-routed packets too); undefined when it is NAT only */
  readonly prepareAs: 'dr' | 'tun' | undefined;
  readonly tunType: TunnelType;
  readonly tunPort: number | undefined;
  /** GRE with checksums (the destination's --tun-csum): prepared with --tun-csum */
  readonly tunCsum?: boolean;
  /** VIPs it must accept as local (DR and TUN) */
  readonly vips: readonly string[];
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
}

export interface LabService {
  readonly target: Target;
  readonly scheduler: string;
  /** real-server name → weight */
  readonly weights: Readonly<Record<string, number>>;
}

export interface LabPlan {
  readonly servers: readonly LabServer[];
  readonly services: readonly LabService[];
  /** every service address (the director holds them) */
  readonly vips: readonly string[];
  /** services and destinations the lab cannot exercise, and why */
  readonly skipped: readonly string[];
  /** director side: nat when any destination is masqueraded (it must forward) */
  readonly directorMode: LabMode;
}

const MODE_OF: Readonly<Partial<Record<string, LabMode>>> = { masq: 'nat', route: 'dr', tunnel: 'tun' };
const RANK: Readonly<Record<LabMode, number>> = { nat: 0, dr: 1, tun: 2 };

interface Draft {
  addr: string;
  family: 4 | 6;
  mode: LabMode;
  prepareAs: 'dr' | 'tun' | undefined;
  tunSeen: boolean;
  tunType: TunnelType;
  tunPort: number | undefined;
  tunCsum: boolean;
  vips: Set<string>;
  tcp: Set<number>;
  udp: Set<number>;
}

export function planLab(table: readonly ServiceWithDestinations[]): LabPlan {
  const drafts = new Map<string, Draft>();
  const skipped: string[] = [];
  const pending: { target: Target; scheduler: string; dests: { addr: string; weight: number }[] }[] = [];
  for (const { service, destinations } of table) {
    const key = service.key;
    if (key.kind === 'fwmark') {
      skipped.push(`fwmark ${key.fwmark}: the lab client cannot mark packets`);
      continue;
    }
    const vip = formatAddress(key.addr);
    const known = protocolOf(key.protocol);
    const proto: Target['proto'] | undefined = known === 'tcp' || known === 'udp' ? known : undefined;
    if (!proto) {
      skipped.push(`${vip}:${key.port}: protocol ${key.protocol} (the lab sends TCP and UDP only)`);
      continue;
    }
    const dests: { addr: string; weight: number }[] = [];
    for (const d of destinations) {
      const addr = formatAddress(d.addr);
      const mode = typeof d.forwarding === 'string' ? MODE_OF[d.forwarding] : undefined;
      if (!mode) {
        skipped.push(`${vip}:${key.port} -> ${addr}: local forwarding (no real server to build)`);
        continue;
      }
      const draft = drafts.get(addr) ?? newDraft(addr, d.addr.af === AF_INET ? 4 : 6, mode);
      drafts.set(addr, draft);
      if (RANK[mode] < RANK[draft.mode]) draft.mode = mode;
      if (mode !== 'nat' && draft.prepareAs !== 'tun') draft.prepareAs = mode;
      if (mode === 'tun' && !draft.tunSeen) {
        // The tunnel type and GUE port of the first TUN destination of this address.
        draft.tunSeen = true;
        draft.tunType = typeof d.tunnelType === 'string' ? d.tunnelType : 'ipip';
        draft.tunPort = draft.tunType === 'gue' ? d.tunnelPort : undefined;
        draft.tunCsum = draft.tunType === 'gre' && checksumComputed(d.checksum);
      }
      if (mode !== 'nat') draft.vips.add(vip);
      (proto === 'tcp' ? draft.tcp : draft.udp).add(d.port);
      dests.push({ addr, weight: d.weight });
    }
    if (dests.length === 0) {
      skipped.push(`${proto.toUpperCase()} ${vip}:${key.port}: no real server to send traffic to`);
      continue;
    }
    pending.push({ target: { proto, host: vip, port: key.port }, scheduler: service.scheduler, dests });
  }
  const servers = [...drafts.values()].sort(byAddress).map((d, i): LabServer => ({
    name: `rs${i + 1}`,
    addr: d.addr,
    family: d.family,
    mode: d.mode,
    prepareAs: d.prepareAs,
    tunType: d.tunType,
    tunPort: d.tunPort,
    ...(d.tunCsum ? { tunCsum: true } : {}),
    vips: [...d.vips],
    tcpPorts: [...d.tcp].sort((a, b) => a - b),
    udpPorts: [...d.udp].sort((a, b) => a - b),
  }));
  const nameOf = new Map(servers.map((s) => [s.addr, s.name]));
  const services = pending.map(({ target, scheduler, dests }) => ({
    target,
    scheduler,
    weights: Object.fromEntries(dests.map((d) => [nameOf.get(d.addr)!, d.weight])),
  }));
  const vips = [...new Set(services.map((s) => s.target.host))];
  const directorMode = servers.some((s) => s.mode === 'nat') ? 'nat' : servers.some((s) => s.mode === 'tun') ? 'tun' : 'dr';
  return { servers, services, vips, skipped, directorMode };
}

/** IPv4 before IPv6, then numerically (rs1 is the lowest address). */
function byAddress(a: Draft, b: Draft): number {
  const bytes = (d: Draft): number[] => [...(parseAddress(d.addr)?.bytes ?? [])];
  const x = bytes(a);
  const y = bytes(b);
  if (x.length !== y.length) return x.length - y.length;
  const i = x.findIndex((v, k) => v !== y[k]);
  return i < 0 ? 0 : x[i]! - y[i]!;
}

function newDraft(addr: string, family: 4 | 6, mode: LabMode): Draft {
  return { addr, family, mode, prepareAs: undefined, tunSeen: false, tunType: 'ipip', tunPort: undefined, tunCsum: false, vips: new Set(), tcp: new Set(), udp: new Set() };
}

export interface DemoOptions {
  readonly mode: LabMode;
  readonly tunType?: TunnelType;
  readonly ipv6?: boolean;
}

/** A small table in ipvsadm -S form: one wrr service (weights 1 and 3) for NAT, rr otherwise. */
export function demoRules(o: DemoOptions): string {
  const v6 = o.ipv6 === true;
  const vip = v6 ? '[2001:db8::100]' : '192.0.2.100';
  const rs = (i: number): string => (v6 ? `[2001:db8:1::${i}]` : `198.51.100.${i}`);
  if (o.mode === 'nat') {
    return [
      `-A -t ${vip}:80 -s wrr`,
      `-a -t ${vip}:80 -r ${rs(1)}:8080 -m -w 1`,
      `-a -t ${vip}:80 -r ${rs(2)}:8080 -m -w 3`,
      `-A -u ${vip}:53 -s rr`,
      `-a -u ${vip}:53 -r ${rs(1)}:5353 -m -w 1`,
      `-a -u ${vip}:53 -r ${rs(2)}:5353 -m -w 1`,
      '',
    ].join('\n');
  }
  const tun = o.mode === 'tun' ? tunOptions(o.tunType ?? 'ipip') : '-g';
  return [`-A -t ${vip}:80 -s rr`, `-a -t ${vip}:80 -r ${rs(1)}:80 ${tun} -w 1`, `-a -t ${vip}:80 -r ${rs(2)}:80 ${tun} -w 1`, ''].join('\n');
}

const tunOptions = (t: TunnelType): string => (t === 'gue' ? '-i --tun-type gue --tun-port 6080' : `-i --tun-type ${t}`);
