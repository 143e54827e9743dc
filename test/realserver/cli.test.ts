// `ipvsadm realserver|director ...` through runPrepCli with a captured Io and the fake System: help,
// usage errors (exit 2, the problem named on stderr, the system untouched), check, dry runs, an
// up/up/down cycle, refused changes rolled back (exit 3) or not (exit 4), and --json, as exact text.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPrepCli } from '../../src/realserver/cli.js';
import type { Side } from '../../src/prep/model.js';
import { captureIo } from '../support/capture-io.js';
import { FakeSystem } from '../support/fake-system.js';
import { tempDir } from '../prep/support.js';

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(side: Side, argv: readonly string[], sys = new FakeSystem()): Promise<Outcome> {
  const io = captureIo();
  const code = await runPrepCli(side, argv, io, () => sys);
  return { code, stdout: io.out(), stderr: io.err() };
}

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);
const ROOT_HINT = 'Operation not permitted (needs root (CAP_NET_ADMIN, write access to /proc/sys))';

describe('--help', () => {
  it.each([['--help'], ['-h'], ['up', '--help']])('realserver %j: usage on stdout, exit 0', async (...argv) => {
    const r = await run('realserver', argv);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: ipvsadm realserver \[options\] <action>\n/);
    for (const option of ['--mode <mode>', '--vip <addr[,addr...]>', '--dev <iface>', '--tun-type <type>', '--tun-port <port>', '--dry-run', '--persist <file>', '--json', '-h, --help']) {
      expect(r.stdout).toContain(option);
    }
    expect(r.stdout).not.toContain('--state-dir');
  });

  it('director: its own usage, without the tunnel options', async () => {
    const r = await run('director', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: ipvsadm director \[options\] <action>\n/);
    expect(r.stdout).toContain('forwarding method (nat|dr|tun)');
    expect(r.stdout).not.toContain('--tun-type');
    expect(r.stdout).not.toContain('--tun-port');
  });
});

