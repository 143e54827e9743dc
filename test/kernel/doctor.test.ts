// `ipvsadm doctor` in the kernel: IPVS, every scheduler, the sip engine and the tunnel modules
// found (loaded or loadable by modprobe); a NAT service with ip_forward off fails (exit 1) until
// it is on; a process named keepalived is seen as another manager; real servers judged by the
// director's routes and neighbours (a connected network, a gateway, none, an unreachable route,
// its own address, a next hop that failed ARP), as `ip route get` sees them; connection sync: a
// master daemon alone warns, master and backup do not, its interface judged (a dummy is not
// multicast-capable, a veth set down fails), an mh service with sloppy_tcp 0 warns and with 1
// does not. JSON of the shipped schema.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validJson } from '../support/json-schema.js';
import { assertInGuest, createNetns, deleteNetns, resetIpvs, runC, sh } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

interface Check {
  check: string;
  verdict: string;
  detail: string;
  fix?: string;
}

let forward = '';
let sloppy = '';
let peer = '';
beforeAll(() => {
  resetIpvs();
  forward = sh('sysctl -n net.ipv4.ip_forward').stdout.trim();
  sloppy = sh('sysctl -n net.ipv4.vs.sloppy_tcp').stdout.trim();
  // the director's networks: 198.51.100.0/25 on a dummy, 198.51.100.128/25 on a veth whose peer
  // is in a namespace of its own; 203.0.113.0/25 through a gateway, 203.0.113.128/25 unreachable
  // (the kernel answers `ip route get` there with EHOSTUNREACH)
  peer = createNetns('doc');
  sh(
    'ip link add dd0 type dummy && ip addr add 198.51.100.126/25 dev dd0 && ip link set dd0 up && ' +
      `ip link add vt0 type veth peer name vt1 netns ${peer} && ip addr add 198.51.100.254/25 dev vt0 && ip link set vt0 up && ip -n ${peer} link set vt1 up && ` +
      'ip route add 203.0.113.0/25 via 198.51.100.1 && ip route add unreachable 203.0.113.128/25',
  );
});

afterAll(() => {
  sh(`sysctl -qw net.ipv4.ip_forward=${forward} net.ipv4.vs.sloppy_tcp=${sloppy}`);
  sh('ip route del unreachable 203.0.113.128/25; ip route del 203.0.113.0/25; ip link del dd0; ip link del vt0', { check: false });
  deleteNetns(peer);
  resetIpvs();
});

async function doctor(): Promise<{ code: number; checks: Map<string, Check> }> {
  const r = await runOurs(['doctor', '--json']);
  expect(r.stderr).toBe('');
  const checks = validJson(r.stdout)['checks'] as Check[];
  return { code: r.code, checks: new Map(checks.map((c) => [c.check, c])) };
}

