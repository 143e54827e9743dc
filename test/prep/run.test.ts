// run.ts over the fake System and a temp state dir: up (steps, state record), idempotency, down
// restoring the exact values from before up, the last-VIP rule, TUN gue and director cycles.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Step } from '../../src/prep/model.js';
import { runCheck, runDown, runUp } from '../../src/prep/run.js';
import type { PrepRequest } from '../../src/prep/spec.js';
import { FakeSystem, VS_SYSCTLS } from '../support/fake-system.js';
import { dir, request, rs, tempDir, vip } from './support.js';

const AI = 'net/ipv4/conf/all/arp_ignore';
const AA = 'net/ipv4/conf/all/arp_announce';
const LO_AI = 'net/ipv4/conf/lo/arp_ignore';
const LO_AA = 'net/ipv4/conf/lo/arp_announce';
const set = (key: string, from: number | undefined, to: number): Step => ({ kind: 'sysctl-set', key, from, to });
const add = (dev: string, text: string, prefix = 32, nodad = false): Step => ({ kind: 'address-add', dev, vip: vip(text), prefix, nodad });
const del = (dev: string, text: string, prefix = 32, nodad = false): Step => ({ kind: 'address-del', dev, vip: vip(text), prefix, nodad });
const downAll = (side: 'realserver' | 'director' = 'realserver'): PrepRequest => ({ side, action: 'down', spec: undefined, vips: [] });
const downVips = (...texts: string[]): PrepRequest => ({ side: 'realserver', action: 'down', spec: undefined, vips: texts.map(vip) });
const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));
const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

