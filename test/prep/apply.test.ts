// apply.ts against the fake System: steps in order as performed (real `from` values, no-ops
// dropped), rollback in reverse on the first failure (ApplyError fields), failed rollbacks, commit.
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/prep/apply.js';
import { ApplyError, StepError } from '../../src/prep/errors.js';
import type { Step } from '../../src/prep/model.js';
import { NetlinkError } from '../../src/netlink/errors.js';
import { FakeSystem } from '../support/fake-system.js';
import { vip } from './support.js';

const ROOT = '(needs root (CAP_NET_ADMIN, write access to /proc/sys))';
const set = (key: string, from: number | undefined, to: number): Step => ({ kind: 'sysctl-set', key, from, to });
const AI = 'net/ipv4/conf/all/arp_ignore';
const LO_AI = 'net/ipv4/conf/lo/arp_ignore';
const TUNL_RP = 'net/ipv4/conf/tunl0/rp_filter';
const addV4 = (dev: string): Step => ({ kind: 'address-add', dev, vip: vip('192.0.2.1'), prefix: 32, nodad: false });
const delV4 = (dev: string): Step => ({ kind: 'address-del', dev, vip: vip('192.0.2.1'), prefix: 32, nodad: false });

async function failure(p: Promise<unknown>): Promise<ApplyError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (!(e instanceof ApplyError)) throw new Error(`expected an ApplyError, got ${String(e)}`);
  return e;
}

describe('apply: success', () => {
  it('performs the steps in order and returns them', async () => {
    const sys = new FakeSystem();
    const steps = [set(AI, 0, 1), set(LO_AI, 0, 1), addV4('lo')];
    expect(await apply(steps, sys)).toEqual(steps);
    expect(sys.log).toEqual([`sysctl ${AI} 0->1`, `sysctl ${LO_AI} 0->1`, 'addr add 192.0.2.1/32 lo']);
  });

  it('records the value really replaced, e.g. on the device a module just created', async () => {
    const sys = new FakeSystem({ sysctls: { 'net/ipv4/conf/default/rp_filter': 2 } });
    const done = await apply([{ kind: 'module-load', module: 'ipip' }, set(TUNL_RP, undefined, 0), { kind: 'link-set', dev: 'tunl0', up: true }], sys);
    expect(done).toEqual([{ kind: 'module-load', module: 'ipip' }, set(TUNL_RP, 2, 0), { kind: 'link-set', dev: 'tunl0', up: true }]);
    expect(sys.log).toEqual(['module ipip', `sysctl ${TUNL_RP} 2->0`, 'link tunl0 up']);
  });

  it('a sysctl with no planned "from" already at its value, or a link already up, is dropped (nothing to undo)', async () => {
    const sys = new FakeSystem({ sysctls: { [AI]: 1 } });
    const unknownFrom: Step = { kind: 'sysctl-set', key: AI, from: undefined, to: 1 };
    expect(await apply([unknownFrom, { kind: 'link-set', dev: 'lo', up: true }], sys)).toEqual([]);
    expect(sys.log).toEqual([]);
  });

  it('a key that reached its value after the plan (it followed conf/default) is pinned and keeps the planned "from"', async () => {
    const sys = new FakeSystem({ sysctls: { [AI]: 1 } });
    expect(await apply([set(AI, 0, 1)], sys)).toEqual([set(AI, 0, 1)]);
    expect(sys.log).toEqual([`sysctl ${AI} 1->1`]);
  });

  it('IPv6 addresses go with IFA_F_NODAD and deprecated (preferred_lft 0), IPv4 ones never', async () => {
    const sys = new FakeSystem();
    await apply([
      { kind: 'address-add', dev: 'lo', vip: vip('2001:db8::1'), prefix: 128, nodad: true },
      { kind: 'address-add', dev: 'lo', vip: vip('192.0.2.1'), prefix: 32, nodad: true },
    ], sys);
    expect(sys.log).toEqual(['addr add 2001:db8::1/128 lo flags 0x2 preferred_lft 0', 'addr add 192.0.2.1/32 lo']);
  });

  it('down steps: address-del, fou-del, link down', async () => {
    const sys = new FakeSystem({ loaded: ['ipip', 'fou'], links: [{ name: 'lo', up: true }, { name: 'tunl0', up: true }], addresses: [{ dev: 'tunl0', text: '192.0.2.1', prefix: 32 }], fouPorts: [{ port: 6080, family: 4, type: 'gue' }] });
    await apply([delV4('tunl0'), { kind: 'fou-del', port: 6080, family: 4 }, { kind: 'link-set', dev: 'tunl0', up: false }], sys);
    expect(sys.log).toEqual(['addr del 192.0.2.1/32 tunl0', 'fou del 6080/4', 'link tunl0 down']);
  });

  it('commit gets the steps as performed, after the last one', async () => {
    const sys = new FakeSystem({ sysctls: { [AI]: 3 } });
    let seen: readonly Step[] | undefined;
    let logAtCommit: string[] = [];
    await apply([set(AI, undefined, 1), set(LO_AI, 0, 0)], sys, async (performed) => {
      seen = performed;
      logAtCommit = [...sys.log];
    });
    expect(seen).toEqual([set(AI, 3, 1)]);
    expect(logAtCommit).toEqual([`sysctl ${AI} 3->1`]);
  });
});

