// planApply on its own (pure): make-before-break order, changes in place with their before →
// after, each change with what undoes it, --prune and the unmanaged, --scope, timeouts (0 keeps)
// and daemons (a change is a stop and a start). Property: after the plan, the plan is empty.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Desired } from '../../src/core/desired.js';
import { planApply } from '../../src/apply/plan.js';
import type { Plan } from '../../src/apply/plan.js';
import { parseScope } from '../../src/apply/scope.js';
import type { Change } from '../../src/ipvs/changes.js';
import type { DaemonConfig, Destination, ServiceWithDestinations, Snapshot } from '../../src/ipvs/model.js';
import { destinationId, serviceId } from '../../src/ipvs/vocabulary.js';
import { dest, entry, fwm, svc } from '../support/format-fixtures.js';
import { fuzzParameters } from '../support/fuzz.js';

const TIMEOUTS = { tcp: 900, tcpFin: 120, udp: 300 };
const snapshot = (services: ServiceWithDestinations[], more: Partial<Snapshot> = {}): Snapshot => ({ info: { version: 0x10201, connTabSize: 4096 }, services, timeouts: TIMEOUTS, daemons: [], ...more });
const desiredOf = (services: ServiceWithDestinations[], more: Partial<Desired> = {}): Desired => ({
  format: 'text',
  services: services.map(({ service: { stats: _s, ...service }, destinations }) => ({ service, destinations: destinations.map(config), at: 'line 1' })),
  ...more,
});
const config = ({ stats: _s, activeConns: _a, inactConns: _i, persistConns: _p, ...d }: Destination) => d;
const lines = (plan: Plan): string[] => plan.steps.map((s) => `${s.action} ${s.object} ${s.label}${s.fields.length ? `: ${s.fields.map((f) => `${f.name} ${f.before ?? ''}→${f.after ?? ''}`).join(', ')}` : ''}`);

const WEB = svc(6, '192.0.2.1', 80, { scheduler: 'rr' });
const DNS = svc(17, '192.0.2.2', 53, { scheduler: 'rr' });
const MASQ = (a: string, weight = 1) => dest(a, 80, { forwarding: 'masq', weight });

describe('the order: timeouts, adds, changes in place, daemons, removals', () => {
  it('each step once, in that order, never a flush', () => {
    const current = snapshot([entry(WEB, MASQ('198.51.100.1'), MASQ('198.51.100.2')), entry(DNS)]);
    const wanted = desiredOf([entry({ ...WEB, scheduler: 'wlc' }, MASQ('198.51.100.2', 5), MASQ('198.51.100.3')), entry(svc(6, '192.0.2.9', 443))], { timeouts: { tcp: 0, tcpFin: 60, udp: 0 } });
    const plan = planApply(current, wanted, { prune: true });
    expect(lines(plan)).toEqual([
      'change timeouts timeouts: tcp fin 120 s→60 s',
      'add real server 198.51.100.3:80 of tcp 192.0.2.1:80: forwarding →masq, weight →1, upper threshold →0, lower threshold →0',
      'add service tcp 192.0.2.9:443: scheduler →wlc, scheduler flags →none, persistence →none, one-packet →no, pe →none',
      'change service tcp 192.0.2.1:80: scheduler rr→wlc',
      'change real server 198.51.100.2:80 of tcp 192.0.2.1:80: weight 1→5',
      'remove real server 198.51.100.1:80 of tcp 192.0.2.1:80: forwarding masq→, weight 1→, upper threshold 0→, lower threshold 0→',
      'remove service udp 192.0.2.2:53: scheduler rr→, scheduler flags none→, persistence none→, one-packet no→, pe none→',
    ]);
    expect(plan.steps.flatMap((s) => s.changes.map((c) => c.do.op))).not.toContain('flush');
  });

  it('each change carries its undo: an edit its old settings, a removed service itself and its real servers', () => {
    const current = snapshot([entry(WEB, MASQ('198.51.100.1', 4)), entry(DNS, MASQ('198.51.100.5'))]);
    const plan = planApply(current, desiredOf([entry(WEB, MASQ('198.51.100.1', 9))]), { prune: true });
    const undo = (i: number): Change[] => [...plan.steps[i]!.changes[0]!.undo];
    expect(undo(0)).toEqual([{ op: 'edit-dest', key: WEB.key, dest: config(MASQ('198.51.100.1', 4)) }]);
    const { stats: _s, ...dns } = DNS;
    expect(undo(1)).toEqual([
      { op: 'add-service', service: dns },
      { op: 'add-dest', key: DNS.key, dest: config(MASQ('198.51.100.5')) },
    ]);
  });
});

