// `ipvsadm doctor`: what the director can do and what its table needs, as checks with a verdict
// and a fix (connection sync in sync.ts, paths to real servers in reach.ts). Pure: the facts
// (modules, sysctls, the table, links, other processes) are read by cli.ts.
import { AF_INET6 } from '../ipvs/constants.js';
import type { Snapshot } from '../ipvs/model.js';
import { SCHEDULERS, serviceId } from '../ipvs/vocabulary.js';

import type { ModuleState } from '../host/modules.js';
import { reachChecks } from './reach.js';
import type { PathFacts } from './reach.js';
import { syncChecks } from './sync.js';
import type { LinkFacts } from '../rtnl/link-facts.js';
export type { ModuleState } from '../host/modules.js';

export interface DoctorFacts {
  /** the table, or why IPVS could not be read */
  readonly ipvs: { readonly snapshot: Snapshot } | { readonly error: string };
  readonly modules: Readonly<Record<string, ModuleState>>;
  /** sysctl name (`net.ipv4.ip_forward`) → value; absent when the file is not there */
  readonly sysctls: Readonly<Record<string, number>>;
  /** names (comm) of the running processes */
  readonly processes: readonly string[];
  /** the director's way to each real server address (absent: not looked at) */
  readonly paths?: PathFacts;
  /** the sync daemons' interfaces (absent: not looked at) */
  readonly links?: LinkFacts;
}

import type { Check, Verdict } from './verdict.js';
export type { Check, Verdict } from './verdict.js';

export { SCHEDULERS };
export const TUNNEL_MODULES: Readonly<Record<string, string>> = { ipip: 'ipip', gue: 'fou', gre: 'ip_gre' };
/** Every module the checks ask about. */
export const MODULES = ['ip_vs', ...SCHEDULERS.map((s) => `ip_vs_${s}`), 'ip_vs_pe_sip', ...Object.values(TUNNEL_MODULES)];

/** Other programs that manage IPVS tables (apply --scope lets ours share the table with them). */
export const MANAGERS = ['keepalived', 'kube-proxy', 'ldirectord', 'pybal', 'gobgpd-lvs', 'ipvsctl'];

const stateText = (s: ModuleState): string => (s === 'loaded' ? 'loaded' : s === 'loadable' ? 'available (loaded on first use)' : 'not available in this kernel');

export function runChecks(f: DoctorFacts): Check[] {
  const out: Check[] = [];
  const table = 'snapshot' in f.ipvs ? f.ipvs.snapshot : undefined;
  if ('error' in f.ipvs) {
    out.push({ check: 'ipvs', verdict: 'fail', detail: `IPVS cannot be reached: ${f.ipvs.error}`, fix: f.modules['ip_vs'] === 'missing' ? 'use a kernel built with IP_VS' : 'run as root (CAP_NET_ADMIN); modprobe ip_vs' });
  } else {
    const count = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
    out.push({ check: 'ipvs', verdict: 'ok', detail: `IPVS answers: ${count(table!.services.length, 'service')}, ${count(table!.services.reduce((n, s) => n + s.destinations.length, 0), 'real server')}` });
  }
  const used = new Set(table?.services.map((s) => s.service.scheduler) ?? []);
  for (const s of SCHEDULERS) {
    const state = f.modules[`ip_vs_${s}`] ?? 'missing';
    const needed = used.has(s);
    const verdict: Verdict = state !== 'missing' ? 'ok' : needed ? 'fail' : 'info';
    out.push({ check: `scheduler ${s}`, verdict, detail: `${stateText(state)}${needed ? '; used by the table' : ''}`, ...(state === 'missing' ? { fix: `a kernel with IP_VS_${s.toUpperCase()}` } : {}) });
  }
  const sip = f.modules['ip_vs_pe_sip'] ?? 'missing';
  const sipUsed = table?.services.some((s) => s.service.pe === 'sip') ?? false;
  out.push({ check: 'persistence engine sip', verdict: sip !== 'missing' ? 'ok' : sipUsed ? 'fail' : 'info', detail: stateText(sip) });
  for (const [type, module] of Object.entries(TUNNEL_MODULES)) {
    const state = f.modules[module] ?? 'missing';
    out.push({ check: `tunnel ${type}`, verdict: state === 'missing' ? 'info' : 'ok', detail: `${module}: ${stateText(state)}` });
  }
  if (table) out.push(...tableChecks(table, f), ...reachChecks(table, f.paths), ...syncChecks(table, f.links, f.sysctls));
  const managers = f.processes.filter((p) => MANAGERS.includes(p));
  out.push(
    managers.length > 0
      ? { check: 'other managers', verdict: 'warn', detail: `running: ${[...new Set(managers)].join(', ')}; they change the table too`, fix: 'give ipvsadm apply a --scope that leaves their services alone' }
      : { check: 'other managers', verdict: 'ok', detail: `none of ${MANAGERS.join(', ')} is running` },
  );
  return out;
}