describe('apply: failure and rollback', () => {
  it('failure on step N undoes steps 1..N-1 in reverse; modules stay loaded', async () => {
    const sys = new FakeSystem({ sysctls: { 'net/ipv4/conf/default/rp_filter': 2 } }).failOn('address.add', '192.0.2.1/32 tunl0', { errno: 1 });
    const before = sys.snapshot();
    const steps: Step[] = [
      { kind: 'module-load', module: 'ipip' },
      set(AI, 0, 1),
      set(TUNL_RP, undefined, 0),
      { kind: 'link-set', dev: 'tunl0', up: true },
      addV4('tunl0'),
      { kind: 'fou-add', port: 6080, family: 4 },
    ];
    const e = await failure(apply(steps, sys));
    expect(e.failed).toBeInstanceOf(StepError);
    expect(e.failed.step).toEqual(addV4('tunl0'));
    expect(e.failed.message).toBe(`cannot add 192.0.2.1/32 to tunl0: Operation not permitted ${ROOT}`);
    expect(e.failed.cause).toBeInstanceOf(NetlinkError);
    expect(e.message).toBe(e.failed.message);
    expect(e.cause).toBe(e.failed);
    expect(e.rolledBack).toEqual([{ kind: 'link-set', dev: 'tunl0', up: false }, set(TUNL_RP, 0, 2), set(AI, 1, 0)]);
    expect(e.rollbackFailures).toEqual([]);
    expect(e.modulesLeft).toEqual(['ipip']);
    expect(sys.log).toEqual(['module ipip', `sysctl ${AI} 0->1`, `sysctl ${TUNL_RP} 2->0`, 'link tunl0 up', 'link tunl0 down', `sysctl ${TUNL_RP} 0->2`, `sysctl ${AI} 1->0`]);
    const after = sys.snapshot();
    expect(after.modules).toEqual(['ipip']);
    expect(after.links).toEqual({ ...before.links, tunl0: false });
    expect(after.sysctls).toEqual({ ...before.sysctls, 'net/ipv4/conf/tunl0/arp_ignore': 0, 'net/ipv4/conf/tunl0/arp_announce': 0, 'net/ipv4/conf/tunl0/send_redirects': 1, [TUNL_RP]: 2 });
    expect(after.addresses).toEqual(before.addresses);
  });

  it('failure on the first step: nothing to roll back', async () => {
    const sys = new FakeSystem().failOn('sysctl.write', AI, { errno: 13 });
    const e = await failure(apply([set(AI, 0, 1), set(LO_AI, 0, 1)], sys));
    expect(e.failed.message).toBe(`cannot set net.ipv4.conf.all.arp_ignore = 1 (was 0): Permission denied ${ROOT}`);
    expect(e.rolledBack).toEqual([]);
    expect(e.modulesLeft).toEqual([]);
    expect(sys.log).toEqual([]);
  });

  it('a step dropped as a no-op is not undone', async () => {
    const sys = new FakeSystem({ sysctls: { [LO_AI]: 1 } }).failOn('address.add');
    const e = await failure(apply([set(AI, 0, 1), set(LO_AI, 1, 1), addV4('lo')], sys));
    expect(e.rolledBack).toEqual([set(AI, 1, 0)]);
    expect(sys.sysctls.get(LO_AI)).toBe(1);
  });

  it('an undo that fails is reported; the others still run', async () => {
    const sys = new FakeSystem().failOn('sysctl.write', AI, { errno: 13, skip: 1 }).failOn('address.add', undefined, { errno: 17 });
    const e = await failure(apply([set(AI, 0, 1), set(LO_AI, 0, 1), addV4('lo')], sys));
    expect(e.failed.message).toBe('cannot add 192.0.2.1/32 to lo: File already exists');
    expect(e.rolledBack).toEqual([set(LO_AI, 1, 0)]);
    expect(e.rollbackFailures).toHaveLength(1);
    expect(e.rollbackFailures[0]!.step).toEqual(set(AI, 1, 0));
    expect(e.rollbackFailures[0]!.message).toBe(`cannot set net.ipv4.conf.all.arp_ignore = 0 (was 1): Permission denied ${ROOT}`);
    expect(sys.sysctls.get(AI)).toBe(1);
    expect(sys.sysctls.get(LO_AI)).toBe(0);
  });

  it('a failing commit rolls back every step; the failure has no step', async () => {
    const sys = new FakeSystem();
    const before = sys.snapshot();
    const e = await failure(apply([set(AI, 0, 1), addV4('lo')], sys, async () => {
      throw new Error('cannot write the state file /run/x.json: disk full');
    }));
    expect(e.failed.step).toBeUndefined();
    expect(e.failed.message).toBe('cannot write the state file /run/x.json: disk full');
    expect(e.rolledBack).toEqual([delV4('lo'), set(AI, 1, 0)]);
    expect(sys.snapshot()).toEqual(before);
  });

  it('undoing a removal adds the address back', async () => {
    const sys = new FakeSystem({ sysctls: { [AI]: 1 }, addresses: [{ dev: 'lo', text: '192.0.2.1', prefix: 32 }] }).failOn('sysctl.write');
    const e = await failure(apply([delV4('lo'), set(AI, 1, 0)], sys));
    expect(e.rolledBack).toEqual([addV4('lo')]);
    expect(sys.addressesText()).toEqual(['192.0.2.1/32 lo']);
  });
});