describe('usage errors: exit 2, the problem on stderr, the system not looked at', () => {
  const TRY = (side: Side): string => `Try \`ipvsadm ${side} --help' for more information.\n`;

  it.each([
    ['realserver', [], "error: missing required argument 'action'\n"],
    ['realserver', ['start'], "error: command-argument value 'start' is invalid for argument 'action'. Allowed choices are up, down, check.\n"],
    ['director', ['UP', '--mode', 'nat'], "error: command-argument value 'UP' is invalid for argument 'action'. Allowed choices are up, down, check.\n"],
    ['realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--bogus'], "error: unknown option '--bogus'\n"],
    ['realserver', ['up', '--mode'], "error: option '--mode <mode>' argument missing\n"],
    ['realserver', ['up', 'down', '--mode', 'dr'], 'error: too many arguments. Expected 1 argument but got 2.\n'],
    ['director', ['up', '--mode', 'tun', '--tun-type', 'gue'], "error: unknown option '--tun-type'\n"],
    ['realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--state-dir'], "error: option '--state-dir <dir>' argument missing\n"],
  ] as const)('%s %j (commander)', async (side, argv, message) => {
    const sys = new FakeSystem();
    expect(await run(side, argv, sys)).toEqual({ code: 2, stdout: '', stderr: message + TRY(side) });
    expect(sys.closed).toBe(0);
  });

  it.each([
    ['realserver', ['up', '--mode', 'nat', '--vip', '192.0.2.1'], 'ipvsadm realserver up: --mode nat: expected one of dr, tun\n'],
    ['realserver', ['check', '--mode', 'DR', '--vip', '192.0.2.1'], 'ipvsadm realserver check: --mode DR: expected one of dr, tun\n'],
    ['director', ['up', '--mode', 'gue'], 'ipvsadm director up: --mode gue: expected one of nat, dr, tun\n'],
    ['realserver', ['up', '--vip', '192.0.2.1'], 'ipvsadm realserver up: --mode is required\n'],
    ['director', ['check'], 'ipvsadm director check: --mode is required\n'],
    ['realserver', ['up', '--mode', 'dr'], 'ipvsadm realserver up: --vip is required\n'],
    ['realserver', ['check', '--mode', 'tun'], 'ipvsadm realserver check: --vip is required\n'],
    ['realserver', ['up', '--mode', 'tun', '--vip', '192.0.2.1', '--tun-port', '5555'], 'ipvsadm realserver up: --tun-port applies to --tun-type gue only\n'],
    ['realserver', ['up', '--mode', 'tun', '--tun-type', 'gre', '--vip', '192.0.2.1', '--tun-port', '5555'], 'ipvsadm realserver up: --tun-port applies to --tun-type gue only\n'],
    ['realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--tun-port', '5555'], 'ipvsadm realserver up: --tun-type and --tun-port apply to --mode tun only\n'],
    ['realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--tun-type', 'gue'], 'ipvsadm realserver up: --tun-type and --tun-port apply to --mode tun only\n'],
    ['realserver', ['up', '--mode', 'tun', '--tun-type', 'vxlan', '--vip', '192.0.2.1'], 'ipvsadm realserver up: --tun-type vxlan: expected one of ipip, gue, gre\n'],
    ['realserver', ['up', '--mode', 'tun', '--tun-type', 'gue', '--tun-port', '0', '--vip', '192.0.2.1'], 'ipvsadm realserver up: --tun-port 0: expected a port number 1..65535\n'],
    ['realserver', ['up', '--mode', 'tun', '--tun-type', 'gue', '--tun-port', '65536', '--vip', '192.0.2.1'], 'ipvsadm realserver up: --tun-port 65536: expected a port number 1..65535\n'],
    ['realserver', ['up', '--mode', 'dr', '--vip', 'vip.example.org'], 'ipvsadm realserver up: --vip vip.example.org: not an IPv4 or IPv6 address\n'],
    ['realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1,'], 'ipvsadm realserver up: --vip: empty address in the list\n'],
    ['realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1/32'], 'ipvsadm realserver up: --vip 192.0.2.1/32: a VIP is one address, without a prefix length (it becomes a /32 or /128 host route)\n'],
    ['realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--dev', 'a/b'], 'ipvsadm realserver up: --dev "a/b": not a valid interface name\n'],
    ['realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--dev', 'sixteen-letters!'], 'ipvsadm realserver up: --dev "sixteen-letters!": not a valid interface name\n'],
    ['realserver', ['down', '--dev', 'eth0'], 'ipvsadm realserver down: --dev needs --mode (without it, down takes everything from the state file)\n'],
    ['realserver', ['down', '--tun-type', 'gue'], 'ipvsadm realserver down: --tun-type, --tun-port, --tun-csum and --tun-local need --mode tun\n'],
  ] as const)('%s %j', async (side, argv, stderr) => {
    const sys = new FakeSystem();
    expect(await run(side, argv, sys)).toEqual({ code: 2, stdout: '', stderr });
    expect(sys.log).toEqual([]);
    expect(sys.opened).toEqual({ rtnl: 0, fou: 0, genl: 0 });
    expect(sys.closed).toBe(1);
  });

  it('--json: the error as JSON on stdout as well', async () => {
    expect(await run('realserver', ['up', '--json', '--mode', 'nat', '--vip', '192.0.2.1'])).toEqual({
      code: 2,
      stdout: '{\n  "ok": false,\n  "error": "--mode nat: expected one of dr, tun",\n  "problems": [\n    "--mode nat: expected one of dr, tun"\n  ],\n  "changed": false\n}\n',
      stderr: 'ipvsadm realserver up: --mode nat: expected one of dr, tun\n',
    });
  });
});

describe('--json on a plan problem', () => {
  it('every problem listed, and changed: false', async () => {
    const sys = new FakeSystem({ links: [{ name: 'lo', up: true }, { name: 'eth0', up: true }], addresses: [{ dev: 'eth0', text: '192.0.2.1', prefix: 24 }] });
    const d = await tempDir();
    const r = await run('realserver', ['up', '--json', '--mode', 'dr', '--vip', '192.0.2.1', '--dev', 'nosuch0', '--state-dir', d], sys);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout) as { ok: boolean; problems: string[]; changed: boolean };
    expect(body).toMatchObject({ ok: false, changed: false });
    expect(body.problems[0]).toBe('unknown interface nosuch0');
    expect(body.problems.some((p) => p.startsWith('192.0.2.1 is already on eth0 as /24'))).toBe(true);
    expect(r.stderr).toMatch(/^ipvsadm realserver up: \n  unknown interface nosuch0\n  192\.0\.2\.1 is already on eth0 as \/24.*\nnothing was changed\n$/s);
  });
});

