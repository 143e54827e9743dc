// ipvsadm 1.31's command × option table as data, and the check that walks it, plus the smaller
// tunnel-type × tunnel-option table of -a/-e that is checked the same way. Both tables and their
// messages were verified cell by cell against the 1.31 binary (test/cli/matrix.test.ts).
import type { TunnelType } from '../ipvs/vocabulary.js';
import { fail } from './errors.js';

/** The option names ipvsadm prints in its messages, in the table's index order 0..33. */
export const OPTION_NAMES = [
  'numeric',
  'connection',
  'service-address',
  'scheduler',
  'persistent',
  'netmask',
  'real-server',
  'forwarding-method',
  'weight',
  'u-threshold',
  'l-threshold',
  'mcast-interface',
  'timeout',
  'daemon',
  'stats',
  'rate',
  'thresholds',
  'persistent-conn',
  'nosort',
  'syncid',
  'exact',
  'ops',
  'pe',
  'sched-flags',
  'mcast-group',
  'mcast-port',
  'mcast-ttl',
  'sync-maxlen',
  'tun-info',
  'tun-type',
  'tun-port',
  'tun-nocsum',
  'tun-csum',
  'tun-remcsum',
] as const;
export type OptionName = (typeof OPTION_NAMES)[number];

/** The command names ipvsadm prints in its messages, in the table's column order. */
export const COMMAND_NAMES = [
  'add-service',
  'edit-service',
  'delete-service',
  'flush',
  'list',
  'add-server',
  'delete-server',
  'edit-server',
  'set',
  'start-daemon',
  'stop-daemon',
  'restore',
  'save',
  'zero',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** `+` required, `x` illegal, `.` optional, `1` at most one of the command's `1` options. */
export type Cell = '+' | 'x' | '.' | '1';
type Row = readonly [Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell, Cell];

// prettier-ignore
/** Rows: options; columns: COMMAND_NAMES order (A E D C L a d e set S↑ S↓ R S Z). */
export const MATRIX = {
  //                   A    E    D    C    L    a    d    e   set  S↑   S↓   R    S    Z
  'numeric':          ['x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', '.', 'x'],
  'connection':       ['x', 'x', 'x', 'x', '1', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'service-address':  ['+', '+', '+', 'x', '1', '+', '+', '+', 'x', 'x', 'x', 'x', 'x', '.'],
  'scheduler':        ['.', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'persistent':       ['.', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'netmask':          ['.', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'real-server':      ['x', 'x', 'x', 'x', 'x', '+', '+', '+', 'x', 'x', 'x', 'x', 'x', 'x'],
  'forwarding-method':['x', 'x', 'x', 'x', 'x', '.', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x'],
  'weight':           ['x', 'x', 'x', 'x', 'x', '.', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x'],
  'u-threshold':      ['x', 'x', 'x', 'x', 'x', '.', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x'],
  'l-threshold':      ['x', 'x', 'x', 'x', 'x', '.', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x'],
  'mcast-interface':  ['x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x'],
  'timeout':          ['x', 'x', 'x', 'x', '1', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'daemon':           ['x', 'x', 'x', 'x', '1', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'stats':            ['x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'rate':             ['x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'thresholds':       ['x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'persistent-conn':  ['x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'nosort':           ['x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'syncid':           ['x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x', '.', '.', 'x', 'x', 'x'],
  'exact':            ['x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'ops':              ['.', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'pe':               ['.', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'sched-flags':      ['.', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'mcast-group':      ['x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x'],
  'mcast-port':       ['x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x'],
  'mcast-ttl':        ['x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x'],
  'sync-maxlen':      ['x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x'],
  'tun-info':         ['x', 'x', 'x', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
  'tun-type':         ['x', 'x', 'x', 'x', 'x', '.', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x'],
  'tun-port':         ['x', 'x', 'x', 'x', 'x', '.', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x'],
  'tun-nocsum':       ['x', 'x', 'x', 'x', 'x', '.', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x'],
  'tun-csum':         ['x', 'x', 'x', 'x', 'x', '.', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x'],
  'tun-remcsum':      ['x', 'x', 'x', 'x', 'x', '.', 'x', '.', 'x', 'x', 'x', 'x', 'x', 'x'],
} as const satisfies Record<OptionName, Row>;

/** The cell of `option` for `command`. */
export function cellOf(command: CommandName, option: OptionName): Cell {
  return MATRIX[option][COMMAND_NAMES.indexOf(command)] as Cell;
}

/**
 * Walks a table row by row in index order and throws the first problem found, as ipvsadm does:
 * a missing `+`, a present `x`, or a second present `1` (named against the first one).
 */
function checkRows<O extends string>(
  order: readonly O[],
  cell: (option: O) => Cell,
  present: ReadonlySet<string>,
  subject: string,
): void {
  let firstOfGroup: O | undefined;
  for (const option of order) {
    const c = cell(option);
    if (!present.has(option)) {
      if (c === '+') throw fail(`You need to supply the '${option}' option for the ${subject}`);
      continue;
    }
    if (c === 'x') throw fail(`Illegal '${option}' option with the ${subject}`);
    if (c !== '1') continue;
    if (firstOfGroup === undefined) firstOfGroup = option;
    else throw fail(`The option '${option}' conflicts with the '${firstOfGroup}' option in the ${subject}`);
  }
}

/** ipvsadm's option check for one command; throws UsageError (exit 2). */
export function checkCommandOptions(command: CommandName, present: ReadonlySet<OptionName>): void {
  const column = COMMAND_NAMES.indexOf(command);
  // Nearly every line a restore checks is fine: find that out from the few options present and
  // the column's required ones; only a line with a problem walks the rows to name the first.
  if (passes(column, present)) return;
  checkRows(OPTION_NAMES, (o) => MATRIX[o][column] as Cell, present, `'${command}' command`);
}

/** Per command column: the options it requires (`+`). */
const REQUIRED: readonly (readonly OptionName[])[] = COMMAND_NAMES.map((_, column) => OPTION_NAMES.filter((o) => MATRIX[o][column] === '+'));

/** No option present is refused (`x`), at most one of the `1` group is, and every `+` is. */
function passes(column: number, present: ReadonlySet<OptionName>): boolean {
  let ones = 0;
  for (const option of present) {
    const cell = Object.hasOwn(MATRIX, option) ? (MATRIX[option][column] as Cell) : '.';
    if (cell === 'x') return false;
    if (cell === '1' && ++ones > 1) return false;
  }
  return REQUIRED[column]!.every((o) => present.has(o));
}

/** Tunnel options checked per tunnel type (after the method checks of -a/-e), in this order. */
export const TUNNEL_OPTIONS = ['tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'] as const;
export type TunnelOptionName = (typeof TUNNEL_OPTIONS)[number];

export const TUNNEL_MATRIX = {
  //      tun-port tun-nocsum tun-csum tun-remcsum
  ipip: ['x', 'x', 'x', 'x'],
  gue: ['+', '1', '1', '1'],
  gre: ['x', '1', '1', 'x'],
} as const satisfies Record<TunnelType, readonly [Cell, Cell, Cell, Cell]>;

/** The tunnel-type check of -a/-e (type defaults to ipip); throws UsageError (exit 2). */
export function checkTunnelOptions(type: TunnelType, present: ReadonlySet<string>): void {
  const row: readonly Cell[] = TUNNEL_MATRIX[type];
  const cell = (o: TunnelOptionName): Cell => row[TUNNEL_OPTIONS.indexOf(o)] as Cell;
  checkRows(TUNNEL_OPTIONS, cell, present, `'${type}' tunnel type`);
}
