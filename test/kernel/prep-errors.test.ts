// `ipvsadm realserver|director` against the real kernel when things go wrong: unknown interface,
// a VIP that is no address, a VIP already elsewhere, not root, a module that cannot load. Each
// gives a clear message and its exit status and leaves the namespace exactly as it was. Also:
// a module that is not loaded yet is loaded by `up` (modprobe), and check reports readiness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipvsadmIn, sh } from '../../src/lab/world.js';
import { assertInGuest, createNetns, deleteNetns } from './support/guest.js';

assertInGuest();

let ns: string;

/** Everything preparation could touch in the namespace, as text. */
function state(): string {
  return [
    sh(`ip -n ${ns} -o link show`).stdout.replace(/\\.*$/gm, ''),
    sh(`ip -n ${ns} -o addr show`).stdout,
    sh(`ip netns exec ${ns} sh -c 'grep -r . /proc/sys/net/ipv4/conf/*/arp_* /proc/sys/net/ipv4/conf/*/rp_filter /proc/sys/net/ipv4/ip_forward'`).stdout,
    sh('ls /run/ipvsadm-ts 2>/dev/null || true').stdout,
  ].join('\n');
}

function run(args: string): { code: number; stdout: string; stderr: string } {
  return ipvsadmIn(ns, args.split(' '));
}

beforeAll(() => {
  ns = createNetns('prep');
  sh(`ip -n ${ns} link add eth0 type dummy && ip -n ${ns} link set eth0 up`);
});
afterAll(() => deleteNetns(ns));

describe('realserver/director errors change nothing', () => {
  it('unknown interface: exit 2, names it', () => {
    const before = state();
    const r = run('realserver up --mode dr --vip 192.0.2.100 --dev nosuch0');
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe('ipvsadm realserver up: unknown interface nosuch0\nnothing was changed\n');
    expect(state()).toBe(before);
  });

  it('a VIP that is not an address: exit 2, names it', () => {
    const before = state();
    const r = run('realserver up --mode dr --vip 192.0.2.100,vip.example');
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe('ipvsadm realserver up: --vip vip.example: not an IPv4 or IPv6 address\n');
    expect(state()).toBe(before);
  });

  it('a VIP already on another interface of a real server: exit 2 (it would answer ARP there)', () => {
    sh(`ip -n ${ns} addr add 192.0.2.100/24 dev eth0`);
    const before = state();
    const r = run('realserver up --mode dr --vip 192.0.2.100');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('192.0.2.100 is already on eth0 as /24');
    expect(state()).toBe(before);
    sh(`ip -n ${ns} addr del 192.0.2.100/24 dev eth0`);
  });

  it('not root: exit 3, says root is needed, nothing left applied', () => {
    const before = state();
    const r = sh(`ip netns exec ${ns} setpriv --reuid=65534 --regid=65534 --clear-groups ${process.execPath} bin/ipvsadm.js realserver up --mode dr --vip 192.0.2.100 --state-dir /tmp/prep-nobody`, { check: false });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ipvsadm realserver up: cannot set net\.ipv4\.conf\.all\.arp_ignore = 1 \(was 0\): .*needs root/);
    expect(r.stderr).toContain('nothing of this run remains applied');
    expect(state()).toBe(before);
  });

  it('a module that cannot load: exit 3 with modprobe\'s words; nothing applied', () => {
    const loaded = sh('test -d /sys/module/ip6_gre && echo yes || echo no').stdout.trim();
    expect(loaded, 'ip6_gre must not be loaded for this case').toBe('no');
    const before = state();
    const r = sh(`ip netns exec ${ns} env MODPROBE_OPTIONS=-d/nonexistent ${process.execPath} bin/ipvsadm.js realserver up --mode tun --tun-type gre --vip 2001:db8::100`, { check: false });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^ipvsadm realserver up: cannot load module ip6_gre: .+/);
    expect(state()).toBe(before);
  });
});

describe('a module that is not loaded yet', () => {
  it('up loads it (GRE over IPv6: ip6_gre, ip6gre0), check is ready, down takes the VIP away again', () => {
    const dry = run('realserver up --mode tun --tun-type gre --vip 2001:db8::100 --dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('  load module ip6_gre\n');
    expect(run('realserver check --mode tun --tun-type gre --vip 2001:db8::100').code).toBe(1);
    const up = run('realserver up --mode tun --tun-type gre --vip 2001:db8::100');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('  load module ip6_gre\n');
    expect(up.stdout).toContain('  add 2001:db8::100/128 to ip6gre0 (nodad, deprecated)\n');
    // Deprecated in the kernel's eyes: it receives, but is never picked as a source address.
    expect(sh(`ip -n ${ns} -6 addr show dev ip6gre0`).stdout).toMatch(/inet6 2001:db8::100\/128 scope global nodad deprecated/);
    const check = run('realserver check --mode tun --tun-type gre --vip 2001:db8::100 --json');
    expect(check.code, check.stdout).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ side: 'realserver', ready: true });
    const down = run('realserver down');
    expect(down.code, down.stderr).toBe(0);
    expect(sh(`ip -n ${ns} -o addr show`).stdout).not.toContain('2001:db8::100');
  });
});
