// The facts of doctor's reachability hints: for each real server address, the director's route
// to it (RTM_GETROUTE, as `ip route get`) and the neighbour entry of the next hop (RTM_GETNEIGH),
// read over rtnetlink with the interface names of RTM_GETLINK.
import { formatAddress, parseAddress } from '../ipvs/address.js';
import type { TransportFactory } from '../netlink/transport.js';
import { NeighState, routeTypeName } from '../rtnl/route.js';
import type { Neighbour } from '../rtnl/route.js';
import type { PathFact, PathFacts } from './reach.js';
import { readOverRtnl } from '../rtnl/link-facts.js';

const JUDGED = ['unicast', 'local', 'unreachable', 'blackhole', 'prohibit'] as const;
type JudgedType = (typeof JUDGED)[number];
const judgedType = (type: number): JudgedType | 'other' => {
  const name = routeTypeName(type);
  return JUDGED.find((t) => t === name) ?? 'other';
};

/** The most telling name of a neighbour state (`ip neigh` prints the same words). */
export function neighbourStateName(state: number): string {
  const order: (keyof typeof NeighState)[] = ['FAILED', 'INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP'];
  return order.find((n) => (state & NeighState[n]) !== 0) ?? 'NONE';
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The path to each address (texts as formatAddress writes them); the errno's name when rtnetlink cannot be used at all. */
export function readPaths(openTransport: TransportFactory, addresses: readonly string[]): Promise<PathFacts> {
  return readOverRtnl(openTransport, async (client) => {
    const names = new Map((await client.links()).map((l) => [l.index, l.name]));
    const neighbours: Neighbour[] = await client.neighbours();
    const out: Record<string, PathFact> = {};
    for (const text of addresses) {
      const addr = parseAddress(text);
      if (!addr) continue;
      const r = await client.routeTo(addr.bytes);
      if ('error' in r) {
        out[text] = { route: { error: r.error } };
        continue;
      }
      const hop = r.gateway ?? addr.bytes;
      const neighbour = neighbours.find((n) => sameBytes(n.dst, hop) && (r.oif === undefined || n.index === r.oif));
      const dev = r.oif === undefined ? undefined : names.get(r.oif);
      out[text] = {
        route: {
          type: judgedType(r.type),
          ...(r.gateway ? { gateway: formatAddress({ af: addr.af, bytes: r.gateway }) } : {}),
          ...(dev !== undefined ? { dev } : {}),
        },
        ...(neighbour ? { neighbour: neighbourStateName(neighbour.state) } : {}),
      };
    }
    return out;
  });
}
