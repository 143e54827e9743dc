// One rendering of "address:port" for listings, save lines and connection rows, as ipvsadm 1.31
// builds it into a 60-byte buffer (so the whole text is cut
// to 59 characters, in -L, -S and -c alike).
import { formatAddress, type Address } from '../ipvs/address.js';
import { AF_INET } from '../ipvs/constants.js';
import { protocolOf } from '../ipvs/vocabulary.js';
import type { NameTable } from './names.js';
import { cut } from '../fields/printf.js';

/** ipvsadm's address:port buffer is 60 bytes including the NUL. */
export const ADDR_PORT_MAX = 59;

/**
 * `192.0.2.1:80`, `[2001:db8::1]:80`, or with names `vip1.example.org:http`,
 * `[vip6.example.org]:http`. Port names are looked up for `protocol` (an IPPROTO number: the
 * SERVICE's protocol, so fwmark services, protocol 0, always show numeric ports). Anything but
 * IPv4 is bracketed, even when a host name replaces the address.
 */
export function formatAddrPort(
  addr: Address,
  port: number,
  protocol: number,
  numeric: boolean,
  names: NameTable,
): string {
  const host = (numeric ? undefined : names.host(addr)) ?? formatAddress(addr);
  const proto = protocolOf(protocol);
  const portName = numeric || proto === undefined ? undefined : names.port(port, proto);
  const hostPart = addr.af === AF_INET ? host : `[${host}]`;
  return cut(`${hostPart}:${portName ?? String(port)}`, ADDR_PORT_MAX);
}

/** The addresses given, each once (same family and bytes), in first-seen order. */
export function uniqueAddresses(addrs: Iterable<Address>): Address[] {
  const seen = new Map<string, Address>();
  for (const a of addrs) {
    const id = `${a.af}/${a.bytes.join('.')}`;
    if (!seen.has(id)) seen.set(id, a);
  }
  return [...seen.values()];
}
