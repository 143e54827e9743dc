// What completion offers, as data: the 1.31 command line from its own option table and option
// matrix (the options valid after each command), and our leading words with their actions and
// options. The shell scripts (engine.ts) are generated from this, never written by hand.
import { COMMANDS, OPTION_TABLE, TRACKED_AS, isCommandId } from '../core/option-table.js';
import type { CommandId, OptionId, ValueOptionId } from '../core/option-table.js';
import { cellOf } from '../core/matrix.js';
import type { CommandName } from '../core/matrix.js';
import { SCHED_FLAG_WORDS } from '../fields/sched-flags.js';
import { SCHEDULERS, TUNNEL_TYPES } from '../ipvs/vocabulary.js';

/**
 * What follows an option: nothing (flag), a value we cannot guess (text), a file, a namespace, an
 * interface, a service or a real server of the kernel's table, or one of a few words. `files+`
 * offers files and the words.
 */
export type ValueKind =
  | 'flag'
  | 'text'
  | 'file'
  | 'netns'
  | 'iface'
  | 'server'
  | 'service:tcp'
  | 'service:udp'
  | 'service:sctp'
  | 'service:fwmark'
  | { readonly words: readonly string[]; readonly files?: true };

/** One option of a completion context: its spellings, the name it is counted under, what follows it. */
export interface CompletionOption {
  readonly short?: string;
  readonly long: string;
  /** options with one name are offered once (-t and -f are both `service-address`) */
  readonly tracked: string;
  readonly value: ValueKind;
}

const words = (list: readonly string[]): ValueKind => ({ words: list });

/** --netns (ours): every command takes it, 1.31's and ours alike. */
export const NETNS_OPTION: CompletionOption = { long: '--netns', tracked: 'netns', value: 'netns' };

/** The commands whose service option names a service the kernel has. */
const LIVE_SERVICE: ReadonlySet<CommandName> = new Set(['edit-service', 'delete-service', 'add-server', 'edit-server', 'delete-server', 'list', 'zero']);
/** The commands whose -r names a real server the service has. */
const LIVE_SERVER: ReadonlySet<CommandName> = new Set(['edit-server', 'delete-server']);

const SERVICE_KIND: Partial<Record<OptionId, ValueKind>> = {
  'tcp-service': 'service:tcp',
  'udp-service': 'service:udp',
  'sctp-service': 'service:sctp',
  'fwmark-service': 'service:fwmark',
};

/** The words some 1.31 options take. */
const FIXED_VALUES: Partial<Record<OptionId, ValueKind>> = {
  scheduler: words(SCHEDULERS),
  pe: words(['sip']),
  'sched-flags': words(SCHED_FLAG_WORDS),
  'tun-type': words(TUNNEL_TYPES),
  'start-daemon': words(['master', 'backup']),
  'stop-daemon': words(['master', 'backup']),
  'mcast-interface': 'iface',
};

/** What follows a 1.31 option after `command` (undefined: before any command). */
function compatValue(id: OptionId, arg: string, command: CommandName | undefined): ValueKind {
  if (arg !== 'required') return 'flag'; // -p's timeout is optional: options are offered after it
  const service = SERVICE_KIND[id];
  if (service) return command === undefined || LIVE_SERVICE.has(command) ? service : 'text';
  if (id === 'real-server') return command === undefined || LIVE_SERVER.has(command) ? 'server' : 'text';
  return FIXED_VALUES[id] ?? 'text';
}

const longOf = (id: OptionId): string => `--${id}`;

/** Every 1.31 option once (the -l spelling of --list left out), with its value kind before any command. */
export function compatOptions(command?: CommandName): CompletionOption[] {
  return OPTION_TABLE.filter((spec) => spec.long !== undefined).map((spec) => ({
    ...(spec.short ? { short: `-${spec.short}` } : {}),
    long: longOf(spec.id),
    tracked: isCommandId(spec.id) ? 'command' : (TRACKED_AS[spec.id] ?? spec.id),
    value: compatValue(spec.id, spec.arg, command),
  }));
}

/** The 1.31 commands: each option id and what it means (a matrix command, help or version). */
export const COMPAT_COMMANDS: readonly (readonly [CommandId, CommandName | 'help' | 'version'])[] = Object.entries(COMMANDS) as [CommandId, CommandName | 'help' | 'version'][];

/** Whether an option of ours that 1.31's matrix does not track (-6, --sort, --json) goes with `command`. */
function untrackedFits(id: ValueOptionId, command: CommandName): boolean {
  if (id === 'ipv6') return cellOf(command, 'service-address') !== 'x';
  if (id === 'sort') return command === 'list';
  if (id === 'json') return command === 'list' || command === 'save';
  return false;
}

/** The options valid after `command`, as its column of the option matrix says, and --netns. */
export function optionsAfter(command: CommandName | 'help' | 'version'): CompletionOption[] {
  if (command === 'help' || command === 'version') return [];
  const valid = compatOptions(command).filter((o) => {
    const id = o.long.slice(2) as OptionId;
    if (isCommandId(id)) return false;
    const tracked = TRACKED_AS[id as ValueOptionId];
    return tracked === undefined ? untrackedFits(id as ValueOptionId, command) : cellOf(command, tracked) !== 'x';
  });
  return [...valid, NETNS_OPTION];
}
