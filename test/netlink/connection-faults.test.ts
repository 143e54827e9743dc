// NetlinkConnection when the kernel or the socket misbehaves: no reply (timeout from the last
// progress, socket closed, late replies ignored), a send that never completes, replies for other
// ports or sequence numbers, NLM_F_DUMP_INTR, lost replies (ENOBUFS, truncation) from native.ts.
import { constants as osConstants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { NetlinkConnection } from '../../src/netlink/connection.js';
import type { Request } from '../../src/netlink/connection.js';
import { DumpInterruptedError, NetlinkRepliesLostError, NetlinkTimeoutError, TransportError } from '../../src/netlink/errors.js';
import { receiveError, truncatedError } from '../../src/netlink/native.js';
import { NLMSG, NLM_F, attr, cat, done, genl, i32, nlmsg, nlmsgerr, parseMessages, readHostU32, u32 } from '../support/bytes.js';
import type { ParsedMessage } from '../support/bytes.js';
import { ManualTransport } from '../support/fake-kernel.js';
import { reliabilityCases, reliabilityTest } from '../support/reliability.js';

const FAMILY = 0x1c;
const DUMP_INTR = 0x10;
const TIMEOUT = 200;
const req = (cmd: number, flags?: number): Request => ({ type: FAMILY, cmd, payload: genl(cmd, 1), ...(flags ? { flags } : {}) });
const dumpReq = (cmd: number): Request => req(cmd, NLM_F.DUMP);

function setup(timeoutMs = TIMEOUT): { t: ManualTransport; conn: NetlinkConnection } {
  const t = new ManualTransport();
  return { t, conn: new NetlinkConnection(t, { timeoutMs }) };
}
async function sentBatch(t: ManualTransport, n: number): Promise<ParsedMessage[]> {
  return parseMessages((await t.sends(n))[n - 1]!);
}
const data = (t: ManualTransport, m: ParsedMessage, value: number, flags: number = NLM_F.MULTI): Buffer =>
  nlmsg({ type: m.type, flags, seq: m.seq, pid: t.port }, genl(1, 1, attr(1, u32(value))));
const values = (replies: { payload: Uint8Array }[]): number[] => replies.map((r) => readHostU32(r.payload.subarray(8)));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('timeouts', () => {
  it('a request nobody answers fails after the timeout, naming it; the socket is closed', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink timeouts injected' });
    const { t, conn } = setup();
    const started = Date.now();
    const e = await conn.request({ ...req(15), cmd: 15 }).catch((x: unknown) => x);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(TIMEOUT - 5);
    // the watchdog ticks four times per timeout: it fires within a quarter timeout after it is due
    expect(waited).toBeLessThan(TIMEOUT * 1.25 + 150);
    expect(e).toBeInstanceOf(NetlinkTimeoutError);
    expect(e).toMatchObject({ request: { type: FAMILY, cmd: 15, dump: false }, timeoutMs: TIMEOUT, errno: osConstants.errno.ETIMEDOUT });
    expect((e as Error).message).toBe('no reply from the kernel to request of type 28 command 15 within 0.2 s');
    expect(t.closed).toBe(1);
    conn.close();
    expect(t.closed).toBe(1);
  });

  it('a late reply after the timeout is ignored and counted; later requests fail at once', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink timeouts injected' });
    const { t, conn } = setup();
    const p = conn.request(req(1)).catch((x: unknown) => x);
    const [m] = await sentBatch(t, 1);
    expect(await p).toBeInstanceOf(NetlinkTimeoutError);
    t.deliver(nlmsgerr({ request: m!.raw, errno: 0, pid: t.port }));
    expect(conn.ignored.unknownSeq).toBe(1);
    await expect(conn.request(req(2))).rejects.toBeInstanceOf(NetlinkTimeoutError);
    expect(t.sent).toHaveLength(1);
  });

  it('a dump slower in total than the timeout completes while each part comes in time', async () => {
    const { t, conn } = setup();
    const p = conn.dump(dumpReq(4));
    const [m] = await sentBatch(t, 1);
    for (let i = 1; i <= 6; i++) {
      await sleep(TIMEOUT / 2);
      t.deliver(data(t, m!, i));
    }
    t.deliver(done(m!.seq, t.port));
    expect(values(await p)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a dump that stops half way fails with the timeout, never with the parts received', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink timeouts injected' });
    const { t, conn } = setup();
    const p = conn.dump({ ...dumpReq(4), cmd: 4 }).catch((x: unknown) => x);
    const [m] = await sentBatch(t, 1);
    t.deliver(data(t, m!, 1), data(t, m!, 2));
    const e = await p;
    expect(e).toBeInstanceOf(NetlinkTimeoutError);
    expect(e).toMatchObject({ request: { cmd: 4, dump: true } });
  });

  it('a sendmsg that never completes (the binding retrying ENOBUFS) times out', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink timeouts injected' });
    const { t, conn } = setup();
    t.sendHangs = true;
    await expect(conn.request(req(3))).rejects.toBeInstanceOf(NetlinkTimeoutError);
  });

  it('in a batch, the requests answered succeed and only the unanswered one times out', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink timeouts injected' });
    const { t, conn } = setup();
    const p = conn.batch([req(1), req(2), req(3)]);
    const [a, , c] = await sentBatch(t, 1);
    t.deliver(nlmsgerr({ request: a!.raw, errno: 0, pid: t.port }), nlmsgerr({ request: c!.raw, errno: 0, pid: t.port }));
    const out = await p;
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(!out[1]!.ok && out[1]!.error).toBeInstanceOf(NetlinkTimeoutError);
  });

  it('a fenced window whose fence is never answered fails whole with the timeout (silent ones included)', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink timeouts injected' });
    const { t, conn } = setup();
    const p = conn.batch([req(1), req(2), req(3)], { fenced: true });
    const ms = await sentBatch(t, 1);
    t.deliver(nlmsgerr({ request: ms[0]!.raw, errno: 17, pid: t.port }));
    const out = await p;
    expect(out[0]).toMatchObject({ ok: false, error: { errno: 17 } });
    for (const o of out.slice(1)) expect(!o.ok && o.error).toBeInstanceOf(NetlinkTimeoutError);
  });

  it('replies lost (ENOBUFS) in a fenced window fail every unanswered request, never count them done', async () => {
    const { t, conn } = setup();
    const p = conn.batch([req(1), req(2), req(3)], { fenced: true });
    await sentBatch(t, 1);
    t.fail(receiveError({ errno: -osConstants.errno.ENOBUFS, message: 'ENOBUFS' }));
    const out = await p;
    for (const o of out) expect(!o.ok && o.error).toBeInstanceOf(NetlinkRepliesLostError);
  });

  it('leaves no timer holding the process once nothing is pending, and none at all after close', async () => {
    const before = timers();
    const { t, conn } = setup(60_000);
    const p = conn.request(req(1));
    const [m] = await sentBatch(t, 1);
    expect(timers()).toBe(before + 1);
    t.deliver(nlmsgerr({ request: m!.raw, errno: 0, pid: t.port }));
    await p;
    expect(timers()).toBe(before);
    conn.close();
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
  });

  it('a timeout beyond what setTimeout takes (2^31-1 ms) waits instead of firing at once', async () => {
    const { t, conn } = setup(1e12);
    const p = conn.request(req(1));
    const [m] = await sentBatch(t, 1);
    await sleep(50);
    t.deliver(nlmsgerr({ request: m!.raw, errno: 0, pid: t.port }));
    expect(await p).toEqual([]);
  });

  it('refuses a timeout that is not a positive number', () => {
    for (const timeoutMs of [0, -1, Number.NaN]) expect(() => new NetlinkConnection(new ManualTransport(), { timeoutMs })).toThrow(RangeError);
  });
});

