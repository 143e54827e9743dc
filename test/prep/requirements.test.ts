// requirements.ts: what each side and mode needs (modules, sysctls in order, links, addresses,
// fou ports) for IPv4, IPv6 and mixed VIP sets, with and without --dev.
import { describe, expect, it } from 'vitest';
import type { Desired } from '../../src/prep/model.js';
import { IP_VS, TUNNELS, desiredState } from '../../src/prep/requirements.js';
import { dir, rs } from './support.js';

const sysctls = (d: Desired): string[] => d.sysctls.map((s) => `${s.key}=${s.value}`);
const addrs = (d: Desired): string[] => d.addresses.map((a) => `${a.vip.text}/${a.prefix} ${a.dev ?? '(any)'}${a.nodad ? ' nodad' : ''}`);
const mods = (d: Desired): string[] => d.modules.map((m) => m.name);

describe('real server, DR', () => {
  it('IPv4: VIP /32 on lo, arp_ignore=1 and arp_announce=2 on all and lo', () => {
    const d = desiredState(rs('dr', '192.0.2.1'));
    expect(sysctls(d)).toEqual([
      'net/ipv4/conf/all/arp_ignore=1',
      'net/ipv4/conf/all/arp_announce=2',
      'net/ipv4/conf/lo/arp_ignore=1',
      'net/ipv4/conf/lo/arp_announce=2',
    ]);
    expect(addrs(d)).toEqual(['192.0.2.1/32 lo']);
    expect(d.modules).toEqual([]);
    expect(d.links).toEqual(['lo']);
    expect(d.devices).toEqual(['lo']);
    expect(d.fouPorts).toEqual([]);
    expect(d.exclusiveVips).toBe(true);
  });

  it('--dev adds the ARP sysctls of that device after lo, and requires it to exist', () => {
    const d = desiredState(rs('dr', '192.0.2.1,192.0.2.2', { dev: 'eth0' }));
    expect(sysctls(d)).toEqual([
      'net/ipv4/conf/all/arp_ignore=1',
      'net/ipv4/conf/all/arp_announce=2',
      'net/ipv4/conf/lo/arp_ignore=1',
      'net/ipv4/conf/lo/arp_announce=2',
      'net/ipv4/conf/eth0/arp_ignore=1',
      'net/ipv4/conf/eth0/arp_announce=2',
    ]);
    expect(addrs(d)).toEqual(['192.0.2.1/32 lo', '192.0.2.2/32 lo']);
    expect(d.devices).toEqual(['lo', 'eth0']);
  });

  it('--dev lo does not repeat lo', () => {
    const d = desiredState(rs('dr', '192.0.2.1', { dev: 'lo' }));
    expect(d.devices).toEqual(['lo']);
    expect(sysctls(d)).toHaveLength(4);
  });

  it('IPv6 only: /128 nodad on lo and no ARP sysctls', () => {
    const d = desiredState(rs('dr', '2001:db8::1'));
    expect(sysctls(d)).toEqual([]);
    expect(addrs(d)).toEqual(['2001:db8::1/128 lo nodad']);
  });
});

