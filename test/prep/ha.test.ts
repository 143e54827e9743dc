// Settings for several directors with the fake system: the --ha presets and explicit options
// (parse), what they require (sysctls with reasons, sync daemons), the plan on a host without
// ip_vs, up/check/down cycles (down stops only the daemons up started and restores each value),
// check rows and their reasons, and the command line (dry run, JSON, usage errors).
import { describe, expect, it } from 'vitest';
import { parseHa } from '../../src/prep/ha.js';
import type { RawHaOptions } from '../../src/prep/ha.js';
import { PlanError, PrepUsageError } from '../../src/prep/errors.js';
import { formatCheck } from '../../src/prep/format.js';
import { planUp } from '../../src/prep/plan.js';
import { formatSysctlConf } from '../../src/prep/persist.js';
import { desiredState } from '../../src/prep/requirements.js';
import { runCheck, runDown, runUp } from '../../src/prep/run.js';
import { buildRequest } from '../../src/prep/spec.js';
import type { RawOptions } from '../../src/prep/spec.js';
import { parseAddress } from '../../src/ipvs/address.js';
import { runPrepCli } from '../../src/realserver/cli.js';
import { captureIo } from '../support/capture-io.js';
import { FakeSystem } from '../support/fake-system.js';
import { tempDir } from './support.js';

const director = (action: 'up' | 'down' | 'check', raw: RawOptions) => buildRequest('director', action, { mode: 'dr', ...raw });
const PAIR: RawOptions = { ha: 'pair', mcastInterface: 'eth0', syncid: '7' };
const vs = (name: string): string => `net/ipv4/vs/${name}`;

describe('parseHa', () => {
  it('no option: no settings for several directors', () => {
    expect(parseHa({}, 'eth0')).toBeUndefined();
  });

  it('pair: master and backup daemons, sync version 1, threshold 3 10, expiry of dead and quiescent entries', () => {
    expect(parseHa({ ha: 'pair', syncid: '7' }, 'eth0')).toEqual({
      preset: 'pair',
      sync: { role: 'both', mcastIfn: 'eth0', syncId: 7 },
      sysctls: { 'sync-version': 1, 'sync-threshold': '3 10', 'expire-nodest-conn': 1, 'expire-quiescent-template': 1 },
    });
  });

  it('ecmp: sloppy TCP and SCTP, no sync daemon', () => {
    expect(parseHa({ ha: 'ecmp' }, undefined)).toEqual({ preset: 'ecmp', sysctls: { 'sloppy-tcp': 1, 'sloppy-sctp': 1, 'expire-nodest-conn': 1 } });
  });

  it('explicit options override the preset; a refresh period replaces the preset threshold', () => {
    const ha = parseHa({ ha: 'pair', mcastInterface: 'eth1', sync: 'master', syncThreshold: '2,20', sloppyTcp: '1', expireNodestConn: '0', mcastGroup: '239.1.2.3', mcastPort: '9000', mcastTtl: '2', syncMaxlen: '1400' }, 'eth0');
    expect(ha?.sync).toEqual({ role: 'master', mcastIfn: 'eth1', syncId: 0, syncMaxlen: 1400, mcastGroup: parseAddress('239.1.2.3'), mcastPort: 9000, mcastTtl: 2 });
    expect(ha?.sysctls).toEqual({ 'sync-version': 1, 'sync-threshold': '2 20', 'expire-nodest-conn': 0, 'expire-quiescent-template': 1, 'sloppy-tcp': 1 });
    expect(parseHa({ ha: 'pair', syncRefreshPeriod: '30' }, 'eth0')?.sysctls).toEqual({ 'sync-version': 1, 'sync-refresh-period': 30, 'expire-nodest-conn': 1, 'expire-quiescent-template': 1 });
  });

  it.each<[RawHaOptions, string | undefined, RegExp]>([
    [{ ha: 'triple' }, 'eth0', /--ha triple: expected one of pair, ecmp/],
    [{ ha: 'pair' }, undefined, /needs --mcast-interface \(or --dev\)/],
    [{ ha: 'ecmp', syncid: '3' }, 'eth0', /need a sync daemon/],
    [{ sync: 'backup', syncid: '256' }, 'eth0', /--syncid 256: expected an integer 0\.\.255/],
    [{ ha: 'pair', syncThreshold: '10 3' }, 'eth0', /THRESHOLD < PERIOD/],
    [{ ha: 'pair', syncThreshold: '3' }, 'eth0', /expected two integers/],
    [{ sloppyTcp: '2' }, undefined, /--sloppy-tcp 2: expected an integer 0\.\.1/],
    [{ sync: 'master', backupOnly: '1' }, 'eth0', /--backup-only 1 needs a backup daemon/],
    [{ sync: 'both', mcastGroup: '192.0.2.1' }, 'eth0', /--mcast-group 192\.0\.2\.1: expected an IPv4 224\.0\.0\.0\/4/],
  ])('%j (dev %s): usage error', (raw, dev, message) => {
    expect(() => parseHa(raw, dev)).toThrow(PrepUsageError);
    expect(() => parseHa(raw, dev)).toThrow(message);
  });

  it('director options only, and with --mode', () => {
    expect(() => buildRequest('realserver', 'up', { mode: 'dr', vip: ['192.0.2.1'], ha: 'pair' })).toThrow(/are director options/);
    expect(() => buildRequest('director', 'down', { ha: 'pair' })).toThrow(/need --mode/);
  });
});

