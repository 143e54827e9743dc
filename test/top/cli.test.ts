// `ipvsadm top` through the command table over the fake kernel: --count blocks with the table's
// rows, names looked up in the background, the usage errors (exit 2, nothing read), and IPVS that
// cannot be reached (exit 3, one line).
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/entry/command-table.js';
import { intervalMs } from '../../src/top/cli.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { FixedNames } from '../support/fixed-names.js';
import { IPVS } from '../support/bytes.js';
import { formatAddress } from '../../src/ipvs/address.js';
import type { Address } from '../../src/ipvs/address.js';

async function kernel(): Promise<FakeIpvs> {
  const ipvs = new FakeIpvs();
  const io = fakeKernelIo({ model: ipvs }, { readStdin: async () => '-A -t 192.0.2.1:80 -s wrr\n-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 3\n-A -u 192.0.2.1:53 -s rr\n' });
  expect(await dispatch(['-R'], io)).toBe(0);
  return ipvs;
}

async function run(argv: string[], ipvs?: FakeIpvs) {
  const io = fakeKernelIo(ipvs ? { model: ipvs } : { families: {} });
  const code = await dispatch(['top', ...argv], io);
  return { stdout: io.out(), stderr: io.err(), code };
}

describe('ipvsadm top', () => {
  it('--count 2 -n: two plain blocks with every service and real server', async () => {
    const r = await run(['--count', '2', '-n', '--interval', '0.1'], await kernel());
    expect({ stderr: r.stderr, code: r.code }).toEqual({ stderr: '', code: 0 });
    const blocks = r.stdout.split('\n\n').filter((b) => b !== '');
    expect(blocks).toHaveLength(2);
    for (const b of blocks) {
      const names = b.split('\n').slice(2).map((l) => l.slice(0, 22).trimEnd());
      expect(names).toEqual(['Prot LocalAddress:Port', 'TCP 192.0.2.1:80', '  -> 198.51.100.1:8080', 'UDP 192.0.2.1:53']);
      expect(b.split('\n')[0]).toMatch(/^ipvsadm top - IP Virtual Server version 1\.2\.1 \(size=4096\) - .* - every 0\.1 s - sorted by 1\.31 order$/);
    }
  });

  it('without -n: ports named at once, host names once looked up in the background, each address once', async () => {
    const ipvs = await kernel();
    const fixed = new FixedNames();
    const looked: string[] = [];
    const names = { hostByName: (n: string) => fixed.hostByName(n), portByName: fixed.portByName.bind(fixed), nameByPort: fixed.nameByPort.bind(fixed), nameByAddress: (a: Address) => (looked.push(formatAddress(a)), fixed.nameByAddress(a)) };
    const io = fakeKernelIo({ model: ipvs }, { names });
    expect(await dispatch(['top', '--count', '3', '--interval', '0.1', '--sort', 'weight'], io)).toBe(0);
    const [first, second] = io.out().split('\n\n');
    expect(first).toContain('\nTCP 192.0.2.1:http ');
    expect(second).toContain('\nTCP vip1.example.org:http ');
    expect(second).toContain('\n  -> rs1.example.org:http-alt ');
    expect(second).toContain('\nUDP vip1.example.org:domain ');
    expect(second).toContain('sorted by weight, largest first');
    expect(looked.sort()).toEqual(['192.0.2.1', '198.51.100.1']);
  });

  it.each([
    [['--interval', '0'], "ipvsadm top: --interval 0: expected a number of seconds from 0.1 to 86400\n"],
    [['--interval', 'x'], "ipvsadm top: --interval x: expected a number of seconds from 0.1 to 86400\n"],
    [['--count', '0'], 'ipvsadm top: --count 0: expected a whole number above 0\n'],
    [['--sort', 'speed'], "error: option '-s, --sort <order>' argument 'speed' is invalid. Allowed choices are natural, active, inactive, cps, new, packets, bytes, weight.\nTry `ipvsadm top --help' for more information.\n"],
    [['extra'], "error: too many arguments. Expected 0 arguments but got 1.\nTry `ipvsadm top --help' for more information.\n"],
  ])('%j: a usage error, exit 2, IPVS not read', async (argv, stderr) => {
    expect(await run(argv)).toEqual({ stdout: '', stderr, code: 2 });
  });

  it('-t/-u/-f: only that service, read alone; one that is not there: exit 3 with 1.31\'s words', async () => {
    const ipvs = await kernel();
    const r = await run(['-u', '192.0.2.1:53', '-n', '--count', '1'], ipvs);
    expect({ stderr: r.stderr, code: r.code }).toEqual({ stderr: '', code: 0 });
    expect(r.stdout).toContain('\nUDP 192.0.2.1:53 ');
    expect(r.stdout).not.toContain('TCP 192.0.2.1:80');
    expect(r.stdout.split('\n')[1]).toMatch(/^1 service, 0 real servers /);
    expect(await run(['-t', '192.0.2.9:80', '--count', '1'], ipvs)).toEqual({ stdout: '', stderr: 'ipvsadm top: cannot read IPVS: No such service\n', code: 3 });
  });

  it('reads: one table read per block; -t one GET_SERVICE and its real servers, never a dump of the services', async () => {
    const ipvs = await kernel();
    const seen: string[] = [];
    const handle = ipvs.handle.bind(ipvs);
    ipvs.handle = (req) => (seen.push(`${req.cmd}${req.dump ? ' dump' : ''}`), handle(req));
    const { GET_SERVICE, GET_DEST, GET_INFO } = IPVS.CMD;
    expect((await run(['-t', '192.0.2.1:80', '-n', '--count', '2', '--interval', '0.1'], ipvs)).code).toBe(0);
    expect(seen.filter((c) => c !== `${GET_INFO}`)).toEqual([`${GET_SERVICE}`, `${GET_DEST} dump`, `${GET_SERVICE}`, `${GET_DEST} dump`]);
    seen.length = 0;
    expect((await run(['-n', '--count', '1'], ipvs)).code).toBe(0);
    // one read: the services dumped twice (a change in between shows), each service's real
    // servers once, and the service without any asked whether it is still there
    expect(seen.filter((c) => c !== `${GET_INFO}`).sort()).toEqual([`${GET_SERVICE}`, `${GET_SERVICE} dump`, `${GET_SERVICE} dump`, `${GET_DEST} dump`, `${GET_DEST} dump`].sort());
  });

  it.each([
    [['-6'], 'ipvsadm top: -6 goes with -f\n'],
    [['-t', '192.0.2.1:80', '-u', '192.0.2.1:53'], 'ipvsadm top: name one service at most: -t, -u, --sctp-service or -f\n'],
  ])('%j: a usage error', async (argv, stderr) => {
    expect(await run(argv)).toEqual({ stdout: '', stderr, code: 2 });
  });

  it('a service 1.31 cannot read: its message, exit 2', async () => {
    expect(await run(['-t', 'no-such-host.invalid:80'])).toEqual({ stdout: '', stderr: 'ipvsadm top: illegal virtual server address[:port] specified\n', code: 2 });
  });

  it('--help: the options and the keys, exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: ipvsadm top [options]');
    expect(r.stdout).toContain('q quit, n natural, a active');
  });

  it('no IPVS: one line, exit 3', async () => {
    const r = await run(['--count', '1']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ipvsadm top: cannot read IPVS: .+\n$/);
    expect(r.code).toBe(3);
  });

  it('--interval takes 0.1 to 86400 seconds', () => {
    expect([intervalMs('0.1'), intervalMs('1'), intervalMs('2.5'), intervalMs('86400'), intervalMs('0.05'), intervalMs('86401'), intervalMs('-1'), intervalMs('1e3')]).toEqual([100, 1000, 2500, 86_400_000, undefined, undefined, undefined, undefined]);
  });
});