describe('replies that are not ours', () => {
  it('strays with our seq but another port, or our port but an unknown seq, never settle a request', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink replies with a foreign port or seq injected' });
    const { t, conn } = setup(10_000);
    const p = conn.dump(dumpReq(4));
    const [m] = await sentBatch(t, 1);
    const stray = { type: FAMILY, flags: NLM_F.MULTI };
    t.deliver(
      nlmsg({ ...stray, seq: m!.seq, pid: t.port + 1 }, genl(1, 1, attr(1, u32(99)))),
      done(m!.seq, t.port + 1),
      nlmsg({ ...stray, seq: m!.seq - 1, pid: t.port }, genl(1, 1, attr(1, u32(98)))),
      done(m!.seq + 1, t.port),
      cat(data(t, m!, 1), done(m!.seq, t.port)),
    );
    expect(values(await p)).toEqual([1]);
    expect(conn.ignored).toEqual({ foreignPort: 2, unknownSeq: 2 });
  });
});

describe('NLM_F_DUMP_INTR', () => {
  it.each([
    ['a data part', 1],
    ['the last part', 2],
    ['NLMSG_DONE', 3],
  ])('on %s fails the dump with DumpInterruptedError', async (_, where) => {
    reliabilityTest({ area: 'fault', item: 'DUMP_INTR injected' });
    const { t, conn } = setup(10_000);
    const p = conn.dump({ ...dumpReq(4), cmd: 4 }).catch((x: unknown) => x);
    const [m] = await sentBatch(t, 1);
    const intr = (n: number): number => (n === where ? DUMP_INTR : 0);
    const last = nlmsg({ type: NLMSG.DONE, flags: NLM_F.MULTI | intr(3), seq: m!.seq, pid: t.port }, i32(0));
    t.deliver(data(t, m!, 1, NLM_F.MULTI | intr(1)), data(t, m!, 2, NLM_F.MULTI | intr(2)), last);
    const e = await p;
    expect(e).toBeInstanceOf(DumpInterruptedError);
    expect(e).toMatchObject({ request: { type: FAMILY, cmd: 4, dump: true }, errno: osConstants.errno.EINTR });
  });

  it('the socket stays usable after an interrupted dump (the caller may dump again)', async () => {
    const { t, conn } = setup(10_000);
    const p1 = conn.dump(dumpReq(4)).catch((x: unknown) => x);
    const [m1] = await sentBatch(t, 1);
    t.deliver(data(t, m1!, 1, NLM_F.MULTI | DUMP_INTR), done(m1!.seq, t.port));
    expect(await p1).toBeInstanceOf(DumpInterruptedError);
    const p2 = conn.dump(dumpReq(4));
    const [m2] = await sentBatch(t, 2);
    t.deliver(data(t, m2!, 7), done(m2!.seq, t.port));
    expect(values(await p2)).toEqual([7]);
  });
});

