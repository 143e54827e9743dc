// apply --canonical-order planned on its own: the plan's changes replayed on a model of the
// kernel's list (an add goes to the head) leave the real servers sorted whatever the history;
// only servers before the tail already in order are touched; a kept server is deleted and added
// again in one batch, and not at all when it holds connections and expire_nodest_conn is not 0.
// Two directors with other histories then build the same mh table.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planApply } from '../../src/apply/plan.js';
import type { Plan, PlanOptions } from '../../src/apply/plan.js';
import { batchEnd } from '../../src/apply/run.js';
import { maglevSlotsMoved } from '../../src/table/maglev.js';
import type { Desired } from '../../src/core/desired.js';
import type { Destination, DestinationConfig, ServiceWithDestinations, Snapshot } from '../../src/ipvs/model.js';
import { destinationId } from '../../src/ipvs/vocabulary.js';
import { dest, entry, svc } from '../support/format-fixtures.js';
import { fuzzParameters } from '../support/fuzz.js';

const MH = svc(6, '192.0.2.1', 80, { scheduler: 'mh' });
const snapshot = (...services: ServiceWithDestinations[]): Snapshot => ({ info: { version: 0x10201, connTabSize: 4096 }, services, timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, daemons: [] });
const config = ({ stats: _s, activeConns: _a, inactConns: _i, persistConns: _p, ...d }: Destination): DestinationConfig => d;
const desired = (destinations: readonly Destination[]): Desired => {
  const { stats: _s, ...service } = MH;
  return { format: 'text', services: [{ service, destinations: destinations.map(config), at: 'line 1' }] };
};
const rs = (last: number, extras: Partial<Destination> = {}): Destination => dest(`198.51.100.${last}`, 80, { forwarding: 'masq', ...extras });
const CANONICAL: PlanOptions = { prune: true, canonicalOrder: true, expireNodestConn: 0 };

/** The kernel's list of one service (head first) after the plan's changes: an add goes to the head. */
function replay(kernel: readonly Destination[], plan: Plan): string[] {
  let list = kernel.map(destinationId);
  for (const change of plan.steps.flatMap((s) => s.changes.map((c) => c.do))) {
    if (change.op === 'add-dest') list = [destinationId(change.dest), ...list];
    if (change.op === 'delete-dest') list = list.filter((id) => id !== destinationId(change.dest));
  }
  return list;
}

/** The list a kernel holds after adding the servers in this order (each at the head). */
const added = (...order: Destination[]): Destination[] => [...order].reverse();
const sortedIds = (ds: readonly Destination[]): string[] => [...ds].sort((a, b) => a.addr.bytes[3]! - b.addr.bytes[3]!).map(destinationId);

