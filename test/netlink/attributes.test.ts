// AttributeWriter bytes against the independent builder (test/support/bytes.ts), and the
// length-checked AttributeSet reader: errors name the attribute and the length seen.
import { describe, expect, it } from 'vitest';
import { AttributeSet, AttributeWriter, splitAttributes } from '../../src/netlink/attributes.js';
import { MalformedMessageError } from '../../src/netlink/errors.js';
import { attr, be16, be32, cat, hex, nest, nestPlain, str, u16, u32, u64, u8 } from '../support/bytes.js';
import { endianness } from 'node:os';

const bytesOf = (w: AttributeWriter): Buffer => Buffer.from(w.finish());
const NAMES = { ONE: 1, PORT: 4, NAME: 6, INNER: 10 } as const;

describe('AttributeWriter', () => {
  it.each([
    ['u8', (w: AttributeWriter) => w.u8(1, 0xab), attr(1, u8(0xab))],
    ['u16', (w: AttributeWriter) => w.u16(2, 0x1234), attr(2, u16(0x1234))],
    ['be16', (w: AttributeWriter) => w.be16(4, 80), attr(4, be16(80))],
    ['u32', (w: AttributeWriter) => w.u32(5, 0xdeadbeef), attr(5, u32(0xdeadbeef))],
    ['be32', (w: AttributeWriter) => w.be32(9, 0xffffff00), attr(9, be32(0xffffff00))],
    ['u64', (w: AttributeWriter) => w.u64(4, 0x0102030405060708n), attr(4, u64(0x0102030405060708n))],
    ['bytes', (w: AttributeWriter) => w.bytes(3, Uint8Array.from([1, 2, 3])), attr(3, Buffer.from([1, 2, 3]))],
    ['string', (w: AttributeWriter) => w.string(6, 'wlc'), attr(6, str('wlc'))],
    ['empty string (1 byte NUL)', (w: AttributeWriter) => w.string(6, ''), attr(6, str(''))],
  ])('%s matches the builder', (_name, put, expected) => {
    expect(bytesOf(put(new AttributeWriter()))).toEqual(expected);
  });

  it('padded: the first bytes of a value in a zero-filled field; refuses what does not fit', () => {
    const value = Uint8Array.from([192, 0, 2, 1, 9, 9]);
    expect(bytesOf(new AttributeWriter().padded(3, value, 4, 16))).toEqual(attr(3, Buffer.from([192, 0, 2, 1, ...Array<number>(12).fill(0)])));
    // a writer grown past its first buffer keeps writing through the new one
    const w = new AttributeWriter();
    for (let i = 0; i < 20; i++) w.padded(3, value, 6, 16);
    expect(bytesOf(w)).toEqual(cat(...Array.from({ length: 20 }, () => attr(3, Buffer.from([192, 0, 2, 1, 9, 9, ...Array<number>(10).fill(0)])))));
    expect(() => new AttributeWriter().padded(3, value, 6, 4)).toThrow(RangeError);
    expect(() => new AttributeWriter().padded(3, value, 7, 16)).toThrow(RangeError);
  });

  it('keeps nla_len unpadded and pads the payload to 4 bytes with zeros', () => {
    const b = bytesOf(new AttributeWriter().u8(1, 0xff).string(6, 'rr'));
    expect(b.length).toBe(16);
    expect(b.readUInt16LE(0) === 5 || b.readUInt16BE(0) === 5).toBe(true);
    expect([...b.subarray(5, 8)]).toEqual([0, 0, 0]);
    expect([...b.subarray(12, 16)]).toEqual([0x72, 0x72, 0, 0]);
  });

  it.runIf(endianness() === 'LE')('is host order, pinned as literal bytes on little-endian hosts', () => {
    const b = bytesOf(new AttributeWriter().u16(1, 2).be16(4, 0x50).u32(8, 120).string(6, 'rr'));
    expect(b.toString('hex')).toBe(hex('0600 0100 0200 0000  0600 0400 0050 0000  0800 0800 7800 0000  0700 0600 7272 0000').toString('hex'));
  });

  it('nests with NLA_F_NESTED and patches the nest length, also two levels deep', () => {
    const w = new AttributeWriter().u32(4, 7);
    w.nested(1, (n) => {
      n.u16(1, 2);
      n.nested(10, (m) => m.u64(4, 5n).string(6, 'x'));
      n.be16(4, 443);
    });
    const expected = cat(attr(4, u32(7)), nest(1, attr(1, u16(2)), nest(10, attr(4, u64(5n)), attr(6, str('x'))), attr(4, be16(443))));
    expect(bytesOf(w)).toEqual(expected);
    expect(w.length).toBe(expected.length);
  });

  it('an empty nest is a bare 4-byte header', () => {
    expect(bytesOf(new AttributeWriter().nested(2, () => undefined))).toEqual(nest(2));
  });

  it('grows past its initial buffer without losing bytes', () => {
    const w = new AttributeWriter();
    const parts: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      w.u32(i & 0x3fff, i * 7919);
      parts.push(attr(i & 0x3fff, u32(i * 7919)));
    }
    w.bytes(3, new Uint8Array(1000).fill(0xaa));
    parts.push(attr(3, Buffer.alloc(1000, 0xaa)));
    expect(bytesOf(w)).toEqual(cat(...parts));
  });

  it('finish() returns a copy', () => {
    const w = new AttributeWriter().u32(1, 1);
    const first = w.finish();
    w.u32(2, 2);
    expect(Buffer.from(first)).toEqual(attr(1, u32(1)));
  });

  it('refuses an attribute longer than nla_len can say (64 KiB) instead of wrapping', () => {
    expect(() => new AttributeWriter().bytes(1, new Uint8Array(70_000))).toThrow(/65535|64 KiB|too long/);
    expect(() => new AttributeWriter().nested(1, (n) => n.bytes(2, new Uint8Array(40_000)).bytes(3, new Uint8Array(40_000)))).toThrow(
      /65535|64 KiB|too long/,
    );
  });
});

