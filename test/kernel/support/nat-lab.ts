// A small NAT topology for traffic tests inside the user-mode kernel: the guest's root namespace is
// the director (VIPs on a dummy link, ip_forward on); clients and real servers live in namespaces
// joined to it by veth pairs on two bridges. Documentation addresses only; teardown undoes it all.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { createNetns, runC, sh } from './guest.js';

const AGENT = fileURLToPath(new URL('./nat-lab-agent.py', import.meta.url));
const CLIENT_NET = { director: '203.0.113.1', host: (i: number) => `203.0.113.${10 + i}` };
const SERVER_NET = { director: '198.51.100.254', host: (i: number) => `198.51.100.${1 + i}` };
/** Ports the agent's servers listen on (real-server side). */
export const LAB_PORTS = { http: 8080, udpEcho: 53, sip: 5060 } as const;

export interface LabHost {
  /** network namespace */
  readonly ns: string;
  readonly addr: string;
  /** what its servers answer with (real servers) */
  readonly name: string;
}

/** A process running in a lab namespace (server, held connections, load). */
export interface LabProcess {
  readonly pid: number;
  /** stdout so far */
  output(): string;
  /** Ends it (whole process group) and waits for the exit; idempotent. */
  stop(): Promise<void>;
}

export interface NatLab {
  readonly clients: readonly LabHost[];
  readonly servers: readonly LabHost[];
  readonly vips: readonly string[];
  /**
   * Runs the agent's client steps in a client namespace and returns its JSON summary
   * (answers per step and real server). Bounded: each operation 3 s, the whole run `timeoutMs`.
   */
  client(steps: readonly string[], opts?: { client?: number; timeoutMs?: number }): Record<string, Record<string, number>>;
  /** Starts client steps in the background; resolves once the agent printed its first line when `waitForLine`. */
  startClient(steps: readonly string[], opts?: { client?: number; waitForLine?: boolean }): Promise<LabProcess>;
  /** Removes everything the lab made (processes, namespaces, links, sysctl); safe to call twice. */
  teardown(): Promise<void>;
}

let labCounter = 0;

export interface NatLabOptions {
  /** VIP addresses (192.0.2.0/24) put on the director */
  readonly vips: readonly string[];
  readonly servers?: number;
  readonly clients?: number;
}

