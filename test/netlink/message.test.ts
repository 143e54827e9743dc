// nlmsghdr/genlmsghdr framing against the independent builder; splitting datagrams that pack
// several messages; malformed lengths; NLMSG_ERROR (ACK, CAPPED, extack TLVs) and NLMSG_DONE.
import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../../src/netlink/errors.js';
import { decodeDone, decodeError, decodeGenlPayload, encodeMessages, genlHeader } from '../../src/netlink/message.js';
import { splitMessages } from '../support/split-messages.js';
import { NLMSG, NLM_F, attr, cat, done, genl, hex, i32, nlmsg, nlmsgerr, str, u16, u32 } from '../support/bytes.js';
import { endianness } from 'node:os';

const asMsg = (b: Buffer) => splitMessages(b)[0]!;

describe('encodeMessages / genlHeader', () => {
  it('writes nlmsghdr in host order with the unpadded length, then pads', () => {
    const payload = Buffer.from([9, 8, 7, 6, 5]);
    const out = encodeMessages([{ type: 0x1c, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 0xfffffffe, pid: 77, payload }]);
    expect(Buffer.from(out)).toEqual(nlmsg({ type: 0x1c, flags: 5, seq: 0xfffffffe, pid: 77 }, payload));
    expect(out.length).toBe(24);
  });

  it('encodeMessages puts messages back to back, each padded to 4 bytes, in one buffer', () => {
    const a = { type: 0x1c, flags: NLM_F.REQUEST, seq: 7, pid: 9, payload: Buffer.from([1, 2, 3, 4, 5]) };
    const b = { type: 0x1c, flags: NLM_F.REQUEST | NLM_F.ACK, seq: 8, pid: 9, payload: Buffer.from([6]) };
    const out = encodeMessages([a, b]);
    expect(Buffer.from(out)).toEqual(cat(nlmsg(a, a.payload), nlmsg(b, b.payload)));
    expect(splitMessages(out).map((m) => [m.seq, m.flags, Buffer.from(m.payload)])).toEqual([
      [7, NLM_F.REQUEST, a.payload],
      [8, NLM_F.REQUEST | NLM_F.ACK, b.payload],
    ]);
    expect(encodeMessages([]).length).toBe(0);
  });

  it('defaults pid to 0', () => {
    expect(Buffer.from(encodeMessages([{ type: 2, flags: 1, seq: 3, payload: new Uint8Array(0) }]))).toEqual(nlmsg({ type: 2, flags: 1, seq: 3 }));
  });

  it.runIf(endianness() === 'LE')('matches a literal GETFAMILY request on little-endian hosts', () => {
    const out = encodeMessages([{ type: 0x10, flags: 5, seq: 1, pid: 0x1234, head: genlHeader(3, 1), payload: attr(2, str('IPVS')) }]);
    expect(Buffer.from(out).toString('hex')).toBe(
      hex('20000000 1000 0500 01000000 34120000  03 01 0000  0900 0200 49505653 00 000000').toString('hex'),
    );
  });

  it('genl header: cmd, version, two reserved zero bytes, then the attributes; one shared array per cmd and version', () => {
    const attrs = cat(attr(1, u16(2)), attr(6, str('rr')));
    const out = encodeMessages([{ type: 0x1c, flags: 1, seq: 2, head: genlHeader(17, 1), payload: attrs }]);
    expect(Buffer.from(out)).toEqual(nlmsg({ type: 0x1c, flags: 1, seq: 2 }, genl(17, 1, attrs)));
    expect(genlHeader(17, 1)).toBe(genlHeader(17, 1));
    expect(Buffer.from(genlHeader(17, 2))).toEqual(Buffer.from([17, 2, 0, 0]));
  });

  it('a head and an odd payload are padded together as one message', () => {
    const a = { type: 0x1c, flags: 1, seq: 3, head: genlHeader(4, 1), payload: Buffer.from([1, 2, 3]) };
    const b = { type: 0x1c, flags: 1, seq: 4, payload: Buffer.from([9]) };
    expect(Buffer.from(encodeMessages([a, b]))).toEqual(cat(nlmsg(a, genl(4, 1, a.payload)), nlmsg(b, b.payload)));
  });

  it('decodeGenlPayload splits the header off, and needs 4 bytes', () => {
    const g = decodeGenlPayload(genl(14, 1, attr(1, u32(5))), 'here');
    expect([g.cmd, g.version, Buffer.from(g.attrs)]).toEqual([14, 1, attr(1, u32(5))]);
    expect(() => decodeGenlPayload(Buffer.from([1, 1]), 'reply to 4')).toThrow('malformed netlink message in reply to 4: generic netlink header needs 4 bytes, got 2');
  });
});