describe('splitAttributes', () => {
  it('splits, masks NLA_F_NESTED off the type and keeps the payload slices', () => {
    const raw = cat(attr(1, u16(10)), nest(2, attr(1, u8(1))), nestPlain(3, attr(2, u32(9))), attr(7, str('ab')));
    const out = splitAttributes(raw, 'test');
    expect(out.map((a) => [a.type, a.nested, a.payload.length])).toEqual([
      [1, false, 2],
      [2, true, 8],
      [3, false, 8],
      [7, false, 3],
    ]);
    expect(Buffer.from(out[1]!.payload)).toEqual(attr(1, u8(1)));
  });

  it('accepts a last attribute whose padding is missing', () => {
    const raw = attr(6, str('rr')).subarray(0, 7);
    expect(splitAttributes(raw, 'x').map((a) => Buffer.from(a.payload))).toEqual([str('rr')]);
  });

  it.each([
    ['nla_len below the header size', cat(u16(3), u16(1)), /offset 0 has length 3/],
    ['nla_len past the end', cat(attr(1, u32(1)), u16(12), u16(2), u32(0)), /offset 8 has length 12, 8 bytes left/],
  ])('rejects %s, naming where', (_name, raw, message) => {
    const run = (): unknown => splitAttributes(raw, 'svc');
    expect(run).toThrow(MalformedMessageError);
    expect(run).toThrow(message);
    expect(run).toThrow(/in svc:/);
  });
});

describe('AttributeSet', () => {
  const raw = cat(
    attr(1, u8(200)),
    attr(2, u16(0xbeef)),
    attr(4, be16(8080)),
    attr(5, u32(0x80000001)),
    attr(9, be32(0xffffff00)),
    attr(12, u64(0xffffffffffffffffn)),
    attr(6, str('sip')),
    attr(3, Buffer.from([1, 2, 3, 4])),
    nestPlain(10, attr(1, u32(42))),
    attr(99, u32(1)),
  );
  const set = new AttributeSet(raw, 'top', NAMES);

  it('reads every width in the right byte order', () => {
    expect(set.u8(1)).toBe(200);
    expect(set.u16(2)).toBe(0xbeef);
    expect(set.be16(4)).toBe(8080);
    expect(set.u32(5)).toBe(0x80000001);
    expect(set.be32(9)).toBe(0xffffff00);
    expect(set.u64(12)).toBe(0xffffffffffffffffn);
    expect(set.string(6)).toBe('sip');
    expect([...set.bytes(3, 4)!]).toEqual([1, 2, 3, 4]);
    expect(set.nested(10)?.u32(1)).toBe(42);
  });

  it('answers undefined for an absent attribute and keeps unknown ones in `all`', () => {
    expect(set.u32(77)).toBeUndefined();
    expect(set.has(99)).toBe(true);
    expect(set.all.map((a) => a.type)).toContain(99);
    expect(set.all).toHaveLength(10);
  });

  it('names the attribute and the length seen when a size is wrong', () => {
    expect(() => set.u16(4)).not.toThrow();
    expect(() => set.u32(4)).toThrow('malformed netlink message in top: PORT: expected 4 bytes, got 2');
    expect(() => set.u8(5)).toThrow('attribute 5: expected 1 bytes, got 4');
    expect(() => set.bytes(3, 16)).toThrow(/attribute 3: expected 16 bytes, got 4/);
    expect(() => set.u64(1)).toThrow(MalformedMessageError);
  });

  it('nested sets say where they are', () => {
    const inner = set.nested(10, { CONNS: 1 });
    expect(inner?.where).toBe('top.INNER');
    expect(() => inner!.u16(1)).toThrow('in top.INNER: CONNS: expected 2 bytes, got 4');
  });

  it('required() names a missing attribute', () => {
    expect(set.required(5, set.u32)).toBe(0x80000001);
    expect(() => set.required(6 + 100, set.u32)).toThrow('attribute 106 is missing');
    const named = new AttributeSet(cat(), 'svc', NAMES);
    expect(() => named.required(NAMES.NAME, named.string)).toThrow('malformed netlink message in svc: NAME is missing');
  });

  it('the last occurrence of a type wins, as in nla_parse', () => {
    expect(new AttributeSet(cat(attr(1, u32(1)), attr(1, u32(2))), 'x').u32(1)).toBe(2);
  });

  it('strings stop at the first NUL and tolerate a missing one', () => {
    expect(new AttributeSet(attr(6, Buffer.from('ab\0cd\0')), 'x').string(6)).toBe('ab');
    expect(new AttributeSet(attr(6, Buffer.from('abc')), 'x').string(6)).toBe('abc');
    expect(new AttributeSet(attr(6), 'x').string(6)).toBe('');
  });
});