describe('check', () => {
  it('a fresh host: the DR requirements table, exit 1', async () => {
    const r = await run('realserver', ['check', '--mode', 'dr', '--vip', '192.0.2.1']);
    expect(r).toEqual({
      code: 1,
      stderr: '',
      stdout:
        'requirement                    expected effective status\n' +
        'net.ipv4.conf.all.arp_ignore   1        0         FAIL\n' +
        'net.ipv4.conf.all.arp_announce 2        0         FAIL\n' +
        'net.ipv4.conf.lo.arp_ignore    1        0         FAIL\n' +
        'net.ipv4.conf.lo.arp_announce  2        0         FAIL\n' +
        'link lo                        up       up        ok\n' +
        '192.0.2.1/32 on lo             present  absent    FAIL\n' +
        'not ready: 5 of 6 requirements not met\n',
    });
  });

  it('a prepared host: every row ok, exit 0', async () => {
    const sys = new FakeSystem({
      sysctls: { 'net/ipv4/conf/all/arp_ignore': 1, 'net/ipv4/conf/all/arp_announce': 2, 'net/ipv4/conf/lo/arp_ignore': 1, 'net/ipv4/conf/lo/arp_announce': 2 },
      addresses: [{ dev: 'lo', text: '192.0.2.1', prefix: 32 }],
    });
    const r = await run('realserver', ['check', '--mode', 'dr', '--vip', '192.0.2.1'], sys);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'requirement                    expected effective status\n' +
        'net.ipv4.conf.all.arp_ignore   1        1         ok\n' +
        'net.ipv4.conf.all.arp_announce 2        2         ok\n' +
        'net.ipv4.conf.lo.arp_ignore    1        1         ok\n' +
        'net.ipv4.conf.lo.arp_announce  2        2         ok\n' +
        'link lo                        up       up        ok\n' +
        '192.0.2.1/32 on lo             present  present   ok\n' +
        'ready: realserver prepared for dr (6 requirements met)\n',
    );
  });

  it('--json: rows with the effective value and, where all decides it, a detail', async () => {
    const sys = new FakeSystem({ sysctls: { 'net/ipv4/conf/all/arp_ignore': 1 }, addresses: [{ dev: 'eth0', text: '2001:db8::1', prefix: 64 }] });
    const r = await run('realserver', ['check', '--json', '--mode', 'tun', '--vip', '192.0.2.1,2001:db8::1'], sys);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      side: 'realserver',
      mode: 'tun ipip',
      ready: false,
      requirements: [
        { kind: 'module', requirement: 'module ipip', expected: 'loaded', effective: 'not loaded', ok: false },
        { kind: 'module', requirement: 'module ip6_tunnel', expected: 'loaded', effective: 'not loaded', ok: false },
        { kind: 'sysctl', requirement: 'net.ipv4.conf.all.arp_ignore', expected: '1', effective: '1', ok: true },
        { kind: 'sysctl', requirement: 'net.ipv4.conf.all.arp_announce', expected: '2', effective: '0', ok: false },
        { kind: 'sysctl', requirement: 'net.ipv4.conf.all.rp_filter', expected: '0', effective: '0', ok: true },
        { kind: 'sysctl', requirement: 'net.ipv4.conf.default.rp_filter', expected: '0', effective: '2', ok: false },
        { kind: 'sysctl', requirement: 'net.ipv4.conf.tunl0.rp_filter', expected: '0', effective: 'missing', ok: false },
        { kind: 'link', requirement: 'link tunl0', expected: 'up', effective: 'missing', ok: false },
        { kind: 'link', requirement: 'link ip6tnl0', expected: 'up', effective: 'missing', ok: false },
        { kind: 'address', requirement: '192.0.2.1/32 on tunl0', expected: 'present', effective: 'absent', ok: false },
        { kind: 'address', requirement: '2001:db8::1/128 on ip6tnl0', expected: 'present', effective: 'on eth0/64', ok: false },
        {
          kind: 'conflict',
          requirement: '2001:db8::1 only on ip6tnl0',
          expected: 'not on eth0',
          effective: 'on eth0/64',
          detail: 'answers ARP/neighbour requests for the VIP there',
          ok: false,
        },
      ],
    });
    expect(r.stdout.startsWith('{\n  "side": "realserver",\n  "mode": "tun ipip",\n  "ready": false,\n')).toBe(true);
  });

  it('the effective value of a per-device ARP key is max(all, own), shown with both', async () => {
    const sys = new FakeSystem({ sysctls: { 'net/ipv4/conf/all/arp_announce': 2 } });
    const r = await run('realserver', ['check', '--json', '--mode', 'dr', '--vip', '192.0.2.1'], sys);
    const rows = (JSON.parse(r.stdout) as { requirements: { requirement: string }[] }).requirements;
    expect(rows.find((row) => row.requirement === 'net.ipv4.conf.lo.arp_announce')).toEqual({
      kind: 'sysctl',
      requirement: 'net.ipv4.conf.lo.arp_announce',
      expected: '2',
      effective: '2',
      detail: 'max(all 2, own 0)',
      ok: true,
    });
  });

  it('accepts --dry-run and --persist and writes nothing', async () => {
    const d = await tempDir();
    const persist = join(d, 'lvs.conf');
    const sys = new FakeSystem();
    const r = await run('realserver', ['check', '--mode', 'dr', '--vip', '192.0.2.1', '--dry-run', '--persist', persist, '--state-dir', d], sys);
    expect(r.code).toBe(1);
    expect(await readdir(d)).toEqual([]);
    expect(sys.log).toEqual([]);
  });
});

