// Fuzzing the IPVS decoders (service, destination, daemon, info, timeouts) with random attribute
// bytes and damaged real replies (built by fake-ipvs.ts / bytes.ts), and the client's listing
// path over the fake kernel: a decoded value, a MalformedMessageError, or (through the client)
// an IpvsOperationError — never another exception type, an out-of-bounds read or a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeSet } from '../../src/netlink/attributes.js';
import { MalformedMessageError } from '../../src/netlink/errors.js';
import { decodeDaemons, decodeDestination, decodeInfo, decodeService, decodeTimeouts } from '../../src/ipvs/codec.js';
import { CmdAttr } from '../../src/ipvs/constants.js';
import { IpvsClient } from '../../src/ipvs/client.js';
import { IpvsOperationError } from '../../src/ipvs/errors.js';
import { IPVS, NLM_F, attr, cat, done, genl, mutate, mutationArb, nestPlain, nlmsg, str, u16, u32, u8 } from '../support/bytes.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { destReply, serviceReply } from '../support/fake-ipvs.js';
import type { KDest, KService } from '../support/fake-ipvs.js';
import { fuzzParameters } from '../support/fuzz.js';
import { reliabilityCases } from '../support/reliability.js';

const { CMD, CMD_ATTR, DAEMON, INFO } = IPVS;
const counters = [1n, 2n, 3n, 1n << 40n, 5n, 6n, 7n, 8n, 9n, 10n];
const V4_SERVICE: KService = {
  af: 2, fwmark: 0, protocol: 6, addr: Buffer.from([192, 0, 2, 1, ...Array<number>(12).fill(0)]), port: 80, sched: 'wlc', pe: 'sip',
  flags: 1, timeout: 300, netmask: Buffer.from([255, 255, 255, 0]), stats: counters, dests: new Map(),
};
const FWM_SERVICE: KService = { ...V4_SERVICE, af: 10, fwmark: 7, pe: '', netmask: u32(64) };
const DEST: KDest = {
  af: 10, addr: Buffer.from('20010db8000000000000000000000002', 'hex'), port: 8080, fwd: 2, weight: 3, uThresh: 10, lThresh: 2,
  tunType: 1, tunPort: 6080, tunFlags: 1, active: 4, inact: 5, persist: 6, stats: counters,
};

type Decoder = (set: AttributeSet) => unknown;
/** Each decoder with a valid reply (its attributes after the genl header) to damage. */
const TARGETS: readonly (readonly [string, Decoder, Buffer])[] = [
  ['service', decodeService, serviceReply(V4_SERVICE)],
  ['fwmark service (STATS only)', decodeService, serviceReply(FWM_SERVICE, { stats64: false })],
  ['destination', (s) => decodeDestination(s, 2), destReply(DEST)],
  ['destination without ADDR_FAMILY', (s) => decodeDestination(s, 10), destReply(DEST, false, { stats32: false })],
  ['daemon', decodeDaemons, nestPlain(CMD_ATTR.DAEMON, attr(DAEMON.STATE, u32(1)), attr(DAEMON.MCAST_IFN, str('eth0')), attr(DAEMON.SYNC_ID, u32(7)),
    attr(DAEMON.SYNC_MAXLEN, u16(1472)), attr(DAEMON.MCAST_GROUP, Buffer.from([224, 0, 0, 81])), attr(DAEMON.MCAST_PORT, u16(8848)), attr(DAEMON.MCAST_TTL, u8(1)))],
  ['info', decodeInfo, cat(attr(INFO.VERSION, u32(0x10201)), attr(INFO.CONN_TAB_SIZE, u32(4096)))],
  ['timeouts', decodeTimeouts, cat(attr(CMD_ATTR.TIMEOUT_TCP, u32(900)), attr(CMD_ATTR.TIMEOUT_TCP_FIN, u32(120)), attr(CMD_ATTR.TIMEOUT_UDP, u32(300)))],
];

/** 'decoded' or 'malformed'; any other exception fails the property. */
function decode(d: Decoder, bytes: Uint8Array): 'decoded' | 'malformed' {
  try {
    d(new AttributeSet(bytes, 'fuzz', CmdAttr));
    return 'decoded';
  } catch (e) {
    if (e instanceof MalformedMessageError) return 'malformed';
    throw e;
  }
}

const mutation = mutationArb(512);
const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

describe('IPVS decoders, fuzzed', () => {
  it.each(TARGETS)('%s: the sample decodes', (_, d, bytes) => {
    expect(decode(d, bytes)).toBe('decoded');
  });

  it('every truncation of every sample: decoded or MalformedMessageError', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'IPVS codec cases (truncations)' });
    for (const [, d, bytes] of TARGETS) for (let at = 0; at <= bytes.length; at++) cases.run(() => decode(d, bytes.subarray(0, at)));
  });

  it('random attribute bytes into every decoder', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'IPVS codec cases (random bytes)' });
    fc.assert(
      fc.property(fc.constantFrom(...TARGETS), fc.uint8Array({ maxLength: 256 }), ([, d], bytes) => {
        decode(d, bytes);
      }),
      cases.fuzz(fuzzParameters(3000)),
    );
  });

  it('damaged real replies into their decoders', () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'IPVS codec cases (damaged replies)' });
    const seen = { decoded: 0, malformed: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...TARGETS), mutations, ([, d, bytes], ms) => {
        seen[decode(d, ms.reduce<Buffer>(mutate, bytes))]++;
      }),
      cases.fuzz(fuzzParameters(5000)),
    );
    expect(seen.decoded).toBeGreaterThan(0);
    expect(seen.malformed).toBeGreaterThan(0);
  });

  it('the client listing damaged dump datagrams: services or an IpvsOperationError, settled', async () => {
    const cases = reliabilityCases({ area: 'fuzz', item: 'IPVS client listing cases (damaged dumps)' });
    await fc.assert(
      fc.asyncProperty(mutations, async (ms) => {
        // every services dump gets the same damage (an interrupted or changing one is dumped again)
        const model = { handle: (req: { seq: number }) => ({ raw: [ms.slice(1).reduce<Buffer>(mutate, answer(req.seq))] }) };
        const kernel = new FakeKernel({ model });
        const client = await IpvsClient.open(async () => kernel, { timeoutMs: 250 }); // short, but not flaky under load
        const entry = (seq: number, s: KService): Buffer => nlmsg({ type: 0x1c, flags: NLM_F.MULTI, seq, pid: kernel.port }, genl(CMD.NEW_SERVICE, 1, serviceReply(s)));
        const answer = (seq: number): Buffer => mutate(cat(entry(seq, V4_SERVICE), entry(seq, FWM_SERVICE), done(seq, kernel.port)), ms[0]!);
        try {
          const out = await client.services().then(
            (services) => services,
            (e: unknown) => e,
          );
          if (!Array.isArray(out)) expect(out).toBeInstanceOf(IpvsOperationError);
        } finally {
          client.close();
        }
      }),
      cases.fuzz(fuzzParameters(400)),
    );
  });
});
