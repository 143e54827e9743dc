// Property round trips for the IPVS codec: arbitrary config → request nest → the same values as
// a kernel-shaped reply (rebuilt by test/support/fake-ipvs.ts with counters added) → decode → equal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeSet, AttributeWriter } from '../../src/netlink/attributes.js';
import { CmdAttr } from '../../src/ipvs/constants.js';
import { decodeChecksum, decodeForwarding, decodeServiceFlags, decodeTunnelType } from '../../src/ipvs/value-codec.js';
import { decodeDaemons, decodeDestination, decodeService, decodeTimeouts, putDaemonNest, putDestNest, putServiceNest, putTimeouts } from '../../src/ipvs/codec.js';
import type { Address } from '../../src/ipvs/address.js';
import type { DaemonConfig, DestinationConfig, ServiceConfig, ServiceKey, Stats } from '../../src/ipvs/model.js';
import { IPVS, nestPlain, parseAttrs } from '../support/bytes.js';
import { destReply, parseDestNest, parseServiceNest, serviceReply } from '../support/fake-ipvs.js';
import type { StatsShape } from '../support/fake-ipvs.js';

const enc = (put: (w: AttributeWriter) => void): Buffer => {
  const w = new AttributeWriter();
  put(w);
  return Buffer.from(w.finish());
};
const reply = (...attrs: Buffer[]): AttributeSet => new AttributeSet(Buffer.concat(attrs), 'reply', CmdAttr);
/** The single nest a request carries; it must be flagged NLA_F_NESTED, as libnl sends it. */
function requestNest(bytes: Buffer, type: number): Buffer {
  const [outer, ...rest] = parseAttrs(bytes);
  expect(rest).toHaveLength(0);
  expect([outer!.type, outer!.nested]).toEqual([type, true]);
  return outer!.payload;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const af = fc.constantFrom(2 as const, 10 as const);
const addrOf = (family: 2 | 10): fc.Arbitrary<Address> =>
  fc.uint8Array({ minLength: family === 2 ? 4 : 16, maxLength: family === 2 ? 4 : 16 }).map((bytes) => ({ af: family, bytes }));
const name = fc.stringMatching(/^[a-z0-9_-]{0,15}$/);
const key: fc.Arbitrary<ServiceKey> = af.chain((family) =>
  fc.oneof(
    fc.record({ kind: fc.constant('addr' as const), af: fc.constant(family), protocol: u16, addr: addrOf(family), port: u16 }),
    fc.record({ kind: fc.constant('fwmark' as const), af: fc.constant(family), fwmark: fc.integer({ min: 1, max: 0xffffffff }) }),
  ),
);
const serviceConfig: fc.Arbitrary<ServiceConfig> = key.chain((k) =>
  fc.record({
    key: fc.constant(k),
    scheduler: name,
    flags: u32.map((f) => decodeServiceFlags(f)), // HASHED is the kernel's own bit
    timeout: u32,
    netmask: k.af === 2 ? u32 : fc.integer({ min: 1, max: 128 }),
    pe: fc.oneof(fc.constant(''), fc.stringMatching(/^[a-z]{1,15}$/)),
  }).map(({ flags, ...rest }) => ({ ...rest, ...flags })),
);
const destConfig = (family: 2 | 10): fc.Arbitrary<DestinationConfig> =>
  fc.record({
    addr: addrOf(family),
    port: u16,
    forwarding: fc.integer({ min: 0, max: 7 }).map(decodeForwarding),
    weight: fc.integer({ min: 0, max: 0x7fffffff }),
    uThreshold: u32,
    lThreshold: u32,
    tunnelType: fc.integer({ min: 0, max: 255 }).map(decodeTunnelType),
    tunnelPort: u16,
    checksum: u16.map(decodeChecksum),
  });
const counters = fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 10, maxLength: 10 });
const shape = fc.constantFrom<StatsShape>({}, { stats32: false }, { stats64: false }, { stats32: false, stats64: false });

