// GenlClient against the fake kernel: CTRL_CMD_GETFAMILY resolution (bytes, version, unknown
// family → ENOENT), and requests, dumps and batches to the resolved family id.
import { afterEach, describe, expect, it } from 'vitest';
import { MalformedMessageError, NetlinkError } from '../../src/netlink/errors.js';
import { GenlClient, resolveFamily } from '../../src/netlink/genl.js';
import { NetlinkConnection } from '../../src/netlink/connection.js';
import { CTRL, NLM_F, attr, genl, nlmsg, nlmsgerr, parseMessages, str, u16, u32 } from '../support/bytes.js';
import { FakeKernel, ManualTransport } from '../support/fake-kernel.js';

let kernel: FakeKernel | undefined;
afterEach(() => {
  kernel?.verify();
  kernel = undefined;
});

describe('resolveFamily', () => {
  it('asks the controller for the family by name and returns its id and version', async () => {
    kernel = new FakeKernel({ families: { IPVS: { id: 0x1c, version: 1 }, other: { id: 0x20, version: 3 } } });
    const conn = new NetlinkConnection(kernel);
    expect(await resolveFamily(conn, 'IPVS')).toEqual({ id: 0x1c, version: 1 });
    expect(await resolveFamily(conn, 'other')).toEqual({ id: 0x20, version: 3 });
    const [m] = kernel.seen;
    expect([m!.type, m!.flags, m!.pid]).toEqual([CTRL.ID, NLM_F.REQUEST | NLM_F.ACK, kernel.port]);
    expect(m!.payload).toEqual(genl(CTRL.CMD_GETFAMILY, 1, attr(CTRL.FAMILY_NAME, str('IPVS'))));
  });

  it('an unknown family is a NetlinkError ENOENT', async () => {
    kernel = new FakeKernel({ families: {} });
    const e = await resolveFamily(new NetlinkConnection(kernel), 'IPVS').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e).toMatchObject({ errno: 2, code: 'ENOENT' });
  });

  it('a reply without FAMILY_ID is malformed and says so; one without VERSION means version 1', async () => {
    const t = new ManualTransport();
    const conn = new NetlinkConnection(t);
    const answer = async (n: number, attrs: Buffer): Promise<void> => {
      const [m] = parseMessages((await t.sends(n))[n - 1]!);
      t.deliver(nlmsg({ type: CTRL.ID, seq: m!.seq, pid: t.port }, genl(CTRL.CMD_NEWFAMILY, 2, attrs)), nlmsgerr({ request: m!.raw, errno: 0 }));
    };
    const noId = resolveFamily(conn, 'IPVS');
    await answer(1, attr(CTRL.FAMILY_NAME, str('IPVS')));
    await expect(noId).rejects.toThrow(new MalformedMessageError('CTRL_CMD_GETFAMILY', 'FAMILY_ID is missing'));
    const noVersion = resolveFamily(conn, 'IPVS');
    await answer(2, attr(CTRL.FAMILY_ID, u16(0x21)));
    expect(await noVersion).toEqual({ id: 0x21, version: 1 });
  });

  it('an ACK without a NEWFAMILY reply is malformed', async () => {
    const t = new ManualTransport();
    const p = resolveFamily(new NetlinkConnection(t), 'IPVS');
    const [m] = parseMessages((await t.sends(1))[0]!);
    t.deliver(nlmsgerr({ request: m!.raw, errno: 0 }));
    await expect(p).rejects.toThrow('malformed netlink message in CTRL_CMD_GETFAMILY: no reply');
  });
});

describe('GenlClient', () => {
  it('open() resolves the family; a failed open closes the socket', async () => {
    kernel = new FakeKernel({ families: { IPVS: { id: 0x1d, version: 1 } } });
    expect((await GenlClient.open(kernel, 'IPVS')).family).toEqual({ id: 0x1d, version: 1 });
    const missing = new FakeKernel({ families: {} });
    await expect(GenlClient.open(missing, 'IPVS')).rejects.toMatchObject({ errno: 2 });
    expect(missing.closed).toBeGreaterThanOrEqual(1);
  });

  it('request() sends cmd + version to the family id and decodes the genl header of the reply', async () => {
    kernel = new FakeKernel();
    kernel.expect({
      cmd: 15,
      flags: NLM_F.REQUEST | NLM_F.ACK,
      attrs: Buffer.alloc(0),
      answer: { replies: [{ cmd: 14, attrs: attr(1, u32(0x10201)) }] },
    });
    const client = await GenlClient.open(kernel, 'IPVS');
    const [reply] = await client.request({ cmd: 15 });
    expect([reply!.cmd, reply!.version, Buffer.from(reply!.attrs)]).toEqual([14, 1, attr(1, u32(0x10201))]);
    const sent = kernel.familyRequests()[0]!;
    expect([sent.type, sent.cmd, sent.version]).toEqual([0x1c, 15, 1]);
  });

  it('request() passes the attributes and an explicit version through', async () => {
    kernel = new FakeKernel();
    kernel.expect({ cmd: 2, flags: 5, attrs: attr(4, u32(1)) });
    const client = await GenlClient.open(kernel, 'IPVS');
    expect(await client.request({ cmd: 2, attrs: attr(4, u32(1)) }, 7)).toEqual([]);
    expect(kernel.familyRequests()[0]!.version).toBe(7);
  });

  it('dump() collects the whole multipart reply', async () => {
    kernel = new FakeKernel();
    kernel.perDatagram = 2;
    kernel.expect({
      cmd: 4,
      flags: NLM_F.REQUEST | NLM_F.DUMP,
      answer: { replies: [1, 2, 3].map((v) => ({ cmd: 1, attrs: attr(1, u32(v)) })) },
    });
    const client = await GenlClient.open(kernel, 'IPVS');
    const replies = await client.dump({ cmd: 4 });
    expect(replies.map((r) => Buffer.from(r.attrs))).toEqual([1, 2, 3].map((v) => attr(1, u32(v))));
  });

  it('batch() gives each command its own outcome, in order', async () => {
    kernel = new FakeKernel();
    kernel.reverse = true;
    kernel.expect({ cmd: 1, flags: 5 }, { cmd: 1, flags: 5, answer: { errno: 17 } }, { cmd: 7, flags: 5, answer: { replies: [{ cmd: 5, attrs: attr(1, u32(1)) }] } });
    const client = await GenlClient.open(kernel, 'IPVS');
    const out = await client.batch([{ cmd: 1 }, { cmd: 1 }, { cmd: 7 }]);
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(!out[1]!.ok && out[1]!.error).toMatchObject({ errno: 17, code: 'EEXIST' });
    expect(out[2]!.ok && out[2]!.replies.map((r) => r.cmd)).toEqual([5]);
  });

  it('a reply too short for the genl header fails its own request only', async () => {
    kernel = new FakeKernel();
    kernel.expect({ cmd: 1, flags: 5, answer: (r) => ({ raw: [nlmsg({ type: r.type, seq: r.seq, pid: r.pid }, Buffer.from([1, 1])), nlmsgerr({ request: r.raw, errno: 0 })] }) }, { cmd: 2, flags: 5 });
    const client = await GenlClient.open(kernel, 'IPVS');
    const out = await client.batch([{ cmd: 1 }, { cmd: 2 }]);
    expect(out[0]).toMatchObject({ ok: false, error: { name: 'MalformedMessageError', where: 'batch reply' } });
    expect(out[1]!.ok).toBe(true);
  });
});