describe('requirements', () => {
  it('pair: the sysctls with reasons, one daemon per role, the sync interface must exist', () => {
    const d = desiredState(director('up', PAIR).spec!);
    expect(d.sysctls.map((s) => [s.key, s.value])).toEqual([[vs('sync_version'), 1], [vs('sync_threshold'), '3 10'], [vs('expire_nodest_conn'), 1], [vs('expire_quiescent_template'), 1]]);
    expect(d.sysctls.every((s) => (s.why ?? '').length > 20)).toBe(true);
    expect(d.daemons?.map((n) => n.daemon)).toEqual([{ state: 'master', mcastIfn: 'eth0', syncId: 7 }, { state: 'backup', mcastIfn: 'eth0', syncId: 7 }]);
    expect(d.daemons?.[0]?.why).toContain('comes back empty after a reboot');
    expect(d.devices).toEqual(['eth0']);
  });

  it('ecmp: no daemon', () => {
    const d = desiredState(director('up', { ha: 'ecmp' }).spec!);
    expect(d.daemons).toBeUndefined();
    expect(d.sysctls.map((s) => s.key)).toEqual([vs('sloppy_tcp'), vs('sloppy_sctp'), vs('expire_nodest_conn')]);
  });
});

describe('plan', () => {
  it('without ip_vs: load it, then the vs sysctls (not there yet), then the daemons', async () => {
    const sys = new FakeSystem();
    const r = await runUp(director('up', PAIR), sys, { dryRun: true, stateDir: await tempDir() });
    expect(r.steps.map((s) => s.kind)).toEqual(['module-load', 'sysctl-set', 'sysctl-set', 'sysctl-set', 'sysctl-set', 'daemon-start', 'daemon-start']);
    expect(r.steps[1]).toEqual({ kind: 'sysctl-set', key: vs('sync_version'), from: undefined, to: 1 });
    expect(sys.log).toEqual([]);
  });

  it('a daemon of the role running with other settings is in the way', async () => {
    const sys = new FakeSystem({ loaded: ['ip_vs'], daemons: [{ state: 'backup', mcastIfn: 'eth0', syncId: 9 }] });
    const err = await runUp(director('up', PAIR), sys, { stateDir: await tempDir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlanError);
    expect((err as PlanError).problems).toEqual(['a backup (syncid 9, eth0) sync daemon already runs, not backup (syncid 7, eth0): stop it first (ipvsadm --stop-daemon backup)']);
    expect(sys.log).toEqual([]);
  });

  it('a missing sync interface is a problem; a vs sysctl missing while ip_vs is loaded too', () => {
    const d = desiredState(director('up', { ...PAIR, mcastInterface: 'bond0' }).spec!);
    const o = { sysctls: new Map(), links: new Map([['eth0', { index: 1, name: 'eth0', up: true }]]), addresses: [], modules: new Map([['ip_vs', true]]), fouPorts: undefined, daemons: [] };
    expect(() => planUp(d, o)).toThrow(/unknown interface bond0/);
    expect(() => planUp(d, o)).toThrow(/the kernel has no sysctl net\.ipv4\.vs\.sync_version/);
  });
});

describe('up, check, down', () => {
  it('pair: up sets and starts everything, check is ready, down restores every value and stops both daemons', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ loaded: ['ip_vs'] });
    const before = sys.snapshot();
    await runUp(director('up', PAIR), sys, { stateDir });
    expect(sys.snapshot().daemons).toEqual(['backup syncid 7 eth0', 'master syncid 7 eth0']);
    expect(sys.sysctls.get(vs('sync_threshold'))).toBe('3 10');
    const check = await runCheck(director('check', PAIR), sys);
    expect(check.ready).toBe(true);
    expect(check.rows.filter((r) => r.kind === 'daemon').map((r) => [r.requirement, r.effective])).toEqual([
      ['sync daemon master (syncid 7, eth0)', 'running'],
      ['sync daemon backup (syncid 7, eth0)', 'running'],
    ]);
    const down = await runDown(buildRequest('director', 'down', {}), sys, { stateDir });
    expect(down.steps.slice(0, 2).map((s) => s.kind)).toEqual(['daemon-stop', 'daemon-stop']);
    expect(sys.snapshot()).toEqual(before);
    expect((await runCheck(director('check', PAIR), sys)).ready).toBe(false);
  });

  it('a daemon that was running as wanted is neither started nor stopped', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ loaded: ['ip_vs'], daemons: [{ state: 'master', mcastIfn: 'eth0', syncId: 7 }] });
    await runUp(director('up', PAIR), sys, { stateDir });
    expect(sys.log.filter((l) => l.startsWith('daemon'))).toEqual(['daemon start backup syncid 7 eth0']);
    await runDown(buildRequest('director', 'down', {}), sys, { stateDir });
    expect(sys.snapshot().daemons).toEqual(['master syncid 7 eth0']);
  });

  it('a failing daemon start rolls back the sysctls and the daemon already started', async () => {
    const sys = new FakeSystem({ loaded: ['ip_vs'] }).failOn('daemon.start', 'backup');
    const before = sys.snapshot();
    await expect(runUp(director('up', PAIR), sys, { stateDir: await tempDir() })).rejects.toThrow(/start sync daemon backup/);
    expect(sys.snapshot()).toEqual(before);
  });

  it('check names what is missing and why', async () => {
    const sys = new FakeSystem({ loaded: ['ip_vs'] });
    const report = await runCheck(director('check', PAIR), sys);
    const failing = report.rows.filter((r) => !r.ok);
    expect(failing.map((r) => [r.requirement, r.expected, r.effective])).toEqual([
      ['net.ipv4.vs.sync_threshold', '3 10', '3 50'],
      ['net.ipv4.vs.expire_nodest_conn', '1', '0'],
      ['net.ipv4.vs.expire_quiescent_template', '1', '0'],
      ['sync daemon master (syncid 7, eth0)', 'running', 'not running'],
      ['sync daemon backup (syncid 7, eth0)', 'running', 'not running'],
    ]);
    const text = formatCheck(report, { side: 'director', mode: 'dr, pair' }, { color: false });
    expect(text).toContain('missing: net.ipv4.vs.sync_threshold: an entry is sent at its THRESHOLD-th packet');
    expect(text).toContain('missing: sync daemon backup (syncid 7, eth0): receives the other directors');
    expect(text).toMatch(/not ready: 5 of 7 requirements not met\n$/);
  });
});

