// ipvsadm 1.31's popt option table: every option's long/short spelling and argument kind, which
// ones are commands, and the name each tracked option uses in messages (matrix.ts).
// Observed from the 1.31 binary's popt table; test/cli/argv.test.ts pins each spelling.
import type { ArgKind, OptionSpec } from './argv.js';
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

/**
 * Every option by id, which is also its long spelling, with its one-letter spelling ('' for none),
 * in the order the tokenizer's table lists them.
 */
const SHORT_SPELLING = {
  'add-service': 'A',
  'edit-service': 'E',
  'delete-service': 'D',
  clear: 'C',
  list: 'L',
  zero: 'Z',
  'add-server': 'a',
  'edit-server': 'e',
  'delete-server': 'd',
  set: '',
  help: 'h',
  version: 'v',
  restore: 'R',
  save: 'S',
  'start-daemon': '',
  'stop-daemon': '',
  'tcp-service': 't',
  'udp-service': 'u',
  'sctp-service': '',
  'fwmark-service': 'f',
  scheduler: 's',
  persistent: 'p',
  netmask: 'M',
  'real-server': 'r',
  masquerading: 'm',
  ipip: 'i',
  gatewaying: 'g',
  weight: 'w',
  'u-threshold': 'x',
  'l-threshold': 'y',
  numeric: 'n',
  connection: 'c',
  'mcast-interface': '',
  syncid: '',
  timeout: '',
  daemon: '',
  stats: '',
  rate: '',
  thresholds: '',
  'persistent-conn': '',
  nosort: '',
  sort: '',
  exact: 'X',
  'ipv6': '6',
  ops: 'o',
  pe: '',
  'sched-flags': 'b',
  'mcast-group': '',
  'mcast-port': '',
  'mcast-ttl': '',
  'sync-maxlen': '',
  json: '',
  'tun-info': '',
  'tun-type': '',
  'tun-port': '',
  'tun-nocsum': '',
  'tun-csum': '',
  'tun-remcsum': '',
} as const satisfies Record<OptionId, string>;

const req = 'required' as const;

/** The options that take an argument (`-p`'s is optional); every other takes none. */
const ARGUMENT: Partial<Record<OptionId, ArgKind>> = {
  'start-daemon': req,
  'stop-daemon': req,
  'tcp-service': req,
  'udp-service': req,
  'sctp-service': req,
  'fwmark-service': req,
  scheduler: req,
  persistent: 'optional',
  netmask: req,
  'real-server': req,
  weight: req,
  'u-threshold': req,
  'l-threshold': req,
  'mcast-interface': req,
  syncid: req,
  pe: req,
  'sched-flags': req,
  'mcast-group': req,
  'mcast-port': req,
  'mcast-ttl': req,
  'sync-maxlen': req,
  'tun-type': req,
  'tun-port': req,
};

/** The table handed to the tokenizer. `-l` is a second spelling of `--list`. */
export const OPTION_TABLE: readonly OptionSpec<OptionId>[] = (Object.keys(SHORT_SPELLING) as OptionId[]).flatMap((id) => {
  const short = SHORT_SPELLING[id];
  const spec: OptionSpec<OptionId> = { id, long: id, ...(short ? { short } : {}), arg: ARGUMENT[id] ?? 'none' };
  return id === 'list' ? [spec, { id, short: 'l', arg: 'none' }] : [spec];
});

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
