// A fixed NameTable for formatter tests: the /etc/hosts entries of the 1.31 captures and a few
// /etc/services entries, as Debian's netbase has them (http only for tcp, sip-tls for both).
import { formatAddress } from '../../src/ipvs/address.js';
import type { NameTable } from '../../src/table/names.js';
import type { Protocol } from '../../src/ipvs/vocabulary.js';

export const HOSTS: Readonly<Record<string, string>> = {
  '192.0.2.1': 'vip1.example.org',
  '198.51.100.1': 'rs1.example.org',
  '198.51.100.2': 'a-very-long-real-server-hostname.example.org',
  '192.0.2.2': 'an-extremely-long-virtual-service-hostname.example.org',
  '2001:db8::1': 'vip6.example.org',
  '2001:db8::2': 'a-very-long-ipv6-real-server-hostname.example.org',
};

export const SERVICES: Readonly<Record<string, string>> = {
  '80/tcp': 'http',
  '443/tcp': 'https',
  '8080/tcp': 'http-alt',
  '53/tcp': 'domain',
  '53/udp': 'domain',
  '5060/tcp': 'sip',
  '5060/udp': 'sip',
  '5061/tcp': 'sip-tls',
  '5061/udp': 'sip-tls',
  '5353/udp': 'mdns',
};

export const names: NameTable = {
  host: (addr) => HOSTS[formatAddress(addr)],
  port: (port: number, protocol: Protocol) => SERVICES[`${port}/${protocol}`],
};

/** A table that must not be consulted (numeric output). */
export const noNames: NameTable = {
  host: () => {
    throw new Error('host() called for numeric output');
  },
  port: () => {
    throw new Error('port() called for numeric output');
  },
};
