// The words of the IPVS domain, each with its one name table: the protocols a virtual service
// can have, the forwarding methods and tunnel types of a destination, and the identity of a
// service or destination as a string. Codes are the kernel's (include/uapi/linux/ip_vs.h,
// netinet/in.h); every printer, parser and planner names them through this module.
import { formatAddress } from './address.js';
import type { Address } from './address.js';
import { AF_INET6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from './constants.js';
import type { ChecksumMode, DaemonRole, ForwardingMethod, SchedFlag, ServiceKey, TunnelType } from './model.js';

export type { ChecksumMode, DaemonRole, ForwardingMethod, Reported, SchedFlag, TunnelType } from './model.js';

/** The protocols of an address service (ipvsadm's -t, -u, --sctp-service). */
export type Protocol = 'tcp' | 'udp' | 'sctp';

const PROTOCOL_NUMBERS: Readonly<Record<Protocol, number>> = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, sctp: IPPROTO_SCTP };

/** A protocol's IPPROTO number. */
export function protocolNumber(protocol: Protocol): number {
  return PROTOCOL_NUMBERS[protocol];
}

/** The protocol of an IPPROTO number, or undefined for one no ipvsadm option names. */
export function protocolOf(number: number): Protocol | undefined {
  return number === IPPROTO_TCP ? 'tcp' : number === IPPROTO_UDP ? 'udp' : number === IPPROTO_SCTP ? 'sctp' : undefined;
}

/** How the kernel names a protocol in listings and /proc files (TCP, UDP, SCTP). */
export function protocolLabel(protocol: Protocol): string {
  return protocol.toUpperCase();
}

/** The protocol of a label as listings and /proc files print it, or undefined. */
export function protocolOfLabel(label: string): Protocol | undefined {
  return label === 'TCP' ? 'tcp' : label === 'UDP' ? 'udp' : label === 'SCTP' ? 'sctp' : undefined;
}

/** The schedulers of the kernel's IPVS (ip_vs_<name> modules), in the order ipvsadm's man page lists them. */
export const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'] as const;

/** The forwarding methods in code order (IP_VS_CONN_F_MASQ 0 .. BYPASS 4). */
export const FORWARDING_METHODS: readonly ForwardingMethod[] = ['masq', 'local', 'tunnel', 'route', 'bypass'];

/** The Forward column's word (Masq, Local, Tunnel, Route, Bypass). */
export function forwardingLabel(method: ForwardingMethod): string {
  return method[0]!.toUpperCase() + method.slice(1);
}

/** The method of a Forward column word, or undefined. */
export function forwardingOfLabel(label: string): ForwardingMethod | undefined {
  return FORWARDING_METHODS.find((m) => forwardingLabel(m) === label);
}

/** The tunnel types in code order (IP_VS_CONN_F_TUNNEL_TYPE_IPIP 0 ..). */
export const TUNNEL_TYPES: readonly TunnelType[] = ['ipip', 'gue', 'gre'];

/** The checksum modes in code order (IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM 0, CSUM 1, REMCSUM 2). */
export const CHECKSUM_MODES: readonly ChecksumMode[] = ['nocsum', 'csum', 'remcsum'];

export const SCHED_FLAGS: readonly SchedFlag[] = [1, 2, 3];

export const DAEMON_ROLES: readonly DaemonRole[] = ['master', 'backup'];

/** The IPVS version GET_INFO packs into one number (0x00010201) as text: `1.2.1`. */
export function ipvsVersionText(packed: number): string {
  const v = packed >>> 0;
  return `${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** A service's identity as text: `tcp 192.0.2.1:80`, `udp [2001:db8::1]:53`, `fwmark 1 inet6`. */
export function serviceId(key: ServiceKey): string {
  if (key.kind === 'fwmark') return `fwmark ${key.fwmark >>> 0} ${key.af === AF_INET6 ? 'inet6' : 'inet'}`;
  return `${protocolOf(key.protocol) ?? `proto-${key.protocol}`} ${endpoint(key.addr, key.port)}`;
}

/** A destination's identity within its service as text: `192.0.2.1:80`, `[2001:db8::1]:80`. */
export function destinationId(d: { readonly addr: Address; readonly port: number }): string {
  return endpoint(d.addr, d.port);
}

function endpoint(addr: Address, port: number): string {
  return addr.af === AF_INET6 ? `[${formatAddress(addr)}]:${port}` : `${formatAddress(addr)}:${port}`;
}

