// check.ts (pure): one row per requirement with expected and effective values; the max(all, dev)
// rule for arp_ignore/arp_announce/rp_filter, links, addresses, conflicts, modules and fou ports.
import { describe, expect, it } from 'vitest';
import { checkState } from '../../src/prep/check.js';
import type { CheckRow } from '../../src/prep/check.js';
import { desiredState } from '../../src/prep/requirements.js';
import { dir, observed, rs } from './support.js';

const DR_READY = {
  'net/ipv4/conf/all/arp_ignore': 1,
  'net/ipv4/conf/all/arp_announce': 2,
  'net/ipv4/conf/lo/arp_ignore': 1,
  'net/ipv4/conf/lo/arp_announce': 2,
};
const row = (rows: readonly CheckRow[], requirement: string): CheckRow | undefined => rows.find((r) => r.requirement === requirement);

describe('checkState, DR real server', () => {
  it('ready: every row, in order, with its values', () => {
    const report = checkState(desiredState(rs('dr', '192.0.2.1')), observed({ sysctls: DR_READY, addresses: ['192.0.2.1/32 lo'] }));
    expect(report).toEqual({
      ready: true,
      rows: [
        { kind: 'sysctl', requirement: 'net.ipv4.conf.all.arp_ignore', expected: '1', effective: '1', ok: true },
        { kind: 'sysctl', requirement: 'net.ipv4.conf.all.arp_announce', expected: '2', effective: '2', ok: true },
        { kind: 'sysctl', requirement: 'net.ipv4.conf.lo.arp_ignore', expected: '1', effective: '1', ok: true },
        { kind: 'sysctl', requirement: 'net.ipv4.conf.lo.arp_announce', expected: '2', effective: '2', ok: true },
        { kind: 'link', requirement: 'link lo', expected: 'up', effective: 'up', ok: true },
        { kind: 'address', requirement: '192.0.2.1/32 on lo', expected: 'present', effective: 'present', ok: true },
      ],
    });
  });

  it('a device value below all counts as all (effective = max), with the detail', () => {
    const report = checkState(desiredState(rs('dr', '192.0.2.1')), observed({ sysctls: { ...DR_READY, 'net/ipv4/conf/lo/arp_ignore': 0 }, addresses: ['192.0.2.1/32 lo'] }));
    expect(row(report.rows, 'net.ipv4.conf.lo.arp_ignore')).toEqual({
      kind: 'sysctl', requirement: 'net.ipv4.conf.lo.arp_ignore', expected: '1', effective: '1', detail: 'max(all 1, own 0)', ok: true,
    });
    expect(report.ready).toBe(true);
  });

  it('all above the wanted value makes every device fail, though the device says 1', () => {
    const report = checkState(desiredState(rs('dr', '192.0.2.1')), observed({ sysctls: { ...DR_READY, 'net/ipv4/conf/all/arp_ignore': 8 }, addresses: ['192.0.2.1/32 lo'] }));
    expect(row(report.rows, 'net.ipv4.conf.all.arp_ignore')).toMatchObject({ effective: '8', ok: false });
    expect(row(report.rows, 'net.ipv4.conf.all.arp_ignore')?.detail).toBeUndefined();
    expect(row(report.rows, 'net.ipv4.conf.lo.arp_ignore')).toMatchObject({ effective: '8', detail: 'max(all 8, own 1)', ok: false });
    expect(report.ready).toBe(false);
  });

  it('a missing sysctl, a link down, a VIP absent', () => {
    const report = checkState(
      desiredState(rs('dr', '192.0.2.1', { dev: 'eth0' })),
      observed({ sysctls: DR_READY, links: { lo: false, eth0: true } }),
    );
    expect(row(report.rows, 'net.ipv4.conf.eth0.arp_ignore')).toEqual({ kind: 'sysctl', requirement: 'net.ipv4.conf.eth0.arp_ignore', expected: '1', effective: 'missing', ok: false });
    expect(row(report.rows, 'link lo')).toMatchObject({ effective: 'down', ok: false });
    expect(row(report.rows, '192.0.2.1/32 on lo')).toMatchObject({ effective: 'absent', ok: false });
  });

  it('a VIP elsewhere: the address row shows where, plus a conflict row per place', () => {
    const report = checkState(desiredState(rs('dr', '192.0.2.1')), observed({ sysctls: DR_READY, addresses: ['192.0.2.1/32 lo', '192.0.2.1/24 eth0'] }));
    expect(report.rows.slice(-2)).toEqual([
      { kind: 'address', requirement: '192.0.2.1/32 on lo', expected: 'present', effective: 'present', ok: true },
      {
        kind: 'conflict',
        requirement: '192.0.2.1 only on lo',
        expected: 'not on eth0',
        effective: 'on eth0/24',
        detail: 'answers ARP/neighbour requests for the VIP there',
        ok: false,
      },
    ]);
    expect(report.ready).toBe(false);
  });

  it('only elsewhere: not present, shown where it is', () => {
    const report = checkState(desiredState(rs('dr', '192.0.2.1')), observed({ sysctls: DR_READY, addresses: ['192.0.2.1/24 eth0'] }));
    expect(row(report.rows, '192.0.2.1/32 on lo')).toMatchObject({ effective: 'on eth0/24', ok: false });
  });
});

