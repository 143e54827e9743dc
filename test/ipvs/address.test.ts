// Address text forms: parse tables checked against glibc inet_pton, formatting pinned to glibc
// inet_ntop (compared with node's net.SocketAddress, which agrees), and the 16-byte wire form.
import fc from 'fast-check';
import { SocketAddress } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  addressEquals,
  addressFromWire,
  WIRE_ADDRESS_BYTES,
  wireAddressLength,
  formatAddress,
  ipv4,
  parseAddress,
  parseIPv4,
  parseIPv6,
} from '../../src/ipvs/address.js';
import type { Address } from '../../src/ipvs/address.js';

const v6 = (hexWords: string): Address => ({ af: 10, bytes: Uint8Array.from(Buffer.from(hexWords.replace(/:/g, ''), 'hex')) });

describe('parseIPv4 (inet_pton AF_INET)', () => {
  it.each(['0.0.0.0', '255.255.255.255', '192.0.2.1', '1.2.3.255', '10.0.0.0'])('accepts %j', (text) => {
    const a = parseIPv4(text);
    expect(a?.af).toBe(2);
    expect([...a!.bytes].join('.')).toBe(text);
  });

  // Every rejection here was checked against glibc 2.36 inet_pton.
  it.each([
    '', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.256', '01.2.3.4', '1.2.3.04', '00.1.1.1', '10.0.0.00', '1..2.3',
    ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4\n', '0x1.2.3.4', '1.2.3.4.', '.1.2.3.4', '3221225985', '1.2.3.-4', '+1.2.3.4',
    '1234.1.1.1', 'a.b.c.d', '1.2.3.4/24', '::1',
  ])('rejects %j', (text) => {
    expect(parseIPv4(text)).toBeUndefined();
  });

  it('agrees with the rule it implements on any text of digits and dots', () => {
    // four parts of 1-3 digits, no leading zero, each at most 255
    const reference = (t: string): string | undefined => {
      const parts = t.split('.');
      const ok = parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
      return ok ? parts.map(Number).join('.') : undefined;
    };
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.'), maxLength: 17 }), (t) => {
        const a = parseIPv4(t);
        expect(a && [...a.bytes].join('.')).toBe(reference(t));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseIPv6 (inet_pton AF_INET6)', () => {
  it.each([
    ['::', '0000:0000:0000:0000:0000:0000:0000:0000'],
    ['::1', '0000:0000:0000:0000:0000:0000:0000:0001'],
    ['1::', '0001:0000:0000:0000:0000:0000:0000:0000'],
    ['1:2:3:4:5:6:7:8', '0001:0002:0003:0004:0005:0006:0007:0008'],
    ['1:2:3:4:5:6:7::', '0001:0002:0003:0004:0005:0006:0007:0000'],
    ['::2:3:4:5:6:7:8', '0000:0002:0003:0004:0005:0006:0007:0008'],
    ['1:2::3:4:5:6:7', '0001:0002:0000:0003:0004:0005:0006:0007'],
    ['::ffff:1.2.3.4', '0000:0000:0000:0000:0000:ffff:0102:0304'],
    ['::1.2.3.4', '0000:0000:0000:0000:0000:0000:0102:0304'],
    ['1::1.2.3.4', '0001:0000:0000:0000:0000:0000:0102:0304'],
    ['1:2:3:4:5:6:1.2.3.4', '0001:0002:0003:0004:0005:0006:0102:0304'],
    ['1:2:3:4:5::1.2.3.4', '0001:0002:0003:0004:0005:0000:0102:0304'],
    ['0001::', '0001:0000:0000:0000:0000:0000:0000:0000'],
    ['ABCD:ef01::', 'abcd:ef01:0000:0000:0000:0000:0000:0000'],
    ['2001:DB8::1', '2001:0db8:0000:0000:0000:0000:0000:0001'],
    ['0:0:0:0:0:0:0:0', '0000:0000:0000:0000:0000:0000:0000:0000'],
    ['::0:0', '0000:0000:0000:0000:0000:0000:0000:0000'],
  ])('accepts %j', (text, words) => {
    expect(parseIPv6(text)).toEqual(v6(words));
  });

  // Every rejection here was checked against glibc 2.36 inet_pton.
  it.each([
    '', '1::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', ':::', '1:::2', '1::2::3', ':1::',
    ':1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:', '1:2:3:4:5:6:7:1.2.3.4', '1:2:3:4:5:6::1.2.3.4', '::1.2.3.4:5', '1.2.3.4::',
    '1.2.3.4', '::1.02.3.4', '::1.2.3', '::256.1.1.1', '00001::', 'g::', '::ffff:1.2.3.4.5', 'fe80::1%eth0', '[::1]',
    '::1 ', ' ::1', '1:2:3:4:5:6:7:8:1.2.3.4', '::1a.2.3.4', '::ffff:01.2.3.4', '::ffff:',
  ])('rejects %j', (text) => {
    expect(parseIPv6(text)).toBeUndefined();
  });

  it('parseAddress takes either family', () => {
    expect(parseAddress('192.0.2.1')?.af).toBe(2);
    expect(parseAddress('2001:db8::1')?.af).toBe(10);
    expect(parseAddress('2001:db8::1:80')?.af).toBe(10); // an address, not addr:port (as 1.31 reads it)
    expect(parseAddress('example')).toBeUndefined();
  });
});

describe('formatAddress (glibc inet_ntop)', () => {
  it('prints IPv4 dotted', () => {
    expect(formatAddress(ipv4([192, 0, 2, 1]))).toBe('192.0.2.1');
    expect(formatAddress(ipv4([0, 0, 0, 0]))).toBe('0.0.0.0');
  });

  // Each expectation is what glibc 2.36 inet_ntop printed for the same bytes.
  it.each([
    ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
    ['0000:0000:0000:0000:0000:0000:0000:0001', '::1'],
    ['0001:0000:0000:0000:0000:0000:0000:0000', '1::'],
    ['0000:0000:0000:0000:0000:ffff:c000:0201', '::ffff:192.0.2.1'],
    ['0000:0000:0000:0000:0000:0000:c000:0201', '::192.0.2.1'],
    ['0000:0000:0000:0000:0000:0000:0001:0000', '::0.1.0.0'],
    ['0000:0000:0000:0000:0000:0000:0000:0002', '::2'],
    ['0000:0000:0000:0000:0000:ffff:0000:0000', '::ffff:0.0.0.0'],
    ['0000:0000:0000:0000:ffff:0000:c000:0201', '::ffff:0:c000:201'],
    ['0000:0000:0000:0000:0000:fffe:0102:0304', '::fffe:102:304'],
    ['0064:ff9b:0000:0000:0000:0000:c000:0201', '64:ff9b::c000:201'],
    ['0000:0000:0000:0000:0000:0000:ffff:ffff', '::255.255.255.255'],
    ['0000:0000:0000:0000:0000:0001:0000:0000', '::1:0:0'],
    ['0000:0000:0000:0000:ffff:0000:0000:0000', '::ffff:0:0:0'],
    ['0001:0000:0000:0002:0000:0000:0000:0003', '1:0:0:2::3'], // the longer run wins
    ['0001:0000:0000:0002:0000:0000:0003:0004', '1::2:0:0:3:4'], // a tie: the first run wins
    ['0000:0000:0001:0000:0000:0001:0000:0000', '::1:0:0:1:0:0'],
    ['0001:0000:0000:0000:0001:0000:0000:0000', '1::1:0:0:0'],
    ['2001:0db8:0000:0001:0001:0001:0001:0001', '2001:db8:0:1:1:1:1:1'], // a single zero word stays
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
    ['fe80:0000:0000:0000:0000:0000:0000:0000', 'fe80::'],
    ['0000:0001:0000:0001:0000:0001:0000:0001', '0:1:0:1:0:1:0:1'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ])('%s → %s', (words, text) => {
    expect(formatAddress(v6(words))).toBe(text);
  });

  // Words drawn mostly from 0 and 0xffff, so runs, ties and embedded-IPv4 forms come up often.
  const word = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.constant(1), fc.integer({ min: 0, max: 0xffff }));
  const v6arb = fc.array(word, { minLength: 8, maxLength: 8 }).map((ws): Address => {
    const bytes = new Uint8Array(16);
    ws.forEach((w, i) => ((bytes[2 * i] = w >> 8), (bytes[2 * i + 1] = w & 0xff)));
    return { af: 10, bytes };
  });

  it('agrees with node (libuv inet_ntop, the same BSD algorithm as glibc) on any address', () => {
    fc.assert(
      fc.property(v6arb, (a) => {
        const text = Buffer.from(a.bytes).toString('hex').match(/.{4}/g)!.join(':');
        expect(formatAddress(a)).toBe(new SocketAddress({ address: text, family: 'ipv6' }).address);
      }),
      { numRuns: 2000 },
    );
  });

  it('parse(format(a)) is a, for both families', () => {
    fc.assert(
      fc.property(fc.oneof(v6arb, fc.uint8Array({ minLength: 4, maxLength: 4 }).map(ipv4)), (a) => {
        expect(parseAddress(formatAddress(a))).toEqual(a);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('wire form', () => {
  it('IPv4 travels in the first 4 of 16 bytes, IPv6 fills them', () => {
    expect(WIRE_ADDRESS_BYTES).toBe(16);
    expect(wireAddressLength(ipv4([192, 0, 2, 1]))).toBe(4);
    expect(wireAddressLength(parseIPv6('2001:db8::1')!)).toBe(16);
  });

  it('addressFromWire keeps what the family says, ignoring the rest', () => {
    const wire = Uint8Array.from([10, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
    const a = addressFromWire(2, wire);
    expect(a).toEqual(ipv4([10, 0, 0, 1]));
    expect(addressFromWire(10, wire).bytes).toHaveLength(16);
    wire[0] = 99; // a copy, not a view of the reply buffer
    expect(a.bytes[0]).toBe(10);
  });

  it('addressEquals compares family and bytes', () => {
    expect(addressEquals(ipv4([1, 2, 3, 4]), parseIPv4('1.2.3.4')!)).toBe(true);
    expect(addressEquals(ipv4([1, 2, 3, 4]), ipv4([1, 2, 3, 5]))).toBe(false);
    expect(addressEquals(parseIPv6('::')!, ipv4([0, 0, 0, 0]))).toBe(false);
  });
});
