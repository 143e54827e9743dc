// observe.ts over the fake System: what a scope reads (sysctls plus their `all` partners, module
// presence by /sys/module or marker, fou ports only when needed) and read failures as SystemError.
import { describe, expect, it } from 'vitest';
import { SystemError } from '../../src/prep/errors.js';
import { observe, scopeOf } from '../../src/prep/observe.js';
import { desiredState } from '../../src/prep/requirements.js';
import type { StateRecord } from '../../src/prep/state.js';
import { FakeSystem } from '../support/fake-system.js';
import { dir, rs } from './support.js';

describe('scopeOf', () => {
  it('desired sysctls, then recorded ones; modules of the desired state; fou when either has ports', () => {
    const d = desiredState(rs('tun', '192.0.2.1', { tunType: 'gue' }));
    const rec: StateRecord = { side: 'realserver', mode: 'dr', sysctls: [{ key: 'net/ipv4/conf/lo/arp_ignore', before: 0 }], addresses: [], links: [], fouPorts: [] };
    const scope = scopeOf(d, rec);
    expect(scope.sysctlKeys).toEqual([...d.sysctls.map((s) => s.key), 'net/ipv4/conf/lo/arp_ignore']);
    expect(scope.modules.map((m) => m.name)).toEqual(['ipip', 'fou']);
    expect(scope.fou).toBe(true);
    expect(scopeOf(undefined, rec)).toEqual({ sysctlKeys: ['net/ipv4/conf/lo/arp_ignore'], modules: [], fou: false });
    expect(scopeOf(undefined, { ...rec, fouPorts: [{ port: 1, family: 4 }] }).fou).toBe(true);
    expect(scopeOf(desiredState(rs('dr', '192.0.2.1'))).fou).toBe(false);
  });
});

describe('observe', () => {
  it('links by name with index and state; addresses with device names; partners of max knobs read too', async () => {
    const sys = new FakeSystem({
      links: [{ name: 'lo', up: true }, { name: 'eth0', up: false }],
      addresses: [{ dev: 'eth0', text: '192.0.2.1', prefix: 24 }, { dev: 'lo', text: '2001:DB8::1', prefix: 128 }],
      sysctls: { 'net/ipv4/conf/all/arp_ignore': 2, 'net/ipv4/conf/lo/arp_ignore': 1 },
    });
    const o = await observe(sys, { sysctlKeys: ['net/ipv4/conf/lo/arp_ignore', 'net/ipv4/conf/tunl0/rp_filter', 'net/ipv4/ip_forward'], modules: [], fou: false });
    expect([...o.links.values()]).toEqual([{ index: 1, name: 'lo', up: true }, { index: 2, name: 'eth0', up: false }]);
    expect(o.addresses).toEqual([
      { dev: 'eth0', index: 2, family: 4, text: '192.0.2.1', prefix: 24 },
      { dev: 'lo', index: 1, family: 6, text: '2001:db8::1', prefix: 128 },
    ]);
    expect(o.sysctls).toEqual(new Map([
      ['net/ipv4/conf/lo/arp_ignore', 1],
      ['net/ipv4/conf/all/arp_ignore', 2],
      ['net/ipv4/conf/tunl0/rp_filter', undefined],
      ['net/ipv4/conf/all/rp_filter', 0],
      ['net/ipv4/ip_forward', 0],
    ]));
    expect(o.fouPorts).toBeUndefined();
    expect(sys.opened.fou).toBe(0);
  });

  it('an address on a device that has gone is named by its index', async () => {
    const sys = new FakeSystem({ links: [{ name: 'lo', up: true }, { name: 'eth5', up: true }], addresses: [{ dev: 'eth5', text: '192.0.2.1', prefix: 32 }] });
    sys.links.delete('eth5');
    expect((await observe(sys, scopeOf(undefined))).addresses[0]!.dev).toBe('if2');
  });

  it('modules: loaded, built in (its device or genl family exists), or absent', async () => {
    const sys = new FakeSystem({ links: [{ name: 'lo', up: true }, { name: 'gre0', up: false }], loaded: ['ipip'] });
    sys.genlFamilyExists = async (name) => name === 'IPVS';
    const scope = {
      sysctlKeys: [],
      modules: [
        { name: 'ipip', marker: { link: 'tunl0' } },
        { name: 'ip_gre', marker: { link: 'gre0' } },
        { name: 'ip6_tunnel', marker: { link: 'ip6tnl0' } },
        { name: 'ip_vs', marker: { genl: 'IPVS' } },
        { name: 'fou', marker: { genl: 'fou' } },
        { name: 'dummy' },
      ],
      fou: false,
    };
    const o = await observe(sys, scope);
    expect(o.modules).toEqual(new Map([['ipip', true], ['ip_gre', true], ['ip6_tunnel', false], ['ip_vs', true], ['fou', false], ['dummy', false]]));
  });

  it('fou ports: undefined while fou is not loaded, the list once it is', async () => {
    const sys = new FakeSystem({ fouPorts: [{ port: 6080, family: 4, type: 'gue' }] });
    const scope = scopeOf(desiredState(rs('tun', '192.0.2.1', { tunType: 'gue' })));
    expect((await observe(sys, scope)).fouPorts).toBeUndefined();
    sys.loaded.add('fou');
    expect((await observe(sys, scope)).fouPorts).toEqual([{ port: 6080, family: 4, type: 'gue' }]);
  });

  it.each([
    ['links', undefined, 'cannot read the interfaces: Operation not permitted (needs root (CAP_NET_ADMIN, write access to /proc/sys))'],
    ['addresses', undefined, 'cannot read the addresses: I/o error'],
    ['sysctl.read', 'net/ipv4/ip_forward', 'cannot read sysctl net/ipv4/ip_forward: Permission denied (needs root (CAP_NET_ADMIN, write access to /proc/sys))'],
  ] as const)('a failing read of %s is a SystemError', async (op, target, message) => {
    const sys = new FakeSystem().failOn(op, target, { errno: op === 'addresses' ? 5 : op === 'links' ? 1 : 13 });
    const e = await observe(sys, scopeOf(desiredState(dir('nat', '')))).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SystemError);
    expect((e as Error).message).toBe(message);
  });

  it('a failing rtnetlink socket is a SystemError too', async () => {
    const sys = new FakeSystem();
    sys.rtnl = () => Promise.reject(Object.assign(new Error('socket'), { errno: -93 }));
    const e = await observe(sys, scopeOf(undefined)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SystemError);
    expect((e as Error).message).toBe('cannot read the network configuration (rtnetlink): Protocol not supported');
  });
});
