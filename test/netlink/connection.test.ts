// NetlinkConnection over a hand-driven transport: dumps split across datagrams, errors mid-dump,
// pipelined batches answered out of order or in one datagram, foreign replies, send failures, windows.
import { describe, expect, it } from 'vitest';
import { NetlinkConnection } from '../../src/netlink/connection.js';
import type { Request } from '../../src/netlink/connection.js';
import { MalformedMessageError, NetlinkError } from '../../src/netlink/errors.js';
import { NLMSG, NLM_F, attr, cat, done, genl, nlmsg, nlmsgerr, parseMessages, readHostU32, str, u32 } from '../support/bytes.js';
import type { ParsedMessage } from '../support/bytes.js';
import { ManualTransport } from '../support/fake-kernel.js';

const FAMILY = 0x1c;
const req = (cmd: number, flags?: number): Request => ({ type: FAMILY, cmd, payload: genl(cmd, 1), ...(flags ? { flags } : {}) });

function setup(): { t: ManualTransport; conn: NetlinkConnection } {
  const t = new ManualTransport();
  return { t, conn: new NetlinkConnection(t) };
}
/** The messages of the n-th sendmsg (1-based), once it has happened. */
async function sentBatch(t: ManualTransport, n: number): Promise<ParsedMessage[]> {
  return parseMessages((await t.sends(n))[n - 1]!);
}
const data = (t: ManualTransport, m: ParsedMessage, value: number, flags = 0): Buffer =>
  nlmsg({ type: m.type, flags, seq: m.seq, pid: t.port }, genl(1, 1, attr(1, u32(value))));
const ack = (t: ManualTransport, m: ParsedMessage, errno = 0): Buffer => nlmsgerr({ request: m.raw, errno, pid: t.port });
const values = (replies: { payload: Uint8Array }[]): number[] => replies.map((r) => readHostU32(r.payload.subarray(8)));
/** Every way to cut [d1, d2, d3, DONE] into datagrams at message boundaries (a bit per cut). */
const cuts = (): number[] => Array.from({ length: 8 }, (_, mask) => mask);
/** Lets pending I/O callbacks and promise reactions run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
/** Delivers the messages in datagrams, a new one after message i where bit i of `mask` is set. */
async function deliverCut(t: ManualTransport, msgs: readonly Buffer[], mask: number): Promise<void> {
  const datagrams: Buffer[][] = [[msgs[0]!]];
  msgs.slice(1).forEach((msg, i) => ((mask >> i) & 1 ? datagrams.push([msg]) : datagrams[datagrams.length - 1]!.push(msg)));
  for (const d of datagrams) {
    await settle();
    t.deliver(cat(...d));
  }
}
function track<T>(p: Promise<T>): { done: () => boolean } {
  let finished = false;
  p.then(
    () => (finished = true),
    () => (finished = true),
  );
  return { done: () => finished };
}

