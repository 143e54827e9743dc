// The lab's network, built inside the sandbox kernel only (never on a real host): the guest's root
// namespace is the director, on a bridge `lab0` that joins a `client` namespace and one namespace per
// real server. Addresses are host routes (/32, /128) with on-link routes to the peers each needs,
// so any table's addresses work: NAT real servers route back through the director, DR and TUN ones
// answer the client directly. Lab plumbing uses ip(8); preparation itself is `ipvsadm realserver`.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SYSTEM_CLOCK } from '../core/clock.js';
import type { LabPlan, LabServer } from './lab-plan.js';
import { formatTarget } from './target.js';
import type { Target } from './target.js';

export const BRIDGE = 'lab0';
export const CLIENT_NS = 'client';
/** The director's and the client's own addresses (documentation ranges). */
export const LAB_ADDRESSES = {
  director: { 4: '203.0.113.254', 6: '2001:db8:ffff::254' },
  client: { 4: '203.0.113.250', 6: '2001:db8:ffff::250' },
} as const;

// Relative to the package root, so this works from dist/lab and, in tests, from src/lab alike.
export const AGENT = fileURLToPath(new URL('../../dist/lab/agent.js', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a shell command (bash -c); throws with its output unless `check` is false. */
export function sh(command: string, opts: { check?: boolean; timeoutMs?: number } = {}): CommandResult {
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000 });
  const result = { code: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '' };
  if (opts.check !== false && result.code !== 0) {
    throw new Error(`lab: command failed (${result.code}): ${command}\n${result.stdout}${result.stderr}`);
  }
  return result;
}

/** Our ipvsadm in a namespace (a process of its own: a namespace is per process). */
export function ipvsadmIn(ns: string, args: readonly string[]): CommandResult {
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '' };
}

const famOf = (addr: string): 4 | 6 => (addr.includes(':') ? 6 : 4);
const host = (addr: string): string => `${addr}/${famOf(addr) === 4 ? 32 : 128}`;
const nodad = (addr: string): string => (famOf(addr) === 6 ? ' nodad' : '');

export interface World {
  readonly plan: LabPlan;
  /** Starts every real server's agent; resolves when all listen. */
  startServers(maxSeconds?: number): Promise<void>;
  /** `count` requests per target from the client: target text → answering name → count. */
  send(targets: readonly Target[], count: number): Record<string, Record<string, number>>;
  /** MAC addresses that answer an ARP request for `addr` on the client's link (IPv4). */
  arpResponders(addr: string): string[];
  /** MAC address of a lab host's eth0 (or of the director's bridge). */
  macOf(name: string): string;
  /** Stops the agents, deletes the namespaces and the bridge; safe to call twice. */
  teardown(): Promise<void>;
}

function checkCollisions(plan: LabPlan): void {
  const own = new Set<string>(Object.values(LAB_ADDRESSES).flatMap((a) => [a[4], a[6]]));
  for (const a of [...plan.vips, ...plan.servers.map((s) => s.addr)]) {
    if (own.has(a)) throw new Error(`lab: ${a} is one of the lab's own addresses (director or client); use another in the rules`);
  }
}

/** The ip(8) commands that build `plan`'s bridge, namespaces, addresses and routes, in order. */
function worldCommands(plan: LabPlan, namespaces: readonly string[]): string[] {
  const d = LAB_ADDRESSES.director;
  const c = LAB_ADDRESSES.client;
  return [
    `ip link add ${BRIDGE} type bridge`,
    `ip link set ${BRIDGE} up`,
    `ip addr add ${d[4]}/32 dev ${BRIDGE}`,
    `ip addr add ${d[6]}/128 dev ${BRIDGE} nodad`,
    `ip route add ${c[4]}/32 dev ${BRIDGE}`,
    `ip route add ${c[6]}/128 dev ${BRIDGE}`,
    ...namespaces.flatMap(attach),
    `ip -n ${CLIENT_NS} addr add ${c[4]}/32 dev eth0`,
    `ip -n ${CLIENT_NS} addr add ${c[6]}/128 dev eth0 nodad`,
    `ip -n ${CLIENT_NS} route add ${d[4]}/32 dev eth0`,
    `ip -n ${CLIENT_NS} route add ${d[6]}/128 dev eth0`,
    ...plan.vips.map((v) => `ip -n ${CLIENT_NS} route add ${host(v)} dev eth0`),
    ...plan.servers.flatMap((s) => serverCommands(s)),
  ];
}

