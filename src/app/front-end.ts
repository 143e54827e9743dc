// The commander settings every front end of ours shares (apply, drain, metrics, doctor, top, lab):
// -h/--help, no stray arguments, output through the Io, errors returned instead of exiting;
// one way to parse, so --help and a usage error end the same way everywhere.
import { Command, CommanderError } from 'commander';
import type { Io } from './io.js';

/** A commander program named `name` (`ipvsadm apply`) writing through `io`. */
export function frontEnd(name: string, io: Io): Command {
  return new Command(name)
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.stdout(t), writeErr: (t) => io.stderr(t), outputError: (t, write) => write(t) });
}

/**
 * Parses argv: undefined to go on, or the status to end with — 0 after --help, `usage` after an
 * error (commander has printed it; a hint to --help follows).
 */
export function parseFrontEnd(cmd: Command, argv: readonly string[], io: Io, usage: number): number | undefined {
  try {
    cmd.parse([...argv], { from: 'user' });
    return undefined;
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (e.exitCode === 0) return 0;
    io.stderr(`Try \`${cmd.name()} --help' for more information.\n`);
    return usage;
  }
}