describe('real server, TUN', () => {
  it('ipip, IPv4: module ipip (marker tunl0), VIP on tunl0, rp_filter=0 on all, default, tunl0', () => {
    const d = desiredState(rs('tun', '192.0.2.1'));
    expect(d.modules).toEqual([{ name: 'ipip', marker: { link: 'tunl0' } }]);
    expect(sysctls(d)).toEqual([
      'net/ipv4/conf/all/arp_ignore=1',
      'net/ipv4/conf/all/arp_announce=2',
      'net/ipv4/conf/all/rp_filter=0',
      'net/ipv4/conf/default/rp_filter=0',
      'net/ipv4/conf/tunl0/rp_filter=0',
    ]);
    expect(d.links).toEqual(['tunl0']);
    expect(addrs(d)).toEqual(['192.0.2.1/32 tunl0']);
    expect(d.devices).toEqual(['lo']);
    expect(d.fouPorts).toEqual([]);
  });

  it('with --dev: all keys first, then default, then devices in first-mention order', () => {
    const d = desiredState(rs('tun', '192.0.2.1', { dev: 'eth0' }));
    expect(sysctls(d)).toEqual([
      'net/ipv4/conf/all/arp_ignore=1',
      'net/ipv4/conf/all/arp_announce=2',
      'net/ipv4/conf/all/rp_filter=0',
      'net/ipv4/conf/default/rp_filter=0',
      'net/ipv4/conf/eth0/arp_ignore=1',
      'net/ipv4/conf/eth0/arp_announce=2',
      'net/ipv4/conf/tunl0/rp_filter=0',
    ]);
    expect(d.devices).toEqual(['lo', 'eth0']);
  });

  it('gue: adds module fou and a GUE port per VIP family (default 6080)', () => {
    const d = desiredState(rs('tun', '192.0.2.1', { tunType: 'gue' }));
    expect(mods(d)).toEqual(['ipip', 'fou']);
    expect(d.modules[1]).toEqual({ name: 'fou', marker: { genl: 'fou' } });
    expect(d.fouPorts).toEqual([{ port: 6080, family: 4 }]);
    expect(addrs(d)).toEqual(['192.0.2.1/32 tunl0']);
  });

  it('gue with both families: ipip, fou, ip6_tunnel once each; two ports; IPv6 on ip6tnl0', () => {
    const d = desiredState(rs('tun', '2001:db8::5,192.0.2.1', { tunType: 'gue', tunPort: 5555 }));
    expect(mods(d)).toEqual(['ipip', 'fou', 'ip6_tunnel']);
    expect(d.links).toEqual(['tunl0', 'ip6tnl0']);
    expect(d.fouPorts).toEqual([{ port: 5555, family: 4 }, { port: 5555, family: 6 }]);
    expect(addrs(d)).toEqual(['2001:db8::5/128 ip6tnl0 nodad', '192.0.2.1/32 tunl0']);
    expect(sysctls(d)).toContain('net/ipv4/conf/tunl0/rp_filter=0');
  });

  it('gre, IPv4: ip_gre and gre0', () => {
    const d = desiredState(rs('tun', '192.0.2.1', { tunType: 'gre' }));
    expect(d.modules).toEqual([{ name: 'ip_gre', marker: { link: 'gre0' } }]);
    expect(d.links).toEqual(['gre0']);
    expect(addrs(d)).toEqual(['192.0.2.1/32 gre0']);
    expect(sysctls(d).slice(2)).toEqual(['net/ipv4/conf/all/rp_filter=0', 'net/ipv4/conf/default/rp_filter=0', 'net/ipv4/conf/gre0/rp_filter=0']);
  });

  it('gre, IPv6 only: ip6_gre and ip6gre0, no IPv4 sysctls', () => {
    const d = desiredState(rs('tun', '2001:db8::1', { tunType: 'gre' }));
    expect(d.modules).toEqual([{ name: 'ip6_gre', marker: { link: 'ip6gre0' } }]);
    expect(addrs(d)).toEqual(['2001:db8::1/128 ip6gre0 nodad']);
    expect(d.sysctls).toEqual([]);
  });

  it('ipip, IPv6 only: ip6_tunnel and ip6tnl0', () => {
    const d = desiredState(rs('tun', '2001:db8::1'));
    expect(d.modules).toEqual([{ name: 'ip6_tunnel', marker: { link: 'ip6tnl0' } }]);
    expect(d.links).toEqual(['ip6tnl0']);
    expect(d.sysctls).toEqual([]);
  });

  it('the tunnel table names each fallback device', () => {
    expect(TUNNELS.ipip[4].dev).toBe('tunl0');
    expect(TUNNELS.ipip[6].dev).toBe('ip6tnl0');
    expect(TUNNELS.gue[4].dev).toBe('tunl0');
    expect(TUNNELS.gue[6].dev).toBe('ip6tnl0');
    expect(TUNNELS.gre[4].dev).toBe('gre0');
    expect(TUNNELS.gre[6].dev).toBe('ip6gre0');
  });
});

describe('director', () => {
  it('nat, IPv4 VIP without --dev: ip_forward=1, send_redirects=0 on all, ip_vs, VIP local somewhere', () => {
    const d = desiredState(dir('nat', '192.0.2.1'));
    expect(sysctls(d)).toEqual(['net/ipv4/ip_forward=1', 'net/ipv4/conf/all/send_redirects=0']);
    expect(d.modules).toEqual([IP_VS]);
    expect(IP_VS).toEqual({ name: 'ip_vs', marker: { genl: 'IPVS' } });
    expect(addrs(d)).toEqual(['192.0.2.1/32 (any)']);
    expect(d.devices).toEqual([]);
    expect(d.links).toEqual([]);
    expect(d.exclusiveVips).toBe(false);
  });

  it('nat without VIPs still forwards IPv4', () => {
    expect(sysctls(desiredState(dir('nat', '')))).toEqual(['net/ipv4/ip_forward=1', 'net/ipv4/conf/all/send_redirects=0']);
  });

  it('nat with --dev: send_redirects=0 on the device too (the kernel ORs all and dev)', () => {
    expect(sysctls(desiredState(dir('nat', '192.0.2.1', 'eth0')))).toEqual([
      'net/ipv4/ip_forward=1',
      'net/ipv4/conf/all/send_redirects=0',
      'net/ipv4/conf/eth0/send_redirects=0',
    ]);
  });

  it('nat with IPv6 VIPs only: IPv6 forwarding only', () => {
    expect(sysctls(desiredState(dir('nat', '2001:db8::1')))).toEqual(['net/ipv6/conf/all/forwarding=1']);
  });

  it('nat with both families: both', () => {
    expect(sysctls(desiredState(dir('nat', '2001:db8::1,192.0.2.1')))).toEqual([
      'net/ipv4/ip_forward=1',
      'net/ipv4/conf/all/send_redirects=0',
      'net/ipv6/conf/all/forwarding=1',
    ]);
  });

  it.each(['dr', 'tun'] as const)('%s with --dev: no sysctls, the device up with the VIPs on it', (mode) => {
    const d = desiredState(dir(mode, '192.0.2.1,2001:db8::1', 'eth0'));
    expect(d.sysctls).toEqual([]);
    expect(d.devices).toEqual(['eth0']);
    expect(d.links).toEqual(['eth0']);
    expect(addrs(d)).toEqual(['192.0.2.1/32 eth0', '2001:db8::1/128 eth0 nodad']);
    expect(mods(d)).toEqual(['ip_vs']);
  });
});
