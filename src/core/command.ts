// The typed result of parsing one ipvsadm command line (argv → Command). Everything that
// ipvsadm 1.31 decides at parse time (defaults, forced DR/TUN ports, netmask resets) is already
// applied here, so execute.ts only maps a Command onto IpvsClient calls.
import type { DaemonConfig, DaemonRole, DestinationConfig, ServiceConfig, ServiceKey, Timeouts } from '../ipvs/model.js';

/** Display switches of -L/-l/--list (and -S for `numeric`). */
export interface ListOptions {
  readonly numeric: boolean;
  readonly exact: boolean;
  readonly nosort: boolean;
  readonly stats: boolean;
  readonly rate: boolean;
  readonly thresholds: boolean;
  readonly persistentConn: boolean;
  readonly tunInfo: boolean;
}

/** -L with no display switch: what `ipvsadm -L` (and no arguments at all) shows. */
export const PLAIN_LISTING: ListOptions = {
  numeric: false,
  exact: false,
  nosort: false,
  stats: false,
  rate: false,
  thresholds: false,
  persistentConn: false,
  tunInfo: false,
};

export type Command =
  | { readonly kind: 'add-service'; readonly service: ServiceConfig }
  | { readonly kind: 'edit-service'; readonly service: ServiceConfig }
  | { readonly kind: 'delete-service'; readonly key: ServiceKey }
  | { readonly kind: 'flush' }
  /** key undefined = zero every service */
  | { readonly kind: 'zero'; readonly key?: ServiceKey }
  | { readonly kind: 'add-dest'; readonly key: ServiceKey; readonly dest: DestinationConfig }
  | { readonly kind: 'edit-dest'; readonly key: ServiceKey; readonly dest: DestinationConfig }
  | { readonly kind: 'delete-dest'; readonly key: ServiceKey; readonly dest: DestinationConfig }
  /** -L: services (all, or the one `key`) */
  | { readonly kind: 'list'; readonly key?: ServiceKey; readonly options: ListOptions; readonly json?: boolean }
  /** -L -c */
  | { readonly kind: 'list-connections'; readonly numeric: boolean; readonly persistentConn: boolean; readonly json?: boolean }
  /** -L --timeout */
  | { readonly kind: 'list-timeouts'; readonly json?: boolean }
  /** -L --daemon */
  | { readonly kind: 'list-daemons'; readonly json?: boolean }
  | { readonly kind: 'save'; readonly numeric: boolean; readonly json?: boolean }
  | { readonly kind: 'restore' }
  | { readonly kind: 'set-timeouts'; readonly timeouts: Timeouts }
  | { readonly kind: 'start-daemon'; readonly daemon: DaemonConfig }
  | { readonly kind: 'stop-daemon'; readonly state: DaemonRole; readonly syncId: number }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };

export type CommandKind = Command['kind'];
