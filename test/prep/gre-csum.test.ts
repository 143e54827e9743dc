// GRE with checksums (--tun-csum): the fallback gre0/ip6gre0 cannot expect checksums, so up creates
// a GRE device with `icsum` on the real server's own address and puts the VIPs there; down deletes
// it. Parsing rules, the plan, a full up/up/down cycle and rollback over the fake System.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desiredState } from '../../src/prep/requirements.js';
import { runDown, runUp } from '../../src/prep/run.js';
import { buildRequest } from '../../src/prep/spec.js';
import type { RawOptions } from '../../src/prep/spec.js';
import { FakeSystem } from '../support/fake-system.js';
import { tempDir } from './support.js';

const gre = (more: Partial<RawOptions> = {}): RawOptions => ({ mode: 'tun', tunType: 'gre', vip: ['192.0.2.1'], tunCsum: true, tunLocal: ['198.51.100.1'], ...more });

describe('--tun-csum parsing', () => {
  it.each([
    [{ tunLocal: undefined }, '--tun-csum needs --tun-local with exactly one IPv4 address of this real server (the one the director sends to); got 0'],
    [{ tunLocal: ['198.51.100.1,198.51.100.2'] }, '--tun-csum needs --tun-local with exactly one IPv4 address of this real server (the one the director sends to); got 2'],
    [{ tunLocal: ['198.51.100.1,2001:db8::9'] }, '--tun-local 2001:db8::9: no IPv6 VIP to receive for'],
    [{ tunLocal: ['rs1.example'] }, '--tun-local rs1.example: not an IPv4 or IPv6 address'],
    [{ tunType: 'gue' }, '--tun-csum applies to --tun-type gre only (GUE ports accept checksums as they are)'],
    [{ tunType: undefined }, '--tun-csum applies to --tun-type gre only (GUE ports accept checksums as they are)'],
    [{ tunCsum: false }, '--tun-local goes with --tun-csum'],
    [{ mode: 'dr', tunType: undefined }, '--tun-csum applies to --tun-type gre only (GUE ports accept checksums as they are)'],
  ])('%j → %s', (more, message) => {
    expect(() => buildRequest('realserver', 'up', gre(more))).toThrow(message);
  });

  it('one local address per VIP family', () => {
    const req = buildRequest('realserver', 'up', gre({ vip: ['192.0.2.1,2001:db8::1'], tunLocal: ['198.51.100.1', '2001:db8:1::1'] }));
    const d = desiredState(req.spec!);
    expect(d.tunnels?.map((t) => [t.dev, t.type, t.local.text])).toEqual([['lvsgre', 'gre', '198.51.100.1'], ['lvsgre6', 'ip6gre', '2001:db8:1::1']]);
    expect(d.addresses.map((a) => `${a.vip.text}/${a.prefix} ${a.dev}`)).toEqual(['192.0.2.1/32 lvsgre', '2001:db8::1/128 lvsgre6']);
    expect(d.links).toEqual(['lvsgre', 'lvsgre6']);
    expect(d.sysctls.map((s) => s.key)).toContain('net/ipv4/conf/lvsgre/rp_filter');
  });
});

describe('--tun-csum up and down', () => {
  it('up creates lvsgre after loading ip_gre, the VIP goes there; up again is a no-op; down deletes it and restores the sysctls', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ sysctls: { 'net/ipv4/conf/all/rp_filter': 1 } });
    const before = sys.snapshot();
    const up = await runUp(buildRequest('realserver', 'up', gre()), sys, { stateDir });
    expect(up.mode).toBe('tun gre, checksums');
    // arp_ignore, arp_announce, rp_filter on all, default and the new device (which took default's 2)
    expect(up.steps.map((s) => s.kind)).toEqual(['module-load', 'tunnel-add', ...Array(5).fill('sysctl-set'), 'link-set', 'address-add']);
    expect(sys.log).toContain('link create lvsgre gre local 198.51.100.1');
    expect(sys.addressesText()).toEqual(['192.0.2.1/32 lvsgre']);
    const record = JSON.parse(await readFile(join(stateDir, 'realserver.json'), 'utf8')) as { netns: Record<string, { csum?: boolean; tunnels?: unknown }> };
    expect(Object.values(record.netns)).toMatchObject([{ csum: true, tunnels: [{ dev: 'lvsgre', type: 'gre', local: '198.51.100.1' }] }]);
    expect((await runUp(buildRequest('realserver', 'up', gre()), sys, { stateDir })).steps).toEqual([]);
    const down = await runDown(buildRequest('realserver', 'down', {}), sys, { stateDir });
    // the deleted device's sysctl goes with it: four restores, not five
    expect(down.steps.map((s) => s.kind)).toEqual(['address-del', 'tunnel-del', ...Array(4).fill('sysctl-set')]);
    expect(down.notes).toEqual([]);
    const after = sys.snapshot();
    expect(after.links).toMatchObject(before.links);
    expect(after.links).not.toHaveProperty('lvsgre');
    expect(after.addresses).toEqual(before.addresses);
    expect(after.sysctls['net/ipv4/conf/all/rp_filter']).toBe(1);
  });

  it('plain GRE and GRE with checksums are different setups: switching needs down first', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem();
    await runUp(buildRequest('realserver', 'up', gre({ tunCsum: false, tunLocal: undefined })), sys, { stateDir });
    await expect(runUp(buildRequest('realserver', 'up', gre()), sys, { stateDir })).rejects.toThrow(/already set up as tun gre \(/);
  });

  it('a failure after the device was created deletes it again', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem().failOn('address.add');
    await expect(runUp(buildRequest('realserver', 'up', gre()), sys, { stateDir })).rejects.toThrow(/cannot add 192\.0\.2\.1\/32 to lvsgre/);
    expect(sys.log).toContain('link delete lvsgre');
    expect(Object.keys(sys.snapshot().links)).not.toContain('lvsgre');
  });
});
