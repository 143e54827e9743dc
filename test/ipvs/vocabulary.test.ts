// The domain vocabulary: each name table against the kernel's codes (ip_vs.h, in.h), labels as
// listings and /proc print them, and identities that tell every service and destination apart.
import { describe, expect, it } from 'vitest';
import { ipv4, parseAddress } from '../../src/ipvs/address.js';
import type { Address } from '../../src/ipvs/address.js';
import { AF_INET, AF_INET6 } from '../../src/ipvs/constants.js';
import type { ServiceKey } from '../../src/ipvs/model.js';
import {
  destinationId,
  ipvsVersionText,
  forwardingLabel,
  forwardingOfLabel,
  protocolLabel,
  protocolNumber,
  protocolOf,
  protocolOfLabel,
  serviceId,
  TUNNEL_TYPES,
} from '../../src/ipvs/vocabulary.js';
import { decodeForwarding, decodeTunnelType, encodeForwarding, encodeTunnelType } from '../../src/ipvs/value-codec.js';

const v6 = (text: string): Address => parseAddress(text)!;

describe('protocols', () => {
  it('are IPPROTO 6, 17 and 132, both ways; other numbers have none', () => {
    expect(['tcp', 'udp', 'sctp'].map((p) => protocolNumber(p as 'tcp'))).toEqual([6, 17, 132]);
    for (const n of [6, 17, 132]) expect(protocolNumber(protocolOf(n)!)).toBe(n);
    for (const n of [0, 1, 50, 51, 255, 256]) expect(protocolOf(n)).toBeUndefined();
  });

  it('print as TCP, UDP, SCTP, and only those labels read back', () => {
    expect(['tcp', 'udp', 'sctp'].map((p) => protocolLabel(p as 'tcp'))).toEqual(['TCP', 'UDP', 'SCTP']);
    expect(['TCP', 'UDP', 'SCTP'].map(protocolOfLabel)).toEqual(['tcp', 'udp', 'sctp']);
    for (const bad of ['tcp', 'ESP', 'Tcp', '']) expect(protocolOfLabel(bad)).toBeUndefined();
  });
});

describe('forwarding methods', () => {
  it('are the codes 0..4 in the kernel order, read from the low 3 bits; 5..7 have no name and stay codes', () => {
    expect([0, 1, 2, 3, 4].map(decodeForwarding)).toEqual(['masq', 'local', 'tunnel', 'route', 'bypass']);
    expect(decodeForwarding(8 + 3)).toBe('route');
    for (const c of [5, 6, 7]) expect(decodeForwarding(c)).toBe(c);
    for (const c of [0, 1, 2, 3, 4, 5, 6, 7]) expect(encodeForwarding(decodeForwarding(c))).toBe(c);
  });

  it('print as the Forward column words, which read back', () => {
    const labels = (['masq', 'local', 'tunnel', 'route', 'bypass'] as const).map(forwardingLabel);
    expect(labels).toEqual(['Masq', 'Local', 'Tunnel', 'Route', 'Bypass']);
    expect(labels.map(forwardingOfLabel)).toEqual(['masq', 'local', 'tunnel', 'route', 'bypass']);
    expect(forwardingOfLabel('masq')).toBeUndefined();
  });
});

describe('tunnel types', () => {
  it('are ipip 0, gue 1, gre 2, both ways', () => {
    expect(TUNNEL_TYPES.map(encodeTunnelType)).toEqual([0, 1, 2]);
    expect([0, 1, 2, 3].map(decodeTunnelType)).toEqual(['ipip', 'gue', 'gre', 3]);
  });
});

describe('identities', () => {
  const a = (proto: number, addr: Address, port: number): ServiceKey => ({ kind: 'addr', af: addr.af, protocol: proto, addr, port });
  const keys: ServiceKey[] = [
    a(6, ipv4([192, 0, 2, 1]), 80),
    a(17, ipv4([192, 0, 2, 1]), 80),
    a(132, ipv4([192, 0, 2, 1]), 80),
    a(50, ipv4([192, 0, 2, 1]), 80),
    a(6, ipv4([192, 0, 2, 1]), 81),
    a(6, ipv4([192, 0, 2, 10]), 80),
    a(6, v6('2001:db8::1'), 80),
    a(6, v6('::ffff:192.0.2.1'), 80),
    { kind: 'fwmark', af: AF_INET, fwmark: 1 },
    { kind: 'fwmark', af: AF_INET6, fwmark: 1 },
    { kind: 'fwmark', af: AF_INET, fwmark: 0xffffffff },
  ];

  it('tell every service apart and read as an operator writes them', () => {
    const ids = keys.map(serviceId);
    expect(new Set(ids).size).toBe(keys.length);
    expect(ids.slice(0, 4)).toEqual(['tcp 192.0.2.1:80', 'udp 192.0.2.1:80', 'sctp 192.0.2.1:80', 'proto-50 192.0.2.1:80']);
    expect(serviceId(keys[6]!)).toBe('tcp [2001:db8::1]:80');
    expect(ids.slice(8)).toEqual(['fwmark 1 inet', 'fwmark 1 inet6', 'fwmark 4294967295 inet']);
  });

  it('tell destinations apart by address and port', () => {
    expect(destinationId({ addr: ipv4([198, 51, 100, 1]), port: 8080 })).toBe('198.51.100.1:8080');
    expect(destinationId({ addr: v6('2001:db8::2'), port: 0 })).toBe('[2001:db8::2]:0');
    expect(destinationId({ addr: ipv4([198, 51, 100, 1]), port: 1 })).not.toBe(destinationId({ addr: ipv4([198, 51, 100, 1]), port: 2 }));
  });
});

describe('ipvsVersionText', () => {
  it('unpacks GET_INFO versions as the listing header prints them', () => {
    expect(ipvsVersionText(0x00010201)).toBe('1.2.1');
    expect(ipvsVersionText(0xff0a0b0c)).toBe('10.11.12');
  });
});