describe('up --dry-run', () => {
  it('realserver dr: the plan, nothing changed, no state file', async () => {
    const d = await tempDir();
    const sys = new FakeSystem();
    const before = sys.snapshot();
    expect(await run('realserver', ['up', '--dry-run', '--mode', 'dr', '--vip', '192.0.2.1', '--state-dir', d], sys)).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'realserver up (dr), dry run: would make 5 changes:\n' +
        '  set net.ipv4.conf.all.arp_ignore = 1 (was 0)\n' +
        '  set net.ipv4.conf.all.arp_announce = 2 (was 0)\n' +
        '  set net.ipv4.conf.lo.arp_ignore = 1 (was 0)\n' +
        '  set net.ipv4.conf.lo.arp_announce = 2 (was 0)\n' +
        '  add 192.0.2.1/32 to lo\n' +
        'dry run: nothing was changed\n',
    });
    expect(sys.snapshot()).toEqual(before);
    expect(sys.log).toEqual([]);
    expect(await readdir(d)).toEqual([]);
  });

  it('realserver dr, IPv6 only: no ARP sysctls, the VIP with nodad; repeated and listed VIPs count once', async () => {
    const d = await tempDir();
    const r = await run('realserver', ['up', '--dry-run', '--mode', 'dr', '--vip', '2001:db8::1', '--vip', '2001:db8:0::1,2001:db8::2', '--state-dir', d]);
    expect(r.stdout).toBe(
      'realserver up (dr), dry run: would make 2 changes:\n' +
        '  add 2001:db8::1/128 to lo (nodad, deprecated)\n' +
        '  add 2001:db8::2/128 to lo (nodad, deprecated)\n' +
        'dry run: nothing was changed\n',
    );
  });

  it('realserver tun gue, IPv4 and IPv6, --persist: modules, rp_filter, tunnel links, VIPs, GUE ports', async () => {
    const d = await tempDir();
    const persist = join(d, 'sysctl.d', '90-lvs.conf');
    const r = await run('realserver', ['up', '--dry-run', '--mode', 'tun', '--tun-type', 'gue', '--vip', '192.0.2.1,2001:db8::1', '--persist', persist, '--state-dir', d]);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'realserver up (tun gue, port 6080), dry run: would make 13 changes:\n' +
        '  load module ipip\n' +
        '  load module fou\n' +
        '  load module ip6_tunnel\n' +
        '  set net.ipv4.conf.all.arp_ignore = 1 (was 0)\n' +
        '  set net.ipv4.conf.all.arp_announce = 2 (was 0)\n' +
        '  set net.ipv4.conf.default.rp_filter = 0 (was 2)\n' +
        '  set net.ipv4.conf.tunl0.rp_filter = 0 (device not there yet)\n' +
        '  set link tunl0 up\n' +
        '  set link ip6tnl0 up\n' +
        '  add 192.0.2.1/32 to tunl0\n' +
        '  add 2001:db8::1/128 to ip6tnl0 (nodad, deprecated)\n' +
        '  open GUE port 6080/udp (IPv4)\n' +
        '  open GUE port 6080/udp (IPv6)\n' +
        `would write: ${persist}\n` +
        'dry run: nothing was changed\n',
    });
    expect(await exists(persist)).toBe(false);
  });

  it('director nat on eth0: ip_vs, forwarding, no redirects, the VIP', async () => {
    const d = await tempDir();
    expect((await run('director', ['up', '--dry-run', '--mode', 'nat', '--vip', '192.0.2.1', '--dev', 'eth0', '--state-dir', d])).stdout).toBe(
      'director up (nat), dry run: would make 5 changes:\n' +
        '  load module ip_vs\n' +
        '  set net.ipv4.ip_forward = 1 (was 0)\n' +
        '  set net.ipv4.conf.all.send_redirects = 0 (was 1)\n' +
        '  set net.ipv4.conf.eth0.send_redirects = 0 (was 1)\n' +
        '  add 192.0.2.1/32 to eth0\n' +
        'dry run: nothing was changed\n',
    );
  });

  it('--json: the plan as data, changed false', async () => {
    const d = await tempDir();
    const r = await run('realserver', ['up', '--dry-run', '--json', '--mode', 'dr', '--vip', '2001:db8::1', '--state-dir', d]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '{\n' +
        '  "ok": true,\n' +
        '  "side": "realserver",\n' +
        '  "action": "up",\n' +
        '  "mode": "dr",\n' +
        '  "notes": [],\n' +
        `  "stateFile": ${JSON.stringify(join(d, 'realserver.json'))},\n` +
        '  "dryRun": true,\n' +
        '  "steps": [\n' +
        '    {\n' +
        '      "kind": "address-add",\n' +
        '      "dev": "lo",\n' +
        '      "address": "2001:db8::1",\n' +
        '      "prefix": 128,\n' +
        '      "nodad": true\n' +
        '    }\n' +
        '  ],\n' +
        '  "changed": false\n' +
        '}\n',
    );
  });
});