describe('what cannot change in place', () => {
  it('a real server whose port changes is removed and added, and a note says why', () => {
    const plan = planApply(snapshot([entry(WEB, MASQ('198.51.100.1'))]), desiredOf([entry(WEB, dest('198.51.100.1', 8080, { forwarding: 'masq' }))]), { prune: false });
    expect(plan.steps.map((s) => `${s.action} ${s.label}`)).toEqual(['add 198.51.100.1:8080 of tcp 192.0.2.1:80', 'remove 198.51.100.1:80 of tcp 192.0.2.1:80']);
    expect(plan.notes).toEqual(['real server 198.51.100.1 of tcp 192.0.2.1:80: its port cannot change in place (address and port name a real server), so 198.51.100.1:80 is removed and 198.51.100.1:8080 added']);
  });

  it('the forwarding method, weight, thresholds and tunnel change in place', () => {
    const tun = dest('198.51.100.1', 80, { forwarding: 'tunnel', weight: 2, uThreshold: 10 });
    const plan = planApply(snapshot([entry(WEB, MASQ('198.51.100.1'))]), desiredOf([entry(WEB, tun)]), { prune: false });
    expect(lines(plan)).toEqual(['change real server 198.51.100.1:80 of tcp 192.0.2.1:80: forwarding masq→tunnel, weight 1→2, upper threshold 0→10, tunnel →ipip']);
  });
});

describe('what is not in the file', () => {
  it('kept and listed as unmanaged without --prune', () => {
    const plan = planApply(snapshot([entry(WEB), entry(DNS)]), desiredOf([entry(WEB)]), { prune: false });
    expect(plan.steps).toEqual([]);
    expect(plan.unmanaged).toEqual(['service udp 192.0.2.2:53']);
  });

  it('--scope: out-of-scope services are never seen, even with --prune; timeouts and daemons left alone', () => {
    const other = svc(6, '203.0.113.5', 80);
    const plan = planApply(snapshot([entry(WEB), entry(other), entry(fwm(3))]), desiredOf([], { timeouts: { tcp: 1, tcpFin: 1, udp: 1 } }), { prune: true, scope: parseScope(['192.0.2.0/24']) });
    expect(lines(plan).map((l) => l.split(':')[0])).toEqual(['remove service tcp 192.0.2.1']);
    expect(plan.notes).toEqual(['timeouts and sync daemons: left as they are (--scope 192.0.2.0/24 covers services only)']);
  });
});

describe('timeouts and daemons', () => {
  const MASTER: DaemonConfig = { state: 'master', mcastIfn: 'eth0', syncId: 1 };

  it('timeouts: a 0 keeps the kernel value; equal values plan nothing', () => {
    expect(planApply(snapshot([]), desiredOf([], { timeouts: { tcp: 900, tcpFin: 0, udp: 300 } }), { prune: false }).steps).toEqual([]);
  });

  it('a daemon is started, changed by a stop and a start, stopped only with --prune', () => {
    const running: DaemonConfig = { ...MASTER, syncMaxlen: 1472, mcastPort: 8848 };
    expect(planApply(snapshot([]), desiredOf([], { daemons: [MASTER] }), { prune: false }).steps.map((s) => s.changes.map((c) => c.do.op))).toEqual([['start-daemon']]);
    // settings the file does not give are not compared
    expect(planApply(snapshot([], { daemons: [running] }), desiredOf([], { daemons: [MASTER] }), { prune: false }).steps).toEqual([]);
    const changed = planApply(snapshot([], { daemons: [running] }), desiredOf([], { daemons: [{ ...MASTER, syncId: 2 }] }), { prune: false });
    expect(changed.steps[0]!.changes.map((c) => c.do.op)).toEqual(['stop-daemon', 'start-daemon']);
    expect(changed.steps[0]!.changes.map((c) => c.undo.map((u) => u.op))).toEqual([['start-daemon'], ['stop-daemon']]);
    const both = [running, { ...running, state: 'backup' as const }];
    const kept = planApply(snapshot([], { daemons: both }), desiredOf([], { daemons: [MASTER] }), { prune: false });
    expect(kept.unmanaged).toEqual(['backup daemon']);
    expect(planApply(snapshot([], { daemons: both }), desiredOf([], { daemons: [MASTER] }), { prune: true }).steps.map((s) => s.label)).toEqual(['backup daemon']);
  });
});

