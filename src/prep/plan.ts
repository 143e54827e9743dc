// plan: (desired, observed) → ordered Steps, pure. `up` loads modules first (they create the
// tunnel devices), sets sysctls before adding VIPs (no moment where a VIP is up and ARP still
// answers for it), then links, addresses, fou ports. `down` runs the same order backwards.
import { PlanError } from './errors.js';
import type { AddressNeed, Desired, Observed, ObservedAddress, Step, Vip } from './model.js';
import type { StateRecord } from './state.js';
import { samePort } from './state.js';
import { vipFromText } from './spec.js';
import { sysctlName } from '../host/sysctl.js';
import { daemonLabel, daemonMatches } from './ha.js';
import { daemonFromRecord } from './state.js';

/** Steps that bring `observed` to `desired`; [] when it is there already. Throws PlanError. */
export function planUp(d: Desired, o: Observed): Step[] {
  const loads = d.modules.filter((m) => o.modules.get(m.name) !== true);
  const creates = (d.tunnels ?? []).filter((t) => !o.links.has(t.dev));
  const pending = new Set([...loads.flatMap((m) => (m.marker && 'link' in m.marker ? [m.marker.link] : [])), ...creates.map((t) => t.dev)]);
  // net.ipv4.vs.* appear when ip_vs loads
  const vsPending = loads.some((m) => m.name === 'ip_vs');
  const problems = [...findProblems(d, o, pending, vsPending), ...daemonProblems(d, o)];
  if (problems.length > 0) throw new PlanError(problems);
  return [
    ...loads.map((m): Step => ({ kind: 'module-load', module: m.name })),
    ...creates.map((t): Step => ({ kind: 'tunnel-add', ...t })),
    ...d.sysctls
      .filter((s) => o.sysctls.get(s.key) !== s.value)
      .map((s): Step => ({ kind: 'sysctl-set', key: s.key, from: o.sysctls.get(s.key), to: s.value })),
    ...d.links.filter((dev) => o.links.get(dev)?.up !== true).map((dev): Step => ({ kind: 'link-set', dev, up: true })),
    ...d.addresses
      .filter((a) => a.dev !== undefined && !addressSatisfied(d, o, a))
      .map((a): Step => ({ kind: 'address-add', dev: a.dev!, vip: a.vip, prefix: a.prefix, nodad: a.nodad })),
    ...d.fouPorts
      .filter((f) => !(o.fouPorts ?? []).some((p) => samePort(p, f)))
      .map((f): Step => ({ kind: 'fou-add', port: f.port, family: f.family })),
    ...(d.daemons ?? [])
      .filter((n) => !(o.daemons ?? []).some((r) => daemonMatches(n.daemon, r)))
      .map((n): Step => ({ kind: 'daemon-start', daemon: n.daemon })),
  ];
}

/** The kernel runs one daemon per role: one of the wanted role with other settings is in the way. */
function daemonProblems(d: Desired, o: Observed): string[] {
  return (d.daemons ?? []).flatMap(({ daemon }) => {
    const other = (o.daemons ?? []).find((r) => r.state === daemon.state && !daemonMatches(daemon, r));
    return other ? [`a ${daemonLabel(other)} sync daemon already runs, not ${daemonLabel(daemon)}: stop it first (ipvsadm --stop-daemon ${daemon.state})`] : [];
  });
}

export const sameVip = (a: ObservedAddress, vip: Vip): boolean => a.family === vip.family && a.text === vip.text;

/** Real servers need the exact host route on the right device; a director, the VIP anywhere. */
export function addressSatisfied(d: Desired, o: Observed, a: AddressNeed): boolean {
  return d.exclusiveVips
    ? o.addresses.some((x) => sameVip(x, a.vip) && x.dev === a.dev && x.prefix === a.prefix)
    : o.addresses.some((x) => sameVip(x, a.vip));
}

/** Where a real server's VIP sits but must not (it would answer ARP/ND there). */
export function vipConflicts(d: Desired, o: Observed): { need: AddressNeed; found: ObservedAddress }[] {
  if (!d.exclusiveVips) return [];
  return d.addresses.flatMap((need) =>
    o.addresses.filter((x) => sameVip(x, need.vip) && (x.dev !== need.dev || x.prefix !== need.prefix)).map((found) => ({ need, found })),
  );
}

/** The device of a per-device key; undefined for `all`, `default` and keys outside conf/. */
function deviceOfKey(key: string): string | undefined {
  const dev = /^net\/ipv[46]\/conf\/([^/]+)\//.exec(key)?.[1];
  return dev === 'all' || dev === 'default' ? undefined : dev;
}

function missingDevice(dev: string, d: Desired): string {
  const owner = d.modules.find((m) => m.marker && 'link' in m.marker && m.marker.link === dev);
  if (!owner) return `unknown interface ${dev}`;
  return `${dev} is missing although module ${owner.name} is loaded: this network namespace has no fallback tunnel devices (is sysctl net.core.fb_tunnels_only_for_init_net set?)`;
}