describe('the canonical order: sorted by address, reached with the fewest moves', () => {
  it('a kernel that added 1, 2, 3 in file order lists 3, 2, 1: the plan re-adds 2 then 1, and 3 stays where it is', () => {
    const kernel = added(rs(1), rs(2), rs(3));
    const plan = planApply(snapshot(entry(MH, ...kernel)), desired([rs(1), rs(2), rs(3)]), CANONICAL);
    expect(plan.steps.map((s) => `${s.action} ${s.label}: ${s.fields.map((f) => `${f.name} ${f.before}→${f.after}`).join(', ')}`)).toEqual([
      'change 198.51.100.2:80 of tcp 192.0.2.1:80: kernel order 2→2',
      'change 198.51.100.1:80 of tcp 192.0.2.1:80: kernel order 3→1',
    ]);
    expect(plan.steps.map((s) => s.changes.map((c) => c.do.op))).toEqual([
      ['delete-dest', 'add-dest'],
      ['delete-dest', 'add-dest'],
    ]);
    expect(replay(kernel, plan)).toEqual(sortedIds(kernel));
    expect(planApply(snapshot(entry(MH, rs(1), rs(2), rs(3))), desired([rs(3), rs(1), rs(2)]), CANONICAL).steps).toEqual([]);
  });

  it('a new service gets its real servers added last to first, whatever the file says; without the option, in file order with a note for mh', () => {
    const plan = planApply(snapshot(), desired([rs(2), rs(3), rs(1)]), CANONICAL);
    expect(plan.steps.map((s) => s.label)).toEqual(['tcp 192.0.2.1:80', '198.51.100.3:80 of tcp 192.0.2.1:80', '198.51.100.2:80 of tcp 192.0.2.1:80', '198.51.100.1:80 of tcp 192.0.2.1:80']);
    const plain = planApply(snapshot(), desired([rs(2), rs(3), rs(1)]), { prune: true });
    expect(plain.steps.map((s) => s.label).slice(1)).toEqual(['198.51.100.2:80 of tcp 192.0.2.1:80', '198.51.100.3:80 of tcp 192.0.2.1:80', '198.51.100.1:80 of tcp 192.0.2.1:80']);
    expect(plain.notes).toEqual([expect.stringMatching(/^tcp 192\.0\.2\.1:80 \(mh\): its real servers will not be in the canonical kernel order.*--canonical-order puts them in it$/)]);
    expect(planApply(snapshot(), desired([rs(3), rs(2), rs(1)]), { prune: true }).notes).toEqual([]);
  });

  it('a moved server that also changes weight is re-added with the new weight, not edited as well', () => {
    const kernel = added(rs(1), rs(2));
    const plan = planApply(snapshot(entry(MH, ...kernel)), desired([rs(1, { weight: 5 }), rs(2)]), CANONICAL);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.fields.map((f) => `${f.name} ${f.before}→${f.after}`)).toEqual(['kernel order 2→1', 'weight 1→5']);
    expect(plan.steps[0]!.changes[1]!.do).toMatchObject({ op: 'add-dest', dest: { weight: 5 } });
  });

  it('any history, any file order, adds and removals: the replayed list is sorted, the plan is then empty, and servers in the ordered tail are never touched', () => {
    const server = fc.integer({ min: 1, max: 30 });
    fc.assert(
      fc.property(fc.uniqueArray(server, { maxLength: 8 }), fc.uniqueArray(server, { minLength: 1, maxLength: 8 }), (have, want) => {
        const kernel = have.map((n) => rs(n));
        const wanted = want.map((n) => rs(n));
        const plan = planApply(snapshot(entry(MH, ...kernel)), desired(wanted), CANONICAL);
        const after = replay(kernel, plan);
        expect(after).toEqual(sortedIds(wanted));
        const deleted = new Set(plan.steps.flatMap((s) => s.changes.map((c) => c.do)).filter((c) => c.op === 'delete-dest').map((c) => destinationId((c as { dest: DestinationConfig }).dest)));
        const untouched = after.filter((id) => !deleted.has(id) && kernel.some((d) => destinationId(d) === id));
        // the untouched ones are the list's tail, in their old order
        expect(after.slice(after.length - untouched.length)).toEqual(untouched);
        const byId = new Map(wanted.map((d) => [destinationId(d), d]));
        const again = planApply(snapshot(entry(MH, ...after.map((id) => byId.get(id)!))), desired(wanted), CANONICAL);
        expect(again.steps).toEqual([]);
      }),
      fuzzParameters(300),
    );
  });

  it('two directors, one that added 1..5 in file order, one that added, removed and re-added: different mh tables before, the same after', () => {
    const first = added(rs(1), rs(2), rs(3), rs(4), rs(5));
    const second = added(rs(5), rs(2), rs(4), rs(1), rs(3));
    expect(maglevSlotsMoved(first, second).moved).toBeGreaterThan(0);
    const orderOf = (kernel: Destination[]): Destination[] => replay(kernel, planApply(snapshot(entry(MH, ...kernel)), desired(first), CANONICAL)).map((id) => first.find((d) => destinationId(d) === id)!);
    expect(maglevSlotsMoved(orderOf(first), orderOf(second))).toEqual({ moved: 0, size: 4093 });
  });
});

describe('connections decide whether a kept server may move', () => {
  const kernel = added(rs(1, { activeConns: 2 }), rs(2), rs(3));

  it('with expire_nodest_conn 1 (or unknown), a server with connection entries that would move leaves the service as it is, with a note', () => {
    for (const expireNodestConn of [1, undefined]) {
      const plan = planApply(snapshot(entry(MH, ...kernel)), desired(kernel), { prune: true, canonicalOrder: true, ...(expireNodestConn !== undefined ? { expireNodestConn } : {}) });
      expect(plan.steps).toEqual([]);
      expect(plan.notes).toEqual([expect.stringMatching(/^--canonical-order: the real servers of tcp 192\.0\.2\.1:80 are left in their kernel order: 198\.51\.100\.1:80 \(2 connection entries\) would have to be deleted and added again, and net\.ipv4\.vs\.expire_nodest_conn (is 1|could not be read)/)]);
    }
  });

  it('with expire_nodest_conn 0 it moves (the kernel keeps its entries); a server with connections in the ordered tail is never touched even with 1', () => {
    expect(planApply(snapshot(entry(MH, ...kernel)), desired(kernel), CANONICAL).steps.map((s) => s.label)).toEqual(['198.51.100.2:80 of tcp 192.0.2.1:80', '198.51.100.1:80 of tcp 192.0.2.1:80']);
    const tailHeld = added(rs(3, { activeConns: 4 }), rs(1), rs(2));
    const plan = planApply(snapshot(entry(MH, ...tailHeld)), desired(tailHeld), { prune: true, canonicalOrder: true, expireNodestConn: 1 });
    expect(plan.notes).toEqual([]);
    expect(replay(tailHeld, plan)).toEqual(sortedIds(tailHeld));
  });
});

describe('a real server deleted and added again is sent in one batch', () => {
  it('a batch never ends between two joined changes, and holds at least one change', () => {
    const changes = [{}, {}, { joined: true }, {}, { joined: true }, { joined: true }];
    expect(batchEnd(changes, 0, 2)).toBe(1);
    expect(batchEnd(changes, 1, 2)).toBe(3);
    expect(batchEnd(changes, 3, 2)).toBe(4);
    expect(batchEnd(changes, 3, 64)).toBe(6);
    expect(batchEnd([{}, { joined: true }], 1, 1)).toBe(2);
  });
});
