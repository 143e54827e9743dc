// The codes behind the typed values of the model: forwarding method, tunnel type, checksum mode,
// service flags and daemon role, decoded from the kernel's numbers and encoded back. The only
// place that knows a code or masks a bit; a code nothing names is kept as its number.
import { DaemonState, FwdMethod, SvcFlag, TunFlag, TunType } from './constants.js';
import type { ChecksumMode, DaemonRole, ForwardingMethod, Reported, SchedFlag, ServiceConfig, TunnelType } from './model.js';

const FORWARDING_CODES: Readonly<Record<ForwardingMethod, number>> = {
  masq: FwdMethod.MASQ,
  local: FwdMethod.LOCALNODE,
  tunnel: FwdMethod.TUNNEL,
  route: FwdMethod.DROUTE,
  bypass: FwdMethod.BYPASS,
};
const TUNNEL_CODES: Readonly<Record<TunnelType, number>> = { ipip: TunType.IPIP, gue: TunType.GUE, gre: TunType.GRE };
const CHECKSUM_CODES: Readonly<Record<ChecksumMode, number>> = { nocsum: TunFlag.NOCSUM, csum: TunFlag.CSUM, remcsum: TunFlag.REMCSUM };
const ROLE_CODES: Readonly<Record<DaemonRole, number>> = { master: DaemonState.MASTER, backup: DaemonState.BACKUP };
const SCHED_BITS: Readonly<Record<SchedFlag, number>> = { 1: SvcFlag.SCHED1, 2: SvcFlag.SCHED2, 3: SvcFlag.SCHED3 };

function nameOf<N extends string>(codes: Readonly<Record<N, number>>, code: number): Reported<N> {
  const found = (Object.keys(codes) as N[]).find((name) => codes[name] === code);
  return found ?? code;
}

const codeOf = <N extends string>(codes: Readonly<Record<N, number>>, value: Reported<N>): number => (typeof value === 'number' ? value : codes[value]);

/** The forwarding method of IPVS_DEST_ATTR_FWD_METHOD: its low 3 bits (IP_VS_CONN_F_FWD_MASK). */
export function decodeForwarding(code: number): Reported<ForwardingMethod> {
  return nameOf(FORWARDING_CODES, code & 7);
}

export function encodeForwarding(value: Reported<ForwardingMethod>): number {
  return codeOf(FORWARDING_CODES, value);
}

export function decodeTunnelType(code: number): Reported<TunnelType> {
  return nameOf(TUNNEL_CODES, code);
}

export function encodeTunnelType(value: Reported<TunnelType>): number {
  return codeOf(TUNNEL_CODES, value);
}

/** The checksum mode of IPVS_DEST_ATTR_TUN_FLAGS; flags combined (csum and remcsum: 3) stay a number. */
export function decodeChecksum(flags: number): Reported<ChecksumMode> {
  return nameOf(CHECKSUM_CODES, flags);
}

export function encodeChecksum(value: Reported<ChecksumMode>): number {
  return codeOf(CHECKSUM_CODES, value);
}

/** The flags of a service as typed fields. */
export type ServiceFlags = Pick<ServiceConfig, 'persistent' | 'onePacket' | 'schedFlags' | 'unnamedFlags'>;

const NAMED_FLAG_BITS = SvcFlag.PERSISTENT | SvcFlag.ONEPACKET | SvcFlag.SCHED1 | SvcFlag.SCHED2 | SvcFlag.SCHED3;

/** IP_VS_SVC_F_* bits as fields; HASHED is the kernel's own bookkeeping and is dropped. */
export function decodeServiceFlags(bits: number): ServiceFlags {
  return {
    persistent: (bits & SvcFlag.PERSISTENT) !== 0,
    onePacket: (bits & SvcFlag.ONEPACKET) !== 0,
    schedFlags: ([1, 2, 3] as const).filter((n) => (bits & SCHED_BITS[n]) !== 0),
    unnamedFlags: (bits & ~NAMED_FLAG_BITS & ~SvcFlag.HASHED) >>> 0,
  };
}

/** The IP_VS_SVC_F_* bits of a service's flag fields. */
export function encodeServiceFlags(s: ServiceFlags): number {
  let bits = s.unnamedFlags;
  if (s.persistent) bits |= SvcFlag.PERSISTENT;
  if (s.onePacket) bits |= SvcFlag.ONEPACKET;
  for (const n of s.schedFlags) bits |= SCHED_BITS[n];
  return bits >>> 0;
}

/** The roles an IP_VS_STATE_* value holds (the kernel reports one per daemon; both bits, both). */
export function decodeDaemonRoles(state: number): DaemonRole[] {
  return (['master', 'backup'] as const).filter((role) => (state & ROLE_CODES[role]) !== 0);
}

export function encodeDaemonRole(role: DaemonRole): number {
  return ROLE_CODES[role];
}

/** The IP_VS_SVC_F_SCHED* bit of one scheduler flag (for parsers that collect bits as ipvsadm does). */
export function encodeSchedFlag(n: SchedFlag): number {
  return SCHED_BITS[n];
}

/** Whether a checksum mode asks for an outer checksum (the CSUM flag; flags combined may hold it). */
export function checksumComputed(value: Reported<ChecksumMode>): boolean {
  return (encodeChecksum(value) & TunFlag.CSUM) !== 0;
}