describe('lost replies and socket errors (native.ts mapping)', () => {
  it('ENOBUFS from recvmsg is NetlinkRepliesLostError; a pending dump fails with it', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink socket errors injected' });
    const { t, conn } = setup(10_000);
    const p = conn.dump(dumpReq(4)).catch((x: unknown) => x);
    const [m] = await sentBatch(t, 1);
    t.deliver(data(t, m!, 1));
    t.fail(receiveError({ errno: osConstants.errno.ENOBUFS, code: 'ENOBUFS', message: 'Error when receiving Netlink message: no buffer space available' }));
    const e = await p;
    expect(e).toBeInstanceOf(NetlinkRepliesLostError);
    expect((e as Error).message).toBe('replies from the kernel were lost: the socket receive buffer overflowed (ENOBUFS)');
    await expect(conn.request(req(1))).rejects.toBe(e);
  });

  it('a truncated datagram is NetlinkRepliesLostError; other receive errors are TransportError', () => {
    const cases = reliabilityCases({ area: 'fault', item: 'netlink socket errors injected' });
    cases.run(() => expect(truncatedError(4096, 9000)).toMatchObject({ name: 'NetlinkRepliesLostError', message: 'replies from the kernel were lost: a reply of 9000 bytes was truncated to 4096' }));
    cases.run(() => {
      const other = receiveError({ errno: -osConstants.errno.EBADF, message: 'error when polling socket: bad file descriptor' });
      expect(other).toBeInstanceOf(TransportError);
      expect(other).toMatchObject({ errno: osConstants.errno.EBADF, message: 'netlink receive failed: error when polling socket: bad file descriptor' });
    });
  });

  it('a send error fails the window with it and the connection stays broken', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink socket errors injected' });
    const { t, conn } = setup();
    t.sendError = new TransportError('netlink send failed: Bad file descriptor', osConstants.errno.EBADF);
    const out = await conn.batch([req(1), req(2)]);
    expect(out.map((o) => !o.ok && o.error)).toEqual([t.sendError, t.sendError]);
    await expect(conn.dump(dumpReq(4))).rejects.toBe(t.sendError);
  });
});
