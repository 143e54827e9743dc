// Typed errors of the netlink layer: a kernel refusal (errno from NLMSG_ERROR, with extended-ack
// details when present) and a reply that does not decode (names where and what).
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

/** The kernel answered a request with a negative error code. */
export class NetlinkError extends Error {
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
export class MalformedMessageError extends Error {
  constructor(
    readonly where: string,
    readonly detail: string,
  ) {
    super(`malformed netlink message in ${where}: ${detail}`);
    this.name = 'MalformedMessageError';
  }
}

/** The socket itself failed (open, bind, send, receive). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly errno: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}
