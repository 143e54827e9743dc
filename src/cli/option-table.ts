// ipvsadm 1.31's popt option table: every option's long/short spelling and argument kind, which
// ones are commands, and the name each tracked option uses in messages (matrix.ts).
// Observed from the 1.31 binary's popt table; test/cli/argv.test.ts pins each spelling.
import type { OptionSpec } from './argv.js';
import type { CommandName, OptionName } from './matrix.js';

export type CommandId =
  | 'add-service'
  | 'edit-service'
  | 'delete-service'
  | 'clear'
  | 'list'
  | 'zero'
  | 'add-server'
  | 'edit-server'
  | 'delete-server'
  | 'set'
  | 'start-daemon'
  | 'stop-daemon'
  | 'restore'
  | 'save'
  | 'help'
  | 'version';

export type ValueOptionId =
  | 'tcp-service'
  | 'udp-service'
  | 'sctp-service'
  | 'fwmark-service'
  | 'scheduler'
  | 'persistent'
  | 'netmask'
  | 'real-server'
  | 'masquerading'
  | 'ipip'
  | 'gatewaying'
  | 'weight'
  | 'u-threshold'
  | 'l-threshold'
  | 'numeric'
  | 'connection'
  | 'mcast-interface'
  | 'syncid'
  | 'timeout'
  | 'daemon'
  | 'stats'
  | 'rate'
  | 'thresholds'
  | 'persistent-conn'
  | 'nosort'
  | 'sort'
  | 'exact'
  | 'ipv6'
  | 'ops'
  | 'pe'
  | 'sched-flags'
  | 'mcast-group'
  | 'mcast-port'
  | 'mcast-ttl'
  | 'sync-maxlen'
  /** ours, not 1.31's: structured output of listings (outside the 1.31 option matrix) */
  | 'json'
  | 'tun-info'
  | 'tun-type'
  | 'tun-port'
  | 'tun-nocsum'
  | 'tun-csum'
  | 'tun-remcsum';

export type OptionId = CommandId | ValueOptionId;

const none = 'none' as const;
const req = 'required' as const;

/** The table handed to the tokenizer. `-l` is a second spelling of `--list`. */
export const OPTION_TABLE: readonly OptionSpec<OptionId>[] = [
  { id: 'add-service', long: 'add-service', short: 'A', arg: none },
  { id: 'edit-service', long: 'edit-service', short: 'E', arg: none },
  { id: 'delete-service', long: 'delete-service', short: 'D', arg: none },
  { id: 'clear', long: 'clear', short: 'C', arg: none },
  { id: 'list', long: 'list', short: 'L', arg: none },
  { id: 'list', short: 'l', arg: none },
  { id: 'zero', long: 'zero', short: 'Z', arg: none },
  { id: 'add-server', long: 'add-server', short: 'a', arg: none },
  { id: 'edit-server', long: 'edit-server', short: 'e', arg: none },
  { id: 'delete-server', long: 'delete-server', short: 'd', arg: none },
  { id: 'set', long: 'set', arg: none },
  { id: 'help', long: 'help', short: 'h', arg: none },
  { id: 'version', long: 'version', short: 'v', arg: none },
  { id: 'restore', long: 'restore', short: 'R', arg: none },
  { id: 'save', long: 'save', short: 'S', arg: none },
  { id: 'start-daemon', long: 'start-daemon', arg: req },
  { id: 'stop-daemon', long: 'stop-daemon', arg: req },
  { id: 'tcp-service', long: 'tcp-service', short: 't', arg: req },
  { id: 'udp-service', long: 'udp-service', short: 'u', arg: req },
  { id: 'sctp-service', long: 'sctp-service', arg: req },
  { id: 'fwmark-service', long: 'fwmark-service', short: 'f', arg: req },
  { id: 'scheduler', long: 'scheduler', short: 's', arg: req },
  { id: 'persistent', long: 'persistent', short: 'p', arg: 'optional' },
  { id: 'netmask', long: 'netmask', short: 'M', arg: req },
  { id: 'real-server', long: 'real-server', short: 'r', arg: req },
  { id: 'masquerading', long: 'masquerading', short: 'm', arg: none },
  { id: 'ipip', long: 'ipip', short: 'i', arg: none },
  { id: 'gatewaying', long: 'gatewaying', short: 'g', arg: none },
  { id: 'weight', long: 'weight', short: 'w', arg: req },
  { id: 'u-threshold', long: 'u-threshold', short: 'x', arg: req },
  { id: 'l-threshold', long: 'l-threshold', short: 'y', arg: req },
  { id: 'numeric', long: 'numeric', short: 'n', arg: none },
  { id: 'connection', long: 'connection', short: 'c', arg: none },
  { id: 'mcast-interface', long: 'mcast-interface', arg: req },
  { id: 'syncid', long: 'syncid', arg: req },
  { id: 'timeout', long: 'timeout', arg: none },
  { id: 'daemon', long: 'daemon', arg: none },
  { id: 'stats', long: 'stats', arg: none },
  { id: 'rate', long: 'rate', arg: none },
  { id: 'thresholds', long: 'thresholds', arg: none },
  { id: 'persistent-conn', long: 'persistent-conn', arg: none },
  { id: 'nosort', long: 'nosort', arg: none },
  { id: 'sort', long: 'sort', arg: none },
  { id: 'exact', long: 'exact', short: 'X', arg: none },
  { id: 'ipv6', long: 'ipv6', short: '6', arg: none },
  { id: 'ops', long: 'ops', short: 'o', arg: none },
  { id: 'pe', long: 'pe', arg: req },
  { id: 'sched-flags', long: 'sched-flags', short: 'b', arg: req },
  { id: 'mcast-group', long: 'mcast-group', arg: req },
  { id: 'mcast-port', long: 'mcast-port', arg: req },
  { id: 'mcast-ttl', long: 'mcast-ttl', arg: req },
  { id: 'sync-maxlen', long: 'sync-maxlen', arg: req },
  { id: 'json', long: 'json', arg: none },
  { id: 'tun-info', long: 'tun-info', arg: none },
  { id: 'tun-type', long: 'tun-type', arg: req },
  { id: 'tun-port', long: 'tun-port', arg: req },
  { id: 'tun-nocsum', long: 'tun-nocsum', arg: none },
  { id: 'tun-csum', long: 'tun-csum', arg: none },
  { id: 'tun-remcsum', long: 'tun-remcsum', arg: none },
];

