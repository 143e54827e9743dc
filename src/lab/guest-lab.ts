// The lab run inside the sandbox kernel (`ipvsadm lab` boots it with this as the command): load
// the rules with our ipvsadm -R, build the client and real-server namespaces, prepare the
// director and every real server with `ipvsadm director|realserver up`, send requests from the
// client and print what each real server answered. Exit 0 when every request was answered.
import { readFileSync } from 'node:fs';
import { main } from '../cli/main.js';
import type { Io } from '../app/io.js';
import { processIo } from '../cli/process-io.js';
import { IpvsClient } from '../ipvs/client.js';
import type { ServiceWithDestinations } from '../ipvs/model.js';
import { openNativeTransport } from '../netlink/native.js';
import { runPrepCli } from '../realserver/cli.js';
import { demoRules, planLab } from './lab-plan.js';
import type { LabMode, LabPlan, LabServer } from './lab-plan.js';
import type { TunnelType } from '../ipvs/vocabulary.js';
import { formatLabReport } from './report.js';
import { BRIDGE, buildWorld, ipvsadmIn } from './world.js';
import type { World } from './world.js';

export interface GuestLabOptions {
  readonly rulesFile?: string;
  readonly mode: LabMode;
  readonly tunType?: TunnelType;
  readonly ipv6?: boolean;
  readonly count: number;
}

function captureIo(stdin: string): Io & { out(): string } {
  let out = '';
  const io = processIo('ipvsadm', { stdout: (t) => void (out += t), stderr: (t) => void (out += t) });
  return { ...io, readStdin: async () => stdin, out: () => out };
}

export async function readTable(): Promise<ServiceWithDestinations[]> {
  const client = await IpvsClient.open(openNativeTransport);
  try {
    return await client.table();
  } finally {
    client.close();
  }
}

/** `ipvsadm director up` in this (the director's) namespace, in-process. */
export async function directorUp(plan: LabPlan, log: (t: string) => void): Promise<void> {
  const io = captureIo('');
  const args = ['up', '--mode', plan.directorMode, '--dev', BRIDGE, ...(plan.vips.length > 0 ? ['--vip', plan.vips.join(',')] : [])];
  const code = await runPrepCli('director', args, io);
  log(io.out());
  if (code !== 0) throw new Error(`ipvsadm director ${args.join(' ')} failed (${code})`);
}

/** `ipvsadm realserver ACTION` for a real server of DR or TUN services (its prepareAs mode). */
export function realserverArgs(s: LabServer, action: 'up' | 'down' | 'check' = 'up'): string[] {
  const mode = s.prepareAs ?? s.mode;
  const csum = s.tunCsum === true ? ['--tun-csum', '--tun-local', s.addr] : [];
  const tun = mode === 'tun' ? ['--tun-type', s.tunType, ...(s.tunPort !== undefined ? ['--tun-port', String(s.tunPort)] : []), ...csum] : [];
  return ['realserver', action, '--mode', mode, '--vip', s.vips.join(','), ...tun];
}

/** Prepares a real server in its namespace; NAT-only ones need nothing. */
export function realserverUp(s: LabServer, log: (t: string) => void): void {
  if (s.prepareAs === undefined) return;
  const r = ipvsadmIn(s.name, realserverArgs(s));
  log(`${s.name}: ${r.stdout}${r.stderr}`);
  if (r.code !== 0) throw new Error(`ipvsadm ${realserverArgs(s).join(' ')} in ${s.name} failed (${r.code})`);
}

export async function runGuestLab(o: GuestLabOptions, write: (t: string) => void): Promise<number> {
  const rules = o.rulesFile !== undefined ? readFileSync(o.rulesFile, 'utf8') : demoRules({ mode: o.mode, ...(o.tunType ? { tunType: o.tunType } : {}), ipv6: o.ipv6 === true });
  write(`lab: rules ${o.rulesFile ?? `(demo table, ${o.mode}${o.mode === 'tun' ? ` ${o.tunType ?? 'ipip'}` : ''})`}:\n${rules.replace(/^/gm, '  ').trimEnd()}\n`);
  const restoreIo = captureIo(rules);
  const code = await main(['-R'], restoreIo);
  if (code !== 0) {
    write(`lab: ipvsadm -R refused the rules (exit ${code}):\n${restoreIo.out()}`);
    return 2;
  }
  const plan = planLab(await readTable());
  for (const note of plan.skipped) write(`lab: skipped ${note}\n`);
  if (plan.services.length === 0 || plan.servers.length === 0) {
    write('lab: the rules have no TCP or UDP service with a real server to send traffic to\n');
    return 2;
  }
  let world: World | undefined;
  try {
    world = buildWorld(plan);
    await directorUp(plan, write);
    for (const s of plan.servers) realserverUp(s, write);
    await world.startServers();
    const answers = world.send(plan.services.map((s) => s.target), o.count);
    write(formatLabReport(plan, answers, o.count));
    const failed = Object.values(answers).some((t) => (t['(failed)'] ?? 0) > 0);
    return failed ? 1 : 0;
  } finally {
    await world?.teardown();
    // Leave the director as it was (the real-server namespaces are gone with the world).
    if (world) await runPrepCli('director', ['down'], captureIo(''));
  }
}
