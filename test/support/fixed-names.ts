// A NameResolver over fixed tables, for parser tests: the host names of the 1.31 captures plus a few
// forward-only ones, and /etc/services lines as Debian's netbase has them (http only for tcp).
// Every look-up is recorded, so tests can check what was (not) resolved.
import { formatAddress, parseIPv4, parseIPv6 } from '../../src/ipvs/address.js';
import type { Address } from '../../src/ipvs/address.js';
import type { NameResolver } from '../../src/app/io.js';
import type { Protocol } from '../../src/ipvs/vocabulary.js';

/** name → address text (IPv4 or IPv6); gethostbyname only ever returns the IPv4 ones. */
export const FIXED_HOSTS: Readonly<Record<string, string>> = {
  localhost: '127.0.0.1',
  'vip1.example.org': '192.0.2.1',
  'rs1.example.org': '198.51.100.1',
  'v6only.example.org': '2001:db8::1',
};

/** [name, port, protocol, ...aliases] in /etc/services order. */
export const FIXED_SERVICES: readonly (readonly [string, number, Protocol, ...string[]])[] = [
  ['domain', 53, 'tcp'],
  ['domain', 53, 'udp'],
  ['http', 80, 'tcp', 'www'],
  ['https', 443, 'tcp'],
  ['https', 443, 'udp'],
  ['sip', 5060, 'tcp'],
  ['sip', 5060, 'udp'],
  ['sip-tls', 5061, 'tcp'],
  ['sip-tls', 5061, 'udp'],
  ['mdns', 5353, 'udp'],
  ['http-alt', 8080, 'tcp', 'webcache'],
];

export class FixedNames implements NameResolver {
  /** every look-up, e.g. `host:vip1.example.org`, `port:http/udp` */
  readonly calls: string[] = [];

  async hostByName(name: string): Promise<Address | undefined> {
    this.calls.push(`host:${name}`);
    const text = Object.hasOwn(FIXED_HOSTS, name) ? FIXED_HOSTS[name] : undefined;
    return text === undefined ? undefined : parseIPv4(text);
  }

  portByName(name: string, protocol: Protocol): number | undefined {
    this.calls.push(`port:${name}/${protocol}`);
    return FIXED_SERVICES.find(([n, , p, ...aliases]) => p === protocol && (n === name || aliases.includes(name)))?.[1];
  }

  async nameByAddress(addr: Address): Promise<string | undefined> {
    const text = formatAddress(addr);
    return Object.entries(FIXED_HOSTS).find(([, a]) => {
      const parsed = parseIPv4(a) ?? parseIPv6(a);
      return parsed !== undefined && formatAddress(parsed) === text;
    })?.[0];
  }

  nameByPort(port: number, protocol: Protocol): string | undefined {
    return FIXED_SERVICES.find(([, p, proto]) => p === port && proto === protocol)?.[0];
  }
}
