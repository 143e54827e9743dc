// The one triage of errors for every front end: a failure of the kernel or of the exchange with
// it (KernelFailure, any layer) is reported by its text and the front end's failure status;
// anything else is a bug, thrown on to the process boundary (app/run-process.ts, exit 70).
import { isKernelFailure } from '../netlink/errors.js';

/** The text of a kernel failure (1.31's message for an IPVS refusal); undefined for anything else. */
export function failureText(e: unknown): string | undefined {
  return isKernelFailure(e) ? e.message : undefined;
}

/** The text of a kernel failure; anything else is thrown again. */
export function kernelFailureOrThrow(e: unknown): string {
  if (isKernelFailure(e)) return e.message;
  throw e;
}