describe('checkState, TUN real server', () => {
  const TUN = {
    'net/ipv4/conf/all/arp_ignore': 1,
    'net/ipv4/conf/all/arp_announce': 2,
    'net/ipv4/conf/all/rp_filter': 0,
    'net/ipv4/conf/default/rp_filter': 0,
    'net/ipv4/conf/tunl0/rp_filter': 0,
  };

  it('rp_filter on the tunnel device is max(all, tunl0); default stands alone', () => {
    const report = checkState(
      desiredState(rs('tun', '192.0.2.1')),
      observed({ sysctls: { ...TUN, 'net/ipv4/conf/all/rp_filter': 2, 'net/ipv4/conf/default/rp_filter': 1 }, links: { lo: true, tunl0: true }, modules: { ipip: true }, addresses: ['192.0.2.1/32 tunl0'] }),
    );
    expect(row(report.rows, 'net.ipv4.conf.tunl0.rp_filter')).toMatchObject({ expected: '0', effective: '2', detail: 'max(all 2, own 0)', ok: false });
    expect(row(report.rows, 'net.ipv4.conf.default.rp_filter')).toEqual({ kind: 'sysctl', requirement: 'net.ipv4.conf.default.rp_filter', expected: '0', effective: '1', ok: false });
  });

  it('module and link rows', () => {
    const report = checkState(desiredState(rs('tun', '192.0.2.1')), observed({ sysctls: TUN, modules: { ipip: false } }));
    expect(report.rows[0]).toEqual({ kind: 'module', requirement: 'module ipip', expected: 'loaded', effective: 'not loaded', ok: false });
    expect(row(report.rows, 'link tunl0')).toEqual({ kind: 'link', requirement: 'link tunl0', expected: 'up', effective: 'missing', ok: false });
  });

  it.each([
    [undefined, 'fou not loaded', false],
    [[], 'closed', false],
    [[{ port: 6080, family: 6 as const, type: 'gue' as const }], 'closed', false],
    [[{ port: 6080, family: 4 as const, type: 'direct' as const }], 'open as direct', false],
    [[{ port: 6080, family: 4 as const, type: 'gue' as const }], 'open', true],
  ])('GUE port with fou ports %j: %s', (fouPorts, effective, ok) => {
    const o = observed({ sysctls: TUN, links: { lo: true, tunl0: true }, modules: { ipip: true, fou: true }, addresses: ['192.0.2.1/32 tunl0'], ...(fouPorts ? { fouPorts } : {}) });
    const report = checkState(desiredState(rs('tun', '192.0.2.1', { tunType: 'gue' })), o);
    expect(report.rows.at(-1)).toEqual({ kind: 'fou', requirement: 'GUE port 6080/udp (IPv4)', expected: 'open', effective, ok });
    expect(report.ready).toBe(ok);
  });
});

describe('checkState, director', () => {
  it('a VIP without --dev: local anywhere is fine; ip_forward; ip_vs', () => {
    const o = observed({ sysctls: { 'net/ipv4/ip_forward': 1, 'net/ipv4/conf/all/send_redirects': 0 }, modules: { ip_vs: true }, addresses: ['192.0.2.1/24 eth0'] });
    const report = checkState(desiredState(dir('nat', '192.0.2.1')), o);
    expect(report).toEqual({
      ready: true,
      rows: [
        { kind: 'module', requirement: 'module ip_vs', expected: 'loaded', effective: 'loaded', ok: true },
        { kind: 'sysctl', requirement: 'net.ipv4.ip_forward', expected: '1', effective: '1', ok: true },
        { kind: 'sysctl', requirement: 'net.ipv4.conf.all.send_redirects', expected: '0', effective: '0', ok: true },
        { kind: 'address', requirement: '192.0.2.1 local', expected: 'present', effective: 'on eth0/24', ok: true },
      ],
    });
  });

  it('with --dev: the VIP on another device still counts (no conflicts for a director)', () => {
    const report = checkState(desiredState(dir('dr', '192.0.2.1', 'eth1')), observed({ links: { lo: true, eth0: true, eth1: true }, modules: { ip_vs: true }, addresses: ['192.0.2.1/32 eth0'] }));
    expect(row(report.rows, '192.0.2.1/32 on eth1')).toMatchObject({ effective: 'on eth0/32', ok: true });
    expect(report.rows.some((r) => r.kind === 'conflict')).toBe(false);
  });

  it('nowhere: absent, not ready', () => {
    const report = checkState(desiredState(dir('nat', '2001:db8::1')), observed({ sysctls: { 'net/ipv6/conf/all/forwarding': 0 }, modules: { ip_vs: true } }));
    expect(report.ready).toBe(false);
    expect(report.rows.filter((r) => !r.ok).map((r) => `${r.requirement}: ${r.effective}`)).toEqual(['net.ipv6.conf.all.forwarding: 0', '2001:db8::1 local: absent']);
  });
});
