// Smoke test of the kernel harness: we really are inside the user-mode kernel, as root, with IPVS
// and every scheduler loaded; the C ipvsadm drives it; tables are per network namespace.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertInGuest,
  createNetns,
  deleteNetns,
  inNetns,
  resetIpvs,
  runC,
  sh,
  withNetns,
} from './support/guest.js';

assertInGuest();

const HEADER = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
];
const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];

describe('guest environment', () => {
  it('runs as root in the user-mode kernel with IPVS present', () => {
    expect(process.getuid?.()).toBe(0);
    expect(readFileSync('/proc/cpuinfo', 'utf8')).toMatch(/^vendor_id\s*: User Mode Linux$/m);
    expect(existsSync('/proc/net/ip_vs')).toBe(true);
  });

  it('has every scheduler, the SIP persistence engine, FTP helper and tunnel modules loaded', () => {
    const loaded = new Set(
      readFileSync('/proc/modules', 'utf8')
        .split('\n')
        .map((line) => line.split(' ')[0]),
    );
    const wanted = [
      'ip_vs',
      ...SCHEDULERS.map((s) => `ip_vs_${s}`),
      'ip_vs_pe_sip',
      'ip_vs_ftp',
      'ipip',
      'fou',
      'ip_gre',
      'ip6_tunnel',
      'dummy',
      'veth',
      'bridge',
    ];
    expect(wanted.filter((m) => !loaded.has(m))).toEqual([]);
  });

  it('keeps /run/netns private to the guest and provides /dev/stdin for process substitution', () => {
    expect(sh('findmnt -n -o FSTYPE /run').stdout.trim()).toBe('tmpfs');
    expect(sh('cat <(echo substituted)').stdout).toBe('substituted\n');
  });

  it('assertInGuest throws when the guest marker is absent', () => {
    const saved = process.env['IPVSADM_TS_GUEST'];
    delete process.env['IPVSADM_TS_GUEST'];
    try {
      expect(() => assertInGuest()).toThrow(/OUTSIDE THE TEST GUEST/);
    } finally {
      process.env['IPVSADM_TS_GUEST'] = saved;
    }
  });
});

describe('C ipvsadm against the real kernel', () => {
  let ns = '';
  beforeAll(() => {
    ns = createNetns('harness');
  });
  afterAll(() => {
    if (ns) deleteNetns(ns);
  });

  it('lists an empty table with the kernel version line', () => {
    const r = runC(['-Ln'], { netns: ns });
    expect(r).toEqual({ code: 0, stdout: `${HEADER.join('\n')}\n`, stderr: '' });
  });

  it('adds a service and a masqueraded real server and lists them exactly', () => {
    expect(runC(['-A', '-t', '192.0.2.1:80', '-s', 'rr'], { netns: ns }).code).toBe(0);
    expect(runC(['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.2:8080', '-m', '-w', '3'], { netns: ns }).code).toBe(0);
    const r = runC(['-Ln'], { netns: ns });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      ...HEADER,
      'TCP  192.0.2.1:80 rr',
      '  -> 198.51.100.2:8080            Masq    3      0          0         ',
      '',
    ]);
  });

  it('reports the kernel refusing a duplicate service with exit status 255', () => {
    const r = runC(['-A', '-t', '192.0.2.1:80', '-s', 'rr'], { netns: ns });
    expect(r).toEqual({ code: 255, stdout: '', stderr: 'Service already exists\n' });
  });

  it('accepts every scheduler and rejects an unknown one', () => {
    SCHEDULERS.forEach((sched, i) => {
      const r = runC(['-A', '-u', `203.0.113.7:${1000 + i}`, '-s', sched], { netns: ns });
      expect({ sched, ...r }).toEqual({ sched, code: 0, stdout: '', stderr: '' });
    });
    const bad = runC(['-A', '-u', '203.0.113.7:999', '-s', 'nosuch'], { netns: ns });
    expect(bad).toEqual({ code: 255, stdout: '', stderr: 'Scheduler or persistence engine not found\n' });
  });

  it('feeds stdin: restore then save round-trips a rule', () => {
    resetIpvs(ns);
    const restore = runC(['-R'], { netns: ns, stdin: '-A -t 192.0.2.5:80 -s wrr\n' });
    expect(restore.code).toBe(0);
    expect(runC(['-Sn'], { netns: ns }).stdout).toBe('-A -t 192.0.2.5:80 -s wrr\n');
  });

  it('resetIpvs flushes services and restores the default timeouts', () => {
    expect(runC(['--set', '10', '20', '30'], { netns: ns }).code).toBe(0);
    expect(runC(['-L', '--timeout'], { netns: ns }).stdout).toBe('Timeout (tcp tcpfin udp): 10 20 30\n');
    resetIpvs(ns);
    expect(runC(['-L', '--timeout'], { netns: ns }).stdout).toBe('Timeout (tcp tcpfin udp): 900 120 300\n');
    expect(runC(['-Ln'], { netns: ns }).stdout).toBe(`${HEADER.join('\n')}\n`);
  });
});

describe('network namespaces', () => {
  it('give each namespace its own IPVS table', async () => {
    await withNetns(async (a) => {
      await withNetns((b) => {
        expect(runC(['-A', '-t', '192.0.2.20:443', '-s', 'wlc'], { netns: a }).code).toBe(0);
        expect(runC(['-Ln'], { netns: a }).stdout).toContain('TCP  192.0.2.20:443 wlc');
        expect(runC(['-Ln'], { netns: b }).stdout).toBe(`${HEADER.join('\n')}\n`);
        expect(runC(['-Ln']).stdout).not.toContain('192.0.2.20:443');
      });
    });
  });

  it('give each namespace its own interfaces, with lo up', async () => {
    await withNetns((a) => {
      inNetns(a, 'ip link add kt-dummy0 type dummy && ip addr add 192.0.2.30/24 dev kt-dummy0');
      expect(inNetns(a, 'ip -o -4 addr show dev kt-dummy0').stdout).toContain('192.0.2.30/24');
      expect(inNetns(a, 'ip -o link show lo').stdout).toMatch(/<LOOPBACK,UP,LOWER_UP>/);
      expect(sh('ip link show kt-dummy0', { check: false }).code).not.toBe(0);
    });
  });
});
