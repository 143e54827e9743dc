// IPv6 VIPs and source address selection: up adds them deprecated (preferred_lft 0), check fails
// on a VIP that is present but not deprecated, and up notes one it found (it leaves it as it is).
import { describe, expect, it } from 'vitest';
import { runCheck, runUp } from '../../src/prep/run.js';
import { FakeSystem } from '../support/fake-system.js';
import { dir, request, rs, tempDir } from './support.js';

describe('deprecated IPv6 VIPs', () => {
  it('up adds the VIP deprecated; check is then ready', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem();
    await runUp(request('up', rs('dr', '2001:db8::1')), sys, { stateDir });
    expect(sys.log).toContain('addr add 2001:db8::1/128 lo flags 0x2 preferred_lft 0');
    expect((await runCheck(request('check', rs('dr', '2001:db8::1')), sys)).ready).toBe(true);
  });

  it('a director VIP already on eth0 and not deprecated: check fails on it, up says so and leaves it', async () => {
    const stateDir = await tempDir();
    const sys = new FakeSystem({ loaded: ['ip_vs'], addresses: [{ dev: 'eth0', text: '2001:db8::1', prefix: 64 }] });
    const check = await runCheck(request('check', dir('tun', '2001:db8::1')), sys);
    expect(check.ready).toBe(false);
    expect(check.rows.filter((r) => !r.ok)).toEqual([
      { kind: 'address', requirement: '2001:db8::1 on eth0 deprecated', expected: 'preferred_lft 0', effective: 'preferred', detail: 'may be chosen as a source address', ok: false },
    ]);
    const up = await runUp(request('up', dir('tun', '2001:db8::1')), sys, { stateDir });
    expect(up.steps).toEqual([]);
    expect(up.notes).toEqual([
      '2001:db8::1 on eth0 was there before and is not deprecated, so it may be chosen as a source address; consider `ip -6 addr change 2001:db8::1/64 dev eth0 preferred_lft 0`',
    ]);
  });

  it('an IPv4 VIP has no such requirement', async () => {
    const sys = new FakeSystem({ loaded: ['ip_vs'], addresses: [{ dev: 'eth0', text: '192.0.2.1', prefix: 24 }] });
    expect((await runCheck(request('check', dir('tun', '192.0.2.1')), sys)).ready).toBe(true);
  });
});