describe('NetlinkConnection.request', () => {
  it('sends REQUEST|ACK with our port and a sequence number, resolves with the data before the ACK', async () => {
    const { t, conn } = setup();
    const p = conn.request(req(15));
    const [m] = await sentBatch(t, 1);
    expect([m!.type, m!.flags, m!.pid]).toEqual([FAMILY, NLM_F.REQUEST | NLM_F.ACK, t.port]);
    expect(m!.payload).toEqual(genl(15, 1));
    t.deliver(data(t, m!, 7));
    t.deliver(ack(t, m!));
    expect(values(await p)).toEqual([7]);
  });

  it('each request gets a fresh sequence number', async () => {
    const { t, conn } = setup();
    const pending = [conn.request(req(1)), conn.request(req(2))].map((p) => p.catch(() => undefined));
    const seqs = [...(await sentBatch(t, 1)), ...(await sentBatch(t, 2))].map((m) => m.seq);
    expect(new Set(seqs).size).toBe(2);
    expect(seqs).not.toContain(0);
    conn.close();
    await Promise.all(pending);
  });

  it('rejects with a NetlinkError carrying errno, code, extack and the request', async () => {
    const { t, conn } = setup();
    const p = conn.request(req(1));
    const [m] = await sentBatch(t, 1);
    t.deliver(nlmsgerr({ request: m!.raw, errno: 17, pid: t.port, extack: { msg: 'exists', offset: 20 } }));
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e).toMatchObject({ errno: 17, code: 'EEXIST', extack: { message: 'exists', offset: 20 }, request: { type: FAMILY, cmd: 1 } });
  });

  it('ignores and counts replies with a foreign seq or a foreign port (pid 0 included)', async () => {
    const { t, conn } = setup();
    const p = conn.request(req(4));
    const tracked = track(p);
    const [m] = await sentBatch(t, 1);
    t.deliver(nlmsgerr({ request: m!.raw, errno: 1, seq: m!.seq + 1000, pid: t.port }));
    t.deliver(nlmsgerr({ request: m!.raw, errno: 1, pid: t.port + 1 }));
    t.deliver(nlmsgerr({ request: m!.raw, errno: 1, pid: 0 }));
    t.deliver(nlmsg({ type: FAMILY, seq: m!.seq + 1, pid: t.port }, genl(1, 1)));
    await settle();
    expect(tracked.done()).toBe(false);
    expect(conn.ignored).toEqual({ foreignPort: 2, unknownSeq: 2 });
    t.deliver(data(t, m!, 3), ack(t, m!));
    expect(values(await p)).toEqual([3]);
  });

  it('skips NLMSG_NOOP, and fails on NLMSG_OVERRUN', async () => {
    const { t, conn } = setup();
    const p1 = conn.request(req(1));
    const [m1] = await sentBatch(t, 1);
    t.deliver(nlmsg({ type: NLMSG.NOOP, seq: m1!.seq, pid: t.port }), ack(t, m1!));
    expect(await p1).toEqual([]);
    const p2 = conn.request(req(2));
    const [m2] = await sentBatch(t, 2);
    t.deliver(nlmsg({ type: NLMSG.OVERRUN, seq: m2!.seq, pid: t.port }));
    await expect(p2).rejects.toThrow(/NLMSG_OVERRUN/);
  });
});

describe('NetlinkConnection.dump', () => {
  it('sends REQUEST|DUMP without ACK and stops at NLMSG_DONE', async () => {
    const { t, conn } = setup();
    const p = conn.dump(req(4));
    const [m] = await sentBatch(t, 1);
    expect(m!.flags).toBe(NLM_F.REQUEST | NLM_F.DUMP);
    t.deliver(cat(data(t, m!, 1, NLM_F.MULTI), data(t, m!, 2, NLM_F.MULTI), done(m!.seq, t.port)));
    expect(values(await p)).toEqual([1, 2]);
  });

  it.each(cuts())('collects a dump split across datagrams (cut mask %i)', async (mask) => {
    const { t, conn } = setup();
    const p = conn.dump(req(4));
    const [m] = await sentBatch(t, 1);
    const msgs = [data(t, m!, 1, NLM_F.MULTI), data(t, m!, 2, NLM_F.MULTI), data(t, m!, 3, NLM_F.MULTI), done(m!.seq, t.port)];
    await deliverCut(t, msgs, mask);
    expect(values(await p)).toEqual([1, 2, 3]);
  });

  it('a lone DONE is an empty dump', async () => {
    const { t, conn } = setup();
    const p = conn.dump(req(8));
    const [m] = await sentBatch(t, 1);
    t.deliver(done(m!.seq, t.port));
    expect(await p).toEqual([]);
  });

  it('an NLMSG_ERROR in the middle of a dump rejects it', async () => {
    const { t, conn } = setup();
    const p = conn.dump(req(4));
    const [m] = await sentBatch(t, 1);
    t.deliver(data(t, m!, 1, NLM_F.MULTI));
    t.deliver(cat(data(t, m!, 2, NLM_F.MULTI), nlmsgerr({ request: m!.raw, errno: 16, pid: t.port })));
    await expect(p).rejects.toMatchObject({ name: 'NetlinkError', errno: 16, code: 'EBUSY' });
  });

  it('a DONE carrying an error rejects the dump', async () => {
    const { t, conn } = setup();
    const p = conn.dump(req(4));
    const [m] = await sentBatch(t, 1);
    t.deliver(cat(data(t, m!, 1, NLM_F.MULTI), done(m!.seq, t.port, 90)));
    await expect(p).rejects.toMatchObject({ errno: 90, code: 'EMSGSIZE' });
  });

  it('runs one dump at a time on the socket', async () => {
    const { t, conn } = setup();
    const p1 = conn.dump(req(4));
    const p2 = conn.dump(req(11));
    const [m1] = await sentBatch(t, 1);
    await settle();
    expect(t.sent).toHaveLength(1);
    t.deliver(done(m1!.seq, t.port));
    const [m2] = await sentBatch(t, 2);
    expect(m2!.payload[0]).toBe(11);
    t.deliver(cat(data(t, m2!, 5, NLM_F.MULTI), done(m2!.seq, t.port)));
    expect([await p1, values(await p2)]).toEqual([[], [5]]);
  });
});

