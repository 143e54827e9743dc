// The IPVS domain model: what a virtual service and a destination (real server) are, apart
// from how they travel on the wire (codec.ts) or print (cli/format). Identity (ServiceKey) is
// kept apart from settings (ServiceConfig) and kernel-reported state (Service). u64 = bigint.
import type { Address, AddressFamily } from './address.js';

/**
 * A value the kernel reported: its name, or its code when nothing here names it (a forwarding
 * code 5..7, a tunnel type or checksum flags a newer kernel may define). Printers show the code
 * as they always have; the parsers of our own inputs only ever give names. Name tables and the
 * codes are in vocabulary.ts and value-codec.ts.
 */
export type Reported<Name extends string> = Name | number;

/** A destination's forwarding method (-m masq, -g route, -i tunnel; local and bypass the kernel's). */
export type ForwardingMethod = 'masq' | 'local' | 'tunnel' | 'route' | 'bypass';

/** A tunnel destination's encapsulation (--tun-type). */
export type TunnelType = 'ipip' | 'gue' | 'gre';

/** A GUE or GRE tunnel's checksum mode (--tun-nocsum, --tun-csum, --tun-remcsum). */
export type ChecksumMode = 'nocsum' | 'csum' | 'remcsum';

/** The scheduler's own flags of a service (IP_VS_SVC_F_SCHED1..3), by number; -b names them. */
export type SchedFlag = 1 | 2 | 3;

/** The role of a connection-sync daemon. */
export type DaemonRole = 'master' | 'backup';

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
  /** connections of a client stick to one destination for `timeout` seconds (-p) */
  readonly persistent: boolean;
  /** one-packet scheduling (-o) */
  readonly onePacket: boolean;
  /** the scheduler's own flags set (-b), ascending */
  readonly schedFlags: readonly SchedFlag[];
  /** flag bits the kernel reported that nothing here names (0 from every input of ours) */
  readonly unnamedFlags: number;
  /** persistence timeout in seconds; meaningful when persistent */
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
  readonly forwarding: Reported<ForwardingMethod>;
  /** signed 32-bit on display; 0..2147483647 accepted */
  readonly weight: number;
  readonly uThreshold: number;
  readonly lThreshold: number;
  /** the encapsulation of a tunnel destination (the kernel keeps one for every destination) */
  readonly tunnelType: Reported<TunnelType>;
  /** GUE's UDP port */
  readonly tunnelPort: number;
  readonly checksum: Reported<ChecksumMode>;
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
  readonly state: DaemonRole;
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
