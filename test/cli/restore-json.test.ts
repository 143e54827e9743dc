// ipvsadm -R, ipvsadm-restore and ipvsadm-save with JSON, over the fake kernel: a save restores
// into an empty kernel and saves again identically; a bad document changes nothing (not even
// ipvsadm-restore's flush); refusals name the item and give 255; a daemon already running as
// saved is left alone.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { mainRestore, mainSave } from '../../src/cli/scripts.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { validJson } from '../support/json-schema.js';

const RULES = [
  '-A -t 192.0.2.1:80 -s sh -b sh-port -p 60 -M 255.255.255.0',
  '-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 3 -x 100 -y 10',
  '-a -t 192.0.2.1:80 -r 198.51.100.2:80 -i --tun-type gue --tun-port 6080 --tun-csum',
  '-A -u [2001:db8::1]:53 -s rr -o',
  '-a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -g -w 0',
  '-A -f 7 -s wlc --pe sip -p',
  '--set 901 121 301',
  '--start-daemon master --mcast-interface eth0 --syncid 5',
].join('\n');

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

async function run(ipvs: FakeIpvs, argv: string[], stdin = ''): Promise<Run> {
  const io = fakeKernelIo({ model: ipvs }, { readStdin: async () => stdin });
  const code = await main(argv, io);
  return { stdout: io.out(), stderr: io.err(), code };
}

async function kernelWith(rules: string): Promise<FakeIpvs> {
  const ipvs = new FakeIpvs();
  expect(await run(ipvs, ['-R'], rules)).toEqual({ stdout: '', stderr: '', code: 0 });
  return ipvs;
}

describe('-S --json → -R', () => {
  it('restores into an empty kernel a table that saves the same (text and JSON)', async () => {
    const source = await kernelWith(RULES);
    const save = await run(source, ['-S', '--json']);
    expect(save.code).toBe(0);
    expect(validJson(save.stdout)).toMatchObject({ kind: 'save', timeouts: { tcp: 901, tcpFin: 121, udp: 301 } });
    const target = new FakeIpvs();
    expect(await run(target, ['-R'], save.stdout)).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(await run(target, ['-S', '--json'])).toEqual(save);
    expect(await run(target, ['-Sn'])).toEqual(await run(source, ['-Sn']));
    expect(target.timeouts).toEqual({ tcp: 901, tcpFin: 121, udp: 301 });
    expect(target.daemons.map((d) => [d.state, d.ifn, d.syncId])).toEqual([[1, 'eth0', 5]]);
  });

  it('ipvsadm-save --json is ipvsadm -S --json; -n changes nothing in JSON', async () => {
    const ipvs = await kernelWith(RULES);
    const io = fakeKernelIo({ model: ipvs });
    expect(await mainSave(['--json', '-n'], io)).toBe(0);
    expect(io.out()).toBe((await run(ipvs, ['-S', '--json'])).stdout);
    expect(io.out()).toBe((await run(ipvs, ['-S', '-n', '--json'])).stdout);
  });

  it('a restore over the same kernel: the existing items are refused by name, status 255, the rest made', async () => {
    const ipvs = await kernelWith(RULES);
    const save = (await run(ipvs, ['-S', '--json'])).stdout;
    expect(await run(ipvs, ['-D', '-u', '[2001:db8::1]:53'])).toEqual({ stdout: '', stderr: '', code: 0 });
    const r = await run(ipvs, ['-R'], save);
    expect(r).toEqual({
      stdout: '',
      stderr: [
        'ipvsadm: services[0] tcp 192.0.2.1:80: Service already exists',
        'ipvsadm: services[0].destinations[0] 198.51.100.1:8080 of tcp 192.0.2.1:80: Destination already exists',
        'ipvsadm: services[0].destinations[1] 198.51.100.2:80 of tcp 192.0.2.1:80: Destination already exists',
        'ipvsadm: services[2] fwmark 7 inet: Service already exists',
        '',
      ].join('\n'),
      code: 255,
    });
    // the daemon runs as saved: not started again; the deleted service is back
    expect((await run(ipvs, ['-S', '--json'])).stdout).toBe(save);
  });
});

describe('a document that cannot be restored changes nothing', () => {
  const bad = '{"format": "ipvsadm-ts", "version": 1, "kind": "save", "timeouts": {"tcp": 1, "tcpFin": 1, "udp": 1}, "daemons": [], "services": [{"fwmark": 0}]}';

  it('ipvsadm -R: status 2, the problem named, the kernel untouched (timeouts included)', async () => {
    const ipvs = await kernelWith(RULES);
    const before = await run(ipvs, ['-S', '--json']);
    expect(await run(ipvs, ['-R'], bad)).toEqual({ stdout: '', stderr: 'ipvsadm: restore: services[0].fwmark: must be an integer from 1 to 4294967295\nipvsadm: restore: nothing was changed\n', code: 2 });
    expect(await run(ipvs, ['-S', '--json'])).toEqual(before);
  });

  it('ipvsadm-restore: status 2 and no flush (1.31 flushes before reading a bad text file)', async () => {
    const ipvs = await kernelWith(RULES);
    const before = await run(ipvs, ['-S', '--json']);
    const io = fakeKernelIo({ model: ipvs }, { readStdin: async () => `\n  ${bad}` });
    expect(await mainRestore([], io)).toBe(2);
    expect(io.err()).toBe('ipvsadm: restore: services[0].fwmark: must be an integer from 1 to 4294967295\nipvsadm: restore: nothing was changed\n');
    expect(await run(ipvs, ['-S', '--json'])).toEqual(before);
  });

  it('ipvsadm-restore of a good save: flushes, then restores the file as it is', async () => {
    const source = await kernelWith(RULES);
    const save = (await run(source, ['-S', '--json'])).stdout;
    const target = await kernelWith('-A -t 203.0.113.9:443 -s rr');
    const io = fakeKernelIo({ model: target }, { readStdin: async () => save });
    expect(await mainRestore([], io)).toBe(0);
    expect(io.err()).toBe('');
    expect((await run(target, ['-S', '--json'])).stdout).toBe(save);
  });
});

describe('-R reads JSON only when the input starts with {', () => {
  it('a text restore whose first line is not { is still 1.31 text, line by line', async () => {
    const ipvs = new FakeIpvs();
    const r = await run(ipvs, ['-R'], '-A -t 192.0.2.1:80\n{\n');
    expect(r.stderr).not.toMatch(/JSON|restore/);
    expect([...ipvs.services.values()].map((s) => s.port)).toEqual([80]);
  });
});
