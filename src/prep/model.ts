// The vocabulary of real-server and director preparation: what the user asked for (Spec), what a
// mode needs (Desired), what the kernel has (Observed) and the changes between them (Step).
// Plain data only; requirements.ts, plan.ts and check.ts are the pure functions over it.
import type { Address } from '../ipvs/address.js';
import type { TunnelType } from '../ipvs/vocabulary.js';
import type { DaemonConfig, DaemonRole } from '../ipvs/model.js';
import type { SysctlValue } from '../host/sysctl.js';

export type Side = 'realserver' | 'director';
export type Action = 'up' | 'down' | 'check';
export type RealserverMode = 'dr' | 'tun';
export type DirectorMode = 'nat' | 'dr' | 'tun';
export type Family = 4 | 6;

/** A virtual IP: one address, always configured as a host route (/32 or /128). */
export interface Vip {
  readonly family: Family;
  /** canonical text (inet_ntop form) */
  readonly text: string;
  readonly address: Address;
}

export interface RealserverSpec {
  readonly side: 'realserver';
  readonly mode: RealserverMode;
  readonly vips: readonly Vip[];
  /** the interface facing the director (gets the ARP sysctls too) */
  readonly dev?: string;
  readonly tunType: TunnelType;
  /** GUE receive port (used with tunType gue) */
  readonly tunPort: number;
  /**
   * GRE with checksums (the director's --tun-csum): the real server's own addresses that the
   * director sends to, one per VIP family; a checksum-expecting GRE device is created on each.
   */
  readonly csumLocals?: readonly Vip[];
}

/** Settings for several directors (ha.ts parses them and says what they need). */
export type HaPreset = 'pair' | 'ecmp';
export type SyncRole = DaemonRole | 'both' | 'none';
/** The net.ipv4.vs sysctls `director` sets, by option name (without the leading --). */
export type HaSysctlOption =
  | 'sync-version' | 'sync-threshold' | 'sync-refresh-period' | 'sloppy-tcp' | 'sloppy-sctp'
  | 'expire-nodest-conn' | 'expire-quiescent-template' | 'conn-reuse-mode' | 'backup-only';

/** The daemons' settings (those of --start-daemon) and which roles run. */
export type SyncDaemonSpec = Omit<DaemonConfig, 'state'> & { readonly role: Exclude<SyncRole, 'none'> };

export interface HaSpec {
  readonly preset?: HaPreset;
  readonly sync?: SyncDaemonSpec;
  /** option → value, presets filled in and explicit options over them */
  readonly sysctls: Partial<Record<HaSysctlOption, SysctlValue>>;
}

export interface DirectorSpec {
  readonly side: 'director';
  readonly mode: DirectorMode;
  readonly vips: readonly Vip[];
  /** the interface the VIPs go on */
  readonly dev?: string;
  /** settings for several directors (sync daemons, net.ipv4.vs sysctls); absent: none */
  readonly ha?: HaSpec;
}

export type Spec = RealserverSpec | DirectorSpec;

/** A module and what proves it is present even when built in (a device or a genl family). */
export interface ModuleNeed {
  readonly name: string;
  readonly marker?: { readonly link: string } | { readonly genl: string };
}

/** A sysctl by its path under /proc/sys, e.g. `net/ipv4/conf/all/arp_ignore`. */
export interface SysctlNeed {
  readonly key: string;
  readonly value: SysctlValue;
  /** why the mode needs it (shown by check when it is not met) */
  readonly why?: string;
}

/** A connection-sync daemon that must run; the fields not given are left to the kernel. */
export interface DaemonNeed {
  readonly daemon: DaemonConfig;
  readonly why: string;
}

export interface AddressNeed {
  /** undefined: the address must be local on some interface, but we do not place it */
  readonly dev: string | undefined;
  readonly vip: Vip;
  readonly prefix: number;
  /** IFA_F_NODAD (IPv6): usable at once, no duplicate address detection */
  readonly nodad: boolean;
}

export interface FouNeed {
  readonly port: number;
  /** family of the outer (UDP) packets */
  readonly family: Family;
}

/** A tunnel device this preparation creates (the fallback devices cannot expect checksums). */
export interface TunnelNeed {
  readonly dev: string;
  /** rtnetlink link kind */
  readonly type: 'gre' | 'ip6gre';
  /** the local address it receives on (tells it apart from the fallback gre0/ip6gre0) */
  readonly local: Vip;
}

export interface Desired {
  readonly spec: Spec;
  readonly modules: readonly ModuleNeed[];
  readonly sysctls: readonly SysctlNeed[];
  /** devices that must be up */
  readonly links: readonly string[];
  readonly addresses: readonly AddressNeed[];
  readonly fouPorts: readonly FouNeed[];
  /** tunnel devices to create (absent: none) */
  readonly tunnels?: readonly TunnelNeed[];
  /** devices that must already exist (user-named ones and lo) */
  readonly devices: readonly string[];
  /** real servers: a VIP anywhere but where we put it is a conflict (it would answer ARP) */
  readonly exclusiveVips: boolean;
  /** connection-sync daemons to run (absent: none) */
  readonly daemons?: readonly DaemonNeed[];
}

export interface LinkState {
  readonly index: number;
  readonly name: string;
  readonly up: boolean;
}

export interface ObservedAddress {
  readonly dev: string;
  readonly index: number;
  readonly family: Family;
  readonly text: string;
  readonly prefix: number;
  /** IFA_F_DEPRECATED: preferred lifetime over, never chosen as a source address */
  readonly deprecated?: boolean;
}

export type FouType = 'direct' | 'gue' | 'unknown';

export interface ObservedFouPort {
  readonly port: number;
  readonly family: Family;
  readonly type: FouType;
}

export interface Observed {
  /** module name → present (loaded, built in, or its marker exists) */
  readonly modules: ReadonlyMap<string, boolean>;
  /** sysctl key → value; undefined when the file does not exist */
  readonly sysctls: ReadonlyMap<string, SysctlValue | undefined>;
  /** every link of the namespace, by name */
  readonly links: ReadonlyMap<string, LinkState>;
  readonly addresses: readonly ObservedAddress[];
  /** undefined when the fou family is not there (module not loaded) */
  readonly fouPorts: readonly ObservedFouPort[] | undefined;
  /** the running sync daemons (absent: not read; empty while ip_vs is not loaded) */
  readonly daemons?: readonly DaemonConfig[];
}

export type Step =
  | { readonly kind: 'module-load'; readonly module: string }
  | { readonly kind: 'sysctl-set'; readonly key: string; readonly from: SysctlValue | undefined; readonly to: SysctlValue }
  | { readonly kind: 'link-set'; readonly dev: string; readonly up: boolean }
  | { readonly kind: 'address-add' | 'address-del'; readonly dev: string; readonly vip: Vip; readonly prefix: number; readonly nodad: boolean }
  | { readonly kind: 'fou-add' | 'fou-del'; readonly port: number; readonly family: Family }
  | ({ readonly kind: 'tunnel-add' | 'tunnel-del' } & TunnelNeed)
  | { readonly kind: 'daemon-start' | 'daemon-stop'; readonly daemon: DaemonConfig };

export type StepKind = Step['kind'];

export const hostPrefix = (family: Family): number => (family === 4 ? 32 : 128);