describe('NetlinkConnection.dump with onReply (replies taken as they come)', () => {
  /** A request whose data replies are read in place: the u32 value of each. */
  function visiting(cmd: number, seen: number[], failAt?: number): Request {
    return {
      ...req(cmd),
      onReply: (bytes, view, start, end) => {
        expect(end - start).toBe(4 + 8); // genl header and one u32 attribute
        const value = readHostU32(bytes.subarray(start + 8, end));
        expect(view.getUint32(start + 8, true)).toBe(value);
        if (value === failAt) throw new MalformedMessageError('test', `reply ${value} is bad`);
        seen.push(value);
      },
    };
  }

  it.each(cuts())('each data reply is visited in order, none is kept (cut mask %i)', async (mask) => {
    const { t, conn } = setup();
    const seen: number[] = [];
    const p = conn.dump(visiting(4, seen));
    const [m] = await sentBatch(t, 1);
    const msgs = [data(t, m!, 1, NLM_F.MULTI), data(t, m!, 2, NLM_F.MULTI), data(t, m!, 3, NLM_F.MULTI), done(m!.seq, t.port)];
    await deliverCut(t, msgs, mask);
    expect(await p).toEqual([]);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('what the visitor throws fails the dump once it is DONE; later replies are not visited; the socket goes on', async () => {
    const { t, conn } = setup();
    const seen: number[] = [];
    const p = track(conn.dump(visiting(4, seen, 2)).catch((e: unknown) => e));
    const [m] = await sentBatch(t, 1);
    t.deliver(cat(data(t, m!, 1, NLM_F.MULTI), data(t, m!, 2, NLM_F.MULTI), data(t, m!, 3, NLM_F.MULTI)));
    await settle();
    expect(p.done()).toBe(false); // the kernel is still answering: a new dump now would be EBUSY
    t.deliver(done(m!.seq, t.port));
    await settle();
    expect(p.done()).toBe(true);
    expect(seen).toEqual([1]);
    const after = conn.dump(req(5));
    const [m2] = await sentBatch(t, 2);
    t.deliver(cat(data(t, m2!, 7, NLM_F.MULTI), done(m2!.seq, t.port)));
    expect(values(await after)).toEqual([7]);
  });

  it('the error is the visitor\'s, and an interrupted dump still says so', async () => {
    const { t, conn } = setup();
    const failing = conn.dump(visiting(4, [], 1));
    const [m] = await sentBatch(t, 1);
    t.deliver(cat(data(t, m!, 1, NLM_F.MULTI), done(m!.seq, t.port)));
    await expect(failing).rejects.toThrow(/reply 1 is bad/);
    const seen: number[] = [];
    const interrupted = conn.dump(visiting(4, seen));
    const [m2] = await sentBatch(t, 2);
    t.deliver(cat(data(t, m2!, 1, NLM_F.MULTI | 0x10 /* NLM_F_DUMP_INTR */), done(m2!.seq, t.port)));
    await expect(interrupted).rejects.toMatchObject({ name: 'DumpInterruptedError' });
    expect(seen).toEqual([1]);
  });

  it('replies for other requests, foreign ports and control messages still go their usual way', async () => {
    const { t, conn } = setup();
    const seen: number[] = [];
    const p = conn.dump(visiting(4, seen));
    const [m] = await sentBatch(t, 1);
    t.deliver(cat(nlmsg({ type: m!.type, flags: NLM_F.MULTI, seq: m!.seq, pid: t.port + 1 }, genl(1, 1, attr(1, u32(9)))), data(t, m!, 1, NLM_F.MULTI)));
    t.deliver(cat(nlmsg({ type: NLMSG.NOOP, flags: 0, seq: m!.seq, pid: t.port }, new Uint8Array(0)), done(m!.seq, t.port)));
    expect(await p).toEqual([]);
    expect(seen).toEqual([1]);
    expect(conn.ignored.foreignPort).toBe(1);
  });
});

describe('NetlinkConnection.batch', () => {
  it('pipelines requests in one sendmsg and matches out-of-order replies by seq', async () => {
    const { t, conn } = setup();
    const p = conn.batch([req(1), req(5), req(6)]);
    const ms = await sentBatch(t, 1);
    expect(ms.map((m) => m.payload[0])).toEqual([1, 5, 6]);
    expect(new Set(ms.map((m) => m.seq)).size).toBe(3);
    const [a, b, c] = ms as [ParsedMessage, ParsedMessage, ParsedMessage];
    t.deliver(ack(t, c));
    t.deliver(ack(t, b, 17));
    t.deliver(data(t, a, 9));
    t.deliver(ack(t, a));
    const out = await p;
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(out[0]!.ok && values(out[0]!.replies)).toEqual([9]);
    expect(!out[1]!.ok && out[1]!.error).toMatchObject({ errno: 17 });
  });

  it('takes every reply of a batch from one datagram', async () => {
    const { t, conn } = setup();
    const p = conn.batch([req(1), req(2), req(3), req(17)]);
    const ms = await sentBatch(t, 1);
    t.deliver(cat(...ms.map((m, i) => ack(t, m, i === 2 ? 3 : 0)).reverse()));
    expect((await p).map((o) => (o.ok ? 0 : (o.error as NetlinkError).errno))).toEqual([0, 0, 3, 0]);
  });

  it('splits N requests into ceil(N / window) sendmsg calls, one window at a time', async () => {
    const { t, conn } = setup();
    const p = conn.batch(
      Array.from({ length: 10 }, (_, i) => req(i + 1)),
      { window: 4 },
    );
    const sizes: number[] = [];
    for (let k = 1; k <= 3; k++) {
      const ms = await sentBatch(t, k);
      await settle();
      expect(t.sent).toHaveLength(k); // the next window waits for this one's replies
      sizes.push(ms.length);
      t.deliver(...ms.map((m) => ack(t, m)));
    }
    const out = await p;
    expect(sizes).toEqual([4, 4, 2]);
    expect(out).toHaveLength(10);
    expect(out.every((o) => o.ok)).toBe(true);
  });

  it('uses a default window of 64', async () => {
    const { t, conn } = setup();
    const p = conn.batch(Array.from({ length: 130 }, () => req(16)));
    for (let k = 1; k <= 3; k++) {
      const ms = await sentBatch(t, k);
      t.deliver(cat(...ms.map((m) => ack(t, m))));
    }
    expect((await p).length).toBe(130);
    expect(t.sent.map((s) => parseMessages(s).length)).toEqual([64, 64, 2]);
  });
});

describe('NetlinkConnection.batch, fenced (changes: only failures and the last of a window answered)', () => {
  const withoutAck = (ms: ParsedMessage[]): boolean[] => ms.map((m) => (m.flags & NLM_F.ACK) === 0);

  it('asks for an ACK on the last request of each window only; the fence settles the silent ones as done', async () => {
    const { t, conn } = setup();
    const p = conn.batch(
      Array.from({ length: 5 }, (_, i) => req(i + 1)),
      { window: 3, fenced: true },
    );
    const first = await sentBatch(t, 1);
    expect(withoutAck(first)).toEqual([true, true, false]);
    expect(first.every((m) => m.flags & NLM_F.REQUEST)).toBe(true);
    t.deliver(ack(t, first[2]!));
    const second = await sentBatch(t, 2);
    expect(withoutAck(second)).toEqual([true, false]);
    t.deliver(ack(t, second[1]!));
    expect((await p).map((o) => o.ok)).toEqual([true, true, true, true, true]);
  });

  it('a failure in the middle of a window is that request\'s alone; the fence\'s own failure is its own', async () => {
    const { t, conn } = setup();
    const p = conn.batch([req(1), req(2), req(3), req(4)], { fenced: true });
    const ms = await sentBatch(t, 1);
    t.deliver(ack(t, ms[1]!, 17), ack(t, ms[3]!, 2));
    const out = await p;
    expect(out.map((o) => (o.ok ? 0 : (o.error as NetlinkError).errno))).toEqual([0, 17, 0, 2]);
  });

  it('the silent requests wait for the fence (an error of an earlier one settles only that one)', async () => {
    const { t, conn } = setup();
    const p = conn.batch([req(1), req(2), req(3)], { fenced: true });
    const tracked = track(p);
    const ms = await sentBatch(t, 1);
    t.deliver(ack(t, ms[0]!, 22));
    await settle();
    expect(tracked.done()).toBe(false);
    t.deliver(ack(t, ms[2]!));
    expect((await p).map((o) => o.ok)).toEqual([false, true, true]);
  });

  it('a window of one is its own fence; dumps in a fenced batch still end with their DONE', async () => {
    const { t, conn } = setup();
    const p = conn.batch([req(1), req(2, NLM_F.DUMP), req(3)], { window: 1, fenced: true });
    const [a] = await sentBatch(t, 1);
    expect(withoutAck([a!])).toEqual([false]);
    t.deliver(ack(t, a!));
    const [b] = await sentBatch(t, 2);
    expect(b!.flags & NLM_F.ACK).toBe(0);
    t.deliver(cat(data(t, b!, 4, NLM_F.MULTI), done(b!.seq, t.port)));
    const [c] = await sentBatch(t, 3);
    t.deliver(ack(t, c!));
    const out = await p;
    expect(out.map((o) => o.ok)).toEqual([true, true, true]);
    expect(out[1]!.ok && values(out[1]!.replies)).toEqual([4]);
  });

  it('refuses a window below one', async () => {
    const { conn } = setup();
    await expect(conn.batch([req(1)], { window: 0 })).rejects.toThrow(RangeError);
  });
});

describe('NetlinkConnection failures', () => {
  it('a send failure rejects every pending request and breaks the connection', async () => {
    const { t, conn } = setup();
    const earlier = conn.request(req(15));
    await sentBatch(t, 1);
    t.sendError = new Error('sendmsg: ENOBUFS');
    const out = await conn.batch([req(1), req(2)]);
    expect(out.map((o) => !o.ok && o.error.message)).toEqual(['sendmsg: ENOBUFS', 'sendmsg: ENOBUFS']);
    await expect(earlier).rejects.toThrow('sendmsg: ENOBUFS');
    await expect(conn.request(req(3))).rejects.toThrow('sendmsg: ENOBUFS');
  });

  it('a socket error rejects what is pending', async () => {
    const { t, conn } = setup();
    const p = conn.dump(req(4));
    await sentBatch(t, 1);
    t.fail(new Error('recvmsg failed'));
    await expect(p).rejects.toThrow('recvmsg failed');
  });

  it('a malformed datagram rejects what is pending with MalformedMessageError', async () => {
    const { t, conn } = setup();
    const p = conn.request(req(4));
    await sentBatch(t, 1);
    t.deliver(cat(u32(200), Buffer.alloc(12)));
    await expect(p).rejects.toBeInstanceOf(MalformedMessageError);
  });

  it('close() rejects pending requests and closes the transport once', async () => {
    const { t, conn } = setup();
    const p = conn.request(req(4));
    await sentBatch(t, 1);
    conn.close();
    await expect(p).rejects.toThrow('closed');
    expect(t.closed).toBe(1);
  });

  it('an error ack whose echo is truncated fails only its own request', async () => {
    const { t, conn } = setup();
    const p = conn.batch([req(1), req(2)]);
    const [a, b] = (await sentBatch(t, 1)) as [ParsedMessage, ParsedMessage];
    t.deliver(nlmsg({ type: NLMSG.ERROR, seq: a.seq, pid: t.port }, attr(1, str('x'))), ack(t, b));
    const out = await p;
    expect(out[0]).toMatchObject({ ok: false, error: { name: 'MalformedMessageError' } });
    expect(out[1]!.ok).toBe(true);
  });
});
