import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAddrPort } from '../../src/table/addr-port.js';
import { listServiceName } from '../../src/cli/format/list-lines.js';
import {
  compareAddresses,
  compareDestinations,
  compareServices,
  mergeSort,
  sortDestinations,
  sortServices,
  wrappedDiff,
} from '../../src/table/sort.js';
import type { Destination, Service } from '../../src/ipvs/model.js';
import { dest, entry, fwm, svc } from '../support/format-fixtures.js';
import { noNames } from '../support/names-table.js';

const TCP = 6;
const UDP = 17;
const SCTP = 132;

const label = (s: Service) => listServiceName(s, true, noNames);
const order = (list: Service[]) => sortServices(list.map((s) => entry(s))).map((e) => label(e.service));
const destOrder = (list: Destination[]) => sortDestinations(list).map((d) => formatAddrPort(d.addr, d.port, TCP, true, noNames));

describe('wrappedDiff', () => {
  it('is the C (int)(u32 - u32)', () => {
    expect(wrappedDiff(1, 2)).toBe(-1);
    expect(wrappedDiff(4294967295, 0)).toBe(-1);
    expect(wrappedDiff(0x80000000, 0)).toBe(-2147483648);
    expect(wrappedDiff(0x7fffffff, 0)).toBe(2147483647);
  });
});

describe('service order', () => {
  it('puts address services first, then fwmarks, but fwmarks >= 2^31 before everything', () => {
    expect(order([fwm(3), svc(TCP, '192.0.2.1', 80), fwm(4294967295), fwm(1), fwm(2, { ipv6: true })])).toEqual([
      'FWM  -1',
      'TCP  192.0.2.1:80',
      'FWM  1',
      'FWM  2 IPv6',
      'FWM  3',
    ]);
  });

  it('orders by family, protocol, address, port', () => {
    const list = [
      svc(SCTP, '192.0.2.5', 9999),
      svc(TCP, '2001:db8::1', 80),
      svc(UDP, '192.0.2.1', 53),
      svc(TCP, '192.0.2.1', 443),
      svc(TCP, '192.0.2.2', 80),
      svc(TCP, '192.0.2.1', 80),
    ];
    expect(order(list)).toEqual([
      'TCP  192.0.2.1:80',
      'TCP  192.0.2.1:443',
      'TCP  192.0.2.2:80',
      'UDP  192.0.2.1:53',
      'SCTP 192.0.2.5:9999',
      'TCP  [2001:db8::1]:80',
    ]);
  });

  it('wraps IPv6 word differences: 2001:db8:ffff::1 before 2001:db8::1 (observed)', () => {
    expect(order([svc(TCP, '2001:db8::1', 80), svc(TCP, '2001:db8:ffff::1', 80)])).toEqual([
      'TCP  [2001:db8:ffff::1]:80',
      'TCP  [2001:db8::1]:80',
    ]);
  });

  it('wraps IPv4 differences of more than 2^31: 192.0.2.1 before 10.0.0.1', () => {
    expect(order([svc(TCP, '10.0.0.1', 80), svc(TCP, '192.0.2.1', 80)])).toEqual([
      'TCP  192.0.2.1:80',
      'TCP  10.0.0.1:80',
    ]);
    expect(compareServices(svc(TCP, '10.0.0.1', 80), svc(TCP, '192.0.2.1', 80))).toBeGreaterThan(0);
  });

  it('runs glibc merge sort steps on a non-transitive cycle, so input order decides', () => {
    const a = fwm(2147483647);
    const b = fwm(2147483648);
    const c = svc(TCP, '192.0.2.1', 80);
    // n=3 splits as [x] + [y, z]; worked by hand from the msort rule "take left while cmp <= 0".
    expect(order([a, b, c])).toEqual(['FWM  2147483647', 'FWM  -2147483648', 'TCP  192.0.2.1:80']);
    expect(order([c, b, a])).toEqual(['TCP  192.0.2.1:80', 'FWM  2147483647', 'FWM  -2147483648']);
  });
});

describe('sortServices (keys read once) against compareServices', () => {
  it('gives the order mergeSort with compareServices gives, for any list (wrapping and cycles included)', () => {
    const octet = fc.constantFrom(0, 1, 2, 127, 128, 192, 255);
    const word16 = fc.constantFrom(0, 1, 0x2001, 0x0db8, 0x7fff, 0x8000, 0xffff);
    const service = fc.oneof(
      fc.tuple(fc.constantFrom(TCP, UDP, SCTP), fc.array(octet, { minLength: 4, maxLength: 4 }), fc.constantFrom(0, 1, 80, 32768, 65535)).map(([p, o, port]) => svc(p, o.join('.'), port)),
      fc.tuple(fc.constantFrom(TCP, UDP), fc.array(word16, { minLength: 8, maxLength: 8 }), fc.constantFrom(0, 443, 65535)).map(([p, w, port]) => svc(p, w.map((x) => x.toString(16)).join(':'), port)),
      fc.tuple(fc.constantFrom(0, 1, 7, 0x7fffffff, 0x80000000, 0xffffffff), fc.boolean()).map(([mark, ipv6]) => fwm(mark, { ipv6 })),
    );
    fc.assert(
      fc.property(fc.array(service, { maxLength: 40 }), (list) => {
        const entries = list.map((s) => entry(s));
        expect(sortServices(entries)).toEqual(mergeSort(entries, (a, b) => compareServices(a.service, b.service)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('destination order', () => {
  it('orders by address then port', () => {
    expect(
      destOrder([dest('198.51.100.4', 80), dest('198.51.100.2', 8080), dest('198.51.100.1', 80), dest('198.51.100.2', 80)]),
    ).toEqual(['198.51.100.1:80', '198.51.100.2:80', '198.51.100.2:8080', '198.51.100.4:80']);
  });

  it('lists the IPv4 dest of a mixed tunnel service before the IPv6 one (observed)', () => {
    const v4 = dest('198.51.100.6', 80);
    const v6 = dest('2001:db8::2', 8080);
    expect(destOrder([v6, v4])).toEqual(['198.51.100.6:80', '[2001:db8::2]:8080']);
    expect(destOrder([v4, v6])).toEqual(['198.51.100.6:80', '[2001:db8::2]:8080']);
  });

  it("compares with the left-hand entry's family", () => {
    const v4 = dest('198.51.100.6', 80); // word 0 = c6336406
    const v6 = dest('c633:6406::1', 79); // same word 0
    expect(compareAddresses(v4.addr, v6.addr)).toBe(0); // one word only
    expect(compareAddresses(v6.addr, v4.addr)).toBe(1); // four words, IPv4 zero-padded
    expect(compareDestinations(v4, v6)).toBe(1); // then port 80 - 79
    expect(compareDestinations(v6, v4)).toBe(1);
    expect(destOrder([v4, v6])).toEqual(['[c633:6406::1]:79', '198.51.100.6:80']);
    expect(destOrder([v6, v4])).toEqual(['198.51.100.6:80', '[c633:6406::1]:79']);
  });
});

describe('mergeSort', () => {
  it('is stable', () => {
    const items = [3, 1, 2, 1, 3, 2].map((k, i) => ({ k, i }));
    expect(mergeSort(items, (a, b) => a.k - b.k).map((x) => x.i)).toEqual([1, 3, 2, 5, 0, 4]);
  });

  it('does not modify its input', () => {
    const input = [2, 1];
    mergeSort(input, (a, b) => a - b);
    expect(input).toEqual([2, 1]);
  });
});
