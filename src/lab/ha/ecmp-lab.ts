// `ipvsadm lab --ha ecmp --directors 2|3`, run inside the sandbox kernel: an ECMP fleet over BGP with
// one mh table applied on every director, long-lived echo connections through the VIP, one director
// stopped; prints flows held, moved and broken. Exit 0 when no connection broke.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipvsadmIn } from '../world.js';
import { ECHO_PORT, failoverUnderLoad, formatFigures, startEchoServers } from './ecmp-run.js';
import { ECMP_NET, ROUTER_NS } from './ecmp-net.js';
import { buildFleet } from './ecmp.js';
import type { Fleet } from './ecmp.js';

export interface EcmpLabOptions {
  readonly directors: number;
  /** held connections (default: 20 per director) */
  readonly connections?: number;
}

const SERVERS = 3;

/** The table every director gets: mh with the source port in the hash, the real servers by DR. */
function fleetRules(fleet: Fleet): string {
  const svc = `${ECMP_NET.vip}:${ECHO_PORT}`;
  return [`-A -t ${svc} -s mh -b mh-port`, ...fleet.layout.servers.map((s) => `-a -t ${svc} -r ${s.addr}:${ECHO_PORT} -g -w 1`), ''].join('\n');
}

function applyEverywhere(fleet: Fleet, write: (t: string) => void): void {
  const file = join(fleet.dir, 'fleet.rules');
  writeFileSync(file, fleetRules(fleet));
  write(`lab: the same table on every director (ipvsadm apply --canonical-order):\n${fleetRules(fleet).replace(/^(?=.)/gm, '  ')}`);
  for (const d of fleet.layout.directors) {
    const r = ipvsadmIn(d.name, ['apply', '--canonical-order', file]);
    if (r.code !== 0) throw new Error(`ipvsadm apply in ${d.name} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  }
}

function describeFleet(fleet: Fleet, write: (t: string) => void): void {
  const d = fleet.layout.directors;
  write(
    `lab: a client behind a router (${ECMP_NET.router.addr}, AS ${ECMP_NET.router.asn}) that learns ${ECMP_NET.vip}/32 by BGP from ` +
      `${d.length} directors (${d.map((x) => x.addr).join(', ')}) and spreads flows by an L4-hash ECMP route; ` +
      `${fleet.layout.servers.length} DR real servers; directors prepared by \`ipvsadm director up --mode dr --ha ecmp\`, no sync daemon\n`,
  );
  write(`lab: the router's BIRD 2 configuration:\n${fleet.birdConfig(ROUTER_NS).replace(/^(?=.)/gm, '  ')}`);
  write(`lab: ${d[0]!.name}'s BIRD 2 configuration:\n${fleet.birdConfig(d[0]!.name).replace(/^(?=.)/gm, '  ')}`);
  write(`lab: the router's route: ${fleet.nextHops().length} next hops (${fleet.nextHops().join(', ')})\n`);
}

export async function runEcmpLab(o: EcmpLabOptions, write: (t: string) => void): Promise<number> {
  const fleet = await buildFleet({ directors: o.directors, servers: SERVERS });
  const echo = [];
  try {
    describeFleet(fleet, write);
    applyEverywhere(fleet, write);
    echo.push(...(await startEchoServers(fleet)));
    const connections = o.connections ?? 20 * o.directors;
    write(`lab: holding ${connections} echo connections (a numbered line every 100 ms each), then stopping the busiest director\n`);
    const f = await failoverUnderLoad(fleet, { connections });
    write(formatFigures('lab', f));
    const ok = f.broken === 0 && f.summary.established === connections;
    write(ok ? 'lab: no connection broke: every director chose the same real server for the flows that moved\n' : `lab: ${f.broken} connections broke\n`);
    return ok ? 0 : 1;
  } finally {
    for (const e of echo) await e.stop();
    await fleet.teardown();
  }
}
