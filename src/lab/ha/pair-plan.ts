// The VRRP pair's plan, pure: namespaces, bridges, addresses, the one rules file both directors
// apply, each director's keepalived configuration and `director up` arguments. DR: everything on one
// link; NAT: the client side and an inside link whose gateway address moves with the VIP.
import type { VrrpGate, VrrpNode } from './keepalived.js';
import type { Target } from '../target.js';

export type PairMode = 'dr' | 'nat';
export type SyncRole = 'both' | 'none';
export type DirectorName = 'd1' | 'd2';

export interface PairHost {
  readonly ns: string;
  /** interface name → [bridge, address/prefix] */
  readonly links: Readonly<Record<string, readonly [string, string]>>;
  readonly gateway?: string;
}

export interface PairPlan {
  readonly mode: PairMode;
  readonly bridges: readonly string[];
  readonly client: PairHost;
  readonly directors: Readonly<Record<DirectorName, PairHost>>;
  readonly servers: readonly (PairHost & { readonly name: string; readonly addr: string })[];
  readonly vip: Target;
  /** NAT: the real servers' default gateway, a second VRRP address */
  readonly insideGateway: string | undefined;
  readonly rules: string;
  /** the interface the sync daemons use */
  readonly syncInterface: string;
  readonly syncId: number;
}

export const PAIR_ADDRESSES = {
  vip: '203.0.113.100',
  client: '203.0.113.10',
  d1: { out: '203.0.113.1', in: '198.51.100.1' },
  d2: { out: '203.0.113.2', in: '198.51.100.2' },
  gateway: '198.51.100.254',
  servers: { dr: ['203.0.113.21', '203.0.113.22'], nat: ['198.51.100.21', '198.51.100.22'] },
  port: 80,
} as const;

/** The pair for `mode`; namespace and bridge names start with `prefix` (short: interface names have 15 characters). */
export function planPair(mode: PairMode, prefix = 'hv'): PairPlan {
  const A = PAIR_ADDRESSES;
  const out = `${prefix}out`;
  const inside = mode === 'nat' ? `${prefix}in` : out;
  const director = (d: DirectorName): PairHost => ({
    ns: `${prefix}-${d}`,
    links: { eth0: [out, `${A[d].out}/24`], ...(mode === 'nat' ? { eth1: [inside, `${A[d].in}/24`] } : {}) },
  });
  const servers = A.servers[mode].map((addr, i) => ({
    name: `rs${i + 1}`,
    addr,
    ns: `${prefix}-rs${i + 1}`,
    links: { eth0: [inside, `${addr}/24`] as const },
    ...(mode === 'nat' ? { gateway: A.gateway } : {}),
  }));
  const method = mode === 'nat' ? '-m' : '-g';
  const vip = `${A.vip}:${A.port}`;
  const rules = [`-A -t ${vip} -s rr`, ...servers.map((s) => `-a -t ${vip} -r ${s.addr}:${A.port} ${method} -w 1`), ''].join('\n');
  return {
    mode,
    bridges: mode === 'nat' ? [out, inside] : [out],
    client: { ns: `${prefix}-c`, links: { eth0: [out, `${A.client}/24`] } },
    directors: { d1: director('d1'), d2: director('d2') },
    servers,
    vip: { proto: 'tcp', host: A.vip, port: A.port },
    insideGateway: mode === 'nat' ? A.gateway : undefined,
    rules,
    syncInterface: 'eth0',
    syncId: 7,
  };
}

/** The name of a host's link's end on the bridge side. */
const outerLink = (h: PairHost, dev: string): string => `${h.ns}-${dev}`.slice(0, 15);

/** The ip(8) commands that build the plan's bridges, namespaces, links and routes (in the sandbox kernel). */
export function pairCommands(p: PairPlan): string[] {
  const hosts = [p.client, p.directors.d1, p.directors.d2, ...p.servers];
  const cmds = p.bridges.flatMap((b) => [`ip link add ${b} type bridge`, `ip link set ${b} up`]);
  for (const h of hosts) {
    cmds.push(`ip netns add ${h.ns}`, `ip -n ${h.ns} link set lo up`);
    for (const [dev, [bridge, cidr]] of Object.entries(h.links)) {
      const outer = outerLink(h, dev);
      cmds.push(
        `ip link add ${outer} type veth peer name ${dev} netns ${h.ns}`,
        `ip link set ${outer} master ${bridge} up`,
        `ip -n ${h.ns} addr add ${cidr} dev ${dev}`,
        `ip -n ${h.ns} link set ${dev} up`,
      );
    }
    if (h.gateway) cmds.push(`ip -n ${h.ns} route add default via ${h.gateway}`);
  }
  return cmds;
}

/** The commands that undo pairCommands (each may fail when already gone). The links go first, and
 *  at once: a deleted namespace takes its veth pairs only later, so a new pair could find the names taken. */
export function pairTeardownCommands(p: PairPlan): string[] {
  const hosts = [p.client, p.directors.d1, p.directors.d2, ...p.servers];
  const links = hosts.flatMap((h) => Object.keys(h.links).map((dev) => `ip link del ${outerLink(h, dev)}`));
  return [...links, ...hosts.map((h) => `ip netns del ${h.ns}`), ...p.bridges.map((b) => `ip link del ${b}`)];
}

/** The addresses VRRP moves: the VIP on the client side and, for NAT, the inside gateway. */
export function vrrpAddresses(p: PairPlan): VrrpNode['addresses'] {
  return [{ addr: p.vip.host, prefix: 32, dev: 'eth0' }, ...(p.insideGateway ? [{ addr: p.insideGateway, prefix: 32, dev: 'eth1' }] : [])];
}

export interface PairTiming {
  readonly advertIntSeconds: number;
  readonly preemptDelaySeconds: number;
}

export const PAIR_TIMING: PairTiming = { advertIntSeconds: 1, preemptDelaySeconds: 8 };

/** keepalived's settings for director `d` (d1 preferred). */
export function vrrpNode(p: PairPlan, d: DirectorName, gate: VrrpGate | undefined, t: PairTiming = PAIR_TIMING): VrrpNode {
  return {
    routerId: `lvs-${d}`,
    interface: 'eth0',
    virtualRouterId: 51,
    priority: d === 'd1' ? 150 : 100,
    advertIntSeconds: t.advertIntSeconds,
    preemptDelaySeconds: t.preemptDelaySeconds,
    addresses: vrrpAddresses(p),
    trackInterfaces: p.mode === 'nat' ? ['eth1'] : [],
    ...(gate ? { gate } : {}),
  };
}

/** `ipvsadm director up` arguments for a director of the pair with `sync` daemons. */
export function directorUpArgs(p: PairPlan, sync: SyncRole): string[] {
  return ['director', 'up', '--mode', p.mode, '--dev', 'eth0', '--ha', 'pair', '--sync', sync, ...(sync === 'none' ? [] : ['--mcast-interface', p.syncInterface, '--syncid', String(p.syncId)])];
}

/** The health gate's arguments after `ipvsadm`: ready when the table is the file's and the mode's daemons run. */
export function readyArgs(rulesFile: string, sync: SyncRole): string[] {
  return ['director', 'ready', '--rules', rulesFile, '--ha', 'pair', '--sync', sync];
}
