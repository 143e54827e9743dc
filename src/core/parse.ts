// argv → Command, in ipvsadm 1.31's order so the same error wins: no arguments at all list like -L;
// the first option must be a command; every later option is validated as it is read; then
// positional words, then -b, then the command × option matrix, then the post-matrix checks and
// defaults (build-command.ts).
import { PoptTokenizer } from './argv.js';
import type { Token } from './argv.js';
import { DEFAULT_SCHEDULER, buildCommand } from './build-command.js';
import { PLAIN_LISTING } from './command.js';
import type { Command } from './command.js';
import { fail, poptError, tryHelp } from './errors.js';
import { checkCommandOptions } from './matrix.js';
import type { NameResolver } from '../app/io.js';
import { COMMANDS, OPTION_TABLE, TRACKED_AS, isCommandId } from './option-table.js';
import type { OptionId } from './option-table.js';
import { OPTION_HANDLERS, initialState } from './parse-state.js';
import type { ParseState } from './parse-state.js';
import { parseDaemonState, parseSchedFlags, parseTimeout } from './values.js';

export interface ParseContext {
  /** argv[0] as typed, for "Try `<argv0> -h' ..." */
  readonly argv0: string;
  readonly names: NameResolver;
}

/**
 * Parses one ipvsadm command line (`argv` without argv[0]) into a Command, or throws the
 * UsageError ipvsadm would report for it. Host and service names are resolved through `names`.
 */
export async function parseCommandLine(argv: readonly string[], ctx: ParseContext): Promise<Command> {
  // No arguments at all: the full listing, names resolved.
  if (argv.length === 0) return { kind: 'list', options: PLAIN_LISTING };
  const tokens = new PoptTokenizer(OPTION_TABLE, argv);
  const first = tokens.next();
  if (first.kind !== 'option' || !isCommandId(first.id)) throw tryHelp(ctx.argv0);
  const command = COMMANDS[first.id];
  // -h/-v end parsing at once: whatever follows them is never looked at.
  if (command === 'help' || command === 'version') return { kind: command };
  const daemonState =
    command === 'start-daemon' || command === 'stop-daemon'
      ? parseDaemonState(first.arg ?? '', command === 'start-daemon' ? 'start' : 'stop')
      : 0;
  const state = initialState(command, daemonState);
  await readOptions(tokens, state, ctx.names);
  takePositionals(state, tokens.positionals());
  state.svc.flags |= parseSchedFlags(state.schedFlags, state.svc.scheduler || DEFAULT_SCHEDULER);
  checkCommandOptions(command, state.present);
  const cmd = buildCommand(state);
  return state.json ? withJson(cmd) : cmd;
}

/** --json (ours) on a listing or a save; any other command refuses it, as 1.31 refuses options it does not take. */
function withJson(cmd: Command): Command {
  switch (cmd.kind) {
    case 'list':
    case 'list-connections':
    case 'list-timeouts':
    case 'list-daemons':
    case 'save':
      return { ...cmd, json: true };
    default:
      throw fail('--json applies to the list and save commands only (-L, -l, --list with any of its modes; -S, --save)');
  }
}

/** Every option after the command, in argv order; the first problem found is thrown. */
async function readOptions(tokens: PoptTokenizer<OptionId>, state: ParseState, names: NameResolver): Promise<void> {
  for (let token: Token<OptionId> = tokens.next(); token.kind !== 'end'; token = tokens.next()) {
    if (token.kind === 'error') throw poptError(token.word, token.problem);
    const id = token.id;
    // A second command (or -h/-v) is not "multiple commands": ipvsadm names the last word read.
    if (isCommandId(id)) throw fail(`invalid option \`${token.word}'`);
    const tracked = TRACKED_AS[id];
    if (tracked !== undefined) {
      if (state.present.has(tracked)) throw fail(`multiple '${tracked}' options specified`);
      state.present.add(tracked);
    }
    // Handlers answer at once unless they look a name up: await only those.
    const pending = OPTION_HANDLERS[id](state, token.arg, names);
    if (pending) await pending;
  }
}

/** `--set` takes its three values first; any positional word left over is an error. */
function takePositionals(state: ParseState, words: readonly string[]): void {
  let rest = words;
  if (state.command === 'set') {
    const [tcp, tcpFin, udp] = words;
    if (tcp === undefined || tcpFin === undefined || udp === undefined) {
      throw fail('--set option requires 3 timeout values');
    }
    state.timeouts = { tcp: parseTimeout(tcp, 0), tcpFin: parseTimeout(tcpFin, 0), udp: parseTimeout(udp, 0) };
    rest = words.slice(3);
  }
  if (rest[0] !== undefined) throw fail(`unexpected argument ${rest[0]}`);
}
