// readStats64 (a STATS64 nest read in place) against what decodeStats's attribute-set path
// gives: the same counters for plain nests, small and large, and undefined (hand it to the
// reference) for a nest out of the ordinary.
import { describe, expect, it } from 'vitest';
import { StatsAttr } from '../../src/ipvs/constants.js';
import { readStats64 } from '../../src/ipvs/stats-reader.js';
import { attr, u32, u64 } from '../support/bytes.js';

/** The nest's payload inside a larger buffer (as in a datagram), read through a DataView. */
function read(...parts: Buffer[]): ReturnType<typeof readStats64> {
  const body = Buffer.concat(parts);
  const buf = Buffer.concat([Buffer.alloc(12, 0xee), body, Buffer.alloc(8, 0xee)]);
  return readStats64(new DataView(buf.buffer, buf.byteOffset, buf.length), 12, 12 + body.length);
}

const FIELDS = ['conns', 'inpkts', 'outpkts', 'inbytes', 'outbytes', 'cps', 'inpps', 'outpps', 'inbps', 'outbps'] as const;

describe('readStats64', () => {
  it('reads every counter, small, at the edge of the shared ones and large, with PAD skipped', () => {
    const values = [0n, 1n, 4095n, 4096n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 64n - 1n, 12345678901234n, 7n, 4094n];
    const parts = values.map((v, i) => attr(i + 1, u64(v)));
    parts.splice(3, 0, attr(StatsAttr.PAD, Buffer.alloc(0)));
    const s = read(...parts);
    expect(s && FIELDS.map((f) => s[f])).toEqual(values);
  });

  it('gives 0 for counters not sent, and the last of a counter sent twice', () => {
    const s = read(attr(StatsAttr.CONNS, u64(5n)), attr(StatsAttr.CONNS, u64(9n)));
    expect(s).toEqual({ conns: 9n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n });
    expect(Object.keys(s!)).toEqual(FIELDS);
  });

  it('leaves a nest out of the ordinary to the reference: a short counter, an unknown type, a bad length', () => {
    expect(read(attr(StatsAttr.CONNS, u32(1)))).toBeUndefined();
    expect(read(attr(StatsAttr.PAD + 1, u64(1n)))).toBeUndefined();
    const bad = attr(StatsAttr.CONNS, u64(1n));
    bad.writeUInt16LE(40, 0);
    expect(read(bad)).toBeUndefined();
  });
});