describe('splitMessages', () => {
  it('splits a datagram packing several messages, each with its own header and payload', () => {
    const a = nlmsg({ type: 0x1c, flags: NLM_F.MULTI, seq: 10, pid: 5 }, genl(1, 1, attr(1, u32(1))));
    const b = nlmsg({ type: 0x1c, flags: NLM_F.MULTI, seq: 10, pid: 5 }, Buffer.from([1, 2, 3])); // padded
    const c = done(10, 5);
    const out = splitMessages(cat(a, b, c));
    expect(out.map((m) => [m.type, m.flags, m.seq, m.pid, m.payload.length])).toEqual([
      [0x1c, NLM_F.MULTI, 10, 5, 12],
      [0x1c, NLM_F.MULTI, 10, 5, 3],
      [NLMSG.DONE, NLM_F.MULTI, 10, 5, 4],
    ]);
    expect(Buffer.from(out[0]!.payload)).toEqual(genl(1, 1, attr(1, u32(1))));
    expect([...out[1]!.payload]).toEqual([1, 2, 3]);
  });

  it('an empty datagram has no messages; a last message without its padding is fine', () => {
    expect(splitMessages(new Uint8Array(0))).toEqual([]);
    const unpadded = nlmsg({ type: 3 }, Buffer.from([1])).subarray(0, 17);
    expect(splitMessages(unpadded)).toHaveLength(1);
  });

  it.each([
    ['nlmsg_len below the header size', cat(u32(8), Buffer.alloc(12)), 'message at offset 0 claims 8 bytes, 16 received'],
    ['nlmsg_len past the datagram', cat(nlmsg({ type: 3 }), u32(64), Buffer.alloc(12)), 'message at offset 16 claims 64 bytes, 16 received'],
    ['a truncated second header', cat(nlmsg({ type: 3 }), Buffer.alloc(8)), '8 stray bytes after the last message'],
  ])('rejects %s and says what it saw', (_name, datagram, message) => {
    expect(() => splitMessages(datagram)).toThrow(MalformedMessageError);
    expect(() => splitMessages(datagram)).toThrow(`malformed netlink message in nlmsghdr: ${message}`);
  });
});

describe('decodeError', () => {
  const request = nlmsg({ type: 0x1c, flags: 5, seq: 42, pid: 9 }, genl(1, 1, attr(6, str('wlc')), Buffer.from([0xaa])));

  it('an ACK is errno 0, capped to the request header', () => {
    const ack = asMsg(nlmsgerr({ request, errno: 0 }));
    expect(ack.flags & NLM_F.CAPPED).toBeTruthy();
    const e = decodeError(ack);
    expect(e).toEqual({ errno: 0, request: { type: 0x1c, flags: 5, seq: 42 }, extack: {} });
  });

  it('an error carries the positive errno and the echoed request header', () => {
    const e = decodeError(asMsg(nlmsgerr({ request, errno: 17 })));
    expect(e.errno).toBe(17);
    expect(e.request).toEqual({ type: 0x1c, flags: 5, seq: 42 });
    expect(e.extack).toEqual({});
  });

  it('reads extack TLVs after a full (unaligned-length) echo of the request', () => {
    expect(request.readUInt32LE(0) % 4 === 0 && request.readUInt32BE(0) % 4 === 0).toBe(false); // the echo needs padding
    const e = decodeError(asMsg(nlmsgerr({ request, errno: 22, extack: { msg: 'bad attribute', offset: 24 } })));
    expect(e).toMatchObject({ errno: 22, extack: { message: 'bad attribute', offset: 24 } });
  });

  it('reads extack TLVs after a capped echo (NLM_F_CAPPED | NLM_F_ACK_TLVS)', () => {
    const msg = asMsg(nlmsgerr({ request, errno: 95, capped: true, extack: { msg: 'Unsupported', missType: 3 } }));
    expect(msg.flags).toBe(NLM_F.CAPPED | NLM_F.ACK_TLVS);
    expect(decodeError(msg).extack).toEqual({ message: 'Unsupported', missingType: 3 });
  });

  it('an ACK may carry an extack warning too', () => {
    expect(decodeError(asMsg(nlmsgerr({ request, errno: 0, extack: { msg: 'deprecated' } }))).extack).toEqual({ message: 'deprecated' });
  });

  it('ignores TLVs when NLM_F_ACK_TLVS is not set', () => {
    const raw = nlmsg({ type: NLMSG.ERROR, flags: NLM_F.CAPPED, seq: 42 }, cat(i32(-1), request.subarray(0, 16), attr(1, str('ignored'))));
    expect(decodeError(asMsg(raw))).toEqual({ errno: 1, request: { type: 0x1c, flags: 5, seq: 42 }, extack: {} });
  });

  it('a payload too short for struct nlmsgerr is malformed', () => {
    const raw = nlmsg({ type: NLMSG.ERROR, seq: 1 }, i32(-1));
    expect(() => decodeError(asMsg(raw))).toThrow('malformed netlink message in nlmsgerr: needs 20 bytes, got 4');
  });
});

describe('decodeDone', () => {
  it('is 0 for a plain DONE, the positive errno for a failed dump, 0 for an empty payload', () => {
    expect(decodeDone(asMsg(done(1, 2)))).toBe(0);
    expect(decodeDone(asMsg(done(1, 2, 16)))).toBe(16);
    expect(decodeDone(asMsg(nlmsg({ type: NLMSG.DONE, flags: NLM_F.MULTI })))).toBe(0);
  });
});
