// The commands of src/systemd/ipvsadm.service, taken from the unit file as systemd would run them
// (ExecStart, ExecReload, ExecStop; the rules path swapped for a temporary file), run through the
// command table over the fake kernel: a good file applied, an edited one reloaded in place, a bad
// one refused with the reason on stderr and the table left alone, Debian's /etc/default/ipvsadm
// (AUTO, DAEMON, IFACE, SYNCID) honoured as its init script read it (sourced by sh).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/entry/command-table.js';
import { debianDefaults } from '../../src/apply/boot.js';
import { fakeKernelIo } from '../support/capture-io.js';
import type { Run } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';

const DIR = mkdtempSync(join(tmpdir(), 'boot-unit-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const UNIT = readFileSync(new URL('../../src/systemd/ipvsadm.service', import.meta.url), 'utf8');
const RULES = join(DIR, 'ipvsadm.rules');

/** The unit's `Key=` lines. */
const directives = (key: string): string[] => UNIT.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

/** An Exec line of the unit as argv for the command table: the program must be our ipvsadm. */
function execLine(key: 'ExecStart' | 'ExecReload' | 'ExecStop', rules = RULES): string[] {
  const lines = directives(key);
  expect(lines, key).toHaveLength(1);
  const [program, ...args] = lines[0]!.split(/\s+/);
  expect(program).toBe('/usr/local/bin/ipvsadm');
  return [...args.map((a) => (a === '/etc/ipvsadm.rules' ? rules : a)), '--lock-dir', DIR];
}

type Env = Record<string, string | undefined>;

async function run(ipvs: FakeIpvs, argv: readonly string[], environment: Env = {}, stdin = ''): Promise<Run> {
  ipvs.interfaces = new Set(['lo', 'eth0', 'eth1', 'eth2']);
  const io = fakeKernelIo({ model: ipvs }, { readStdin: async () => stdin, environment });
  const code = await dispatch(argv, io);
  return { stdout: io.out(), stderr: io.err(), code };
}

const save = async (ipvs: FakeIpvs): Promise<string> => (await run(ipvs, ['-Sn'])).stdout;
const daemons = async (ipvs: FakeIpvs): Promise<string> => (await run(ipvs, ['-L', '--daemon'])).stdout;

/** `-L --daemon` of a kernel where 1.31's command line started these daemons (role, interface, sync id). */
async function daemonsStarted(...started: [string, string, string][]): Promise<string> {
  const ipvs = new FakeIpvs();
  for (const [role, iface, syncId] of started) expect((await run(ipvs, ['--start-daemon', role, '--mcast-interface', iface, '--syncid', syncId])).code).toBe(0);
  return daemons(ipvs);
}

async function kernelWith(lines: string): Promise<FakeIpvs> {
  const ipvs = new FakeIpvs();
  expect(await run(ipvs, ['-R'], {}, lines)).toEqual({ stdout: '', stderr: '', code: 0 });
  return ipvs;
}

/**
 * /etc/default/ipvsadm as Debian's init script read it: sourced by sh. The variables it set (set
 * and non-empty) are what EnvironmentFile= hands the unit's commands.
 */
function sourced(text: string): Env {
  const file = join(DIR, `default-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text);
  const names = ['AUTO', 'DAEMON', 'IFACE', 'SYNCID'];
  const r = spawnSync('sh', ['-c', `. "$1"; for v in ${names.join(' ')}; do eval "printf '%s=%s\\n' $v \\"\\$$v\\""; done`, 'sh', file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)).filter(([, v]) => v !== ''));
}

/** A Debian-style defaults file: comments, quoted values, a tab after a value. */
const defaults = (vars: Record<string, string>): string =>
  ['# /etc/default/ipvsadm', '', ...Object.entries(vars).map(([k, v]) => `# ${k.toLowerCase()}\n${k}="${v}"\t`), '# SYNCID="0"', ''].join('\n');

const RULES_TEXT = ['-A -t 192.0.2.1:80 -s wlc', '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1', '-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 3', '-A -u 192.0.2.2:53 -s rr', '-a -u 192.0.2.2:53 -r 198.51.100.3:53 -g -w 1', ''].join('\n');

describe('ipvsadm.service', () => {
  it('is a oneshot that stays active, reads /etc/default/ipvsadm if present, and starts after the network, before VRRP and BGP', () => {
    expect(directives('Type')).toEqual(['oneshot']);
    expect(directives('RemainAfterExit')).toEqual(['yes']);
    expect(directives('EnvironmentFile')).toEqual(['-/etc/default/ipvsadm']);
    expect(directives('After')).toEqual(['network-online.target']);
    expect(directives('Before')[0]!.split(' ')).toEqual(expect.arrayContaining(['keepalived.service', 'bird.service']));
    expect(directives('WantedBy')).toEqual(['multi-user.target']);
  });

  it('ExecStart applies the rules file onto an empty table: the table -R of the file makes', async () => {
    writeFileSync(RULES, RULES_TEXT);
    const ipvs = new FakeIpvs();
    const r = await run(ipvs, execLine('ExecStart'));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`apply: 5 changes made; the kernel matches ${RULES}`);
    expect(await save(ipvs)).toBe(await save(await kernelWith(RULES_TEXT)));
  });

  it('ExecReload after an edit changes in place and removes what the file dropped (--prune); again: nothing to change', async () => {
    const ipvs = await kernelWith(RULES_TEXT);
    const edited = RULES_TEXT.replace('198.51.100.2:80 -m -w 3', '198.51.100.2:80 -m -w 5').replace(/-A -u .*\n-a -u .*\n/, '');
    writeFileSync(RULES, edited);
    const r = await run(ipvs, execLine('ExecReload'));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['~ real server 198.51.100.2:80 of tcp 192.0.2.1:80: weight 3 → 5', '- service udp 192.0.2.2:53: scheduler rr']));
    expect(await save(ipvs)).toBe(await save(await kernelWith(edited)));
    expect(await run(ipvs, execLine('ExecReload'))).toEqual({ stdout: `apply: nothing to change: the kernel matches ${RULES}\n`, stderr: '', code: 0 });
  });

  it('a bad file fails ExecReload (status 1) with each problem on stderr, and the running table is left alone', async () => {
    const ipvs = await kernelWith(RULES_TEXT);
    const before = await save(ipvs);
    writeFileSync(RULES, `${RULES_TEXT}-a -t 192.0.2.9:80 -r 198.51.100.4:80 -m\n-A -t 192.0.2.3:80 -s nosuch\n`);
    const r = await run(ipvs, execLine('ExecReload'));
    expect(r).toEqual({
      stdout: '',
      stderr: [
        `ipvsadm boot: ${RULES}: line 6: real server 198.51.100.4:80 of tcp 192.0.2.9:80: no -A line defines that service`,
        // the scheduler is the kernel's to refuse: the whole file is checked first, so this one is not reached
        'ipvsadm boot: nothing was changed',
        '',
      ].join('\n'),
      code: 1,
    });
    expect(await save(ipvs)).toBe(before);
    rmSync(RULES);
    const missing = await run(ipvs, execLine('ExecStart'));
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 1, stderr: `ipvsadm boot: ${RULES}: ENOENT: no such file or directory, open '${RULES}'\n` });
    expect(await save(ipvs)).toBe(before);
  });

  it('takes a JSON save as well as 1.31 text', async () => {
    const json = join(DIR, 'ipvsadm.json');
    writeFileSync(json, (await run(await kernelWith(RULES_TEXT), ['-S', '--json'])).stdout);
    const ipvs = new FakeIpvs();
    const r = await run(ipvs, execLine('ExecStart', json));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await save(ipvs)).toBe(await save(await kernelWith(RULES_TEXT)));
  });
});