function findProblems(d: Desired, o: Observed, pending: ReadonlySet<string>, vsPending: boolean): string[] {
  const problems: string[] = [];
  const exists = (dev: string): boolean => o.links.has(dev) || pending.has(dev);
  for (const dev of new Set([...d.devices, ...d.links])) if (!exists(dev)) problems.push(missingDevice(dev, d));
  for (const s of d.sysctls) {
    const dev = deviceOfKey(s.key);
    if (o.sysctls.get(s.key) !== undefined || (dev !== undefined && (pending.has(dev) || !exists(dev)))) continue;
    if (s.key.startsWith('net/ipv4/vs/') && vsPending) continue;
    problems.push(`the kernel has no sysctl ${sysctlName(s.key)}${s.key.startsWith('net/ipv6/') ? ' (is IPv6 disabled?)' : ''}`);
  }
  for (const { need, found } of vipConflicts(d, o)) {
    problems.push(`${need.vip.text} is already on ${found.dev} as /${found.prefix}: a real server must have it only on ${need.dev} as /${need.prefix}, or it answers ARP/neighbour requests for it (remove it first)`);
  }
  for (const a of d.addresses) {
    if (a.dev === undefined && !addressSatisfied(d, o, a)) problems.push(`${a.vip.text} is not configured on this host; give --dev to add it there`);
  }
  for (const f of d.fouPorts) {
    const other = (o.fouPorts ?? []).find((p) => p.port === f.port && p.family === f.family && p.type !== 'gue');
    if (other) problems.push(`UDP port ${f.port} (IPv${f.family}) already has a fou receiver of type ${other.type}, not gue`);
  }
  return problems;
}

export interface DownPlan {
  readonly steps: Step[];
  /** what was left alone and why */
  readonly notes: string[];
  /** the VIPs this down takes off (for the state record) */
  readonly vips: readonly string[];
}

/**
 * With a state record: remove the named VIPs (all when none named) that `up` added; once none
 * is left, close fou ports, set links down and restore sysctls, each only if `up` changed it.
 */
export function planDownFromRecord(rec: StateRecord, named: readonly Vip[], o: Observed): DownPlan {
  const notes: string[] = [];
  const vips = named.length > 0 ? named.map((v) => v.text) : rec.addresses.map((a) => a.vip);
  const steps: Step[] = [];
  for (const text of vips) {
    const added = rec.addresses.find((a) => a.vip === text);
    const here = o.addresses.filter((x) => x.text === text);
    if (!added) {
      notes.push(here.length > 0 ? `${text} was there before up: left in place` : `${text} is not configured`);
      continue;
    }
    const vip = vipFromText(text);
    if (vip && here.some((x) => x.dev === added.dev && x.prefix === added.prefix)) {
      steps.push({ kind: 'address-del', dev: added.dev, vip, prefix: added.prefix, nodad: added.nodad });
    } else notes.push(`${text}/${added.prefix} is no longer on ${added.dev}`);
  }
  const remaining = rec.addresses.filter((a) => !vips.includes(a.vip));
  if (remaining.length > 0) {
    notes.push(`still up: ${remaining.map((a) => a.vip).join(', ')}; sysctls and links stay until the last VIP goes`);
    return { steps, notes, vips };
  }
  return { steps: [...steps, ...restoreSteps(rec, o, notes)], notes, vips };
}

function restoreSteps(rec: StateRecord, o: Observed, notes: string[]): Step[] {
  // Devices `up` created go again (with their addresses and sysctls); they are not set down first.
  const created = (rec.tunnels ?? []).filter((t) => o.links.has(t.dev));
  const gone = new Set((rec.tunnels ?? []).map((t) => t.dev));
  const fou = [...rec.fouPorts].reverse().filter((f) => (o.fouPorts ?? []).some((p) => samePort(p, f)));
  const links = [...rec.links].reverse().filter((dev) => !gone.has(dev) && o.links.get(dev)?.up === true);
  const sysctls: Step[] = [];
  for (const { key, before } of [...rec.sysctls].reverse()) {
    const dev = deviceOfKey(key);
    if (dev !== undefined && gone.has(dev)) continue;
    const now = o.sysctls.get(key);
    if (now === undefined) notes.push(`${sysctlName(key)} no longer exists: not restored`);
    else if (now !== before) sysctls.push({ kind: 'sysctl-set', key, from: now, to: before });
  }
  const tunnels = [...created].reverse().flatMap((t): Step[] => {
    const local = vipFromText(t.local);
    return local ? [{ kind: 'tunnel-del', dev: t.dev, type: t.type, local }] : [];
  });
  // daemons `up` started, if they still run as it started them
  const daemons = [...(rec.daemons ?? [])].reverse().flatMap((r): Step[] => {
    const daemon = daemonFromRecord(r);
    if (daemon && (o.daemons ?? []).some((x) => daemonMatches(daemon, x))) return [{ kind: 'daemon-stop', daemon }];
    notes.push(`the ${r.state} sync daemon ${daemon ? 'no longer runs as up started it' : 'record is unreadable'}: left as it is`);
    return [];
  });
  return [
    ...daemons,
    ...fou.map((f): Step => ({ kind: 'fou-del', port: f.port, family: f.family })),
    ...links.map((dev): Step => ({ kind: 'link-set', dev, up: false })),
    ...tunnels,
    ...sysctls,
  ];
}

/** Without a record: remove the named VIPs from where this mode puts them; touch nothing else. */
export function planDownWithoutRecord(d: Desired, named: readonly Vip[], o: Observed): DownPlan {
  const notes = ['no state recorded for this network namespace: sysctls, links and fou ports are left as they are'];
  const steps: Step[] = [];
  for (const vip of named) {
    const need = d.addresses.find((a) => a.vip.text === vip.text);
    const found = o.addresses.find((x) => sameVip(x, vip) && x.dev === need?.dev && x.prefix === need.prefix);
    if (need?.dev === undefined) notes.push(`${vip.text}: give --dev to say where to remove it from`);
    else if (!found) notes.push(`${vip.text}/${need.prefix} is not on ${need.dev}`);
    else steps.push({ kind: 'address-del', dev: need.dev, vip, prefix: need.prefix, nodad: need.nodad });
  }
  return { steps, notes, vips: named.map((v) => v.text) };
}
