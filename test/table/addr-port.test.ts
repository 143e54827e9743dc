import { describe, expect, it } from 'vitest';
import { formatAddrPort, uniqueAddresses } from '../../src/table/addr-port.js';
import { addr } from '../support/format-fixtures.js';
import { names, noNames } from '../support/names-table.js';

const TCP = 6;
const UDP = 17;
const SCTP = 132;

describe('formatAddrPort', () => {
  it('prints numbers with -n, IPv6 in brackets', () => {
    expect(formatAddrPort(addr('192.0.2.1'), 80, TCP, true, noNames)).toBe('192.0.2.1:80');
    expect(formatAddrPort(addr('2001:db8::1'), 80, TCP, true, noNames)).toBe('[2001:db8::1]:80');
    expect(formatAddrPort(addr('::ffff:192.0.2.7'), 0, TCP, true, noNames)).toBe('[::ffff:192.0.2.7]:0');
  });

  it('uses host names and port names by the given protocol', () => {
    expect(formatAddrPort(addr('192.0.2.1'), 80, TCP, false, names)).toBe('vip1.example.org:http');
    expect(formatAddrPort(addr('192.0.2.1'), 53, UDP, false, names)).toBe('vip1.example.org:domain');
    expect(formatAddrPort(addr('192.0.2.4'), 5061, UDP, false, names)).toBe('192.0.2.4:sip-tls');
    expect(formatAddrPort(addr('198.51.100.2'), 8080, TCP, false, names)).toBe(
      'a-very-long-real-server-hostname.example.org:http-alt',
    );
    // http is a tcp-only name; SCTP has none here
    expect(formatAddrPort(addr('192.0.2.9'), 80, UDP, false, names)).toBe('192.0.2.9:80');
    expect(formatAddrPort(addr('192.0.2.9'), 80, SCTP, false, names)).toBe('192.0.2.9:80');
  });

  it('keeps brackets around IPv6 host names', () => {
    expect(formatAddrPort(addr('2001:db8::1'), 80, TCP, false, names)).toBe('[vip6.example.org]:http');
  });

  it('never names ports for protocol 0 (fwmark services)', () => {
    expect(formatAddrPort(addr('198.51.100.6'), 8080, 0, false, names)).toBe('198.51.100.6:8080');
    expect(formatAddrPort(addr('198.51.100.1'), 0, 0, false, names)).toBe('rs1.example.org:0');
  });

  it('caps the text at 59 characters (60-byte buffer)', () => {
    const text = formatAddrPort(addr('2001:db8::2'), 8080, TCP, false, names);
    expect(text).toBe('[a-very-long-ipv6-real-server-hostname.example.org]:http-al');
    expect(text).toHaveLength(59);
  });
});

describe('uniqueAddresses', () => {
  it('keeps the first of equal addresses, in order', () => {
    const list = uniqueAddresses([addr('192.0.2.1'), addr('2001:db8::1'), addr('192.0.2.1'), addr('::c000:201')]);
    expect(list.map((a) => a.bytes.length)).toEqual([4, 16, 16]);
  });
});