/** What decoding gives: STATS64 whole; STATS alone has u32 counters and u64 byte counters. */
function expectedStats(v: readonly bigint[], s: StatsShape): Stats {
  const has64 = s.stats64 ?? true;
  const has32 = s.stats32 ?? true;
  const at = (i: number): bigint => (has64 ? v[i]! : !has32 ? 0n : i === 3 || i === 4 ? v[i]! : v[i]! & 0xffffffffn);
  return { conns: at(0), inpkts: at(1), outpkts: at(2), inbytes: at(3), outbytes: at(4), cps: at(5), inpps: at(6), outpps: at(7), inbps: at(8), outbps: at(9) };
}

describe('codec round trips', () => {
  it('ServiceConfig → request → kernel reply (+ stats) → decodeService', () => {
    fc.assert(
      fc.property(serviceConfig, counters, shape, (cfg, stats, s) => {
        const k = parseServiceNest(requestNest(enc((w) => putServiceNest(w, cfg)), IPVS.CMD_ATTR.SERVICE), true);
        if (typeof k === 'number') throw new Error(`request did not parse: errno ${k}`);
        k.stats = stats;
        expect(decodeService(reply(serviceReply(k, s)))).toEqual({ ...cfg, stats: expectedStats(stats, s) });
      }),
      { numRuns: 500 },
    );
  });

  it('DestinationConfig → request → kernel reply (± ADDR_FAMILY, + counters) → decodeDestination', () => {
    const arb = fc.record({ serviceAf: af, destAf: af, withFamily: fc.boolean() }).chain((o) =>
      fc.record({
        o: fc.constant(o),
        cfg: destConfig(o.withFamily ? o.destAf : o.serviceAf), // no ADDR_FAMILY: same family as the service
        conns: fc.tuple(u32, u32, u32),
        stats: counters,
        s: shape,
      }),
    );
    fc.assert(
      fc.property(arb, ({ o, cfg, conns, stats, s }) => {
        const d = parseDestNest(requestNest(enc((w) => putDestNest(w, cfg)), IPVS.CMD_ATTR.DEST), true);
        if (typeof d === 'number') throw new Error(`request did not parse: errno ${d}`);
        [d.active, d.inact, d.persist] = conns;
        d.stats = stats;
        const got = decodeDestination(reply(destReply(d, o.withFamily, s)), o.serviceAf);
        expect(got).toEqual({ ...cfg, activeConns: conns[0], inactConns: conns[1], persistConns: conns[2], stats: expectedStats(stats, s) });
      }),
      { numRuns: 500 },
    );
  });

  it('Timeouts → SET_CONFIG attributes → a GET_CONFIG reply → decodeTimeouts', () => {
    fc.assert(
      fc.property(fc.record({ tcp: u32, tcpFin: u32, udp: u32 }), (t) => {
        const attrs = enc((w) => putTimeouts(w, t));
        expect(parseAttrs(attrs).map((a) => a.type)).toEqual([4, 5, 6]);
        expect(decodeTimeouts(reply(attrs))).toEqual(t);
      }),
    );
  });

  it('DaemonConfig → NEW_DAEMON nest → the same attributes as a reply nest → decodeDaemon', () => {
    const daemon: fc.Arbitrary<DaemonConfig> = fc.record(
      {
        state: fc.constantFrom('master' as const, 'backup' as const),
        mcastIfn: name,
        syncId: u32,
        syncMaxlen: u16,
        mcastGroup: af.chain(addrOf),
        mcastPort: u16,
        mcastTtl: fc.integer({ min: 0, max: 255 }),
      },
      { requiredKeys: ['state', 'mcastIfn', 'syncId'] },
    );
    fc.assert(
      fc.property(daemon, (d) => {
        const inner = requestNest(enc((w) => putDaemonNest(w, d)), IPVS.CMD_ATTR.DAEMON);
        expect(decodeDaemons(reply(nestPlain(IPVS.CMD_ATTR.DAEMON, inner)))).toEqual([d]);
      }),
      { numRuns: 300 },
    );
  });
});