function tableChecks(table: Snapshot, f: DoctorFacts): Check[] {
  const out: Check[] = [];
  const natFamilies = new Set<number>();
  let persistent = 0;
  let tunnels = 0;
  for (const { service, destinations } of table.services) {
    if (service.persistent) persistent++;
    for (const d of destinations) {
      if (d.forwarding === 'masq') natFamilies.add(d.addr.af);
      if (d.forwarding === 'tunnel') tunnels++;
    }
  }
  for (const af of natFamilies) {
    const name = af === AF_INET6 ? 'net.ipv6.conf.all.forwarding' : 'net.ipv4.ip_forward';
    const value = f.sysctls[name];
    out.push(
      value === 1
        ? { check: name, verdict: 'ok', detail: '1: NAT replies are forwarded back through the director' }
        : { check: name, verdict: 'fail', detail: `${value ?? 'unknown'}: NAT (masq) real servers are configured, but the director does not forward their replies`, fix: `sysctl -w ${name}=1 (or: ipvsadm director up --mode nat)` },
    );
  }
  if (natFamilies.size > 0) {
    const ct = f.sysctls['net.ipv4.vs.conntrack'];
    out.push({ check: 'net.ipv4.vs.conntrack', verdict: 'info', detail: ct === 1 ? '1: NAT connections are kept in netfilter conntrack' : '0: NAT connections bypass netfilter conntrack; set it to 1 if firewall rules (NAT, state matches) must see them' });
  }
  if (persistent > 0) {
    const q = f.sysctls['net.ipv4.vs.expire_quiescent_template'];
    out.push(
      q === 1
        ? { check: 'net.ipv4.vs.expire_quiescent_template', verdict: 'ok', detail: '1: persistent clients leave a real server set to weight 0' }
        : {
            check: 'net.ipv4.vs.expire_quiescent_template',
            verdict: 'warn',
            detail: `${q ?? 'unknown'}: ${persistent} persistent service${persistent === 1 ? '' : 's'}; clients with a persistence template keep reaching a real server at weight 0, so drains do not finish`,
            fix: 'sysctl -w net.ipv4.vs.expire_quiescent_template=1',
          },
    );
  }
  if (tunnels > 0) out.push({ check: 'tunnel real servers', verdict: 'info', detail: `${tunnels} real server${tunnels === 1 ? '' : 's'} by tunnel: prepare each with ipvsadm realserver up --mode tun (check with: ipvsadm realserver check)` });
  const empty = table.services.filter((s) => s.destinations.every((d) => (d.weight | 0) === 0));
  if (empty.length > 0) {
    out.push({ check: 'services without a real server', verdict: 'warn', detail: empty.map((s) => serviceId(s.service.key)).join(', '), fix: 'add real servers, or weights above 0' });
  }
  return out;
}
