// The lab run inside the sandbox kernel (`ipvsadm lab` boots it with this as the command): load
// the rules through the core (the 1.31 grammar and the IPVS client), build the client and
// real-server namespaces, prepare the director and every real server with `ipvsadm
// director|realserver up`, send requests from the client and print what each real server answered. Exit 0 when every request was answered.
import { readFileSync } from 'node:fs';
import { openClient } from '../app/open-client.js';
import { loadRules } from '../core/load-rules.js';
import { processIo } from '../app/process-io.js';
import { IpvsClient } from '../ipvs/client.js';
import type { ServiceWithDestinations } from '../ipvs/model.js';
import type { TunnelType } from '../ipvs/vocabulary.js';
import { openNativeTransport } from '../netlink/native.js';
import { formatRun } from '../prep/format.js';
import { runDown, runUp } from '../prep/run.js';
import { buildRequest } from '../prep/spec.js';
import { createSystem } from '../prep/system.js';
import { demoRules, planLab } from './lab-plan.js';
import type { LabMode, LabPlan, LabServer } from './lab-plan.js';
import { formatLabReport } from './report.js';
import { BRIDGE, buildWorld, ipvsadmIn } from './world.js';
import type { World } from './world.js';
import { LAB_EXIT } from '../app/exit-status.js';

export interface GuestLabOptions {
  readonly rulesFile?: string;
  readonly mode: LabMode;
  readonly tunType?: TunnelType;
  readonly ipv6?: boolean;
  readonly count: number;
}

export async function readTable(): Promise<ServiceWithDestinations[]> {
  const client = await IpvsClient.open(openNativeTransport);
  try {
    return await client.table();
  } finally {
    client.close();
  }
}

/**
 * `ipvsadm director up` (or `down`) in this (the director's) namespace, through the realserver
 * API (spec → plan → apply); `log` gets the report 1.31's neighbours would print.
 */
async function director(action: 'up' | 'down', plan: LabPlan | undefined, log: (t: string) => void): Promise<void> {
  const raw = plan ? { mode: plan.directorMode, dev: BRIDGE, ...(plan.vips.length > 0 ? { vip: [plan.vips.join(',')] } : {}) } : {};
  const sys = createSystem({ openTransport: openNativeTransport });
  try {
    const req = buildRequest('director', action, raw);
    const report = action === 'up' ? await runUp(req, sys, { commandLine: 'ipvsadm lab' }) : await runDown(req, sys);
    log(formatRun(report));
  } catch (e) {
    throw new Error(`ipvsadm director ${action} failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    sys.close();
  }
}

/** `ipvsadm director up` for the lab's plan, in-process. */
export function directorUp(plan: LabPlan, log: (t: string) => void): Promise<void> {
  return director('up', plan, log);
}

/** Loads `rules` (an ipvsadm -S table) into the kernel; the problem that stopped it, or undefined. */
async function loadLabRules(rules: string): Promise<string | undefined> {
  const io = processIo('ipvsadm', { stdout: () => undefined, stderr: () => undefined });
  const client = await openClient(io);
  try {
    return await loadRules(rules, client, io.names);
  } finally {
    client.close();
  }
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
  const refused = await loadLabRules(rules);
  if (refused !== undefined) {
    write(`lab: the rules were refused: ${refused}\n`);
    return LAB_EXIT.USAGE;
  }
  const plan = planLab(await readTable());
  for (const note of plan.skipped) write(`lab: skipped ${note}\n`);
  if (plan.services.length === 0 || plan.servers.length === 0) {
    write('lab: the rules have no TCP or UDP service with a real server to send traffic to\n');
    return LAB_EXIT.USAGE;
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
    if (world) await director('down', undefined, () => undefined).catch(() => undefined);
  }
}