describe('conn_reuse_mode', () => {
  it('--conn-reuse-mode 0..3 sets net.ipv4.vs.conn_reuse_mode (no preset does); other values are usage errors', () => {
    expect(parseHa({ ha: 'pair', syncid: '7', connReuseMode: '2' }, 'eth0')?.sysctls['conn-reuse-mode']).toBe(2);
    expect(parseHa({ ha: 'ecmp' }, undefined)?.sysctls['conn-reuse-mode']).toBeUndefined();
    expect(parseHa({ connReuseMode: '0' }, undefined)).toEqual({ sysctls: { 'conn-reuse-mode': 0 } });
    for (const bad of ['4', '-1', 'x']) expect(() => parseHa({ connReuseMode: bad }, undefined)).toThrow(new PrepUsageError(`--conn-reuse-mode ${bad}: expected an integer 0..3`));
  });

  it('check reports it with what a reused port does after a failover; up sets it and down puts the old value back', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ loaded: ['ip_vs'] });
    sys.sysctls.set(vs('conn_reuse_mode'), 0);
    const raw = { ...PAIR, connReuseMode: '2' };
    const report = await runCheck(director('check', raw), sys);
    const row = report.rows.find((r) => r.requirement === 'net.ipv4.vs.conn_reuse_mode');
    expect(row && [row.ok, row.expected, row.effective]).toEqual([false, '2', '0']);
    const text = formatCheck(report, { side: 'director', mode: 'dr, pair' }, { color: false });
    expect(text).toMatch(/missing: net\.ipv4\.vs\.conn_reuse_mode: a new connection from a client port that an entry still holds .* with 0 it goes to the old entry's real server, even one gone or at weight 0 after a failover/);
    await runUp(director('up', raw), sys, { stateDir });
    expect(sys.sysctls.get(vs('conn_reuse_mode'))).toBe(2);
    expect((await runCheck(director('check', raw), sys)).rows.find((r) => r.requirement === 'net.ipv4.vs.conn_reuse_mode')?.ok).toBe(true);
    await runDown(buildRequest('director', 'down', {}), sys, { stateDir });
    expect(sys.sysctls.get(vs('conn_reuse_mode'))).toBe(0);
  });
});

