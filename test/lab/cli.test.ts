// `ipvsadm lab` argument errors (runLabCli): each fails before anything boots, with exit status 2
// and a message naming the problem. The kernel binary is pointed at nothing, so no test can boot one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runLabCli } from '../../src/lab/cli.js';
import { captureIo } from '../support/capture-io.js';

let dir = '';
beforeAll(async () => {
  // uml-host.ts reads these when runLabCli first imports it (lazily, after the argument checks).
  vi.stubEnv('IPVSADM_UML_BINARY', '/nonexistent/ipvsadm-ts-test/linux.uml');
  vi.stubEnv('IPVSADM_TS_GUEST', '');
  dir = await mkdtemp(join(tmpdir(), 'ipvsadm-lab-cli-'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

async function lab(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const code = await runLabCli(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('ipvsadm lab --help', () => {
  it.each([['--help'], ['-h']])('%s prints the usage on stdout and exits 0', async (flag) => {
    const r = await lab(flag);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Usage: ipvsadm lab \[options\]\n/);
    for (const option of ['--mode <mode>', '--tun-type <type>', '--ipv6', '--rules <file>', '--requests <n>', '--directors <n>', '--ha <kind>', '--connections <n>']) expect(r.stdout).toContain(option);
  });
});

describe('ipvsadm lab: our own checks (exit 2, nothing booted)', () => {
  it.each(['0', '10001', 'abc', '1.5', '-1', '', '1e3', '0x10', ' 5'])('--requests %j', async (n) => {
    expect(await lab('--requests', n)).toEqual({ code: 2, stdout: '', stderr: `ipvsadm lab: --requests ${n}: expected a number 1..10000\n` });
  });

  it.each([[[]], [['--mode', 'nat']], [['--mode', 'dr']]])('--tun-type without --mode tun (%j)', async (mode) => {
    expect(await lab(...mode, '--tun-type', 'gue')).toEqual({ code: 2, stdout: '', stderr: 'ipvsadm lab: --tun-type needs --mode tun\n' });
  });

  it('--rules FILE that does not exist', async () => {
    const file = join(dir, 'missing.rules');
    expect(await lab('--rules', file)).toEqual({
      code: 2,
      stdout: '',
      stderr: `ipvsadm lab: --rules ${file}: ENOENT: no such file or directory, open '${file}'\n`,
    });
  });

  it('--rules DIRECTORY', async () => {
    expect(await lab('--rules', dir)).toEqual({ code: 2, stdout: '', stderr: `ipvsadm lab: --rules ${dir}: EISDIR: illegal operation on a directory, read\n` });
  });

  it('checks --requests before --tun-type, and --tun-type before --rules', async () => {
    const missing = join(dir, 'missing.rules');
    expect((await lab('--requests', '0', '--tun-type', 'gre', '--rules', missing)).stderr).toBe('ipvsadm lab: --requests 0: expected a number 1..10000\n');
    expect((await lab('--tun-type', 'gre', '--rules', missing)).stderr).toBe('ipvsadm lab: --tun-type needs --mode tun\n');
  });
});

describe('ipvsadm lab: commander\'s checks (exit 2)', () => {
  it.each([
    [['--mode', 'local'], "error: option '--mode <mode>' argument 'local' is invalid. Allowed choices are nat, dr, tun.\n"],
    [['--mode', 'tun', '--tun-type', 'vxlan'], "error: option '--tun-type <type>' argument 'vxlan' is invalid. Allowed choices are ipip, gue, gre.\n"],
    [['--requests'], "error: option '--requests <n>' argument missing\n"],
    [['--bogus'], "error: unknown option '--bogus'\n"],
    [['run'], 'error: too many arguments. Expected 0 arguments but got 1.\n'],
  ])('%j', async (argv, stderr) => {
    expect(await lab(...argv)).toEqual({ code: 2, stdout: '', stderr: `${stderr}Try \`ipvsadm lab --help' for more information.\n` });
  });
});

describe('ipvsadm lab: valid arguments go to the sandbox', () => {
  it('which cannot start without its kernel: exit 3, naming what is missing and the package', async () => {
    const r = await lab('--mode', 'tun', '--tun-type', 'gue', '--requests', '1');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ipvsadm lab: /);
    expect(r.stderr).toContain('  - /nonexistent/ipvsadm-ts-test/linux.uml not found (package user-mode-linux)\n');
  });
});

describe('ipvsadm lab with IPVSADM_TS_GUEST=1 outside the user-mode kernel', () => {
  it('refuses to build the lab on this host: exit 2', async () => {
    vi.stubEnv('IPVSADM_TS_GUEST', '1');
    try {
      expect(await lab('--mode', 'dr')).toEqual({
        code: 2,
        stdout: '',
        stderr: 'ipvsadm lab: IPVSADM_TS_GUEST=1 is set, but this is not the user-mode kernel: refusing to build the lab on this host\n',
      });
    } finally {
      vi.stubEnv('IPVSADM_TS_GUEST', '');
    }
  });
});

describe('ipvsadm lab --directors 2 --ha (exit 2 before anything boots)', () => {
  it.each([
    [['--directors', '2'], '--directors 2 needs --ha vrrp|ecmp'],
    [['--ha', 'vrrp'], '--ha vrrp: needs --directors 2'],
    [['--directors', '1', '--ha', 'vrrp'], '--ha vrrp: needs --directors 2'],
    [['--directors', '3'], '--directors 3 needs --ha vrrp|ecmp'],
    [['--directors', '3', '--ha', 'vrrp'], '--ha vrrp: a pair, --directors 2'],
    [['--connections', '5'], '--connections needs --directors 2 --ha vrrp|ecmp'],
    [['--directors', '2', '--ha', 'ecmp', '--mode', 'nat'], '--ha ecmp: DR directors only, --mode dr'],
    [['--directors', '3', '--ha', 'ecmp', '--rules', '/x'], '--rules does not go with --ha (the fleet lab builds its own table)'],
    [['--directors', '2', '--ha', 'ecmp', '--connections', '201'], '--connections 201: expected a number 1..200'],
    [['--directors', '2', '--ha', 'vrrp', '--mode', 'tun'], '--ha vrrp: --mode dr or nat'],
    [['--directors', '2', '--ha', 'vrrp', '--rules', '/x'], '--rules does not go with --ha (the pair lab builds its own table)'],
    [['--directors', '2', '--ha', 'vrrp', '--tun-type', 'gre'], '--tun-type does not go with --ha (the pair lab builds its own table)'],
    [['--directors', '2', '--ha', 'vrrp', '--connections', '0'], '--connections 0: expected a number 1..200'],
    [['--directors', '2', '--ha', 'vrrp', '--connections', '201'], '--connections 201: expected a number 1..200'],
  ])('%j', async (argv, message) => {
    expect(await lab(...argv)).toEqual({ code: 2, stdout: '', stderr: `ipvsadm lab: ${message}\n` });
  });

  it('--directors 4 and --ha other are commander choices', async () => {
    expect((await lab('--directors', '4')).stderr).toMatch(/^error: option '--directors <n>' argument '4' is invalid\. Allowed choices are 1, 2, 3\./);
    expect((await lab('--directors', '2', '--ha', 'bgp')).stderr).toMatch(/^error: option '--ha <kind>' argument 'bgp' is invalid\. Allowed choices are vrrp, ecmp\./);
  });

  it('valid: goes to the sandbox, which needs keepalived too', async () => {
    const r = await lab('--directors', '2', '--ha', 'vrrp', '--mode', 'dr');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('linux.uml not found (package user-mode-linux)\n');
    expect(r.stderr).toContain('keepalived');
  });

  it('valid: --ha ecmp goes to the sandbox, which needs BIRD 2 too', async () => {
    const r = await lab('--directors', '3', '--ha', 'ecmp');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('linux.uml not found (package user-mode-linux)\n');
    expect(r.stderr).toContain('bird2');
  });
});
