// doctor's real-server reachability hints: for each real server address, what the director's
// own routing decision (`ip route get`) and neighbour table say, judged against the forwarding
// methods that use it — direct routing needs the real server on a network the director is
// attached to, NAT needs the replies back through the director, nothing works without a route.
// Pure: the facts are read by cli.ts (routes.ts).
import type { ForwardingMethod, Reported } from '../ipvs/model.js';
import { formatAddress } from '../ipvs/address.js';
import type { Snapshot } from '../ipvs/model.js';
import type { Check } from './verdict.js';

/** What the director knows of the way to one address. */
export interface PathFact {
  /** the route (`gateway`, `dev` as text), or the errno name when there is none */
  readonly route: { readonly type: 'unicast' | 'local' | 'unreachable' | 'blackhole' | 'prohibit' | 'other'; readonly gateway?: string; readonly dev?: string } | { readonly error: string };
  /** the state of the next hop's neighbour entry (`REACHABLE`, `STALE`, `FAILED`, ...), if there is one */
  readonly neighbour?: string;
}

/** address text → its path; or why routes could not be read */
export type PathFacts = Readonly<Record<string, PathFact>> | { readonly error: string };

const METHOD_NAMES: Readonly<Record<ForwardingMethod, string>> = { masq: 'NAT', local: 'local', tunnel: 'tunnel', route: 'direct routing', bypass: 'bypass' };

/** The real server addresses of the table with the forwarding methods that use each, in table order. */
export function realServerAddresses(table: Snapshot): Map<string, Set<Reported<ForwardingMethod>>> {
  const out = new Map<string, Set<Reported<ForwardingMethod>>>();
  for (const { destinations } of table.services) {
    for (const d of destinations) {
      const key = formatAddress(d.addr);
      const methods = out.get(key) ?? new Set<Reported<ForwardingMethod>>();
      methods.add(d.forwarding);
      out.set(key, methods);
    }
  }
  return out;
}

function judge(addr: string, methods: ReadonlySet<Reported<ForwardingMethod>>, p: PathFact): Check | undefined {
  const check = `real server ${addr}`;
  const used = [...methods].map((m) => (typeof m === 'string' ? METHOD_NAMES[m] : `method ${m}`)).join(', ');
  const r = p.route;
  if ('error' in r) return { check, verdict: 'fail', detail: `no route (${r.error}); used by ${used}`, fix: 'add a route to it, or an address on its network' };
  if (r.type === 'local') return { check, verdict: 'info', detail: `an address of this director: IPVS serves it locally (${used})` };
  if (r.type !== 'unicast') return { check, verdict: 'fail', detail: `the route to it is ${r.type}; used by ${used}`, fix: 'remove that route, or route the address through a network that reaches it' };
  const via = `${r.gateway ? `via ${r.gateway} ` : ''}on ${r.dev ?? 'an unknown device'}`;
  if (r.gateway && methods.has('route')) {
    return { check, verdict: 'fail', detail: `direct routing needs the real server on a network this director is attached to, but it is reached ${via}`, fix: 'connect the director to its network, or forward with -i (tunnel) or -m (NAT)' };
  }
  if (p.neighbour === 'FAILED' || p.neighbour === 'INCOMPLETE') {
    const hop = r.gateway ? `the gateway ${r.gateway}` : 'it';
    return { check, verdict: 'warn', detail: `${hop} did not answer ARP/ND (neighbour ${p.neighbour}) ${via}`, fix: 'check that it is up and on that network' };
  }
  if (r.gateway && methods.has('masq')) {
    return { check, verdict: 'info', detail: `reached ${via}: for NAT its replies to clients must come back through this director (its route to the clients goes through here)` };
  }
  return undefined;
}

const isUnreadable = (p: PathFacts): p is { readonly error: string } => typeof (p as { error?: unknown }).error === 'string';

export function reachChecks(table: Snapshot, paths: PathFacts | undefined): Check[] {
  const addresses = realServerAddresses(table);
  if (addresses.size === 0) return [];
  if (!paths) return [];
  if (isUnreadable(paths)) return [{ check: 'real server routes', verdict: 'info', detail: `the routes could not be read: ${paths.error}` }];
  const facts = paths;
  const found: Check[] = [];
  let fine = 0;
  for (const [addr, methods] of addresses) {
    const p = Object.hasOwn(facts, addr) ? facts[addr] : undefined;
    if (!p) continue;
    const c = judge(addr, methods, p);
    if (c) found.push(c);
    else fine++;
  }
  const out: Check[] = [];
  if (fine > 0) out.push({ check: 'real server routes', verdict: 'ok', detail: `${fine} of ${addresses.size} real server address${addresses.size === 1 ? '' : 'es'} reached as their forwarding method needs` });
  out.push(...found);
  return out;
}
