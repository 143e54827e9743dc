// How ipvsadm 1.31 writes the command behind each kind of Command (`-E`, `-L -c`), spelled from
// the option table: for a front end that reads 1.31 lines and names the command it does not take.
import type { CommandKind } from './command.js';
import { OPTION_TABLE } from './option-table.js';
import type { CommandId, ValueOptionId } from './option-table.js';

/** The command option of each kind, and the mode option that selects a listing variant. */
const WRITTEN_AS: Readonly<Record<CommandKind, readonly [CommandId, ValueOptionId?]>> = {
  'add-service': ['add-service'],
  'edit-service': ['edit-service'],
  'delete-service': ['delete-service'],
  flush: ['clear'],
  zero: ['zero'],
  'add-dest': ['add-server'],
  'edit-dest': ['edit-server'],
  'delete-dest': ['delete-server'],
  list: ['list'],
  'list-connections': ['list', 'connection'],
  'list-timeouts': ['list', 'timeout'],
  'list-daemons': ['list', 'daemon'],
  save: ['save'],
  restore: ['restore'],
  'set-timeouts': ['set'],
  'start-daemon': ['start-daemon'],
  'stop-daemon': ['stop-daemon'],
  help: ['help'],
  version: ['version'],
};

/** An option as written: its short form when it has one (`-L`), else its long form (`--timeout`). */
function written(id: CommandId | ValueOptionId): string {
  const spec = OPTION_TABLE.find((o) => o.id === id && o.long !== undefined) ?? OPTION_TABLE.find((o) => o.id === id)!;
  return spec.short !== undefined ? `-${spec.short}` : `--${spec.long}`;
}

/** The 1.31 command line words that make a command of this kind (`-D`, `-L --daemon`). */
export function commandSpelling(kind: CommandKind): string {
  const [command, mode] = WRITTEN_AS[kind];
  return mode === undefined ? written(command) : `${written(command)} ${written(mode)}`;
}
