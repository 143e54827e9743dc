// An active-active fleet, run inside the sandbox kernel only: builds the network of ecmp-net.ts,
// prepares directors (`ipvsadm director up --ha ecmp`, VIP on lo) and real servers (`ipvsadm
// realserver up --mode dr`), starts BIRD 2 in the router and every director, and watches the
// router's ECMP route. Shared by the kernel test and `ipvsadm lab --ha ecmp`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_CLOCK } from '../../core/clock.js';
import { parseConnectionFile } from '../../table/connections.js';
import type { ConnectionEntry } from '../../table/connections.js';
import { ipvsadmIn, sh } from '../world.js';
import type { CommandResult } from '../world.js';
import { directorBirdConfig, routerBirdConfig } from './bird.js';
import { CLIENT_NS, ECMP_NET, FABRIC, fleetCommands, fleetLayout, parseNextHops, ROUTER_NS } from './ecmp-net.js';
import type { FleetLayout, FleetNode } from './ecmp-net.js';

export type StopHow = 'bird' | 'link';

export interface Fleet {
  readonly layout: FleetLayout;
  readonly vip: string;
  /** the directory of BIRD's configurations, sockets and pid files */
  readonly dir: string;
  /** BIRD's control socket in a director (or the router: ROUTER_NS) */
  birdSocket(ns: string): string;
  /** BIRD's configuration file as written for a namespace */
  birdConfig(ns: string): string;
  /** the next hops of the router's route to the VIP, sorted */
  nextHops(): string[];
  /** waits until the router's next hops are exactly `want`; milliseconds waited (throws after timeoutMs) */
  waitForNextHops(want: readonly string[], timeoutMs?: number): Promise<number>;
  /** a director's IPVS connection entries */
  connections(d: FleetNode): ConnectionEntry[];
  /**
   * stops a director: `bird` stops its BIRD (the BGP session ends with a notification), then its
   * link; `link` takes only its link down, as a host that dies (the router notices by BGP's hold timer)
   */
  stopDirector(d: FleetNode, how?: StopHow): Promise<void>;
  /** brings a stopped director back: its link, then its BIRD (with the same configuration) if it was stopped */
  restartDirector(d: FleetNode): void;
  /** stops every BIRD and deletes the namespaces and the bridge; safe to call twice */
  teardown(): Promise<void>;
}

function prepare(layout: FleetLayout, log: (t: string) => void): void {
  const vip = ECMP_NET.vip;
  const steps: [string, string[]][] = [
    ...layout.directors.map((d): [string, string[]] => [d.name, ['director', 'up', '--mode', 'dr', '--ha', 'ecmp', '--dev', 'lo', '--vip', vip]]),
    ...layout.servers.map((s): [string, string[]] => [s.name, ['realserver', 'up', '--mode', 'dr', '--vip', vip]]),
  ];
  for (const [ns, args] of steps) {
    const r = ipvsadmIn(ns, args);
    log(`${ns}: ipvsadm ${args.join(' ')}\n${r.stdout}${r.stderr}`);
    if (r.code !== 0) throw new Error(`ipvsadm ${args.join(' ')} in ${ns} failed (${r.code})`);
  }
}

function startBird(dir: string, ns: string, config: string): void {
  const conf = join(dir, `${ns}.conf`);
  writeFileSync(conf, config);
  sh(`ip netns exec ${ns} bird -c ${conf} -s ${join(dir, `${ns}.ctl`)} -P ${join(dir, `${ns}.pid`)}`);
}

function birdRunning(dir: string, ns: string): boolean {
  try {
    process.kill(Number(readFileSync(join(dir, `${ns}.pid`), 'utf8').trim()), 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to a namespace's BIRD (it ends its BGP sessions with a Cease), then waits until it is gone. */
async function stopBird(dir: string, ns: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, `${ns}.pid`), 'utf8').trim());
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // never started, or gone already
  }
  const deadline = SYSTEM_CLOCK.now() + 5000;
  while (SYSTEM_CLOCK.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await SYSTEM_CLOCK.sleep(20);
  }
}

