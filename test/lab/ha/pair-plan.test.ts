// The VRRP pair's plan and keepalived configuration (src/lab/ha): the addresses VRRP moves per mode,
// keepalived.conf's blocks as keepalived's syntax wants them, `director up` arguments, the network commands.
import { describe, expect, it } from 'vitest';
import { keepalivedArgs, keepalivedConf } from '../../../src/lab/ha/keepalived.js';
import { directorUpArgs, pairCommands, pairTeardownCommands, planPair, readyArgs, vrrpNode } from '../../../src/lab/ha/pair-plan.js';

const gate = { kind: 'script', command: '/usr/bin/node /opt/ipvsadm.js director ready', intervalSeconds: 1, timeoutSeconds: 5, fall: 2, rise: 2 } as const;

describe('planPair', () => {
  it('DR: one link, the VIP is the only VRRP address, real servers on the client side', () => {
    const p = planPair('dr');
    expect(p.bridges).toEqual(['hvout']);
    expect(vrrpNode(p, 'd1', undefined).addresses).toEqual([{ addr: '203.0.113.100', prefix: 32, dev: 'eth0' }]);
    expect(p.rules).toBe('-A -t 203.0.113.100:80 -s rr\n-a -t 203.0.113.100:80 -r 203.0.113.21:80 -g -w 1\n-a -t 203.0.113.100:80 -r 203.0.113.22:80 -g -w 1\n');
    expect(p.servers.every((s) => s.gateway === undefined)).toBe(true);
  });

  it('NAT: an inside link; its gateway address moves with the VIP and the real servers route through it', () => {
    const p = planPair('nat');
    expect(p.bridges).toEqual(['hvout', 'hvin']);
    const node = vrrpNode(p, 'd2', undefined);
    expect(node.addresses).toEqual([
      { addr: '203.0.113.100', prefix: 32, dev: 'eth0' },
      { addr: '198.51.100.254', prefix: 32, dev: 'eth1' },
    ]);
    expect(node.trackInterfaces).toEqual(['eth1']);
    expect(p.servers.map((s) => s.gateway)).toEqual(['198.51.100.254', '198.51.100.254']);
    expect(p.rules).toContain('-a -t 203.0.113.100:80 -r 198.51.100.21:80 -m -w 1\n');
  });

  it('d1 is preferred; both use the same router id on the same interface', () => {
    const p = planPair('dr');
    const [a, b] = [vrrpNode(p, 'd1', undefined), vrrpNode(p, 'd2', undefined)];
    expect(a.priority).toBeGreaterThan(b.priority);
    expect([a.virtualRouterId, a.interface]).toEqual([b.virtualRouterId, b.interface]);
  });

  it('director up with and without sync daemons; the gate asks for the same sync role', () => {
    const p = planPair('nat');
    expect(directorUpArgs(p, 'both')).toEqual(['director', 'up', '--mode', 'nat', '--dev', 'eth0', '--ha', 'pair', '--sync', 'both', '--mcast-interface', 'eth0', '--syncid', '7']);
    expect(directorUpArgs(p, 'none')).toEqual(['director', 'up', '--mode', 'nat', '--dev', 'eth0', '--ha', 'pair', '--sync', 'none']);
    expect(readyArgs('/r', 'none')).toEqual(['director', 'ready', '--rules', '/r', '--ha', 'pair', '--sync', 'none']);
  });

  it('every namespace and veth is made once and removed; names fit 15 characters', () => {
    const p = planPair('nat', 'lab');
    const made = pairCommands(p);
    const links = made.flatMap((c) => /^ip link add (\S+) type veth/.exec(c)?.[1] ?? []);
    expect(links).toHaveLength(7); // client 1, directors 2 each, real servers 1 each
    expect(new Set(links).size).toBe(7);
    expect(links.every((l) => l.length <= 15)).toBe(true);
    const gone = pairTeardownCommands(p);
    for (const l of links) expect(gone).toContain(`ip link del ${l}`);
    for (const ns of made.flatMap((c) => /^ip netns add (\S+)$/.exec(c)?.[1] ?? [])) expect(gone).toContain(`ip netns del ${ns}`);
    // the links go before their namespaces
    expect(gone.findIndex((c) => c.startsWith('ip netns del'))).toBeGreaterThan(gone.findIndex((c) => c.startsWith('ip link del lab-')));
  });
});

describe('keepalivedConf', () => {
  const p = planPair('nat');

  it('an instance starting as BACKUP with both addresses on their devices, tracking the inside link', () => {
    const text = keepalivedConf(vrrpNode(p, 'd1', undefined));
    expect(text).toMatch(/^vrrp_instance \S+ \{\n {4}state BACKUP\n {4}interface eth0\n {4}virtual_router_id 51\n {4}priority 150\n {4}advert_int 1\n {4}preempt_delay 8\n/m);
    expect(text).toContain('    virtual_ipaddress {\n        203.0.113.100/32 dev eth0\n        198.51.100.254/32 dev eth1\n    }\n');
    expect(text).toContain('    track_interface {\n        eth1\n    }\n');
    expect(text).not.toContain('vrrp_script');
    expect(text).not.toContain('track_script');
  });

  it('with a gate: script security, the check with its timing, tracked by the instance', () => {
    const text = keepalivedConf(vrrpNode(p, 'd2', gate));
    expect(text).toMatch(/^global_defs \{\n {4}router_id lvs-d2\n {4}enable_script_security\n {4}script_user root\n\}\n/);
    expect(text).toContain('vrrp_script ipvs_ready {\n    script "/usr/bin/node /opt/ipvsadm.js director ready"\n    interval 1\n    timeout 5\n    fall 2\n    rise 2\n}\n');
    expect(text).toContain('    track_script {\n        ipvs_ready\n    }\n');
    // braces balance
    expect(text.split('{').length).toBe(text.split('}').length);
  });

  it('with a file gate: track_file at weight 0, starting not ready, tracked by the instance; no script security needed', () => {
    const text = keepalivedConf(vrrpNode(p, 'd1', { kind: 'file', file: '/run/ready' }));
    expect(text).toContain('track_file ipvs_ready {\n    file "/run/ready"\n    weight 0\n    init_file 1\n}\n');
    expect(text).toContain('    track_file {\n        ipvs_ready\n    }\n');
    expect(text).not.toContain('script');
  });

  it('refuses a script without an absolute path (keepalived would not run it)', () => {
    expect(() => keepalivedConf(vrrpNode(p, 'd1', { ...gate, command: 'ipvsadm director ready' }))).toThrow(/absolute path/);
  });

  it('runs in the foreground in the namespace, VRRP only, with its own pid files', () => {
    expect(keepalivedArgs('ns1', { conf: '/c', pid: '/p', vrrpPid: '/v' })).toEqual(['-s', 'ns1', '-P', '-n', '-l', '-G', '-R', '-f', '/c', '-p', '/p', '-r', '/v']);
  });
});
