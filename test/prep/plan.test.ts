// plan.ts (pure): planUp's step order and filtering, the problems it refuses with (PlanError), and
// both down plans: from a state record (restore in reverse, last-VIP rule) and without one.
import { describe, expect, it } from 'vitest';
import { PlanError } from '../../src/prep/errors.js';
import type { Step } from '../../src/prep/model.js';
import { planDownFromRecord, planDownWithoutRecord, planUp } from '../../src/prep/plan.js';
import { desiredState } from '../../src/prep/requirements.js';
import type { StateRecord } from '../../src/prep/state.js';
import { dir, observed, rs, vip } from './support.js';

const ARP0 = {
  'net/ipv4/conf/all/arp_ignore': 0,
  'net/ipv4/conf/all/arp_announce': 0,
  'net/ipv4/conf/lo/arp_ignore': 0,
  'net/ipv4/conf/lo/arp_announce': 0,
};
const TUN_SYSCTLS = {
  'net/ipv4/conf/all/arp_ignore': 0,
  'net/ipv4/conf/all/arp_announce': 0,
  'net/ipv4/conf/all/rp_filter': 1,
  'net/ipv4/conf/default/rp_filter': 2,
};
const set = (key: string, from: number | undefined, to: number): Step => ({ kind: 'sysctl-set', key, from, to });

function problemsOf(f: () => unknown): readonly string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof PlanError) return e.problems;
    throw e;
  }
  throw new Error('expected a PlanError');
}

describe('planUp', () => {
  it('DR from scratch: sysctls first, then the VIP on lo (lo already up: no link step)', () => {
    const steps = planUp(desiredState(rs('dr', '192.0.2.1')), observed({ sysctls: ARP0 }));
    expect(steps).toEqual([
      set('net/ipv4/conf/all/arp_ignore', 0, 1),
      set('net/ipv4/conf/all/arp_announce', 0, 2),
      set('net/ipv4/conf/lo/arp_ignore', 0, 1),
      set('net/ipv4/conf/lo/arp_announce', 0, 2),
      { kind: 'address-add', dev: 'lo', vip: vip('192.0.2.1'), prefix: 32, nodad: false },
    ]);
  });

  it('already prepared: no steps', () => {
    const o = observed({
      sysctls: { ...ARP0, 'net/ipv4/conf/all/arp_ignore': 1, 'net/ipv4/conf/all/arp_announce': 2, 'net/ipv4/conf/lo/arp_ignore': 1, 'net/ipv4/conf/lo/arp_announce': 2 },
      addresses: ['192.0.2.1/32 lo'],
    });
    expect(planUp(desiredState(rs('dr', '192.0.2.1')), o)).toEqual([]);
  });

  it('only what differs: a value other than the wanted one (3) is replaced, lo down is brought up', () => {
    const o = observed({
      sysctls: { ...ARP0, 'net/ipv4/conf/all/arp_ignore': 3, 'net/ipv4/conf/all/arp_announce': 2, 'net/ipv4/conf/lo/arp_ignore': 1, 'net/ipv4/conf/lo/arp_announce': 2 },
      links: { lo: false },
      addresses: ['2001:db8::1/128 lo'],
    });
    expect(planUp(desiredState(rs('dr', '192.0.2.1,2001:db8::1')), o)).toEqual([
      set('net/ipv4/conf/all/arp_ignore', 3, 1),
      { kind: 'link-set', dev: 'lo', up: true },
      { kind: 'address-add', dev: 'lo', vip: vip('192.0.2.1'), prefix: 32, nodad: false },
    ]);
  });

  it('IPv6 VIP: /128 with nodad', () => {
    expect(planUp(desiredState(rs('dr', '2001:db8::1')), observed())).toEqual([
      { kind: 'address-add', dev: 'lo', vip: vip('2001:db8::1'), prefix: 128, nodad: true },
    ]);
  });

  it('TUN ipip, module missing: load it first; the device it creates is not a problem (sysctl from undefined)', () => {
    const steps = planUp(desiredState(rs('tun', '192.0.2.1')), observed({ sysctls: TUN_SYSCTLS, modules: { ipip: false } }));
    expect(steps).toEqual([
      { kind: 'module-load', module: 'ipip' },
      set('net/ipv4/conf/all/arp_ignore', 0, 1),
      set('net/ipv4/conf/all/arp_announce', 0, 2),
      set('net/ipv4/conf/all/rp_filter', 1, 0),
      set('net/ipv4/conf/default/rp_filter', 2, 0),
      set('net/ipv4/conf/tunl0/rp_filter', undefined, 0),
      { kind: 'link-set', dev: 'tunl0', up: true },
      { kind: 'address-add', dev: 'tunl0', vip: vip('192.0.2.1'), prefix: 32, nodad: false },
    ]);
  });

  it('TUN gue: ipip and fou loads, the GUE port opened last', () => {
    const steps = planUp(desiredState(rs('tun', '192.0.2.1', { tunType: 'gue' })), observed({ sysctls: TUN_SYSCTLS, modules: { ipip: false, fou: false } }));
    expect(steps.map((s) => s.kind)).toEqual(['module-load', 'module-load', 'sysctl-set', 'sysctl-set', 'sysctl-set', 'sysctl-set', 'sysctl-set', 'link-set', 'address-add', 'fou-add']);
    expect(steps.slice(0, 2)).toEqual([{ kind: 'module-load', module: 'ipip' }, { kind: 'module-load', module: 'fou' }]);
    expect(steps.at(-1)).toEqual({ kind: 'fou-add', port: 6080, family: 4 });
  });

  it('a GUE port already open as gue is kept; modules present are not loaded', () => {
    const o = observed({
      sysctls: { ...TUN_SYSCTLS, 'net/ipv4/conf/tunl0/rp_filter': 2 },
      links: { lo: true, tunl0: true },
      modules: { ipip: true, fou: true },
      fouPorts: [{ port: 6080, family: 4, type: 'gue' }],
    });
    const steps = planUp(desiredState(rs('tun', '192.0.2.1', { tunType: 'gue' })), o);
    expect(steps.filter((s) => s.kind === 'fou-add' || s.kind === 'module-load' || s.kind === 'link-set')).toEqual([]);
  });

  it('director: a VIP local anywhere is enough; without --dev nothing is placed', () => {
    const o = observed({ sysctls: { 'net/ipv4/ip_forward': 0, 'net/ipv4/conf/all/send_redirects': 1 }, addresses: ['192.0.2.1/24 eth0'], modules: { ip_vs: true } });
    expect(planUp(desiredState(dir('nat', '192.0.2.1')), o)).toEqual([set('net/ipv4/ip_forward', 0, 1), set('net/ipv4/conf/all/send_redirects', 1, 0)]);
  });

  it('director with --dev: link up and the VIP added there; ip_vs loaded when missing', () => {
    const o = observed({ links: { lo: true, eth1: false }, modules: { ip_vs: false } });
    expect(planUp(desiredState(dir('dr', '192.0.2.1', 'eth1')), o)).toEqual([
      { kind: 'module-load', module: 'ip_vs' },
      { kind: 'link-set', dev: 'eth1', up: true },
      { kind: 'address-add', dev: 'eth1', vip: vip('192.0.2.1'), prefix: 32, nodad: false },
    ]);
  });
});

