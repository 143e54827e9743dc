// Typed failures of real-server/director preparation, and the one errno → text mapping they use.
// realserver/cli.ts is the only place that turns them into stderr text and an exit status (see EXIT).
import { getSystemErrorMap } from 'node:util';
import { NetlinkError, TransportError } from '../netlink/errors.js';
import type { Step } from './model.js';

/** Exit statuses of `ipvsadm realserver|director`, decided with every other in app/exit-status.ts. */
export { PREP_EXIT as EXIT } from '../app/exit-status.js';

/** A wrong argument, found before anything was looked at or changed. */
export class PrepUsageError extends Error {
  override readonly name = 'PrepUsageError';
}

/** The request cannot be met as the system stands (unknown interface, VIP elsewhere, ...). */
export class PlanError extends Error {
  override readonly name = 'PlanError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

/** Reading the system failed (netlink, /proc/sys, the state file). Nothing was changed. */
export class SystemError extends Error {
  override readonly name = 'SystemError';
}

/** One step failed (or, with no step, recording the result did); `cause` is the underlying error. */
export class StepError extends Error {
  override readonly name = 'StepError';
  constructor(
    readonly step: Step | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A run failed at `failed`; `rolledBack` were undone, `rollbackFailures` could not be. */
export class ApplyError extends Error {
  override readonly name = 'ApplyError';
  constructor(
    readonly failed: StepError,
    readonly rolledBack: readonly Step[],
    readonly rollbackFailures: readonly StepError[],
    /** modules this run loaded (they stay loaded: a loaded module configures nothing) */
    readonly modulesLeft: readonly string[],
    /** the performed steps whose undo failed: they remain applied */
    readonly remaining: readonly Step[] = [],
  ) {
    super(failed.message, { cause: failed });
  }
}

const systemErrors = getSystemErrorMap();

/** errno → the C library's text ("Operation not permitted"), or E<n>. */
export function errnoText(errno: number): string {
  const text = systemErrors.get(-Math.abs(errno))?.[1];
  // Node's table is lower case ("operation not permitted"); strerror(3) capitalises.
  return text === undefined ? `error ${errno}` : text.charAt(0).toUpperCase() + text.slice(1);
}

const EPERM = 1;
const EACCES = 13;
const ROOT_HINT = 'needs root (CAP_NET_ADMIN, write access to /proc/sys)';

/** The errno carried by any error we know (netlink, socket, fs), if any. */
export function errnoOf(e: unknown): number | undefined {
  if (e instanceof NetlinkError || e instanceof TransportError) return e.errno || undefined;
  const sys = e as { errno?: unknown; code?: unknown } | null;
  if (sys && typeof sys.errno === 'number') return Math.abs(sys.errno);
  if (sys && typeof sys.code === 'string') {
    const found = [...systemErrors].find(([, [name]]) => name === sys.code);
    if (found) return -found[0];
  }
  return undefined;
}

/** Short reason text for an error: errno wording (with a root hint for EPERM/EACCES) or message. */
export function reasonOf(e: unknown): string {
  const errno = errnoOf(e);
  if (errno === EPERM || errno === EACCES) return `${errnoText(errno)} (${ROOT_HINT})`;
  const extack = e instanceof NetlinkError ? e.extack.message : undefined;
  if (errno !== undefined) return `${errnoText(errno)}${extack ? ` (${extack})` : ''}`;
  return e instanceof Error ? e.message : String(e);
}