/** What a first option means: a matrix command, or help/version (which end parsing at once). */
export const COMMANDS = {
  'add-service': 'add-service',
  'edit-service': 'edit-service',
  'delete-service': 'delete-service',
  clear: 'flush',
  list: 'list',
  zero: 'zero',
  'add-server': 'add-server',
  'edit-server': 'edit-server',
  'delete-server': 'delete-server',
  set: 'set',
  'start-daemon': 'start-daemon',
  'stop-daemon': 'stop-daemon',
  restore: 'restore',
  save: 'save',
  help: 'help',
  version: 'version',
} as const satisfies Record<CommandId, CommandName | 'help' | 'version'>;

export function isCommandId(id: OptionId): id is CommandId {
  return Object.hasOwn(COMMANDS, id);
}

/** The matrix name an option is tracked under (`multiple '…' options specified`); -6, --sort: none. */
export const TRACKED_AS = {
  'tcp-service': 'service-address',
  'udp-service': 'service-address',
  'sctp-service': 'service-address',
  'fwmark-service': 'service-address',
  scheduler: 'scheduler',
  persistent: 'persistent',
  netmask: 'netmask',
  'real-server': 'real-server',
  masquerading: 'forwarding-method',
  ipip: 'forwarding-method',
  gatewaying: 'forwarding-method',
  weight: 'weight',
  'u-threshold': 'u-threshold',
  'l-threshold': 'l-threshold',
  numeric: 'numeric',
  connection: 'connection',
  'mcast-interface': 'mcast-interface',
  syncid: 'syncid',
  timeout: 'timeout',
  daemon: 'daemon',
  stats: 'stats',
  rate: 'rate',
  thresholds: 'thresholds',
  'persistent-conn': 'persistent-conn',
  nosort: 'nosort',
  sort: undefined,
  exact: 'exact',
  ipv6: undefined,
  ops: 'ops',
  pe: 'pe',
  'sched-flags': 'sched-flags',
  'mcast-group': 'mcast-group',
  'mcast-port': 'mcast-port',
  'mcast-ttl': 'mcast-ttl',
  'sync-maxlen': 'sync-maxlen',
  json: undefined,
  'tun-info': 'tun-info',
  'tun-type': 'tun-type',
  'tun-port': 'tun-port',
  'tun-nocsum': 'tun-nocsum',
  'tun-csum': 'tun-csum',
  'tun-remcsum': 'tun-remcsum',
} as const satisfies Record<ValueOptionId, OptionName | undefined>;