/** Builds the topology and starts an agent server in every real-server namespace. */
export async function createNatLab(opts: NatLabOptions): Promise<NatLab> {
  for (const v of opts.vips) if (!/^192\.0\.2\.\d+$/.test(v)) throw new Error(`VIP ${v} is not in 192.0.2.0/24`);
  labCounter += 1;
  const id = `nl${labCounter}`;
  const links = { rsBridge: `${id}-rs`, clBridge: `${id}-cl`, vip: `${id}-vip` };
  const namespaces: string[] = [];
  const processes: LabProcess[] = [];
  const savedForward = sh('sysctl -n net.ipv4.ip_forward').stdout.trim();
  let tornDown = false;

  const teardown = async (): Promise<void> => {
    if (tornDown) return;
    tornDown = true;
    const problems: string[] = [];
    for (const p of processes) await p.stop().catch((e: unknown) => problems.push(String(e)));
    for (const ns of namespaces) {
      const r = sh(`ip netns del ${ns}`, { check: false });
      if (r.code !== 0) problems.push(`ip netns del ${ns}: ${r.stderr}`);
    }
    for (const link of Object.values(links)) sh(`ip link del ${link} 2>/dev/null`, { check: false });
    sh(`sysctl -qw net.ipv4.ip_forward=${savedForward}`, { check: false });
    // `ip netns del` returns before the kernel has torn the namespace down (that runs later, in a
    // work queue, slow when many namespaces went just before); the veth ends here go with it.
    const leftLinks = (): string => sh(`ip -o link show | grep -c ' ${id}-' || true`).stdout.trim();
    const deadline = Date.now() + 30_000;
    while (leftLinks() !== '0' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (leftLinks() !== '0') problems.push(`links of ${id} left behind`);
    if (problems.length > 0) throw new Error(`NAT lab teardown: ${problems.join('; ')}`);
  };

  const attach = (ns: string, bridge: string, index: number, addr: string, gateway: string): void => {
    const root = `${id}-${bridge === links.rsBridge ? 's' : 'c'}${index}`;
    sh(
      [
        `ip link add ${root} type veth peer name eth0 netns ${ns}`,
        `ip link set ${root} master ${bridge} up`,
        `ip -n ${ns} addr add ${addr}/24 dev eth0`,
        `ip -n ${ns} link set eth0 up`,
        `ip -n ${ns} route add default via ${gateway}`,
      ].join(' && '),
    );
  };

  try {
    sh(
      [
        `ip link add ${links.rsBridge} type bridge && ip addr add ${SERVER_NET.director}/24 dev ${links.rsBridge}`,
        `ip link set ${links.rsBridge} up`,
        `ip link add ${links.clBridge} type bridge && ip addr add ${CLIENT_NET.director}/24 dev ${links.clBridge}`,
        `ip link set ${links.clBridge} up`,
        `ip link add ${links.vip} type dummy && ip link set ${links.vip} up`,
        ...opts.vips.map((v) => `ip addr add ${v}/32 dev ${links.vip}`),
        'sysctl -qw net.ipv4.ip_forward=1',
      ].join(' && '),
    );
    const servers: LabHost[] = [];
    for (let i = 0; i < (opts.servers ?? 2); i++) {
      const ns = createNetns(`${id}rs`);
      namespaces.push(ns);
      attach(ns, links.rsBridge, i + 1, SERVER_NET.host(i), SERVER_NET.director);
      servers.push({ ns, addr: SERVER_NET.host(i), name: `rs${i + 1}` });
    }
    const clients: LabHost[] = [];
    for (let i = 0; i < (opts.clients ?? 1); i++) {
      const ns = createNetns(`${id}cl`);
      namespaces.push(ns);
      attach(ns, links.clBridge, i + 1, CLIENT_NET.host(i), CLIENT_NET.director);
      clients.push({ ns, addr: CLIENT_NET.host(i), name: `client${i + 1}` });
    }
    for (const s of servers) processes.push(await startAgent(s.ns, ['serve', s.name, '--max-seconds', '900'], true));

    const clientNs = (i = 0): string => {
      const c = clients[i];
      if (c === undefined) throw new Error(`no client ${i}`);
      return c.ns;
    };
    return {
      clients,
      servers,
      vips: [...opts.vips],
      client(steps, o = {}) {
        const r = spawnSync('ip', ['netns', 'exec', clientNs(o.client), 'python3', AGENT, 'client', ...steps], {
          encoding: 'utf8',
          timeout: o.timeoutMs ?? 60_000,
        });
        if (r.status !== 0) {
          throw new Error(`lab client ${steps.join(' | ')} failed (${r.status ?? r.signal ?? r.error?.message}):\n${r.stdout}${r.stderr}`);
        }
        return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, Record<string, number>>;
      },
      async startClient(steps, o = {}) {
        const p = await startAgent(clientNs(o.client), ['client', ...steps], o.waitForLine ?? false);
        processes.push(p);
        return p;
      },
      teardown,
    };
  } catch (e) {
    await teardown().catch(() => undefined);
    throw e;
  }
}

/**
 * Flushes the IPVS table and with it every connection entry (which otherwise outlive their
 * service for minutes and would show in later `-c` listings): with expire_nodest_conn=1 the kernel
 * drops entries whose destination is gone. Entries it keeps (Linux 6.1 keeps TIME_WAIT ones, two
 * minutes each, and an ESTABLISHED one lasts 15) go with the module: the IPVS modules are unloaded
 * and loaded again. Restores the sysctl; throws if entries remain.
 */
export async function clearIpvsConnections(): Promise<void> {
  const sysctl = 'net.ipv4.vs.expire_nodest_conn';
  const saved = sh(`sysctl -n ${sysctl}`).stdout.trim();
  const entries = (): number => readFileSync('/proc/net/ip_vs_conn', 'latin1').trimEnd().split('\n').length - 1;
  try {
    sh(`sysctl -qw ${sysctl}=1`);
    const r = runC(['-C']);
    if (r.code !== 0) throw new Error(`ipvsadm -C: ${r.stderr}`);
    const deadline = Date.now() + 3_000;
    while (entries() > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
  } finally {
    sh(`sysctl -qw ${sysctl}=${saved}`, { check: false });
  }
  if (entries() > 0) reloadIpvsModules();
  if (entries() > 0) throw new Error(`${entries()} IPVS connection entries left after the flush and a reload of ip_vs`);
}

/** Unloads every IPVS module (and with them every connection entry) and loads the same ones again. */
function reloadIpvsModules(): void {
  const loaded = sh("awk '$1 ~ /^ip_vs/ { print $1 }' /proc/modules").stdout.trim().split('\n').filter(Boolean);
  const leaves = loaded.filter((m) => m !== 'ip_vs');
  sh(`modprobe -r ${[...leaves, 'ip_vs'].join(' ')}`);
  sh(`modprobe -a ip_vs ${leaves.join(' ')}`);
}

/** Spawns the agent in `ns` in its own process group; optionally waits (10 s at most) for its first line. */
async function startAgent(ns: string, args: readonly string[], waitForLine: boolean): Promise<LabProcess> {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, 'python3', '-u', AGENT, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => void (err += d.toString()));
  // 'exit' can come before the last of stdout is read: wait for the pipes to close too (at most
  // 2 s, in case a child of the process still holds them)
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('exit', () => void setTimeout(resolve, 2000).unref());
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start the lab agent in ${ns}`);
  let stopped = false;
  const proc: LabProcess = {
    pid,
    output: () => out,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const killer = setTimeout(() => {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 2000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
  if (waitForLine) {
    const deadline = Date.now() + 10_000;
    while (!out.includes('\n')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await proc.stop();
        throw new Error(`lab agent ${args.join(' ')} in ${ns} did not start:\n${out}${err}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return proc;
}