describe('apply: failure messages', () => {
  it.each<[string, Step, (s: FakeSystem) => void, string]>([
    ['module', { kind: 'module-load', module: 'nosuch' }, () => {}, 'cannot load module nosuch: modprobe: FATAL: Module nosuch not found in directory /lib/modules/6.1.0'],
    ['sysctl', set('net/ipv4/conf/eth9/arp_ignore', undefined, 1), () => {}, 'cannot set net.ipv4.conf.eth9.arp_ignore = 1 (device not there yet): no such sysctl'],
    ['link', { kind: 'link-set', dev: 'eth9', up: true }, () => {}, 'cannot set link eth9 up: unknown interface eth9'],
    ['address', addV4('eth9'), () => {}, 'cannot add 192.0.2.1/32 to eth9: unknown interface eth9'],
    ['fou', { kind: 'fou-add', port: 6080, family: 4 }, () => {}, 'cannot open GUE port 6080/udp (IPv4): the fou module is not loaded'],
    ['fou-del of a closed port', { kind: 'fou-del', port: 6080, family: 6 }, (s) => void s.loaded.add('fou'), 'cannot close GUE port 6080/udp (IPv6): No such file or directory'],
    ['address-del', delV4('lo'), () => {}, 'cannot remove 192.0.2.1/32 from lo: Address not available'],
  ])('%s', async (_what, step, prepare, message) => {
    const sys = new FakeSystem();
    prepare(sys);
    const e = await failure(apply([step], sys));
    expect(e.failed.message).toBe(message);
    expect(e.failed.step).toEqual(step);
  });
});
