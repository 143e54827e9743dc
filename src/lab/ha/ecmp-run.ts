// A director lost under load, in an ECMP fleet: long-lived echo connections from the client are
// spread by the router; one director is stopped; the directors' connection tables tell which flows
// moved, the hold agent which broke. Figures for the kernel test and `ipvsadm lab --ha ecmp`.
import type { HeldConnection } from '../echo-check.js';
import { startEchoServer, startHold } from '../hold-control.js';
import type { EchoServer, HoldEvent } from '../hold-control.js';
import { CLIENT_NS, ECMP_NET } from './ecmp-net.js';
import type { FleetNode } from './ecmp-net.js';
import type { Fleet, StopHow } from './ecmp.js';

/** The port of the fleet's echo service. */
export const ECHO_PORT = 7;

/** An echo server (agent `echo`) in every real server, answering with its namespace's name. */
export async function startEchoServers(fleet: Fleet, maxSeconds = 900): Promise<EchoServer[]> {
  const started = await Promise.allSettled(fleet.layout.servers.map((s) => startEchoServer(s.name, s.name, [ECHO_PORT], maxSeconds)));
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    for (const s of servers) await s.stop();
    throw failed.reason;
  }
  return servers;
}

export interface FailoverFigures {
  readonly connections: number;
  /** held connections per director before the failure (from each director's connection table) */
  readonly spread: Readonly<Record<string, number>>;
  readonly stopped: string;
  readonly how: StopHow;
  /** ms from the director's stop until the router's route lost its next hop */
  readonly withdrawMs: number;
  /** connections that crossed to another director (a new entry in a director's table) */
  readonly moved: number;
  /** connections still echoing at the end, of all and of the moved ones */
  readonly held: number;
  readonly movedHeld: number;
  readonly broken: number;
  readonly summary: HoldEvent;
}

/** Client port → the directors whose connection table has the flow (VIP:ECHO_PORT from the client). */
function flowsByPort(fleet: Fleet, ports: ReadonlySet<number>): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const d of fleet.layout.directors) {
    for (const c of fleet.connections(d)) {
      if (c.protocol !== 'TCP' || c.virtualPort !== ECHO_PORT || !ports.has(c.clientPort)) continue;
      if (!out.has(c.clientPort)) out.set(c.clientPort, new Set());
      out.get(c.clientPort)!.add(d.name);
    }
  }
  return out;
}

function spreadOf(before: Map<number, Set<string>>, directors: readonly FleetNode[]): Record<string, number> {
  const spread: Record<string, number> = Object.fromEntries(directors.map((d) => [d.name, 0]));
  for (const names of before.values()) for (const n of names) spread[n] = (spread[n] ?? 0) + 1;
  return spread;
}

/** Ports of flows that a director carries after the failure and did not carry before it. */
function movedPorts(before: Map<number, Set<string>>, after: Map<number, Set<string>>): Set<number> {
  const moved = new Set<number>();
  for (const [port, names] of after) for (const n of names) if (!before.get(port)?.has(n)) moved.add(port);
  return moved;
}

export interface FailoverSettings {
  readonly connections: number;
  /** the director to stop, chosen from the spread (default: the one carrying the most flows) */
  readonly pick?: (spread: Readonly<Record<string, number>>) => FleetNode;
  /** how the director stops (default: its BIRD, then its link) */
  readonly how?: StopHow;
  /** how long the connections go on echoing after the route changed */
  readonly afterMs?: number;
}

const busiest = (fleet: Fleet) => (spread: Readonly<Record<string, number>>): FleetNode =>
  fleet.layout.directors.reduce((best, d) => ((spread[d.name] ?? 0) > (spread[best.name] ?? 0) ? d : best));

/**
 * Holds `connections` echo connections to the VIP, stops a director once all are established, waits
 * for the router to drop its next hop and `afterMs` more, then stops the client and counts.
 */
export async function failoverUnderLoad(fleet: Fleet, o: FailoverSettings): Promise<FailoverFigures> {
  const run = startHold(CLIENT_NS, { proto: 'tcp', host: ECMP_NET.vip, port: ECHO_PORT }, { connections: o.connections, seconds: 600, requestIntervalMs: 500 });
  let summary: HoldEvent | undefined;
  try {
    const est = await run.waitFor((e) => e.event === 'established', 120_000, 'the held connections were not all established');
    const list: readonly HeldConnection[] = est.list ?? [];
    const ports = new Set(list.flatMap((c) => (c.port === undefined ? [] : [c.port])));
    const before = flowsByPort(fleet, ports);
    const spread = spreadOf(before, fleet.layout.directors);
    const victim = (o.pick ?? busiest(fleet))(spread);
    const started = Date.now();
    await fleet.stopDirector(victim, o.how);
    const others = fleet.layout.directors.filter((d) => d !== victim).map((d) => d.addr);
    await fleet.waitForNextHops(others);
    const withdrawMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, o.afterMs ?? 4000));
    const moved = movedPorts(before, flowsByPort(fleet, ports));
    summary = await run.stop();
    const final = summary.list ?? [];
    const alive = (c: HeldConnection): boolean => c.establishedAt !== undefined && c.broken === undefined;
    return {
      connections: o.connections,
      spread,
      stopped: victim.name,
      how: o.how ?? 'bird',
      withdrawMs,
      moved: moved.size,
      held: final.filter(alive).length,
      movedHeld: final.filter((c) => alive(c) && c.port !== undefined && moved.has(c.port)).length,
      broken: summary.broken,
      summary,
    };
  } finally {
    if (summary === undefined) await run.stop().catch(() => undefined);
  }
}

/** The figures as printed lines. */
export function formatFigures(label: string, f: FailoverFigures): string {
  const spread = Object.entries(f.spread).map(([n, c]) => `${n} ${c}`).join(', ');
  return [
    `${label}: ${f.connections} connections spread over the directors: ${spread}`,
    `${label}: ${f.stopped} stopped (${f.how === 'bird' ? 'BIRD stopped, then its link down' : 'link down only: BGP hold timer'}); the router withdrew its next hop after ${f.withdrawMs} ms`,
    `${label}: flows held ${f.held} of ${f.connections}, flows moved ${f.moved} (held ${f.movedHeld}), flows broken ${f.broken}`,
    '',
  ].join('\n');
}
