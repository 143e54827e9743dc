// run.ts options and failures: --persist (written, removed, absent), dry runs that change nothing,
// a refused step or commit rolling everything back (state file included), usage and plan errors,
// and the lock of preparing a namespace.
import { mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepLock, takeLock } from '../../src/host/lock.js';
import { ApplyError, PlanError, PrepUsageError, SystemError } from '../../src/prep/errors.js';
import { formatSysctlConf } from '../../src/prep/persist.js';
import { desiredState } from '../../src/prep/requirements.js';
import { runCheck, runDown, runUp } from '../../src/prep/run.js';
import type { PrepRequest } from '../../src/prep/spec.js';
import { FakeSystem } from '../support/fake-system.js';
import { request, rs, tempDir, vip } from './support.js';

const AI = 'net/ipv4/conf/all/arp_ignore';
const downAll: PrepRequest = { side: 'realserver', action: 'down', spec: undefined, vips: [] };
const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);
const DR = rs('dr', '192.0.2.1');

describe('--persist', () => {
  it('up writes the sysctl.d file (also when nothing changed); down removes it, then finds none', async () => {
    const d = await tempDir();
    const persist = join(d, 'sysctl.d', '90-lvs.conf');
    const sys = new FakeSystem();
    const commandLine = 'ipvsadm realserver up --mode dr --vip 192.0.2.1 --persist x';
    const up = await runUp(request('up', DR), sys, { stateDir: d, persist, commandLine });
    expect(up.persist).toEqual({ path: persist, outcome: 'written' });
    const expected = formatSysctlConf(desiredState(DR), commandLine);
    expect(await readFile(persist, 'utf8')).toBe(expected);
    expect(expected).toContain('\n\nnet.ipv4.conf.all.arp_ignore = 1\nnet.ipv4.conf.all.arp_announce = 2\nnet.ipv4.conf.lo.arp_ignore = 1\nnet.ipv4.conf.lo.arp_announce = 2\n');
    const again = await runUp(request('up', DR), sys, { stateDir: d, persist });
    expect(again.steps).toEqual([]);
    expect(again.persist).toEqual({ path: persist, outcome: 'written' });
    expect(await readFile(persist, 'utf8')).toContain('# Written by `ipvsadm realserver up` (ipvsadm-ts).');
    expect((await runDown(downAll, sys, { stateDir: d, persist })).persist).toEqual({ path: persist, outcome: 'removed' });
    expect(await exists(persist)).toBe(false);
    const none = await runDown(request('down', DR), sys, { stateDir: d, persist });
    expect(none.persist).toEqual({ path: persist, outcome: 'absent' });
    expect(none.steps).toEqual([]);
  });
});

describe('dry run', () => {
  it('up: plans, changes nothing, writes no state and no --persist file', async () => {
    const d = await tempDir();
    const sys = new FakeSystem({ sysctls: { [AI]: 3 } });
    const before = sys.snapshot();
    const r = await runUp(request('up', rs('tun', '192.0.2.1', { tunType: 'gue' })), sys, { stateDir: d, dryRun: true, persist: join(d, 'p.conf') });
    expect(r.dryRun).toBe(true);
    expect(r.steps.map((s) => s.kind)).toEqual(['module-load', 'module-load', 'sysctl-set', 'sysctl-set', 'sysctl-set', 'sysctl-set', 'link-set', 'address-add', 'fou-add']);
    expect(r.steps[2]).toEqual({ kind: 'sysctl-set', key: AI, from: 3, to: 1 });
    expect(r.persist).toEqual({ path: join(d, 'p.conf'), outcome: 'would write' });
    expect(sys.snapshot()).toEqual(before);
    expect(sys.log).toEqual([]);
    expect(await readdir(d)).toEqual([]);
  });

  it('a DR dry run asks nothing of generic netlink', async () => {
    const sys = new FakeSystem();
    await runUp(request('up', DR), sys, { stateDir: await tempDir(), dryRun: true });
    expect(sys.opened).toEqual({ rtnl: 1, fou: 0, genl: 0 });
  });

  it('down: plans from the record, changes nothing, keeps the state file', async () => {
    const d = await tempDir();
    const sys = new FakeSystem({ sysctls: { [AI]: 3 } });
    await runUp(request('up', DR), sys, { stateDir: d });
    const state = await readFile(join(d, 'realserver.json'), 'utf8');
    const before = sys.snapshot();
    const r = await runDown(downAll, sys, { stateDir: d, dryRun: true, persist: join(d, 'p.conf') });
    expect(r.dryRun).toBe(true);
    expect(r.steps).toHaveLength(5);
    expect(r.steps.at(-1)).toEqual({ kind: 'sysctl-set', key: AI, from: 1, to: 3 });
    expect(r.persist).toEqual({ path: join(d, 'p.conf'), outcome: 'would remove' });
    expect(sys.snapshot()).toEqual(before);
    expect(await readFile(join(d, 'realserver.json'), 'utf8')).toBe(state);
  });
});

