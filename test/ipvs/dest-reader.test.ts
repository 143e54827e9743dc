// readDestination (one pass over a GET_DEST reply, no attribute sets) against its reference,
// decodeDestination over an AttributeSet: for real replies, damaged ones and random bytes, the
// same destination or the same MalformedMessageError, read from inside a larger datagram.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeSet } from '../../src/netlink/attributes.js';
import { decodeDestination } from '../../src/ipvs/codec.js';
import { CmdAttr } from '../../src/ipvs/constants.js';
import { readDestination } from '../../src/ipvs/dest-reader.js';
import { attr, cat, mutate, mutationArb, str, u32, IPVS } from '../support/bytes.js';
import { destReply } from '../support/fake-ipvs.js';
import type { KDest } from '../support/fake-ipvs.js';
import { fuzzParameters } from '../support/fuzz.js';
import { reliabilityCases } from '../support/reliability.js';

const V4: KDest = {
  af: 2, addr: Buffer.from([198, 51, 100, 7, ...Array<number>(12).fill(0)]), port: 8080, fwd: 0, weight: 3, uThresh: 100, lThresh: 2,
  tunType: 0, tunPort: 0, tunFlags: 0, active: 5, inact: 6, persist: 7, stats: [1n, 2n, 3n, 2n ** 40n, 5n, 6n, 7n, 8n, 9n, 2n ** 63n],
};
const GUE: KDest = { ...V4, fwd: 2, tunType: 1, tunPort: 6080, tunFlags: 3 };
const V6: KDest = { ...V4, af: 10, addr: Buffer.from('20010db8000000000000000000000009', 'hex'), weight: 0xffffffff };
const SAMPLES: readonly Buffer[] = [
  destReply(V4),
  destReply(GUE),
  destReply(V6),
  destReply(V4, false), // no ADDR_FAMILY (before Linux 3.18): the service's family
  destReply(V4, true, { stats64: false }), // STATS only: the reference reads it
  destReply({ ...V4, fwd: 9 }),
  cat(destReply(V4), destReply(V6)), // the last DEST wins
  cat(destReply(V4), attr(IPVS.CMD_ATTR.SERVICE, str('x'))),
  attr(IPVS.CMD_ATTR.DEST | 0x8000, cat(attr(IPVS.DEST.ADDR, Buffer.alloc(16)), attr(IPVS.DEST.PORT, u32(1)))), // incomplete, a bad size
];

type Outcome = { dest: unknown } | { error: string };

function outcomes(reply: Uint8Array, serviceAf: 2 | 10 = 2): [Outcome, Outcome] {
  const datagram = new Uint8Array(reply.length + 24).fill(0xee);
  datagram.set(reply, 12);
  const run = (f: () => unknown): Outcome => {
    try {
      return { dest: f() };
    } catch (e) {
      return { error: `${(e as Error).name}: ${(e as Error).message}` };
    }
  };
  const fast = run(() => readDestination(datagram, new DataView(datagram.buffer), 12, 12 + reply.length, serviceAf, 'get-dests'));
  const reference = run(() => decodeDestination(new AttributeSet(Uint8Array.from(reply), 'get-dests', CmdAttr), serviceAf));
  if ('dest' in fast) expect((fast.dest as { addr: { bytes: Uint8Array } }).addr.bytes.buffer).not.toBe(datagram.buffer); // a copy
  return [fast, reference];
}

describe('readDestination', () => {
  it.each(SAMPLES.map((s, i) => [i, s] as const))('sample %i: what the reference gives, in the same key order', (_, reply) => {
    for (const af of [2, 10] as const) {
      const [fast, reference] = outcomes(reply, af);
      expect(fast).toEqual(reference);
      if ('dest' in fast && 'dest' in reference) expect(Object.keys(fast.dest as object)).toEqual(Object.keys(reference.dest as object));
    }
  });

  it('real replies are read (destinations, not errors)', () => {
    for (const reply of SAMPLES.slice(0, 6)) expect('dest' in outcomes(reply)[0]).toBe(true);
  });

  it('damaged replies and random bytes: the same outcome as the reference', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'destination reader cases against the codec (damaged replies, random bytes)' });
    const seen = { dest: 0, error: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(mutationArb(512), { minLength: 1, maxLength: 4 }), (reply, ms) => {
        const [fast, reference] = outcomes(ms.reduce<Buffer>(mutate, reply));
        expect(fast).toEqual(reference);
        seen['dest' in fast ? 'dest' : 'error']++;
      }),
      cases.fuzz(fuzzParameters(6000)),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const [fast, reference] = outcomes(bytes);
        expect(fast).toEqual(reference);
      }),
      cases.fuzz(fuzzParameters(3000)),
    );
    expect(seen.dest).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });
});
