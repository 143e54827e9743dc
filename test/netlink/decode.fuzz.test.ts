// Fuzzing the netlink decoders (message framing, NLMSG_ERROR/extack, DONE, genl header, attribute
// TLVs and every typed getter) and the connection's receive path: random bytes and damaged real
// replies give decoded values or a MalformedMessageError, never another exception or a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeSet } from '../../src/netlink/attributes.js';
import { NetlinkConnection } from '../../src/netlink/connection.js';
import { DumpInterruptedError, MalformedMessageError, NetlinkError } from '../../src/netlink/errors.js';
import { decodeDone, decodeError, decodeGenlPayload } from '../../src/netlink/message.js';
import { splitMessages } from '../support/split-messages.js';
import { NLMSG, NLM_F, attr, cat, done, genl, mutate, mutationArb, nestPlain, nlmsg, nlmsgerr, readHostU32, str, u16, u32, u64, u8 } from '../support/bytes.js';
import { ManualTransport } from '../support/fake-kernel.js';
import { fuzzParameters } from '../support/fuzz.js';
import { reliabilityCases } from '../support/reliability.js';

const FAMILY = 0x1c;
const PORT = 0x4321;
const SEQ = 77;

/** Real-shaped replies: a dump datagram with nested attributes, an error with extack, an ACK. */
const request = nlmsg({ type: FAMILY, flags: NLM_F.REQUEST | NLM_F.ACK, seq: SEQ, pid: PORT }, genl(1, 1, attr(1, u32(5))));
const entry = (n: number): Buffer =>
  nlmsg(
    { type: FAMILY, flags: NLM_F.MULTI, seq: SEQ, pid: PORT },
    genl(1, 1, nestPlain(1, attr(1, u16(2)), attr(3, Buffer.alloc(16, n)), attr(4, u16(80)), attr(6, str('wlc')), nestPlain(12, attr(11), attr(1, u64(BigInt(n)))), attr(13, u8(n)))),
  );
const SAMPLES: readonly Buffer[] = [
  cat(entry(1), entry(2), entry(3), done(SEQ, PORT)),
  nlmsgerr({ request, errno: 17, pid: PORT, extack: { msg: 'Service already exists', offset: 24, missType: 3 } }),
  cat(nlmsgerr({ request, errno: 0, pid: PORT }), nlmsg({ type: NLMSG.NOOP, seq: SEQ, pid: PORT })),
  done(SEQ, PORT, 16),
];

/** Calls every getter on every attribute, nested ones down to a few levels. */
function walk(set: AttributeSet, depth: number): void {
  for (const a of set.all) {
    const getters: ((t: number) => unknown)[] = [(t) => set.u8(t), (t) => set.u16(t), (t) => set.be16(t), (t) => set.u32(t), (t) => set.be32(t), (t) => set.u64(t), (t) => set.string(t), (t) => set.bytes(t, a.payload.length)];
    for (const get of getters) tolerate(() => get(a.type));
    if (depth < 4) tolerate(() => walk(set.nested(a.type, {})!, depth + 1));
    tolerate(() => set.required(a.type + 1000, set.u32));
  }
}
/** A MalformedMessageError is a decoder's proper refusal; anything else escapes. */
function tolerate(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof MalformedMessageError)) throw e;
  }
}
/** Decodes a datagram as deep as it goes; 'malformed' when the decoders refused it. */
function decodeEverything(datagram: Uint8Array): 'decoded' | 'malformed' {
  try {
    for (const m of splitMessages(datagram)) {
      if (m.type === NLMSG.ERROR) decodeError(m);
      else if (m.type === NLMSG.DONE) decodeDone(m);
      else if (m.type === NLMSG.NOOP) continue;
      else walk(new AttributeSet(decodeGenlPayload(m.payload, 'fuzz').attrs, 'fuzz'), 0);
    }
    return 'decoded';
  } catch (e) {
    if (e instanceof MalformedMessageError) return 'malformed';
    throw e;
  }
}