describe('failures roll back', () => {
  it('a refused address add: sysctls back as they were, no state file', async () => {
    const d = await tempDir();
    const sys = new FakeSystem({ sysctls: { [AI]: 3 } }).failOn('address.add', '192.0.2.1/32 lo', { errno: 1 });
    const before = sys.snapshot();
    const e = await runUp(request('up', DR), sys, { stateDir: d }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApplyError);
    expect((e as ApplyError).rolledBack).toHaveLength(4);
    expect(sys.snapshot()).toEqual(before);
    expect(await readdir(d)).toEqual([]);
  });

  it('up: a --persist file that cannot be written undoes the steps and the state record', async () => {
    const d = await tempDir();
    const persist = join(d, 'a-directory');
    await mkdir(persist);
    const sys = new FakeSystem({ sysctls: { [AI]: 3 } });
    const before = sys.snapshot();
    const e = await runUp(request('up', DR), sys, { stateDir: d, persist }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApplyError);
    expect((e as ApplyError).failed.step).toBeUndefined();
    expect((e as ApplyError).failed.message).toMatch(new RegExp(`^cannot write ${persist}: `));
    expect(sys.snapshot()).toEqual(before);
    expect(await exists(join(d, 'realserver.json'))).toBe(false);
  });

  it('down: a --persist file that cannot be removed keeps the record, so a later down still restores', async () => {
    const d = await tempDir();
    const sys = new FakeSystem({ sysctls: { [AI]: 3 } });
    const before = sys.snapshot();
    await runUp(request('up', DR), sys, { stateDir: d });
    const state = await readFile(join(d, 'realserver.json'), 'utf8');
    const persist = join(d, 'a-directory');
    await mkdir(persist);
    const e = await runDown(downAll, sys, { stateDir: d, persist }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApplyError);
    expect((e as ApplyError).failed.message).toMatch(new RegExp(`^cannot remove ${persist}: `));
    expect(sys.sysctls.get(AI)).toBe(1);
    expect(sys.addressesText()).toEqual(['192.0.2.1/32 lo']);
    expect(await readFile(join(d, 'realserver.json'), 'utf8')).toBe(state);
    await runDown(downAll, sys, { stateDir: d });
    expect(sys.snapshot()).toEqual(before);
  });
});

