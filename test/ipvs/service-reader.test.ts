// readServiceWithoutStats (one pass over a reply, no attribute sets) against its reference,
// decodeServiceWithoutStats over an AttributeSet: for real replies, damaged ones and random
// bytes, the same service or the same MalformedMessageError. The reply sits inside a larger
// buffer, as in a datagram, and what is read is never a view of it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeSet } from '../../src/netlink/attributes.js';
import { decodeService, decodeServiceWithoutStats } from '../../src/ipvs/codec.js';
import { CmdAttr } from '../../src/ipvs/constants.js';
import { readService, readServiceWithoutStats } from '../../src/ipvs/service-reader.js';
import { attr, cat, mutate, mutationArb, nestPlain, str, u32, IPVS } from '../support/bytes.js';
import { serviceReply } from '../support/fake-ipvs.js';
import type { KService } from '../support/fake-ipvs.js';
import { fuzzParameters } from '../support/fuzz.js';
import { reliabilityCases } from '../support/reliability.js';

const counters = [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n];
const V4: KService = {
  af: 2, fwmark: 0, protocol: 6, addr: Buffer.from([192, 0, 2, 1, ...Array<number>(12).fill(0)]), port: 80, sched: 'wlc', pe: 'sip',
  flags: 1, timeout: 300, netmask: Buffer.from([255, 255, 255, 0]), stats: counters, dests: new Map(),
};
const V6: KService = { ...V4, af: 10, protocol: 17, addr: Buffer.from('20010db8000000000000000000000001', 'hex'), sched: 'rr', pe: '', netmask: u32(64), flags: 0x12 };
const FWM: KService = { ...V4, af: 10, fwmark: 0xffffffff, pe: '', netmask: u32(128) };
const SAMPLES: readonly Buffer[] = [
  serviceReply(V4),
  serviceReply(V6),
  serviceReply(FWM),
  serviceReply({ ...V4, sched: 'wlc' }, { stats64: false }),
  serviceReply({ ...V4, sched: 'schédule' }), // not ASCII: the reference decodes it
  cat(serviceReply(V4), serviceReply(V6)), // the last SERVICE wins
  cat(serviceReply(V4), attr(IPVS.CMD_ATTR.DEST, str('x'))),
  nestPlain(IPVS.CMD_ATTR.SERVICE, attr(IPVS.SVC.AF, Buffer.from([2, 0]))), // incomplete
];

type Outcome = { service: unknown } | { error: string };

function outcomes(reply: Uint8Array, withStats = false): [Outcome, Outcome] {
  // inside a datagram: bytes before and after the reply
  const datagram = new Uint8Array(reply.length + 24).fill(0xee);
  datagram.set(reply, 12);
  const dv = new DataView(datagram.buffer);
  const run = (f: () => unknown): Outcome => {
    try {
      return { service: f() };
    } catch (e) {
      return { error: `${(e as Error).name}: ${(e as Error).message}` };
    }
  };
  const [read, decode] = withStats ? [readService, decodeService] : [readServiceWithoutStats, decodeServiceWithoutStats];
  const fast = run(() => read(datagram, dv, 12, 12 + reply.length, 'get-services'));
  const reference = run(() => decode(new AttributeSet(Uint8Array.from(reply), 'get-services', CmdAttr)));
  if ('service' in fast) {
    const addr = (fast.service as { key: { addr?: { bytes: Uint8Array } } }).key.addr;
    if (addr) expect(addr.bytes.buffer).not.toBe(datagram.buffer); // a copy, not a view
  }
  return [fast, reference];
}

describe('readServiceWithoutStats', () => {
  it.each(SAMPLES.map((s, i) => [i, s] as const))('sample %i: what the reference gives', (_, reply) => {
    const [fast, reference] = outcomes(reply);
    expect(fast).toEqual(reference);
  });

  it('with counters (readService against decodeService): every sample, and damaged ones, the same outcome', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'service reader cases with counters against the codec (damaged replies)' });
    for (const reply of SAMPLES) expect(outcomes(reply, true)[0]).toEqual(outcomes(reply, true)[1]);
    expect(outcomes(SAMPLES[0]!, true)[0]).toMatchObject({ service: { stats: { conns: 1n, outbps: 10n } } });
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(mutationArb(512), { minLength: 1, maxLength: 4 }), (reply, ms) => {
        const [fast, reference] = outcomes(ms.reduce<Buffer>(mutate, reply), true);
        expect(fast).toEqual(reference);
      }),
      cases.fuzz(fuzzParameters(3000)),
    );
  });

  it('real replies read as the reference reads them (services, not errors)', () => {
    for (const reply of SAMPLES.slice(0, 4)) expect('service' in outcomes(reply)[0]).toBe(true);
  });

  it('damaged replies: the same service or the same error as the reference', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'service reader cases against the codec (damaged replies)' });
    const seen = { service: 0, error: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), fc.array(mutationArb(512), { minLength: 1, maxLength: 4 }), (reply, ms) => {
        const [fast, reference] = outcomes(ms.reduce<Buffer>(mutate, reply));
        expect(fast).toEqual(reference);
        seen['service' in fast ? 'service' : 'error']++;
      }),
      cases.fuzz(fuzzParameters(6000)),
    );
    expect(seen.service).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });

  it('each attribute of each sample given every other length (odd sizes, runs cut short): the same outcome', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'service reader cases against the codec (attribute lengths)' });
    for (const reply of SAMPLES) {
      // the headers of the top-level attributes and of those nested one level down
      const headers: number[] = [];
      for (let off = 0; off + 4 <= reply.length; off += (reply.readUInt16LE(off) + 3) & ~3) {
        headers.push(off);
        if (reply.readUInt16LE(off) < 4) break;
        for (let inner = off + 4; inner + 4 <= off + reply.readUInt16LE(off); inner += (reply.readUInt16LE(inner) + 3) & ~3) {
          headers.push(inner);
          if (reply.readUInt16LE(inner) < 4) break;
        }
      }
      for (const at of headers) {
        for (let len = 0; len <= reply.readUInt16LE(at) + 8; len++) {
          cases.run(() => {
            const damaged = Buffer.from(reply);
            damaged.writeUInt16LE(len, at);
            const [fast, reference] = outcomes(damaged);
            expect(fast, `header at ${at}, length ${len}`).toEqual(reference);
          });
        }
      }
    }
  });

  it('random bytes: the same outcome as the reference', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'service reader cases against the codec (random bytes)' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const [fast, reference] = outcomes(bytes);
        expect(fast).toEqual(reference);
      }),
      cases.fuzz(fuzzParameters(3000)),
    );
  });
});