describe('a second up in the same namespace', () => {
  it('another --ha preset or sync role is refused (exit 2), naming the recorded one and down; the same one, or none, adds to it', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ loaded: ['ip_vs'] });
    await runUp(director('up', PAIR), sys, { stateDir });
    const after = sys.snapshot();
    const refusal = /^this network namespace is already set up with --ha pair \(sync both\) \(.+director\.json\); an up with (.+) would stack the two settings: run `ipvsadm director down` first/;
    for (const [raw, said] of [
      [{ ha: 'ecmp' }, '--ha ecmp (sync none)'],
      [{ ...PAIR, sync: 'master' }, '--ha pair (sync master)'],
      [{ sync: 'backup', mcastInterface: 'eth0', syncid: '7' }, '--sync backup'],
    ] as const) {
      const e = await runUp(director('up', raw), sys, { stateDir }).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(PlanError);
      expect((e as PlanError).problems[0]).toMatch(refusal);
      expect(refusal.exec((e as PlanError).problems[0]!)?.[1]).toBe(said);
    }
    expect(sys.snapshot()).toEqual(after);
    await runUp(director('up', PAIR), sys, { stateDir });
    await runUp(director('up', { vip: ['192.0.2.9'], dev: 'eth0' }), sys, { stateDir });
    await runDown(buildRequest('director', 'down', {}), sys, { stateDir });
    await runUp(director('up', { ha: 'ecmp' }), sys, { stateDir });
    expect(sys.sysctls.get(vs('sloppy_tcp'))).toBe(1);
  });

  it('on the command line: exit status 2, the message on stderr, nothing changed', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ loaded: ['ip_vs'] });
    const io = captureIo();
    expect(await runPrepCli('director', ['up', '--mode', 'dr', '--ha', 'ecmp', '--state-dir', stateDir], io, () => sys)).toBe(0);
    const log = sys.log.length;
    const second = captureIo();
    expect(await runPrepCli('director', ['up', '--mode', 'dr', '--ha', 'pair', '--mcast-interface', 'eth0', '--state-dir', stateDir], second, () => sys)).toBe(2);
    expect(second.err()).toMatch(/^ipvsadm director up: this network namespace is already set up with --ha ecmp \(sync none\) .*; an up with --ha pair \(sync both\) would stack the two settings: run `ipvsadm director down` first.*\nnothing was changed\n$/);
    expect(sys.log.length).toBe(log);
  });
});