describe('refusals before anything changes', () => {
  it('up without a spec, down with nothing recorded and nothing named, check without a spec', async () => {
    const d = await tempDir();
    const sys = new FakeSystem();
    await expect(runUp({ side: 'realserver', action: 'up', spec: undefined, vips: [] }, sys, { stateDir: d })).rejects.toThrow(new PrepUsageError('--mode is required'));
    await expect(runDown(downAll, sys, { stateDir: d })).rejects.toThrow(
      new PrepUsageError(`no state recorded for this network namespace in ${join(d, 'realserver.json')}: name what to remove with --mode and --vip`),
    );
    await expect(runCheck({ side: 'director', action: 'check', spec: undefined, vips: [] }, sys)).rejects.toThrow(new PrepUsageError('--mode is required'));
    expect(sys.log).toEqual([]);
  });

  it('a plan problem (VIP on eth0 of a real server) is a PlanError; nothing is touched', async () => {
    const d = await tempDir();
    const sys = new FakeSystem({ addresses: [{ dev: 'eth0', text: '192.0.2.1', prefix: 24 }] });
    const e = await runUp(request('up', DR), sys, { stateDir: d }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PlanError);
    expect(sys.log).toEqual([]);
  });

  it('down without a record removes a named VIP from where the mode puts it, nothing else', async () => {
    const d = await tempDir();
    const sys = new FakeSystem({ sysctls: { [AI]: 1 }, addresses: [{ dev: 'lo', text: '192.0.2.1', prefix: 32 }] });
    const r = await runDown({ side: 'realserver', action: 'down', spec: DR, vips: [vip('192.0.2.1')] }, sys, { stateDir: d });
    expect(sys.log).toEqual(['addr del 192.0.2.1/32 lo']);
    expect(r.notes).toEqual(['no state recorded for this network namespace: sysctls, links and fou ports are left as they are']);
    expect(await readdir(d)).toEqual([]);
  });

  it('unreadable interfaces or an unknown namespace: SystemError', async () => {
    const d = await tempDir();
    const sys = new FakeSystem().failOn('links', undefined, { errno: 13 });
    const e = await runUp(request('up', DR), sys, { stateDir: d }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SystemError);
    expect((e as Error).message).toBe('cannot read the interfaces: Permission denied (needs root (CAP_NET_ADMIN, write access to /proc/sys))');
    const other = new FakeSystem();
    other.netnsId = () => Promise.reject(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }));
    const e2 = await runUp(request('up', DR), other, { stateDir: d }).catch((x: unknown) => x);
    expect(e2).toBeInstanceOf(SystemError);
    expect((e2 as Error).message).toBe('cannot identify the network namespace: No such file or directory');
  });
});

describe('the lock of preparing a namespace', () => {
  it('up and down wait for another run in the namespace, then give up naming it, with nothing changed; a dry run needs no lock', async () => {
    const d = await tempDir();
    const sys = new FakeSystem();
    const held = await takeLock(prepLock(d, await sys.netnsId(), 'ipvsadm director up', 0));
    for (const run of [() => runUp(request('up', DR), sys, { stateDir: d, lockWaitMs: 150 }), () => runDown(downAll, sys, { stateDir: d, lockWaitMs: 150 })]) {
      const e = await run().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SystemError);
      expect((e as Error).message).toBe(`another ipvsadm director up (pid ${process.pid}) is preparing this network namespace; waited 0.2 s for it`);
    }
    expect(sys.log).toEqual([]);
    expect((await runUp(request('up', DR), sys, { stateDir: d, dryRun: true })).steps).not.toEqual([]);
    expect(sys.log).toEqual([]);
    setTimeout(() => held.release(), 100);
    await runUp(request('up', DR), sys, { stateDir: d, lockWaitMs: 5000 });
    expect(sys.log).toContain('addr add 192.0.2.1/32 lo');
    expect((await readdir(d)).sort()).toEqual(['realserver.json']);
  });

  it("another namespace's up is not held up by it, and releases its own lock when done", async () => {
    const d = await tempDir();
    const held = await takeLock(prepLock(d, await new FakeSystem().netnsId(), 'ipvsadm realserver up', 0));
    const elsewhere = new FakeSystem();
    elsewhere.netnsId = async () => 'another';
    await runUp(request('up', DR), elsewhere, { stateDir: d, lockWaitMs: 0, holder: 'ipvsadm lab' });
    held.release();
    (await takeLock(prepLock(d, 'another', 'x', 0))).release();
    expect((await readdir(d)).sort()).toEqual(['realserver.json']);
  });
});
