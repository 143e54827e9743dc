// Failures of listings, as ipvsadm 1.31 reports them (exit 1): a kernel error that some listings
// print and others keep silent, and ipvsadm's own fixed texts. Kept apart from execute.ts so that
// report.ts need not load the listing code.
import type { IpvsOperationError } from '../ipvs/errors.js';

/** A listing that failed: ipvsadm exits 1, printing the reason only for some listings. */
export class ListingError extends Error {
  constructor(
    readonly cause: IpvsOperationError,
    readonly silent: boolean,
  ) {
    super(cause.message, { cause });
    this.name = 'ListingError';
  }
}

/** A failure that ipvsadm reports with its own fixed text (exit 1). */
export class FixedListingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FixedListingError';
  }
}