describe('realserver DR: up, up again, down', () => {
  it('up changes the sysctls and adds the VIP, and records the values from before', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ sysctls: { [AI]: 3 } });
    const report = await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    expect(report).toEqual({
      side: 'realserver',
      action: 'up',
      mode: 'dr',
      notes: [],
      stateFile: join(stateDir, 'realserver.json'),
      dryRun: false,
      steps: [set(AI, 3, 1), set(AA, 0, 2), set(LO_AI, 0, 1), set(LO_AA, 0, 2), add('lo', '192.0.2.1')],
    });
    expect([AI, AA, LO_AI, LO_AA].map((k) => sys.sysctls.get(k))).toEqual([1, 2, 1, 2]);
    expect(sys.addressesText()).toEqual(['192.0.2.1/32 lo']);
    const marker = /^ipvsadm-ts marker (\S+)$/.exec(sys.aliasOf('lo') ?? '')?.[1];
    expect(marker, 'the marker on lo').toMatch(/^[0-9a-f-]{36}$/);
    expect(await readJson(join(stateDir, 'realserver.json'))).toEqual({
      version: 2,
      netns: {
        '4026531840': {
          side: 'realserver',
          mode: 'dr',
          sysctls: [{ key: AI, before: 3, after: 1 }, { key: AA, before: 0, after: 2 }, { key: LO_AI, before: 0, after: 1 }, { key: LO_AA, before: 0, after: 2 }],
          addresses: [{ dev: 'lo', vip: '192.0.2.1', prefix: 32, nodad: false }],
          links: [],
          fouPorts: [],
          marker,
        },
      },
    });
  });

  it('up twice: the second run performs 0 steps and leaves the state file as it was', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem();
    await runUp(request('up', rs('dr', '192.0.2.1,2001:db8::1')), sys, { stateDir });
    const text = await readFile(join(stateDir, 'realserver.json'), 'utf8');
    const log = [...sys.log];
    const again = await runUp(request('up', rs('dr', '192.0.2.1,2001:db8::1')), sys, { stateDir });
    expect(again.steps).toEqual([]);
    expect(sys.log).toEqual(log);
    expect(await readFile(join(stateDir, 'realserver.json'), 'utf8')).toBe(text);
  });

  it('down restores the exact earlier values (arp_ignore 3 stays 3, not 0) and removes the record', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ sysctls: { [AI]: 3, [LO_AA]: 1 } });
    const before = sys.snapshot();
    await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    const report = await runDown(downAll(), sys, { stateDir });
    expect(report.steps).toEqual([del('lo', '192.0.2.1'), set(LO_AA, 2, 1), set(LO_AI, 1, 0), set(AA, 2, 0), set(AI, 1, 3)]);
    expect(report.notes).toEqual([]);
    expect(report.mode).toBe('dr');
    expect(sys.snapshot()).toEqual(before);
    expect(sys.sysctls.get(AI)).toBe(3);
    expect(await exists(join(stateDir, 'realserver.json'))).toBe(false);
  });

  it('down of one of two VIPs keeps the sysctls; the last one restores them', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ sysctls: { [AI]: 3 } });
    const before = sys.snapshot();
    await runUp(request('up', rs('dr', '192.0.2.1,192.0.2.2')), sys, { stateDir });
    const first = await runDown(downVips('192.0.2.2'), sys, { stateDir });
    expect(first.steps).toEqual([del('lo', '192.0.2.2')]);
    expect(first.notes).toEqual(['still up: 192.0.2.1; sysctls and links stay until the last VIP goes']);
    expect([AI, AA, LO_AI, LO_AA].map((k) => sys.sysctls.get(k))).toEqual([1, 2, 1, 2]);
    expect(sys.addressesText()).toEqual(['192.0.2.1/32 lo']);
    const rec = (await readJson(join(stateDir, 'realserver.json'))) as { netns: Record<string, { addresses: unknown[]; sysctls: unknown[] }> };
    expect(rec.netns['4026531840']!.addresses).toEqual([{ dev: 'lo', vip: '192.0.2.1', prefix: 32, nodad: false }]);
    expect(rec.netns['4026531840']!.sysctls).toHaveLength(4);
    const last = await runDown(downAll(), sys, { stateDir });
    expect(last.steps.map((s) => s.kind)).toEqual(['address-del', 'sysctl-set', 'sysctl-set', 'sysctl-set', 'sysctl-set']);
    expect(sys.snapshot()).toEqual(before);
    expect(await exists(join(stateDir, 'realserver.json'))).toBe(false);
  });

  it('a second up with another VIP adds only that one; down restores the values from before the first up', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ sysctls: { [AI]: 2 } });
    const before = sys.snapshot();
    await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    const second = await runUp(request('up', rs('dr', '2001:db8::1')), sys, { stateDir });
    expect(second.steps).toEqual([add('lo', '2001:db8::1', 128, true)]);
    await runDown(downAll(), sys, { stateDir });
    expect(sys.snapshot()).toEqual(before);
  });

  it('a value changed by hand after up is restored all the same; one already back is left alone', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ sysctls: { [AI]: 3 } });
    await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    sys.sysctls.set(AI, 5);
    sys.sysctls.set(LO_AI, 0);
    const report = await runDown(downAll(), sys, { stateDir });
    expect(report.steps).toEqual([del('lo', '192.0.2.1'), set(LO_AA, 2, 0), set(AA, 2, 0), set(AI, 5, 3)]);
    expect(sys.sysctls.get(AI)).toBe(3);
  });

  it('the state is per network namespace', async () => {
    const stateDir = await tempDir();
    const a = new FakeSystem({ netns: '111' });
    const b = new FakeSystem({ netns: '222', sysctls: { [AI]: 2 } });
    await runUp(request('up', rs('dr', '192.0.2.1')), a, { stateDir });
    await runUp(request('up', rs('dr', '192.0.2.2')), b, { stateDir });
    await runDown(downAll(), a, { stateDir });
    const content = (await readJson(join(stateDir, 'realserver.json'))) as { netns: Record<string, unknown> };
    expect(Object.keys(content.netns)).toEqual(['222']);
    await runDown(downAll(), b, { stateDir });
    expect(b.sysctls.get(AI)).toBe(2);
  });
});