describe('planUp problems', () => {
  it('an unknown --dev (its sysctls are not reported separately)', () => {
    expect(problemsOf(() => planUp(desiredState(rs('dr', '192.0.2.1', { dev: 'eth9' })), observed({ sysctls: ARP0 })))).toEqual(['unknown interface eth9']);
  });

  it('a loaded tunnel module without its fallback device', () => {
    const o = observed({ sysctls: TUN_SYSCTLS, modules: { ipip: true } });
    expect(problemsOf(() => planUp(desiredState(rs('tun', '192.0.2.1')), o))).toEqual([
      'tunl0 is missing although module ipip is loaded: this network namespace has no fallback tunnel devices (is sysctl net.core.fb_tunnels_only_for_init_net set?)',
    ]);
  });

  it('a real server VIP elsewhere, or with another prefix, conflicts', () => {
    const o = observed({ sysctls: ARP0, addresses: ['192.0.2.1/24 eth0', '192.0.2.1/31 lo'] });
    expect(problemsOf(() => planUp(desiredState(rs('dr', '192.0.2.1')), o))).toEqual([
      '192.0.2.1 is already on eth0 as /24: a real server must have it only on lo as /32, or it answers ARP/neighbour requests for it (remove it first)',
      '192.0.2.1 is already on lo as /31: a real server must have it only on lo as /32, or it answers ARP/neighbour requests for it (remove it first)',
    ]);
  });

  it('missing sysctls (IPv6 hint only for IPv6 keys) and a director VIP that is nowhere; all in one PlanError', () => {
    let err: unknown;
    try {
      planUp(desiredState(dir('nat', '192.0.2.1,2001:db8::1')), observed({ modules: { ip_vs: true }, addresses: ['192.0.2.1/32 eth0'] }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanError);
    const problems = [
      'the kernel has no sysctl net.ipv4.ip_forward',
      'the kernel has no sysctl net.ipv4.conf.all.send_redirects',
      'the kernel has no sysctl net.ipv6.conf.all.forwarding (is IPv6 disabled?)',
      '2001:db8::1 is not configured on this host; give --dev to add it there',
    ];
    expect((err as PlanError).problems).toEqual(problems);
    expect((err as PlanError).message).toBe(problems.join('; '));
  });

  it('a missing conf/all or conf/default key is reported (all and default are not devices)', () => {
    const { 'net/ipv4/conf/all/arp_ignore': _ai, 'net/ipv4/conf/default/rp_filter': _rp, ...rest } = TUN_SYSCTLS;
    const o = observed({ sysctls: { ...rest, 'net/ipv4/conf/tunl0/rp_filter': 0 }, links: { lo: true, tunl0: true }, modules: { ipip: true } });
    expect(problemsOf(() => planUp(desiredState(rs('tun', '192.0.2.1')), o))).toEqual([
      'the kernel has no sysctl net.ipv4.conf.all.arp_ignore',
      'the kernel has no sysctl net.ipv4.conf.default.rp_filter',
    ]);
  });

  it('a fou port of another type on the GUE port', () => {
    const o = observed({ sysctls: { ...TUN_SYSCTLS, 'net/ipv4/conf/tunl0/rp_filter': 0 }, links: { lo: true, tunl0: true }, modules: { ipip: true, fou: true }, fouPorts: [{ port: 6080, family: 4, type: 'direct' }] });
    expect(problemsOf(() => planUp(desiredState(rs('tun', '192.0.2.1', { tunType: 'gue' })), o))).toEqual([
      'UDP port 6080 (IPv4) already has a fou receiver of type direct, not gue',
    ]);
  });
});

const GUE_RECORD: StateRecord = {
  side: 'realserver',
  mode: 'tun',
  tunType: 'gue',
  tunPort: 6080,
  sysctls: [
    { key: 'net/ipv4/conf/all/arp_ignore', before: 3 },
    { key: 'net/ipv4/conf/all/arp_announce', before: 0 },
    { key: 'net/ipv4/conf/default/rp_filter', before: 2 },
    { key: 'net/ipv4/conf/tunl0/rp_filter', before: 2 },
  ],
  addresses: [{ dev: 'tunl0', vip: '192.0.2.1', prefix: 32, nodad: false }],
  links: ['tunl0'],
  fouPorts: [{ port: 6080, family: 4 }],
};
const GUE_NOW = {
  sysctls: { 'net/ipv4/conf/all/arp_ignore': 1, 'net/ipv4/conf/all/arp_announce': 2, 'net/ipv4/conf/default/rp_filter': 0, 'net/ipv4/conf/tunl0/rp_filter': 0 },
  links: { lo: true, tunl0: true },
  addresses: ['192.0.2.1/32 tunl0'],
  fouPorts: [{ port: 6080, family: 4 as const, type: 'gue' as const }],
};

describe('planDownFromRecord', () => {
  it('last VIP: remove it, close the port, link down, restore sysctls in reverse to their recorded values', () => {
    const plan = planDownFromRecord(GUE_RECORD, [], observed(GUE_NOW));
    expect(plan.steps).toEqual([
      { kind: 'address-del', dev: 'tunl0', vip: vip('192.0.2.1'), prefix: 32, nodad: false },
      { kind: 'fou-del', port: 6080, family: 4 },
      { kind: 'link-set', dev: 'tunl0', up: false },
      set('net/ipv4/conf/tunl0/rp_filter', 0, 2),
      set('net/ipv4/conf/default/rp_filter', 0, 2),
      set('net/ipv4/conf/all/arp_announce', 2, 0),
      set('net/ipv4/conf/all/arp_ignore', 1, 3),
    ]);
    expect(plan.notes).toEqual([]);
    expect(plan.vips).toEqual(['192.0.2.1']);
  });

  it('skips what is already as before or gone, and says so for a vanished sysctl or VIP', () => {
    const o = observed({
      sysctls: { 'net/ipv4/conf/all/arp_ignore': 3, 'net/ipv4/conf/all/arp_announce': 2, 'net/ipv4/conf/default/rp_filter': 0 },
      links: { lo: true, tunl0: false },
      addresses: [],
      fouPorts: [],
    });
    const plan = planDownFromRecord(GUE_RECORD, [], o);
    expect(plan.steps).toEqual([set('net/ipv4/conf/default/rp_filter', 0, 2), set('net/ipv4/conf/all/arp_announce', 2, 0)]);
    expect(plan.notes).toEqual(['192.0.2.1/32 is no longer on tunl0', 'net.ipv4.conf.tunl0.rp_filter no longer exists: not restored']);
  });

  const TWO: StateRecord = {
    side: 'realserver',
    mode: 'dr',
    sysctls: [{ key: 'net/ipv4/conf/all/arp_ignore', before: 0 }],
    addresses: [
      { dev: 'lo', vip: '192.0.2.1', prefix: 32, nodad: false },
      { dev: 'lo', vip: '2001:db8::1', prefix: 128, nodad: true },
    ],
    links: [],
    fouPorts: [],
  };
  const TWO_NOW = observed({ sysctls: { 'net/ipv4/conf/all/arp_ignore': 1 }, addresses: ['192.0.2.1/32 lo', '2001:db8::1/128 lo'] });

  it('one of two VIPs: only that address goes; sysctls stay', () => {
    const plan = planDownFromRecord(TWO, [vip('2001:db8::1')], TWO_NOW);
    expect(plan.steps).toEqual([{ kind: 'address-del', dev: 'lo', vip: vip('2001:db8::1'), prefix: 128, nodad: true }]);
    expect(plan.notes).toEqual(['still up: 192.0.2.1; sysctls and links stay until the last VIP goes']);
    expect(plan.vips).toEqual(['2001:db8::1']);
  });

  it('both named: everything goes', () => {
    const plan = planDownFromRecord(TWO, [vip('192.0.2.1'), vip('2001:db8::1')], TWO_NOW);
    expect(plan.steps.map((s) => s.kind)).toEqual(['address-del', 'address-del', 'sysctl-set']);
    expect(plan.steps.at(-1)).toEqual(set('net/ipv4/conf/all/arp_ignore', 1, 0));
  });

  it('a named VIP that up did not add is left alone', () => {
    const o = observed({ sysctls: { 'net/ipv4/conf/all/arp_ignore': 1 }, addresses: ['192.0.2.1/32 lo', '2001:db8::1/128 lo', '192.0.2.9/32 lo'] });
    const plan = planDownFromRecord(TWO, [vip('192.0.2.9'), vip('192.0.2.8')], o);
    expect(plan.steps).toEqual([]);
    expect(plan.notes).toEqual([
      '192.0.2.9 was there before up: left in place',
      '192.0.2.8 is not configured',
      'still up: 192.0.2.1, 2001:db8::1; sysctls and links stay until the last VIP goes',
    ]);
  });
});

describe('planDownWithoutRecord', () => {
  const NOTE = 'no state recorded for this network namespace: sysctls, links and fou ports are left as they are';

  it('removes a named VIP from where the mode puts it, nothing else', () => {
    const d = desiredState(rs('tun', '192.0.2.1'));
    const plan = planDownWithoutRecord(d, [vip('192.0.2.1')], observed({ links: { lo: true, tunl0: true }, addresses: ['192.0.2.1/32 tunl0'] }));
    expect(plan.steps).toEqual([{ kind: 'address-del', dev: 'tunl0', vip: vip('192.0.2.1'), prefix: 32, nodad: false }]);
    expect(plan.notes).toEqual([NOTE]);
    expect(plan.vips).toEqual(['192.0.2.1']);
  });

  it('a VIP elsewhere is not touched', () => {
    const plan = planDownWithoutRecord(desiredState(rs('dr', '192.0.2.1')), [vip('192.0.2.1')], observed({ addresses: ['192.0.2.1/24 eth0'] }));
    expect(plan.steps).toEqual([]);
    expect(plan.notes).toEqual([NOTE, '192.0.2.1/32 is not on lo']);
  });

  it('a director without --dev cannot know where', () => {
    const plan = planDownWithoutRecord(desiredState(dir('dr', '192.0.2.1')), [vip('192.0.2.1')], observed({ addresses: ['192.0.2.1/32 eth0'] }));
    expect(plan.steps).toEqual([]);
    expect(plan.notes).toEqual([NOTE, '192.0.2.1: give --dev to say where to remove it from']);
  });
});