const mutation = mutationArb(4096);
/** A sample damaged by one to four mutations. */
const damaged = fc.tuple(fc.constantFrom(...SAMPLES), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, ms]) => ms.reduce<Buffer>(mutate, b));

/**
 * Regressions found by fuzzing, kept as plain cases. An NLMSG_ERROR whose echoed nlmsg_len is
 * 2^31 or more: align4() wrapped through int32 (to 0 or negative), so the extended ack was read
 * from the echoed header (or the end of the message) instead of being left out.
 */
const FOUND: readonly [string, number][] = [
  ['0xfffffffd (wrapped to 0)', 0xfffffffd],
  ['0x80000001 (wrapped negative)', 0x80000001],
];

describe('netlink decoders, fuzzed', () => {
  it('the samples decode (the fuzzing starts from valid replies)', () => {
    for (const s of SAMPLES) expect(decodeEverything(s)).toBe('decoded');
  });

  it('every truncation of every sample: decoded or MalformedMessageError', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'netlink decoder cases (truncations)' });
    for (const s of SAMPLES) {
      for (let at = 0; at <= s.length; at++) cases.run(() => decodeEverything(s.subarray(0, at)));
    }
  });

  it.each(FOUND)('regression: an error echo claiming %s bytes carries no extack', (_, len) => {
    const damagedError = mutate(SAMPLES[1]!, { kind: 'u32', at: 20, value: len });
    const [m] = splitMessages(damagedError);
    expect(decodeError(m!)).toEqual({ errno: 17, request: { type: FAMILY, flags: NLM_F.REQUEST | NLM_F.ACK, seq: SEQ }, extack: {} });
  });

  it('random bytes: decoded or MalformedMessageError', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'netlink decoder cases (random bytes)' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        decodeEverything(bytes);
      }),
      cases.fuzz(fuzzParameters(3000)),
    );
  });

  it('damaged real replies: decoded or MalformedMessageError', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'netlink decoder cases (damaged replies)' });
    const seen = { decoded: 0, malformed: 0 };
    fc.assert(
      fc.property(damaged, (bytes) => {
        seen[decodeEverything(bytes)]++;
      }),
      cases.fuzz(fuzzParameters(5000)),
    );
    expect(seen.decoded).toBeGreaterThan(0); // the mutations reach past the framing checks
    expect(seen.malformed).toBeGreaterThan(0);
  });

  it('the connection fed damaged replies never throws to the socket and settles with a typed outcome', async () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'netlink connection receive cases' });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(damaged, fc.uint8Array({ maxLength: 64 })), { minLength: 1, maxLength: 3 }), async (datagrams) => {
        const t = new ManualTransport(PORT);
        const conn = new NetlinkConnection(t, { timeoutMs: 1000 });
        const p = conn.dump({ type: FAMILY, cmd: 1, payload: genl(1, 1) });
        const [sent] = await t.sends(1);
        // rewrite the samples' seq to the request's, so damaged replies reach the dump
        const seq = readHostU32(sent!.subarray(8));
        for (const d of datagrams) t.deliver(retarget(d, seq));
        conn.close();
        const outcome = await p.then(
          () => 'replies',
          (e: unknown) => e,
        );
        if (outcome === 'replies') return;
        const typed = [MalformedMessageError, NetlinkError, DumpInterruptedError].some((c) => outcome instanceof c);
        expect(typed || (outcome as Error).message === 'netlink connection closed').toBe(true);
      }),
      cases.fuzz(fuzzParameters(1500)),
    );
  });
});

/** Replaces the samples' sequence number wherever a header carries it (damaged headers stay damaged). */
function retarget(d: Uint8Array, seq: number): Buffer {
  const b = Buffer.from(d);
  for (let off = 8; off + 4 <= b.length; off += 4) if (b.subarray(off, off + 4).equals(u32(SEQ))) u32(seq).copy(b, off);
  return b;
}