describe('up, up again, down', () => {
  it('changes, then nothing, then restores every value', async () => {
    const d = await tempDir();
    const state = join(d, 'realserver.json');
    const sys = new FakeSystem();
    const before = sys.snapshot();
    const argv = ['--mode', 'dr', '--vip', '192.0.2.1', '--state-dir', d];
    expect(await run('realserver', ['up', ...argv], sys)).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'realserver up (dr): 5 changes applied:\n' +
        '  set net.ipv4.conf.all.arp_ignore = 1 (was 0)\n' +
        '  set net.ipv4.conf.all.arp_announce = 2 (was 0)\n' +
        '  set net.ipv4.conf.lo.arp_ignore = 1 (was 0)\n' +
        '  set net.ipv4.conf.lo.arp_announce = 2 (was 0)\n' +
        '  add 192.0.2.1/32 to lo\n' +
        `state: ${state}\n`,
    });
    expect(await exists(state)).toBe(true);
    const log = [...sys.log];
    expect(await run('realserver', ['up', ...argv], sys)).toEqual({ code: 0, stderr: '', stdout: 'realserver up (dr): nothing to do, already prepared\n' });
    expect(sys.log).toEqual(log);
    expect(await run('realserver', ['down', '--state-dir', d], sys)).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'realserver down (dr): 5 changes applied:\n' +
        '  remove 192.0.2.1/32 from lo\n' +
        '  set net.ipv4.conf.lo.arp_announce = 0 (was 2)\n' +
        '  set net.ipv4.conf.lo.arp_ignore = 0 (was 1)\n' +
        '  set net.ipv4.conf.all.arp_announce = 0 (was 2)\n' +
        '  set net.ipv4.conf.all.arp_ignore = 0 (was 1)\n' +
        `state: ${state}\n`,
    });
    expect(sys.snapshot()).toEqual(before);
    expect(await exists(state)).toBe(false);
    expect(await run('realserver', ['down', '--state-dir', d], sys)).toEqual({
      code: 2,
      stdout: '',
      stderr: `ipvsadm realserver down: no state recorded for this network namespace in ${state}: name what to remove with --mode and --vip\n`,
    });
  });

  it('up in another mode than the recorded one is refused (exit 2)', async () => {
    const d = await tempDir();
    const sys = new FakeSystem();
    expect((await run('realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--state-dir', d], sys)).code).toBe(0);
    const log = [...sys.log];
    expect(await run('realserver', ['up', '--mode', 'tun', '--vip', '192.0.2.1', '--state-dir', d], sys)).toEqual({
      code: 2,
      stdout: '',
      stderr: `ipvsadm realserver up: this network namespace is already set up as dr (${join(d, 'realserver.json')}); run \`ipvsadm realserver down\` first\nnothing was changed\n`,
    });
    expect(sys.log).toEqual(log);
  });
});

