// `ipvsadm director ready` through the command table over the fake kernel: ready (0) and not ready
// (1) with the reasons as text, JSON or nothing (-q), a table compared with its rules file, the
// sync daemons a pair needs, and usage errors (2) that name the option.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { READY_EXIT } from '../../src/app/exit-status.js';
import { dispatch } from '../../src/entry/command-table.js';
import { fakeKernelIo, runOverFakeKernel } from '../support/capture-io.js';
import type { Run } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { fakeTableFrom } from '../support/fake-table.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { FLAG, LinkKernel } from '../support/fake-links.js';

const DIR = mkdtempSync(join(tmpdir(), 'ready-cli-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const ipvsadm = (ipvs: FakeIpvs, argv: string[], stdin = ''): Promise<Run> => runOverFakeKernel({ model: ipvs }, (io) => dispatch(argv, io), stdin);
const ready = (ipvs: FakeIpvs, args: string[]): Promise<Run> => ipvsadm(ipvs, ['director', 'ready', ...args]);

const TABLE = ['-A -t 192.0.2.1:80 -s mh -b mh-port', '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 1', '-a -t 192.0.2.1:80 -r 198.51.100.2:80 -g -w 1'];

const kernelWith = (lines: string[]): Promise<FakeIpvs> => fakeTableFrom(lines);

function file(name: string, text: string): string {
  const path = join(DIR, name);
  writeFileSync(path, text);
  return path;
}

describe('ipvsadm director ready', () => {
  it('exits 0 with one line when ready, 1 with a reason per line when not', async () => {
    const ipvs = await kernelWith(TABLE);
    expect(await ready(ipvs, [])).toEqual({ stdout: 'ready: 1 services, each with a real server of weight above 0\n', stderr: '', code: READY_EXIT.READY });
    await ipvsadm(ipvs, ['-e', '-t', '192.0.2.1:80', '-r', '198.51.100.1:80', '-g', '-w', '0']);
    await ipvsadm(ipvs, ['-e', '-t', '192.0.2.1:80', '-r', '198.51.100.2:80', '-g', '-w', '0']);
    expect(await ready(ipvs, [])).toEqual({ stdout: 'not ready:\n  tcp 192.0.2.1:80: every real server at weight 0 (2)\n', stderr: '', code: READY_EXIT.NOT_READY });
    expect(await ready(ipvs, ['-q'])).toEqual({ stdout: '', stderr: '', code: READY_EXIT.NOT_READY });
    const json = await ready(ipvs, ['--json']);
    expect(JSON.parse(json.stdout)).toEqual({ ready: false, reasons: ['tcp 192.0.2.1:80: every real server at weight 0 (2)'], services: 1, usableServices: 0, syncDaemons: [] });
    expect((await ready(new FakeIpvs(), [])).stdout).toBe('not ready:\n  no virtual service in the table\n');
  });

  it('--rules: ready only while the table is the file\'s, text or JSON save', async () => {
    const ipvs = await kernelWith(TABLE);
    const text = file('rules.txt', `${TABLE.join('\n')}\n`);
    const json = file('rules.json', (await ipvsadm(ipvs, ['-S', '--json'])).stdout);
    expect((await ready(ipvs, ['--rules', text])).code).toBe(READY_EXIT.READY);
    expect((await ready(ipvs, ['--rules', json])).code).toBe(READY_EXIT.READY);
    await ipvsadm(ipvs, ['-C']);
    const r = await ready(ipvs, ['--rules', text]);
    expect(r).toEqual({ stdout: `not ready:\n  no virtual service in the table\n  tcp 192.0.2.1:80: in ${text}, not in the table\n`, stderr: '', code: READY_EXIT.NOT_READY });
    const missing = join(DIR, 'none.txt');
    expect((await ready(await kernelWith(TABLE), ['--rules', missing])).stdout).toMatch(new RegExp(`^not ready:\\n  ${missing}: cannot be read \\(ENOENT: .+\\)\\n$`));
    expect((await ready(await kernelWith(TABLE), ['--rules', file('bad.txt', '-A -t 192.0.2.1:80 -s nosuch -x\n')])).stdout).toMatch(/: not a table file \(line 1: .+\)\n$/);
  });

  it('--ha pair needs the master and the backup sync daemon on a link that is up; --sync picks others; ecmp none', async () => {
    const ipvs = await kernelWith(TABLE);
    let eth0 = FLAG.UP | FLAG.RUNNING | FLAG.MULTICAST;
    // generic netlink goes to the IPVS fake, rtnetlink (protocol 0) to a fake that knows eth0
    const run = async (args: string[]): Promise<Run> => {
      const io = fakeKernelIo({ model: ipvs }, { openTransport: async (protocol) => (protocol === 0 ? new LinkKernel({ eth0: { flags: eth0 } }) : new FakeKernel({ model: ipvs })) });
      const code = await dispatch(['director', 'ready', ...args], io);
      return { stdout: io.out(), stderr: io.err(), code };
    };
    expect((await run(['--ha', 'pair'])).stdout).toBe('not ready:\n  sync daemon master not running\n  sync daemon backup not running\n');
    expect((await run(['--ha', 'ecmp'])).code).toBe(READY_EXIT.READY);
    await ipvsadm(ipvs, ['--start-daemon', 'backup', '--mcast-interface', 'eth0', '--syncid', '7']);
    expect((await run(['--ha', 'pair'])).stdout).toBe('not ready:\n  sync daemon master not running\n');
    expect((await run(['--ha', 'pair', '--sync', 'backup'])).code).toBe(READY_EXIT.READY);
    eth0 = FLAG.MULTICAST;
    expect(await run(['--sync', 'backup'])).toEqual({ stdout: 'not ready:\n  sync daemon backup: interface eth0 is down\n', stderr: '', code: READY_EXIT.NOT_READY });
  });

  it('usage errors exit 2 and name the option', async () => {
    const ipvs = await kernelWith(TABLE);
    const cases: [string[], string][] = [
      [['--ha', 'trio'], '--ha trio: expected one of pair, ecmp'],
      [['--sync', 'all'], '--sync all: expected one of master, backup, both, none'],
      [['--watch', 'soon'], '--watch soon: expected seconds from 0.1 to 86400'],
      [['--on-ready', 'true'], '--on-ready and --on-unready need --watch'],
      [['--watch', '1', '--json'], '--json is for one verdict, not with --watch'],
      [['--watch', '1', '--hook-timeout', '0'], '--hook-timeout 0: expected seconds from 0.1 to 86400'],
    ];
    for (const [args, message] of cases) expect(await ready(ipvs, args)).toEqual({ stdout: '', stderr: `ipvsadm director ready: ${message}\n`, code: READY_EXIT.USAGE });
    expect(await ready(ipvs, ['--nope'])).toMatchObject({ stdout: '', code: READY_EXIT.USAGE });
  });
});
