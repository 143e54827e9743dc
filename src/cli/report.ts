// Error → (stderr text, exit status) with ipvsadm 1.31's wording and codes (named in
// app/exit-status.ts): usage errors 2 or 255 as raised, kernel refusals of changes 255, listing
// failures 1 (some silent). A failed exchange (no reply in time, replies lost, a table that
// kept changing) is never silent; a bug is one line and status 70, never a stack trace.
import { IpvsExchangeError, IpvsOperationError } from '../ipvs/errors.js';
import { UsageError } from '../core/errors.js';
import { FixedListingError, ListingError } from './listing-errors.js';
import { IPVSADM_EXIT, PROCESS_EXIT } from '../app/exit-status.js';
import { InputError } from '../app/io.js';

export interface Report {
  readonly stderr: string;
  readonly code: number;
}

export function reportError(e: unknown): Report {
  if (e instanceof UsageError) return { stderr: `${e.message}\n`, code: e.exitCode };
  if (e instanceof ListingError) {
    if (e.cause instanceof IpvsExchangeError) return { stderr: exchangeText(e.cause), code: IPVSADM_EXIT.LISTING_FAILED };
    return { stderr: e.silent ? '' : `${e.message}\n`, code: IPVSADM_EXIT.LISTING_FAILED };
  }
  if (e instanceof FixedListingError) return { stderr: `${e.message}\n`, code: IPVSADM_EXIT.LISTING_FAILED };
  if (e instanceof InputError) return { stderr: `${e.message}\n`, code: IPVSADM_EXIT.INPUT_UNREADABLE };
  if (e instanceof IpvsExchangeError) return { stderr: exchangeText(e), code: IPVSADM_EXIT.KERNEL };
  if (e instanceof IpvsOperationError) return { stderr: `${e.message}\n`, code: IPVSADM_EXIT.KERNEL };
  // A bug: one line naming it, never a stack trace (run-process.ts prints one with IPVSADM_DEBUG=1).
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { stderr: `ipvsadm: internal error (please report it): ${detail.split('\n')[0]}\n`, code: PROCESS_EXIT.INTERNAL_ERROR };
}

/** Our own text for a failed exchange: ipvsadm has none, so it is prefixed like our messages. */
function exchangeText(e: IpvsExchangeError): string {
  return `ipvsadm: ${e.message}\n`;
}