describe("Debian's /etc/default/ipvsadm", () => {
  it('DAEMON, IFACE and SYNCID start the sync daemon with the rules; ExecStop stops it and leaves the table', async () => {
    writeFileSync(RULES, RULES_TEXT);
    const env = sourced(defaults({ AUTO: 'true', DAEMON: 'master', IFACE: 'eth1', SYNCID: '7' }));
    expect(env).toEqual({ AUTO: 'true', DAEMON: 'master', IFACE: 'eth1', SYNCID: '7' });
    const ipvs = new FakeIpvs();
    const r = await run(ipvs, execLine('ExecStart'), env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('+ daemon master daemon: interface eth1, sync id 7');
    expect(await daemons(ipvs)).toBe(await daemonsStarted(['master', 'eth1', '7']));
    const table = await save(ipvs);
    expect(table).toBe(await save(await kernelWith(RULES_TEXT)));
    // a reload finds the daemon as wanted and leaves it
    expect(await run(ipvs, execLine('ExecReload'), env)).toEqual({ stdout: `apply: nothing to change: the kernel matches ${RULES}\n`, stderr: '', code: 0 });
    const stop = await run(ipvs, execLine('ExecStop'), env);
    expect(stop).toEqual({ stdout: '- master daemon: on eth1, sync id 7: stopped\nipvsadm boot: the table is left as it is\n', stderr: '', code: 0 });
    expect(await daemons(ipvs)).toBe('');
    expect(await save(ipvs)).toBe(table);
  });

  it('DAEMON=both starts master and backup; a daemon running with other settings is restarted with these', async () => {
    writeFileSync(RULES, RULES_TEXT);
    const ipvs = new FakeIpvs();
    expect((await run(ipvs, ['--start-daemon', 'backup', '--mcast-interface', 'eth0', '--syncid', '1'])).code).toBe(0);
    const env = sourced(defaults({ DAEMON: 'both', IFACE: 'eth2', SYNCID: '3' }));
    const r = await run(ipvs, execLine('ExecStart'), env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain('~ daemon backup daemon: interface eth0 → eth2, sync id 1 → 3');
    expect(await daemons(ipvs)).toBe(await daemonsStarted(['master', 'eth2', '3'], ['backup', 'eth2', '3']));
  });

  it('AUTO=false: the rules file is not applied (nor even read), only the daemon is started', async () => {
    rmSync(RULES, { force: true });
    const ipvs = await kernelWith('-A -t 203.0.113.1:443 -s rr\n');
    const table = await save(ipvs);
    const env = sourced(defaults({ AUTO: 'false', DAEMON: 'backup', IFACE: 'eth0' }));
    const r = await run(ipvs, execLine('ExecStart'), env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout.split('\n')).toEqual([`ipvsadm boot: AUTO=false: ${RULES} is not applied`, '+ daemon backup daemon: interface eth0, sync id 0', 'apply: 1 change made; the kernel matches /etc/default/ipvsadm', '']);
    expect(await save(ipvs)).toBe(table);
    expect(await daemons(ipvs)).toBe(await daemonsStarted(['backup', 'eth0', '0']));
    const none = await run(ipvs, execLine('ExecStart'), sourced(defaults({ AUTO: 'false', DAEMON: 'none' })));
    expect(none).toEqual({ stdout: `ipvsadm boot: AUTO=false: ${RULES} is not applied\nipvsadm boot: DAEMON=none: nothing to do\n`, stderr: '', code: 0 });
  });

  it('a value the init script would not know fails the unit before anything changes, naming each', async () => {
    writeFileSync(RULES, RULES_TEXT);
    const ipvs = await kernelWith('-A -t 203.0.113.1:443 -s rr\n');
    const table = await save(ipvs);
    const env = sourced(defaults({ AUTO: 'yes', DAEMON: 'primary', IFACE: 'eth0', SYNCID: '256' }));
    for (const key of ['ExecStart', 'ExecReload', 'ExecStop'] as const) {
      expect(await run(ipvs, execLine(key), env), key).toEqual({
        stdout: '',
        stderr: [
          'ipvsadm boot: AUTO=yes: expected true or false',
          'ipvsadm boot: DAEMON=primary: expected none, master, backup or both',
          'ipvsadm boot: SYNCID=256: expected an integer from 0 to 255',
          'ipvsadm boot: nothing was changed',
          '',
        ].join('\n'),
        code: 1,
      });
    }
    expect(await save(ipvs)).toBe(table);
    expect(await daemons(ipvs)).toBe('');
  });

  it('an IFACE the kernel does not have: the kernel refuses the daemon, the run is rolled back (status 3), the reason on stderr', async () => {
    writeFileSync(RULES, RULES_TEXT);
    const ipvs = await kernelWith('-A -t 203.0.113.1:443 -s rr\n');
    const table = await save(ipvs);
    const r = await run(ipvs, execLine('ExecStart'), sourced(defaults({ DAEMON: 'master', IFACE: 'eth9' })));
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('ipvsadm boot: + daemon master daemon: interface eth9, sync id 0: No such device; rolled back, the table is as it was\n');
    expect(await save(ipvs)).toBe(table);
    expect(await daemons(ipvs)).toBe('');
  });

  it('a daemon the file starts otherwise than DAEMON/IFACE/SYNCID say is a conflict: nothing changes', async () => {
    writeFileSync(RULES, `${RULES_TEXT}--start-daemon master --mcast-interface eth0 --syncid 1\n`);
    const ipvs = new FakeIpvs();
    const r = await run(ipvs, execLine('ExecStart'), { DAEMON: 'master', IFACE: 'eth1', SYNCID: '1' });
    expect(r).toEqual({
      stdout: '',
      stderr: 'ipvsadm boot: the rules file starts a master on eth0, sync id 1, DAEMON/IFACE/SYNCID a master on eth1, sync id 1: name it in one place\nipvsadm boot: nothing was changed\n',
      code: 1,
    });
    expect(await save(ipvs)).toBe('');
  });

  it('no defaults file (or empty values): rules applied, no daemon, IFACE eth0 and SYNCID 0 as Debian\'s script defaults them', () => {
    expect(debianDefaults({})).toEqual({ auto: true, daemons: [] });
    expect(debianDefaults({ AUTO: '', DAEMON: 'master' })).toEqual({ auto: true, daemons: [{ state: 'master', mcastIfn: 'eth0', syncId: 0 }] });
    expect(() => debianDefaults({ DAEMON: 'master', IFACE: 'a/b' })).toThrow('IFACE=a/b: expected an interface name');
    expect(() => debianDefaults({ SYNCID: '-1' })).toThrow('SYNCID=-1: expected an integer from 0 to 255');
  });
});
