// The network of an ECMP fleet (built inside the sandbox kernel only): its addresses, its
// namespaces, and the ip(8) commands that build it; a client behind a router, and the router, the
// directors and the real servers on one bridge.
import type { BgpPeer } from './bird.js';

/** The fleet's addresses (documentation and benchmarking ranges only). */
export const ECMP_NET = {
  vip: '192.0.2.10',
  /** the router on the fabric bridge, and its AS */
  router: { addr: '198.18.0.1', asn: 65000 },
  /** the client's link to the router */
  clientLink: { router: '198.19.0.1', client: '198.19.0.2' },
  director: (i: number): BgpPeer => ({ addr: `198.18.0.${10 + i}`, asn: 65000 + i }),
  server: (i: number): string => `198.18.0.${20 + i}`,
} as const;

export const FABRIC = 'ecmp0';
export const ROUTER_NS = 'ec-router';
export const CLIENT_NS = 'ec-client';

/** A host of the fleet: its namespace and its fabric address. */
export interface FleetNode {
  readonly name: string;
  readonly addr: string;
}

export interface FleetLayout {
  readonly directors: readonly FleetNode[];
  readonly servers: readonly FleetNode[];
}

/** `directors` directors d1.., `servers` real servers r1.. (namespaces ec-d1.., ec-r1..). */
export function fleetLayout(directors: number, servers: number): FleetLayout {
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
  return {
    directors: range(directors).map((i) => ({ name: `ec-d${i}`, addr: ECMP_NET.director(i).addr })),
    servers: range(servers).map((i) => ({ name: `ec-r${i}`, addr: ECMP_NET.server(i) })),
  };
}

/** A namespace with its eth0 on the fabric, a /24 there and a default route through the router. */
function onFabric(ns: string, addr: string, router: boolean): string[] {
  return [
    `ip netns add ${ns}`,
    `ip link add v-${ns} type veth peer name eth0 netns ${ns}`,
    `ip link set v-${ns} master ${FABRIC} up`,
    `ip -n ${ns} link set lo up`,
    `ip -n ${ns} link set eth0 up`,
    `ip -n ${ns} addr add ${addr}/24 dev eth0`,
    ...(router ? [] : [`ip -n ${ns} route add default via ${ECMP_NET.router.addr}`]),
  ];
}

/**
 * The ip(8) and sysctl commands that build the fleet, in order. The router hashes on L4
 * (fib_multipath_hash_policy=1) and, like the directors, has rp_filter off: DR replies come back
 * from the real servers, not through the director a flow went in by.
 */
export function fleetCommands(layout: FleetLayout): string[] {
  const { router, clientLink } = ECMP_NET;
  const rpOff = (ns: string): string => `ip netns exec ${ns} sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0`;
  return [
    `ip link add ${FABRIC} type bridge`,
    `ip link set ${FABRIC} up`,
    ...onFabric(ROUTER_NS, router.addr, true),
    `ip netns add ${CLIENT_NS}`,
    `ip link add eth0 netns ${CLIENT_NS} type veth peer name eth1 netns ${ROUTER_NS}`,
    `ip -n ${CLIENT_NS} link set lo up`,
    `ip -n ${CLIENT_NS} link set eth0 up`,
    `ip -n ${ROUTER_NS} link set eth1 up`,
    `ip -n ${CLIENT_NS} addr add ${clientLink.client}/24 dev eth0`,
    `ip -n ${ROUTER_NS} addr add ${clientLink.router}/24 dev eth1`,
    `ip -n ${CLIENT_NS} route add default via ${clientLink.router}`,
    `ip netns exec ${ROUTER_NS} sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1`,
    rpOff(ROUTER_NS),
    ...layout.directors.flatMap((d) => [...onFabric(d.name, d.addr, false), rpOff(d.name)]),
    ...layout.servers.flatMap((s) => onFabric(s.name, s.addr, false)),
  ];
}

/** The next hops of `ip route show VIP` (one `via`, or a `nexthop via` per path), sorted. */
export function parseNextHops(text: string): string[] {
  return [...text.matchAll(/\bvia ([0-9.]+)/g)].map((m) => m[1]!).sort();
}