describe('a plan applied leaves nothing to plan (any two tables)', () => {
  const ADDRS = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
  const RS = ['198.51.100.1', '198.51.100.2', '198.51.100.3'];
  const tableArb = fc.uniqueArray(
    fc.record({
      vip: fc.constantFrom(...ADDRS),
      scheduler: fc.constantFrom('rr', 'wlc', 'sh'),
      persistent: fc.boolean(),
      dests: fc.uniqueArray(fc.record({ addr: fc.constantFrom(...RS), weight: fc.integer({ min: 0, max: 5 }), masq: fc.boolean() }), { selector: (d) => d.addr, maxLength: 3 }),
    }),
    { selector: (s) => s.vip, maxLength: 3 },
  ).map((list) =>
    list.map((s) =>
      entry(
        svc(6, s.vip, 80, { scheduler: s.scheduler, ...(s.persistent ? { persistent: true, timeout: 300 } : {}) }),
        ...s.dests.map((d) => dest(d.addr, 80, { weight: d.weight, forwarding: d.masq ? 'masq' : 'route' })),
      ),
    ),
  );

  /** Every setting of a table as text, independent of the planner: what must be equal. */
  const normal = (table: readonly ServiceWithDestinations[]): string[] =>
    table
      .flatMap(({ service: s, destinations }) => [
        `${serviceId(s.key)} ${s.scheduler} ${s.persistent} ${s.onePacket} ${s.schedFlags.join()} ${s.timeout} ${s.netmask} ${s.pe}`,
        ...destinations.map((d) => `${serviceId(s.key)} ${destinationId(d)} ${d.forwarding} ${d.weight} ${d.uThreshold} ${d.lThreshold}`),
      ])
      .sort();

  /** The table after the plan's changes, as a kernel would make them. */
  function applied(current: ServiceWithDestinations[], plan: Plan): ServiceWithDestinations[] {
    let table = current.map((s) => ({ service: s.service, destinations: [...s.destinations] }));
    for (const c of plan.steps.flatMap((s) => s.changes.map((p) => p.do))) {
      const at = (key: object) => table.findIndex((s) => serviceId(s.service.key) === serviceId(key as never));
      if (c.op === 'add-service') table.push({ service: { ...c.service, stats: WEB.stats }, destinations: [] });
      if (c.op === 'edit-service') table[at(c.service.key)]!.service = { ...c.service, stats: WEB.stats };
      if (c.op === 'delete-service') table = table.filter((s) => serviceId(s.service.key) !== serviceId(c.key));
      if (c.op === 'add-dest' || c.op === 'edit-dest' || c.op === 'delete-dest') {
        const s = table[at(c.key)]!;
        s.destinations = s.destinations.filter((d) => destinationId(d) !== destinationId(c.dest));
        if (c.op !== 'delete-dest') s.destinations.push({ ...c.dest, activeConns: 0, inactConns: 0, persistConns: 0, stats: WEB.stats });
      }
    }
    return table;
  }

  it('with --prune: the kernel then holds the file exactly', () => {
    fc.assert(
      fc.property(tableArb, tableArb, (current, wanted) => {
        const plan = planApply(snapshot(current), desiredOf(wanted), { prune: true });
        const after = applied(current, plan);
        expect(normal(after)).toEqual(normal(wanted));
        expect(planApply(snapshot(after), desiredOf(wanted), { prune: true }).steps).toEqual([]);
        // undoing every change, newest first, gives the table back
        const undoSteps = [...plan.steps].reverse().map((s) => ({ ...s, changes: [...s.changes].reverse().flatMap((p) => p.undo.map((u) => ({ do: u, undo: [] }))) }));
        const undone = applied(after, { steps: undoSteps, unmanaged: [], notes: [] });
        expect(normal(undone)).toEqual(normal(current));
      }),
      fuzzParameters(200),
    );
  });
});