/** A namespace with its eth0 on the bridge. */
function attach(ns: string): string[] {
  const outer = `v-${ns}`.slice(0, 15);
  return [
    `ip netns add ${ns}`,
    `ip link add ${outer} type veth peer name eth0 netns ${ns}`,
    `ip link set ${outer} master ${BRIDGE} up`,
    `ip -n ${ns} link set lo up`,
    `ip -n ${ns} link set eth0 up`,
  ];
}

/** A real server's address and the routes between it, the director and the client. */
function serverCommands(s: LabServer): string[] {
  const f = s.family;
  const dir = LAB_ADDRESSES.director[f];
  const cmds = [
    `ip -n ${s.name} addr add ${host(s.addr)} dev eth0${nodad(s.addr)}`,
    `ip -n ${s.name} route add ${host(dir)} dev eth0`,
    // No `src` here: that the director never sends from an IPv6 VIP (which shares a longer
    // prefix with the real servers) is `director up`'s job (VIPs added deprecated).
    `ip route add ${host(s.addr)} dev ${BRIDGE}`,
    `ip -n ${CLIENT_NS} route add ${host(s.addr)} dev eth0`,
  ];
  // NAT: replies must pass the director to be un-NATed; DR/TUN: straight back to the client.
  if (s.mode === 'nat') cmds.push(`ip -n ${s.name} route add default via ${dir} dev eth0`);
  else cmds.push(`ip -n ${s.name} route add ${host(LAB_ADDRESSES.client[f])} dev eth0`);
  return cmds;
}

/** `count` requests per target from the client namespace (World.send). */
function sendFromClient(targets: readonly Target[], count: number): Record<string, Record<string, number>> {
  const r = spawnSync('ip', ['netns', 'exec', CLIENT_NS, process.execPath, AGENT, 'client', '--count', String(count), ...targets.map(formatTarget)], {
    encoding: 'utf8',
    timeout: 30_000 + count * targets.length * 4000,
  });
  if (r.status !== 0) throw new Error(`lab client failed (${r.status ?? r.error?.message}):\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, Record<string, number>>;
}

/** World.arpResponders: arping from the client with a flushed neighbour table. */
function arpResponders(addr: string): string[] {
  sh(`ip -n ${CLIENT_NS} neigh flush dev eth0`, { check: false });
  const r = sh(`ip netns exec ${CLIENT_NS} arping -c 3 -w 3 -i eth0 ${addr}`, { check: false });
  const macs = [...`${r.stdout}`.matchAll(/bytes from ([0-9a-f]{2}(?::[0-9a-f]{2}){5})/gi)].map((m) => m[1]!.toLowerCase());
  return [...new Set(macs)].sort();
}

function macOf(name: string): string {
  const r = name === 'director' ? sh(`cat /sys/class/net/${BRIDGE}/address`) : sh(`ip netns exec ${name} cat /sys/class/net/eth0/address`);
  return r.stdout.trim().toLowerCase();
}

/** Builds the namespaces and links of `plan` (the director's VIPs are left to `director up`). */
export function buildWorld(plan: LabPlan): World {
  checkCollisions(plan);
  const agents: { stop(): Promise<void> }[] = [];
  const namespaces = [CLIENT_NS, ...plan.servers.map((s) => s.name)];
  let done = false;
  const teardown = async (): Promise<void> => {
    if (done) return;
    done = true;
    for (const a of agents) await a.stop();
    for (const ns of namespaces) sh(`ip netns del ${ns}`, { check: false });
    sh(`ip link del ${BRIDGE}`, { check: false });
  };
  try {
    sh(worldCommands(plan, namespaces).join(' && '));
  } catch (e) {
    void teardown();
    throw e;
  }
  return {
    plan,
    async startServers(maxSeconds = 900) {
      // Every agent that did start is kept for teardown, also when another one failed.
      const started = await Promise.allSettled(plan.servers.map((s) => startAgent(s, maxSeconds)));
      for (const r of started) if (r.status === 'fulfilled') agents.push(r.value);
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    send: sendFromClient,
    arpResponders,
    macOf,
    teardown,
  };
}

async function startAgent(s: LabServer, maxSeconds: number): Promise<{ stop(): Promise<void> }> {
  const args = ['netns', 'exec', s.name, process.execPath, AGENT, 'serve', s.name, '--max-seconds', String(maxSeconds)];
  if (s.tcpPorts.length > 0) args.push('--tcp', s.tcpPorts.join(','));
  if (s.udpPorts.length > 0) args.push('--udp', s.udpPorts.join(','));
  const child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = SYSTEM_CLOCK.now() + 30_000;
  while (!out.includes('ready')) {
    if (child.exitCode !== null || SYSTEM_CLOCK.now() > deadline) throw new Error(`lab: the server in ${s.name} did not start:\n${out}`);
    await SYSTEM_CLOCK.sleep(50);
  }
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    },
  };
}