async function waitForNextHops(want: readonly string[], timeoutMs: number): Promise<number> {
  const wanted = [...want].sort().join(' ');
  const started = SYSTEM_CLOCK.now();
  for (;;) {
    const seen = nextHops();
    if (seen.join(' ') === wanted) return SYSTEM_CLOCK.now() - started;
    if (SYSTEM_CLOCK.now() - started > timeoutMs) throw new Error(`the router's route to ${ECMP_NET.vip} has next hops [${seen.join(' ')}], not [${wanted}], after ${timeoutMs} ms`);
    await SYSTEM_CLOCK.sleep(50);
  }
}

function nextHops(): string[] {
  return parseNextHops(sh(`ip -n ${ROUTER_NS} route show ${ECMP_NET.vip}`, { check: false }).stdout);
}

function connections(d: FleetNode): ConnectionEntry[] {
  return parseConnectionFile(sh(`ip netns exec ${d.name} cat /proc/net/ip_vs_conn`).stdout) ?? [];
}

/**
 * Builds the fleet and waits until the router has one next hop per director. Each namespace's
 * BIRD configuration is as routerBirdConfig/directorBirdConfig write it.
 */
export async function buildFleet(o: { directors: number; servers: number; log?: (t: string) => void }): Promise<Fleet> {
  const layout = fleetLayout(o.directors, o.servers);
  const dir = mkdtempSync(join(tmpdir(), 'ecmp-'));
  const speakers = [ROUTER_NS, ...layout.directors.map((d) => d.name)];
  let done = false;
  const teardown = async (): Promise<void> => {
    if (done) return;
    done = true;
    for (const ns of speakers) await stopBird(dir, ns);
    const onFabric = [ROUTER_NS, ...layout.directors.map((d) => d.name), ...layout.servers.map((s) => s.name)];
    // The fabric ends first: a deleted namespace's links go only when the kernel gets round to it,
    // and a next fleet would find their names taken.
    for (const ns of onFabric) sh(`ip link del v-${ns}`, { check: false });
    for (const ns of [CLIENT_NS, ...onFabric]) sh(`ip netns del ${ns}`, { check: false });
    sh(`ip link del ${FABRIC}`, { check: false });
    rmSync(dir, { recursive: true, force: true });
  };
  const fleet: Fleet = {
    layout,
    vip: ECMP_NET.vip,
    dir,
    birdSocket: (ns) => join(dir, `${ns}.ctl`),
    birdConfig: (ns) => readFileSync(join(dir, `${ns}.conf`), 'utf8'),
    nextHops,
    waitForNextHops: (want, timeoutMs = 30_000) => waitForNextHops(want, timeoutMs),
    connections,
    async stopDirector(d, how = 'bird') {
      if (how === 'bird') await stopBird(dir, d.name);
      sh(`ip link set v-${d.name} down`);
    },
    restartDirector(d) {
      sh(`ip link set v-${d.name} up`);
      if (!birdRunning(dir, d.name)) startBird(dir, d.name, readFileSync(join(dir, `${d.name}.conf`), 'utf8'));
    },
    teardown,
  };
  try {
    sh(fleetCommands(layout).join(' && '));
    prepare(layout, o.log ?? (() => undefined));
    const peers = layout.directors.map((_, i) => ECMP_NET.director(i + 1));
    startBird(dir, ROUTER_NS, routerBirdConfig(ECMP_NET.router, peers, [ECMP_NET.vip]));
    layout.directors.forEach((d, i) => startBird(dir, d.name, directorBirdConfig(peers[i]!, ECMP_NET.router, [ECMP_NET.vip])));
    await fleet.waitForNextHops(peers.map((p) => p.addr));
    return fleet;
  } catch (e) {
    await teardown();
    throw e;
  }
}

/** `birdc -s SOCK ARGS` against a namespace's BIRD. */
export function birdc(fleet: Fleet, ns: string, args: string): CommandResult {
  return sh(`birdc -s ${fleet.birdSocket(ns)} ${args}`, { check: false });
}
