// Errors raised while turning argv into a Command. Each carries ipvsadm 1.31's exact text and
// exit status; cli/main.ts is the only place that prints them. `kind` tells restore (-R) what
// to do with the rest of the input: `popt` skips the line, `fail` and `try` end the restore.
import { IPVSADM_EXIT } from '../app/exit-status.js';

export type UsageErrorKind =
  /** ipvsadm's fail(): validation, illegal/missing/conflicting option, unexpected argument (exit 2) */
  | 'fail'
  /** first option missing or not a command: "Try `argv0 -h' or ..." (exit 255) */
  | 'try'
  /** option-parser error after the command, e.g. "-t: missing argument" (exit 255) */
  | 'popt';

export class UsageError extends Error {
  readonly exitCode: number;
  constructor(
    /** the exact text ipvsadm prints on stderr, without the final newline */
    message: string,
    readonly kind: UsageErrorKind,
  ) {
    super(message);
    this.name = 'UsageError';
    this.exitCode = kind === 'fail' ? IPVSADM_EXIT.USAGE : IPVSADM_EXIT.POPT;
  }
}

/** ipvsadm's fail(2, ...) */
export function fail(message: string): UsageError {
  return new UsageError(message, 'fail');
}

export function tryHelp(argv0: string): UsageError {
  return new UsageError(`Try \`${argv0} -h' or '${argv0} --help' for more information.`, 'try');
}

export function poptError(option: string, problem: string): UsageError {
  return new UsageError(`${option}: ${problem}`, 'popt');
}

/** The first line of a usage error, as our own commands print it after their name. */
export function usageLine(e: UsageError): string {
  return e.message.split('\n')[0]!;
}
