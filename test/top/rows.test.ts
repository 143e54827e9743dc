// top's rows: 1.31's order, service sums, deltas of the counters since the previous read (none
// on the first read, none for a counter that went back), and the sort orders with reverse.
import { describe, expect, it } from 'vitest';
import { buildGroups, isSortOrder, sortGroups, sortOrderOfKey, SORT_ORDERS } from '../../src/top/rows.js';
import type { ServiceWithDestinations } from '../../src/ipvs/model.js';
import { dest, fwm, svc } from '../support/format-fixtures.js';

const TCP = 6;

function table(conns: bigint[] = [10n, 20n, 5n]): ServiceWithDestinations[] {
  return [
    { service: svc(TCP, '192.0.2.2', 80, { stats: { conns: conns[0]! + conns[1]! } }), destinations: [dest('198.51.100.2', 80, { activeConns: 3, inactConns: 1, weight: 2, stats: { conns: conns[1]!, cps: 4n } }), dest('198.51.100.1', 80, { activeConns: 1, inactConns: 5, weight: 1, stats: { conns: conns[0]!, cps: 9n } })] },
    { service: fwm(7, { stats: { conns: conns[2]! } }), destinations: [dest('198.51.100.3', 0, { activeConns: 7, stats: { conns: conns[2]! } })] },
    { service: svc(TCP, '192.0.2.1', 80), destinations: [] },
  ];
}

describe('buildGroups', () => {
  it('orders services and real servers as 1.31 lists them, and sums the counts of each service', () => {
    const { groups } = buildGroups(table(), undefined);
    expect(groups.map((g) => g.service.id)).toEqual(['tcp 192.0.2.1:80', 'tcp 192.0.2.2:80', 'fwmark 7 inet']);
    expect(groups[1]!.servers.map((r) => r.id)).toEqual(['tcp 192.0.2.2:80 -> 198.51.100.1:80', 'tcp 192.0.2.2:80 -> 198.51.100.2:80']);
    expect(groups[1]!.service).toMatchObject({ active: 4, inactive: 6, weight: 3, level: 'service' });
    expect(groups[0]!.service).toMatchObject({ active: 0, inactive: 0, weight: 0 });
  });

  it('gives no deltas on the first read, the differences on the next, and none for a counter that went back', () => {
    const first = buildGroups(table([10n, 20n, 5n]), undefined);
    expect(first.groups[1]!.service.deltas).toEqual({});
    const second = buildGroups(table([13n, 20n, 2n]), first.memory);
    expect(second.groups[1]!.service.deltas.conns).toBe(3n);
    expect(second.groups[1]!.servers[0]!.deltas.conns).toBe(3n);
    expect(second.groups[1]!.servers[1]!.deltas.conns).toBe(0n);
    // fwmark 7 went from 5 to 2 (zeroed, -Z): no delta rather than a negative or a wrapped one
    expect(second.groups[2]!.service.deltas.conns).toBeUndefined();
    expect(second.groups[2]!.service.deltas.inbytes).toBe(0n);
  });
});

describe('sortGroups', () => {
  const { groups } = buildGroups(table(), undefined);
  const ids = (gs: ReturnType<typeof sortGroups>): string[] => gs.flatMap((g) => [g.service.id, ...g.servers.map((s) => s.id.split(' -> ')[1]!)]);

  it('natural keeps 1.31 order; reverse turns it round', () => {
    expect(ids(sortGroups(groups, 'natural', false))).toEqual(['tcp 192.0.2.1:80', 'tcp 192.0.2.2:80', '198.51.100.1:80', '198.51.100.2:80', 'fwmark 7 inet', '198.51.100.3:0']);
    expect(ids(sortGroups(groups, 'natural', true))).toEqual(['fwmark 7 inet', '198.51.100.3:0', 'tcp 192.0.2.2:80', '198.51.100.2:80', '198.51.100.1:80', 'tcp 192.0.2.1:80']);
  });

  it('by a value: largest first, real servers sorted within their service, ties in 1.31 order', () => {
    expect(ids(sortGroups(groups, 'active', false))).toEqual(['fwmark 7 inet', '198.51.100.3:0', 'tcp 192.0.2.2:80', '198.51.100.2:80', '198.51.100.1:80', 'tcp 192.0.2.1:80']);
    expect(ids(sortGroups(groups, 'cps', false)).slice(1, 4)).toEqual(['tcp 192.0.2.2:80', '198.51.100.1:80', '198.51.100.2:80']);
    expect(ids(sortGroups(groups, 'active', true))[0]).toBe('tcp 192.0.2.1:80');
  });

  it('has a key and a --sort word for every order, each key once', () => {
    const keys = Object.values(SORT_ORDERS).map((o) => o.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const [word, o] of Object.entries(SORT_ORDERS)) {
      expect(isSortOrder(word)).toBe(true);
      expect(sortOrderOfKey(o.key)).toBe(word);
    }
    expect(isSortOrder('toString')).toBe(false);
    expect(sortOrderOfKey('q')).toBeUndefined();
  });
});