describe('ipvsadm doctor', () => {
  it('finds IPVS, every scheduler, sip and the tunnel modules of this kernel', async () => {
    const { code, checks } = await doctor();
    expect(code).toBe(0);
    expect(checks.get('ipvs')).toMatchObject({ verdict: 'ok', detail: 'IPVS answers: 0 services, 0 real servers' });
    for (const s of ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh']) expect(checks.get(`scheduler ${s}`)?.verdict, s).toBe('ok');
    for (const c of ['persistence engine sip', 'tunnel ipip', 'tunnel gue', 'tunnel gre']) expect(checks.get(c)?.verdict, c).toBe('ok');
  });

  it('a NAT service with ip_forward off fails until it is on; keepalived running is another manager', async () => {
    for (const line of ['-A -t 192.0.2.60:80 -s rr', '-a -t 192.0.2.60:80 -r 198.51.100.1:8080 -m']) runC(line.split(' '));
    sh('sysctl -qw net.ipv4.ip_forward=0');
    const off = await doctor();
    expect(off.code).toBe(1);
    expect(off.checks.get('net.ipv4.ip_forward')).toMatchObject({ verdict: 'fail', fix: 'sysctl -w net.ipv4.ip_forward=1 (or: ipvsadm director up --mode nat)' });
    sh('sysctl -qw net.ipv4.ip_forward=1');
    // a process whose name (comm, from the program file's name) is keepalived
    const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
    copyFileSync('/bin/sleep', join(dir, 'keepalived'));
    const keepalived = spawn(join(dir, 'keepalived'), ['60'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const on = await doctor();
      expect(on.code).toBe(0);
      expect(on.checks.get('net.ipv4.ip_forward')?.verdict).toBe('ok');
      expect(on.checks.get('other managers')).toMatchObject({ verdict: 'warn', detail: 'running: keepalived; they change the table too' });
    } finally {
      keepalived.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('real servers: judged by the route and the neighbour entry ip route get and ip neigh show', async () => {
    resetIpvs();
    sh('sysctl -qw net.ipv4.ip_forward=1');
    // a next hop that did not answer ARP: what the kernel records after a failed resolution
    sh('ip neigh replace 198.51.100.140 dev vt0 nud failed');
    const servers = [
      ['198.51.100.2', '-g'], // on a network the director is attached to
      ['203.0.113.5', '-g'], // direct routing through a gateway
      ['203.0.113.6', '-m'], // NAT through a gateway
      ['192.0.2.200', '-m'], // no route at all
      ['203.0.113.130', '-i'], // an unreachable route
      ['198.51.100.126', '-m'], // the director's own address
      ['198.51.100.140', '-g'], // ARP failed
    ];
    runC(['-A', '-t', '192.0.2.61:80', '-s', 'rr']);
    for (const [rs, method] of servers) {
      const r = runC(['-a', '-t', '192.0.2.61:80', '-r', rs!, method!]);
      expect(r.stderr, rs).toBe('');
    }
    expect(sh('ip route get 203.0.113.5').stdout).toContain('via 198.51.100.1 dev dd0');
    expect(sh('ip route get 192.0.2.200', { check: false }).stderr).toContain('unreachable');
    expect(sh('ip neigh show 198.51.100.140 dev vt0').stdout).toContain('FAILED');
    const { code, checks } = await doctor();
    expect(code).toBe(1);
    const verdicts = Object.fromEntries([...checks.values()].filter((c) => c.check.startsWith('real server')).map((c) => [c.check, `${c.verdict}: ${c.detail}`]));
    expect(verdicts).toEqual({
      'real server routes': 'ok: 1 of 7 real server addresses reached as their forwarding method needs',
      'real server 203.0.113.5': 'fail: direct routing needs the real server on a network this director is attached to, but it is reached via 198.51.100.1 on dd0',
      'real server 203.0.113.6': 'info: reached via 198.51.100.1 on dd0: for NAT its replies to clients must come back through this director (its route to the clients goes through here)',
      'real server 192.0.2.200': 'fail: no route (ENETUNREACH); used by NAT',
      'real server 203.0.113.130': 'fail: no route (EHOSTUNREACH); used by tunnel',
      'real server 198.51.100.126': 'info: an address of this director: IPVS serves it locally (NAT)',
      'real server 198.51.100.140': 'warn: it did not answer ARP/ND (neighbour FAILED) on vt0',
    });
  });

  it('connection sync: a master alone warns, master and backup do not; the interface is judged; mh wants sloppy_tcp', async () => {
    resetIpvs();
    const start = (args: string): void => {
      const r = runC(args.split(' '));
      expect(r.stderr, args).toBe('');
    };
    const sync = async (): Promise<Record<string, string>> => {
      const { checks } = await doctor();
      const picked = [...checks.values()].filter((c) => c.check.startsWith('sync') || c.check.startsWith('net.ipv4.vs.s'));
      return Object.fromEntries(picked.map((c) => [c.check, `${c.verdict}: ${c.detail}`]));
    };
    expect((await sync())['sync daemons']).toMatch(/^info: none/);
    // a dummy link has no MULTICAST flag; the kernel still starts a master on it
    expect(sh('ip link show dd0').stdout).not.toContain('MULTICAST');
    start('--start-daemon master --mcast-interface dd0 --syncid 7');
    const onDummy = await sync();
    expect(onDummy['sync daemons']).toMatch(/^warn: master only/);
    expect(onDummy['sync master interface dd0']).toMatch(/^fail: not multicast-capable/);
    expect(onDummy['net.ipv4.vs.sync_version']).toBe(`ok: ${sh('sysctl -n net.ipv4.vs.sync_version').stdout.trim()}: the current message format (IPv4 and IPv6 entries, persistence-engine data)`);
    runC(['--stop-daemon', 'master']);
    // a veth whose peer is up: up, carrier, multicast
    expect(sh('ip link show vt0').stdout).toMatch(/<BROADCAST,MULTICAST,UP,LOWER_UP>/);
    start('--start-daemon master --mcast-interface vt0 --syncid 7');
    start('--start-daemon backup --mcast-interface vt0 --syncid 7');
    const pair = await sync();
    expect(pair['sync daemons']).toMatch(/^ok: master and backup/);
    expect(pair['sync master interface vt0']).toBe('ok: up, with carrier, multicast-capable');
    expect(pair['sync backup interface vt0']).toBe('ok: up, with carrier, multicast-capable');
    expect(pair['sync id (backup)']).toBe('info: 7: takes only messages with this ID; messages with another are ignored');
    sh('ip link set vt0 down');
    try {
      expect((await sync())['sync master interface vt0']).toMatch(/^fail: down/);
    } finally {
      sh('ip link set vt0 up');
    }
    // an mh service: sloppy_tcp 0 warns, 1 is ok
    start('-A -t 192.0.2.62:80 -s mh');
    start('-a -t 192.0.2.62:80 -r 198.51.100.2:80 -g');
    sh('sysctl -qw net.ipv4.vs.sloppy_tcp=0');
    const off = await sync();
    expect(off['net.ipv4.vs.sloppy_tcp']).toMatch(/^warn: 0: mh services \(tcp 192\.0\.2\.62:80\) are scheduled only on a SYN; .* is not scheduled: it is dropped/);
    sh('sysctl -qw net.ipv4.vs.sloppy_tcp=1');
    expect((await sync())['net.ipv4.vs.sloppy_tcp']).toMatch(/^ok: 1: /);
    resetIpvs();
  });
});