describe('failures', () => {
  it('an unknown interface: exit 2, nothing changed', async () => {
    const d = await tempDir();
    const sys = new FakeSystem();
    expect(await run('realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--dev', 'eth9', '--state-dir', d], sys)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ipvsadm realserver up: unknown interface eth9\nnothing was changed\n',
    });
    expect(sys.log).toEqual([]);
  });

  it('a director VIP without --dev that is not on the host: exit 2', async () => {
    const d = await tempDir();
    expect(await run('director', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--state-dir', d])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ipvsadm director up: 192.0.2.1 is not configured on this host; give --dev to add it there\nnothing was changed\n',
    });
  });

  it('the system cannot be read: exit 3, nothing changed', async () => {
    const d = await tempDir();
    const sys = new FakeSystem().failOn('sysctl.read', 'net/ipv4/conf/all/arp_ignore');
    expect(await run('realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--state-dir', d], sys)).toEqual({
      code: 3,
      stdout: '',
      stderr: `ipvsadm realserver up: cannot read sysctl net/ipv4/conf/all/arp_ignore: ${ROOT_HINT}\nnothing was changed\n`,
    });
  });

  it('a refused change: the run rolled back, exit 3', async () => {
    const d = await tempDir();
    const sys = new FakeSystem().failOn('address.add');
    const before = sys.snapshot();
    expect(await run('realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--state-dir', d], sys)).toEqual({
      code: 3,
      stdout: '',
      stderr:
        `ipvsadm realserver up: cannot add 192.0.2.1/32 to lo: ${ROOT_HINT}\n` +
        'rolled back 4 changes:\n' +
        '  set net.ipv4.conf.lo.arp_announce = 0 (was 2)\n' +
        '  set net.ipv4.conf.lo.arp_ignore = 0 (was 1)\n' +
        '  set net.ipv4.conf.all.arp_announce = 0 (was 2)\n' +
        '  set net.ipv4.conf.all.arp_ignore = 0 (was 1)\n' +
        'nothing of this run remains applied\n',
    });
    expect(sys.snapshot()).toEqual(before);
    expect(await readdir(d)).toEqual([]);
  });

  it('a rollback that fails too: exit 4, the remaining change listed', async () => {
    const d = await tempDir();
    const sys = new FakeSystem().failOn('address.add').failOn('sysctl.write', 'net/ipv4/conf/all/arp_ignore', { skip: 1 });
    const r = await run('realserver', ['up', '--mode', 'dr', '--vip', '192.0.2.1', '--state-dir', d], sys);
    expect(r).toEqual({
      code: 4,
      stdout: '',
      stderr:
        `ipvsadm realserver up: cannot add 192.0.2.1/32 to lo: ${ROOT_HINT}\n` +
        'rolled back 3 changes:\n' +
        '  set net.ipv4.conf.lo.arp_announce = 0 (was 2)\n' +
        '  set net.ipv4.conf.lo.arp_ignore = 0 (was 1)\n' +
        '  set net.ipv4.conf.all.arp_announce = 0 (was 2)\n' +
        'ROLLBACK INCOMPLETE, these changes remain:\n' +
        `  cannot set net.ipv4.conf.all.arp_ignore = 0 (was 1): ${ROOT_HINT}\n`,
    });
    expect(sys.sysctls.get('net/ipv4/conf/all/arp_ignore')).toBe(1);
    // What remains is recorded, so that a later `down` restores it.
    const recorded = JSON.parse(await readFile(join(d, 'realserver.json'), 'utf8')) as { netns: Record<string, { sysctls: unknown; addresses: unknown }> };
    expect(Object.values(recorded.netns)).toMatchObject([{ sysctls: [{ key: 'net/ipv4/conf/all/arp_ignore', before: 0 }], addresses: [] }]);
  });

  it('--json on a refused change: failed step, rollback and modules left', async () => {
    const d = await tempDir();
    const sys = new FakeSystem().failOn('link.set', 'ip6gre0 up');
    const r = await run('realserver', ['up', '--json', '--mode', 'tun', '--vip', '2001:db8::1', '--tun-type', 'gre', '--state-dir', d], sys);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      error: `cannot set link ip6gre0 up: ${ROOT_HINT}`,
      failedStep: { kind: 'link-set', dev: 'ip6gre0', up: true },
      rolledBack: [],
      rollbackFailures: [],
      modulesLeft: ['ip6_gre'],
    });
    expect(r.stderr).toBe(
      `ipvsadm realserver up: cannot set link ip6gre0 up: ${ROOT_HINT}\n` +
        'nothing of this run remains applied\n' +
        '(modules loaded by this run stay loaded: ip6_gre)\n',
    );
  });
});