describe('command line', () => {
  async function cli(argv: readonly string[], sys: FakeSystem): Promise<{ code: number; stdout: string; stderr: string }> {
    const io = captureIo();
    const code = await runPrepCli('director', argv, io, () => sys);
    return { code, stdout: io.out(), stderr: io.err() };
  }

  it('up --ha ecmp --dry-run: the plan as text', async () => {
    const r = await cli(['up', '--mode', 'dr', '--ha', 'ecmp', '--dry-run', '--state-dir', await tempDir()], new FakeSystem({ loaded: ['ip_vs'] }));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'director up (dr, ecmp), dry run: would make 3 changes:\n' +
        '  set net.ipv4.vs.sloppy_tcp = 1 (was 0)\n' +
        '  set net.ipv4.vs.sloppy_sctp = 1 (was 0)\n' +
        '  set net.ipv4.vs.expire_nodest_conn = 1 (was 0)\n' +
        'dry run: nothing was changed\n',
    );
  });

  it('up --ha pair --json: daemon steps as data; check exits 0 after, 1 before', async () => {
    const sys = new FakeSystem({ loaded: ['ip_vs'] });
    const args = ['--mode', 'dr', '--ha', 'pair', '--mcast-interface', 'eth0', '--syncid', '7', '--sync-threshold', '3 20'];
    expect((await cli(['check', ...args], sys)).code).toBe(1);
    const r = await cli(['up', ...args, '--json', '--state-dir', await tempDir()], sys);
    expect(r.code).toBe(0);
    const steps = (JSON.parse(r.stdout) as { steps: unknown[] }).steps;
    expect(steps.slice(-2)).toEqual([
      { kind: 'daemon-start', state: 'master', mcastIfn: 'eth0', syncId: 7 },
      { kind: 'daemon-start', state: 'backup', mcastIfn: 'eth0', syncId: 7 },
    ]);
    expect(steps).toContainEqual({ kind: 'sysctl-set', key: 'net.ipv4.vs.sync_threshold', from: '3 50', to: '3 20' });
    expect((await cli(['check', ...args], sys)).code).toBe(0);
  });

  it('usage errors exit 2 and change nothing', async () => {
    const sys = new FakeSystem({ loaded: ['ip_vs'] });
    const r = await cli(['up', '--mode', 'dr', '--ha', 'pair'], sys);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'ipvsadm director up: a sync daemon needs --mcast-interface (or --dev): the interface facing the other directors\n' });
    expect(sys.log).toEqual([]);
  });
});

describe('--persist', () => {
  it('writes the vs sysctls (sync_threshold as two integers) and says ip_vs must load first', () => {
    const text = formatSysctlConf(desiredState(director('up', PAIR).spec!), 'ipvsadm director up');
    expect(text).toContain('\nnet.ipv4.vs.sync_threshold = 3 10\n');
    expect(text).toContain('# The net.ipv4.vs keys exist only once ip_vs is loaded');
  });
});
