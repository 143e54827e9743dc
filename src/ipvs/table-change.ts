// The signs that the IPVS table changed while a listing was read (a dump interrupted, a service
// gone, a destination listed twice), and the error that makes the client fetch the listing again.
import { constants as osConstants } from 'node:os';
import { DumpInterruptedError } from '../netlink/errors.js';
import { IpvsExchangeError, IpvsOperationError } from './errors.js';

const { ENOENT, ESRCH } = osConstants.errno;

/** The table changed while it was being listed: the fetch is started again. */
export class TableChanged extends Error {}

export function hasDuplicates<T>(items: readonly T[], id: (t: T) => string): boolean {
  return new Set(items.map(id)).size !== items.length;
}

/** A request about a service the kernel no longer has (GET_SERVICE/GET_DEST: ESRCH or ENOENT). */
export const isGone = (e: unknown): boolean => e instanceof IpvsOperationError && (e.errno === ESRCH || e.errno === ENOENT);
/** A dump the kernel marked interrupted (NLM_F_DUMP_INTR). */
export const isInterrupted = (e: unknown): boolean => e instanceof IpvsExchangeError && e.cause instanceof DumpInterruptedError;
