// The commander settings every front end of ours shares (apply, drain, metrics, doctor, top, lab):
// -h/--help, no stray arguments, output through the Io, errors returned instead of exiting;
// one way to parse, so --help and a usage error end the same way everywhere; and the service
// options (-t, -u, --sctp-service, -f) of those that name a service as 1.31 does.
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

/** The service options of a front end that names one service as 1.31 does (drain, top). */
export interface ServiceOptions {
  readonly tcpService?: string;
  readonly udpService?: string;
  readonly sctpService?: string;
  readonly fwmarkService?: string;
}

/** The service options given, as the 1.31 flag and its value (`['-t', '192.0.2.1:80']`), in option order. */
export function serviceFlags(o: ServiceOptions): [string, string][] {
  const all: [string, string | undefined][] = [
    ['-t', o.tcpService],
    ['-u', o.udpService],
    ['--sctp-service', o.sctpService],
    ['-f', o.fwmarkService],
  ];
  return all.filter((f): f is [string, string] => f[1] !== undefined);
}
