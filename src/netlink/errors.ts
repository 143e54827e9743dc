// Typed errors of the netlink layer: a kernel refusal (errno from NLMSG_ERROR, with extended-ack
// details when present), a reply that does not decode (names where and what), and an exchange that
// could not be trusted (no reply in time, replies lost, a dump interrupted by a change).
import { constants as osConstants } from 'node:os';

const errnoNames = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, num]) => [num, name]),
);

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

export interface ExtAck {
  readonly message?: string;
  readonly offset?: number;
  readonly missingType?: number;
}

/**
 * The base of every failure of the kernel or of the exchange with it, in any layer (netlink,
 * rtnetlink, IPVS): a refusal, a damaged or lost reply, a socket that failed. Whatever is not one
 * is a bug. Front ends tell the two apart through this class only (core/failure.ts).
 */
export class KernelFailure extends Error {}

/** The kernel answered a request with a negative error code. */
export class NetlinkError extends KernelFailure {
  readonly code: string;
  constructor(
    /** positive errno value (e.g. 17 for EEXIST) */
    readonly errno: number,
    readonly extack: ExtAck = {},
    readonly request?: { readonly type: number; readonly cmd?: number },
  ) {
    super(`netlink request failed: ${errnoName(errno)}${extack.message ? ` (${extack.message})` : ''}`);
    this.name = 'NetlinkError';
    this.code = errnoName(errno);
  }
}

/** Bytes from the kernel that do not follow the format (truncated header, bad length, ...). */
export class MalformedMessageError extends KernelFailure {
  constructor(
    readonly where: string,
    readonly detail: string,
  ) {
    super(`malformed netlink message in ${where}: ${detail}`);
    this.name = 'MalformedMessageError';
  }
}

/** The socket itself failed (open, bind, send, receive). */
export class TransportError extends KernelFailure {
  constructor(
    message: string,
    readonly errno: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** The request an exchange failure is about: its nlmsg_type, genl command, and whether a dump. */
export interface RequestInfo {
  readonly type: number;
  readonly cmd?: number;
  readonly dump: boolean;
}

/** The exchange with the kernel cannot be trusted: the caller must not use partial replies. */
export class NetlinkExchangeError extends KernelFailure {
  constructor(
    message: string,
    /** positive errno that stands for the failure (ETIMEDOUT, ENOBUFS, EINTR) */
    readonly errno: number,
    readonly request?: RequestInfo,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NetlinkExchangeError';
  }
}

/** No reply (or no further part of a dump) arrived within the connection's timeout. */
export class NetlinkTimeoutError extends NetlinkExchangeError {
  constructor(
    request: RequestInfo,
    readonly timeoutMs: number,
  ) {
    super(`no reply from the kernel to ${describeRequest(request)} within ${formatSeconds(timeoutMs)}`, osConstants.errno.ETIMEDOUT, request);
    this.name = 'NetlinkTimeoutError';
  }
}

/** Replies were lost on the way in: receive buffer overflow (ENOBUFS) or a truncated datagram. */
export class NetlinkRepliesLostError extends NetlinkExchangeError {
  constructor(detail: string, errno: number, options?: { cause?: unknown }) {
    super(`replies from the kernel were lost: ${detail}`, errno, undefined, options);
    this.name = 'NetlinkRepliesLostError';
  }
}

/** A dump reply carried NLM_F_DUMP_INTR: the table changed while it was being dumped. */
export class DumpInterruptedError extends NetlinkExchangeError {
  constructor(request: RequestInfo) {
    super(`the ${describeRequest(request)} was interrupted by a change (NLM_F_DUMP_INTR)`, osConstants.errno.EINTR, request);
    this.name = 'DumpInterruptedError';
  }
}

function describeRequest(r: RequestInfo): string {
  return `${r.dump ? 'dump' : 'request'} of type ${r.type}${r.cmd !== undefined ? ` command ${r.cmd}` : ''}`;
}

/** 5000 → "5 s", 2500 → "2.5 s", 50 → "0.05 s" */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** A failure of the kernel or of the exchange with it (refused, damaged, lost or unanswered), as opposed to a bug. */
export function isKernelFailure(e: unknown): e is KernelFailure {
  return e instanceof KernelFailure;
}