describe('realserver TUN gue', () => {
  it('loads ipip and fou, sets rp_filter, brings tunl0 up, adds the VIP, opens the port; then undoes it', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem();
    const spec = rs('tun', '192.0.2.1', { tunType: 'gue' });
    const up = await runUp(request('up', spec), sys, { stateDir });
    expect(up.mode).toBe('tun gue, port 6080');
    expect(sys.log).toEqual([
      'module ipip',
      'module fou',
      `sysctl ${AI} 0->1`,
      `sysctl ${AA} 0->2`,
      'sysctl net/ipv4/conf/default/rp_filter 2->0',
      'sysctl net/ipv4/conf/tunl0/rp_filter 2->0',
      'link tunl0 up',
      'addr add 192.0.2.1/32 tunl0',
      'fou add 6080/4',
    ]);
    expect((await runUp(request('up', spec), sys, { stateDir })).steps).toEqual([]);
    expect((await runCheck(request('check', spec), sys)).ready).toBe(true);
    sys.log.length = 0;
    const down = await runDown(downAll(), sys, { stateDir });
    expect(down.mode).toBe('tun gue, port 6080');
    expect(sys.log).toEqual([
      'addr del 192.0.2.1/32 tunl0',
      'fou del 6080/4',
      'link tunl0 down',
      'sysctl net/ipv4/conf/tunl0/rp_filter 0->2',
      'sysctl net/ipv4/conf/default/rp_filter 0->2',
      `sysctl ${AA} 2->0`,
      `sysctl ${AI} 1->0`,
    ]);
    expect(sys.fouList).toEqual([]);
    expect((await runCheck(request('check', spec), sys)).ready).toBe(false);
  });

  it('refuses an up of another setup while one is recorded', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem();
    await runUp(request('up', rs('tun', '192.0.2.1', { tunType: 'gue' })), sys, { stateDir });
    const path = join(stateDir, 'realserver.json');
    await expect(runUp(request('up', rs('tun', '192.0.2.1', { tunType: 'gue', tunPort: 7000 })), sys, { stateDir })).rejects.toThrow(
      `this network namespace is already set up as tun gue, port 6080 (${path}); run \`ipvsadm realserver down\` first`,
    );
    await expect(runDown(request('down', rs('dr', '192.0.2.1')), sys, { stateDir })).rejects.toThrow('already set up as tun gue, port 6080');
  });
});

describe('director', () => {
  it('nat: loads ip_vs, forwards, no redirects; the VIP already local; down restores', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ addresses: [{ dev: 'eth0', text: '192.0.2.1', prefix: 24 }] });
    const before = sys.snapshot();
    const up = await runUp(request('up', dir('nat', '192.0.2.1')), sys, { stateDir });
    expect(up.steps).toEqual([{ kind: 'module-load', module: 'ip_vs' }, set('net/ipv4/ip_forward', 0, 1), set('net/ipv4/conf/all/send_redirects', 1, 0)]);
    expect(await exists(join(stateDir, 'director.json'))).toBe(true);
    const down = await runDown(downAll('director'), sys, { stateDir });
    expect(down.steps).toEqual([set('net/ipv4/conf/all/send_redirects', 0, 1), set('net/ipv4/ip_forward', 1, 0)]);
    // loading ip_vs adds its net.ipv4.vs sysctls, as the kernel does
    const sysctls = Object.fromEntries(Object.entries({ ...before.sysctls, ...VS_SYSCTLS }).sort(([a], [b]) => a.localeCompare(b)));
    expect(sys.snapshot()).toEqual({ ...before, sysctls, modules: ['ip_vs'] });
  });

  it('dr with --dev: brings the device up and adds the VIP there; down removes it and sets the device down', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ links: [{ name: 'lo', up: true }, { name: 'eth1', up: false }], loaded: ['ip_vs'] });
    const up = await runUp(request('up', dir('dr', '192.0.2.1', 'eth1')), sys, { stateDir });
    expect(up.steps).toEqual([{ kind: 'link-set', dev: 'eth1', up: true }, add('eth1', '192.0.2.1')]);
    const down = await runDown(downAll('director'), sys, { stateDir });
    expect(down.steps).toEqual([del('eth1', '192.0.2.1'), { kind: 'link-set', dev: 'eth1', up: false }]);
  });
});
