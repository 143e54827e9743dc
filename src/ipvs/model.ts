// The IPVS domain model: what a virtual service and a destination (real server) are, apart
// from how they travel on the wire (codec.ts) or print (cli/format). Identity (ServiceKey) is
// kept apart from settings (ServiceConfig) and kernel-reported state (Service). u64 = bigint.
import type { Address, AddressFamily } from './address.js';

/** Identity of a virtual service: protocol + address + port, or a firewall mark. */
export type ServiceKey =
  | {
      readonly kind: 'addr';
      readonly af: AddressFamily;
      /** IPPROTO_TCP / IPPROTO_UDP / IPPROTO_SCTP (any number the kernel reports) */
      readonly protocol: number;
      readonly addr: Address;
      readonly port: number;
    }
  | {
      readonly kind: 'fwmark';
      readonly af: AddressFamily;
      /** 1..2^32-1 (u32) */
      readonly fwmark: number;
    };

/** What -A/-E set on a service. */
export interface ServiceConfig {
  readonly key: ServiceKey;
  readonly scheduler: string;
  /** IP_VS_SVC_F_* bits (PERSISTENT, ONEPACKET, SCHED1..3); HASHED is masked out on decode */
  readonly flags: number;
  /** persistence timeout in seconds; meaningful when flags has PERSISTENT */
  readonly timeout: number;
  /**
   * Persistence granularity. IPv4: the mask as an unsigned 32-bit number in host order
   * (255.255.255.0 → 0xffffff00); IPv6: the prefix length (1..128).
   */
  readonly netmask: number;
  /** persistence engine name ("" = none) */
  readonly pe: string;
}

export interface Stats {
  readonly conns: bigint;
  readonly inpkts: bigint;
  readonly outpkts: bigint;
  readonly inbytes: bigint;
  readonly outbytes: bigint;
  readonly cps: bigint;
  readonly inpps: bigint;
  readonly outpps: bigint;
  readonly inbps: bigint;
  readonly outbps: bigint;
}

/** A service as the kernel reports it. */
export interface Service extends ServiceConfig {
  readonly stats: Stats;
}

/** What -a/-e set on a destination. */
export interface DestinationConfig {
  readonly addr: Address;
  readonly port: number;
  /** FwdMethod.* (MASQ 0, LOCALNODE 1, TUNNEL 2, DROUTE 3, BYPASS 4) */
  readonly fwdMethod: number;
  /** signed 32-bit on display; 0..2147483647 accepted */
  readonly weight: number;
  readonly uThreshold: number;
  readonly lThreshold: number;
  /** TunType.* */
  readonly tunType: number;
  readonly tunPort: number;
  /** TunFlag.* */
  readonly tunFlags: number;
}

/** A destination as the kernel reports it. */
export interface Destination extends DestinationConfig {
  readonly activeConns: number;
  readonly inactConns: number;
  readonly persistConns: number;
  readonly stats: Stats;
}

/** The settings of a destination as reported, without its counts and counters. */
export function destinationConfig(d: Destination): DestinationConfig {
  const { activeConns: _a, inactConns: _i, persistConns: _p, stats: _s, ...config } = d;
  return config;
}

export interface ServiceWithDestinations {
  readonly service: Service;
  readonly destinations: readonly Destination[];
}

export interface Timeouts {
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

export interface Info {
  /** packed version, e.g. 0x00010201 for 1.2.1 */
  readonly version: number;
  readonly connTabSize: number;
}

/** A connection-sync daemon as started by --start-daemon or reported by GET_DAEMON. */
export interface DaemonConfig {
  /** DaemonState.MASTER or DaemonState.BACKUP */
  readonly state: number;
  readonly mcastIfn: string;
  readonly syncId: number;
  readonly syncMaxlen?: number;
  readonly mcastGroup?: Address;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
}

/** Everything IPVS holds: what `-S --json` saves and what a restore or an apply compares with. */
export interface Snapshot {
  readonly info: Info;
  readonly services: readonly ServiceWithDestinations[];
  readonly timeouts: Timeouts;
  readonly daemons: readonly DaemonConfig[];
}

export const ZERO_STATS: Stats = {
  conns: 0n,
  inpkts: 0n,
  outpkts: 0n,
  inbytes: 0n,
  outbytes: 0n,
  cps: 0n,
  inpps: 0n,
  outpps: 0n,
  inbps: 0n,
  outbps: 0n,
};
