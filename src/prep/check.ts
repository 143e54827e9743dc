// check: (desired, observed) → one row per requirement with the expected and the effective value
// (pure). Effective means what the kernel acts on: max(all, dev) for arp_ignore, arp_announce and
// rp_filter (sysctl.ts), the address on the right device with the right prefix, the link up.
import type { Desired, Observed, ObservedAddress } from './model.js';
import { addressSatisfied, sameVip, vipConflicts } from './plan.js';
import { effectiveValue, maxConfPartner, sysctlName } from '../host/sysctl.js';
import type { SysctlValue } from '../host/sysctl.js';
import { daemonLabel, daemonMatches } from './ha.js';

export type CheckKind = 'module' | 'sysctl' | 'link' | 'address' | 'conflict' | 'fou' | 'daemon';

export interface CheckRow {
  readonly kind: CheckKind;
  readonly requirement: string;
  readonly expected: string;
  readonly effective: string;
  /** how the effective value comes about, when it is not simply the configured one */
  readonly detail?: string;
  /** why the mode needs it (settings for several directors) */
  readonly why?: string;
  readonly ok: boolean;
}

export interface CheckReport {
  readonly ready: boolean;
  readonly rows: readonly CheckRow[];
}

export function checkState(d: Desired, o: Observed): CheckReport {
  const rows = [...moduleRows(d, o), ...sysctlRows(d, o), ...linkRows(d, o), ...addressRows(d, o), ...fouRows(d, o), ...daemonRows(d, o)];
  return { ready: rows.every((r) => r.ok), rows };
}

function moduleRows(d: Desired, o: Observed): CheckRow[] {
  return d.modules.map((m) => {
    const ok = o.modules.get(m.name) === true;
    return { kind: 'module', requirement: `module ${m.name}`, expected: 'loaded', effective: ok ? 'loaded' : 'not loaded', ok };
  });
}

const show = (v: SysctlValue | undefined): string => (v === undefined ? 'missing' : String(v));

function sysctlRows(d: Desired, o: Observed): CheckRow[] {
  return d.sysctls.map((s) => {
    const eff = effectiveValue(s.key, o.sysctls);
    const partner = maxConfPartner(s.key);
    const own = o.sysctls.get(s.key);
    const detail = partner !== undefined && own !== undefined && eff !== own ? { detail: `max(all ${show(o.sysctls.get(partner))}, own ${own})` } : {};
    const why = s.why !== undefined ? { why: s.why } : {};
    return { kind: 'sysctl', requirement: sysctlName(s.key), expected: String(s.value), effective: show(eff), ...detail, ...why, ok: eff === s.value };
  });
}

function linkRows(d: Desired, o: Observed): CheckRow[] {
  return d.links.map((dev) => {
    const link = o.links.get(dev);
    const effective = !link ? 'missing' : link.up ? 'up' : 'down';
    return { kind: 'link', requirement: `link ${dev}`, expected: 'up', effective, ok: link?.up === true };
  });
}

function addressRows(d: Desired, o: Observed): CheckRow[] {
  const wanted = d.addresses.map((a): CheckRow => {
    const ok = addressSatisfied(d, o, a);
    const where = o.addresses.filter((x) => sameVip(x, a.vip)).map((x) => `${x.dev}/${x.prefix}`);
    const requirement = a.dev === undefined ? `${a.vip.text} local` : `${a.vip.text}/${a.prefix} on ${a.dev}`;
    const effective = ok && a.dev !== undefined && d.exclusiveVips ? 'present' : where.length > 0 ? `on ${where.join(', ')}` : 'absent';
    return { kind: 'address', requirement, expected: 'present', effective, ok };
  });
  const conflicts = vipConflicts(d, o).map(({ need, found }): CheckRow => ({
    kind: 'conflict',
    requirement: `${need.vip.text} only on ${need.dev}`,
    expected: `not on ${found.dev}`,
    effective: `on ${found.dev}/${found.prefix}`,
    detail: 'answers ARP/neighbour requests for the VIP there',
    ok: false,
  }));
  return [...wanted, ...undeprecated(d, o), ...conflicts];
}

/**
 * An IPv6 VIP that is present but not deprecated: source address selection may pick it for this
 * host's own packets (a director's tunnel packets, a real server's outgoing connections), whose
 * answers then go to whoever else holds the VIP. `up` adds VIPs deprecated.
 */
export function undeprecatedVips(d: Desired, o: Observed): ObservedAddress[] {
  return d.addresses.flatMap((a) =>
    a.vip.family === 6 ? o.addresses.filter((x) => sameVip(x, a.vip) && (a.dev === undefined || !d.exclusiveVips || x.dev === a.dev) && x.deprecated !== true) : [],
  );
}

function undeprecated(d: Desired, o: Observed): CheckRow[] {
  return undeprecatedVips(d, o).map((x) => ({
    kind: 'address',
    requirement: `${x.text} on ${x.dev} deprecated`,
    expected: 'preferred_lft 0',
    effective: 'preferred',
    detail: 'may be chosen as a source address',
    ok: false,
  }));
}

function fouRows(d: Desired, o: Observed): CheckRow[] {
  return d.fouPorts.map((f) => {
    const port = (o.fouPorts ?? []).find((p) => p.port === f.port && p.family === f.family);
    const effective = o.fouPorts === undefined ? 'fou not loaded' : !port ? 'closed' : port.type === 'gue' ? 'open' : `open as ${port.type}`;
    return { kind: 'fou', requirement: `GUE port ${f.port}/udp (IPv${f.family})`, expected: 'open', effective, ok: port?.type === 'gue' };
  });
}

/** Each wanted sync daemon: running as wanted, running otherwise, or not running. */
function daemonRows(d: Desired, o: Observed): CheckRow[] {
  return (d.daemons ?? []).map(({ daemon, why }) => {
    const ok = (o.daemons ?? []).some((r) => daemonMatches(daemon, r));
    const other = (o.daemons ?? []).find((r) => r.state === daemon.state);
    const effective = ok ? 'running' : other ? `running as ${daemonLabel(other)}` : 'not running';
    return { kind: 'daemon', requirement: `sync daemon ${daemonLabel(daemon)}`, expected: 'running', effective, why, ok };
  });
}
