// Kernel refusals of IPVS operations and their text: ipvsadm 1.31 picks the message by the
// operation that failed and the errno (ipvs_strerror's table); anything else falls back to strerror(3).
// Exchanges that failed without a refusal (timeout, lost replies, a changing table) say so instead.
import { constants as osConstants } from 'node:os';
import { DumpInterruptedError, KernelFailure, NetlinkTimeoutError, formatSeconds } from '../netlink/errors.js';
import type { NetlinkExchangeError, RequestInfo } from '../netlink/errors.js';
import { Cmd } from './constants.js';

export type IpvsOperation =
  | 'init'
  | 'add-service'
  | 'edit-service'
  | 'delete-service'
  | 'zero'
  | 'flush'
  | 'add-dest'
  | 'edit-dest'
  | 'delete-dest'
  | 'get-services'
  | 'get-service'
  | 'get-dests'
  | 'get-timeouts'
  | 'set-timeouts'
  | 'start-daemon'
  | 'stop-daemon'
  | 'get-daemons';

const E = osConstants.errno;

/** Texts by errno name (errno(3)), as written below; ErrnoMap holds them by this system's numbers. */
type ErrnoTexts = Partial<Record<keyof typeof E, string>>;
type ErrnoMap = ReadonlyMap<number, string>;

function byNumber(texts: ErrnoTexts): ErrnoMap {
  return new Map(Object.entries(texts).map(([name, text]) => [E[name as keyof typeof E], text]));
}

/** Per-operation messages (first match wins), then the ones that hold for any operation. */
const BY_OPERATION_TEXTS: Partial<Record<IpvsOperation, ErrnoTexts>> = {
  'add-service': { EEXIST: 'Service already exists', ENOENT: 'Scheduler or persistence engine not found' },
  'edit-service': { ESRCH: 'No such service', ENOENT: 'Scheduler or persistence engine not found' },
  'delete-service': { ESRCH: 'No such service' },
  zero: { ESRCH: 'No such service' },
  'add-dest': { ESRCH: 'Service not defined', EEXIST: 'Destination already exists' },
  'edit-dest': { ESRCH: 'Service not defined', ENOENT: 'No such destination' },
  'delete-dest': { ESRCH: 'Service not defined', ENOENT: 'No such destination' },
  'start-daemon': { EEXIST: 'Daemon has already run' },
  'stop-daemon': { ESRCH: 'No daemon is running' },
  'get-services': { ESRCH: 'No such service' },
  'get-service': { ESRCH: 'No such service' },
  'get-dests': { ESRCH: 'No such service' },
};

const ANY_OPERATION_TEXTS: ErrnoTexts = {
  EPERM: 'Permission denied (you must be root)',
  EINVAL: 'Invalid operation.  Possibly wrong module version, address not unicast, ...',
  ENOPROTOOPT: 'Protocol not available',
  ENOMEM: 'Memory allocation problem',
  EOPNOTSUPP: 'Operation not supported with IPv6',
  EAFNOSUPPORT: 'Operation not supported with specified address family',
  EMSGSIZE: 'Module is wrong version',
};

/** glibc strerror() texts for the errnos the kernel can answer IPVS requests with. */
const STRERROR_TEXTS: ErrnoTexts = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  E2BIG: 'Argument list too long',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EFAULT: 'Bad address',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ENOSPC: 'No space left on device',
  ERANGE: 'Numerical result out of range',
  ENOSYS: 'Function not implemented',
  ENOBUFS: 'No buffer space available',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ENOTSUP: 'Operation not supported',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EPROTONOSUPPORT: 'Protocol not supported',
  ENOPROTOOPT: 'Protocol not available',
  EMSGSIZE: 'Message too long',
  ETIMEDOUT: 'Connection timed out',
  ECONNREFUSED: 'Connection refused',
};

const BY_OPERATION = new Map(Object.entries(BY_OPERATION_TEXTS).map(([op, texts]) => [op, byNumber(texts)]));
const ANY_OPERATION = byNumber(ANY_OPERATION_TEXTS);
const STRERROR = byNumber(STRERROR_TEXTS);

export function strerror(errno: number): string {
  return STRERROR.get(errno) ?? `Unknown error ${errno}`;
}

/** The text ipvsadm prints for `errno` after `op` failed. */
export function ipvsErrorMessage(op: IpvsOperation, errno: number): string {
  return BY_OPERATION.get(op)?.get(errno) ?? ANY_OPERATION.get(errno) ?? strerror(errno);
}

/** An IPVS operation the kernel refused (or that could not be carried out). */
export class IpvsOperationError extends KernelFailure {
  constructor(
    readonly operation: IpvsOperation,
    readonly errno: number,
    options?: { cause?: unknown },
  ) {
    super(ipvsErrorMessage(operation, errno), options);
    this.name = 'IpvsOperationError';
  }
}

/**
 * An IPVS operation whose exchange with the kernel failed or could not be trusted (no reply in
 * time, replies lost, a table that kept changing): not a refusal, so the text is our own rather
 * than ipvsadm's table message. cli/report.ts prints it as `ipvsadm: <message>`.
 */
export class IpvsExchangeError extends IpvsOperationError {
  constructor(operation: IpvsOperation, errno: number, message: string, options?: { cause?: unknown }) {
    super(operation, errno, options);
    this.message = message;
    this.name = 'IpvsExchangeError';
  }
}

const GENL_ID_CTRL = 0x10; // the generic netlink controller (family resolution)
const cmdNames = new Map<number, string>(Object.entries(Cmd).map(([name, num]) => [num, name]));

/** The kernel command a request stands for, in the kernel's spelling (GET_SERVICE dump). */
export function requestName(r: RequestInfo): string {
  if (r.type === GENL_ID_CTRL) return 'CTRL_CMD_GETFAMILY';
  const name = r.cmd === undefined ? 'request' : (cmdNames.get(r.cmd) ?? `command ${r.cmd}`);
  return r.dump ? `${name} dump` : name;
}

/** A failed exchange as the IPVS layer reports it, naming the command by its kernel name. */
export function exchangeError(op: IpvsOperation, e: NetlinkExchangeError): IpvsExchangeError {
  let detail = e.message;
  if (e instanceof NetlinkTimeoutError && e.request) {
    detail = `no reply from the kernel to ${requestName(e.request)} within ${formatSeconds(e.timeoutMs)}`;
  } else if (e instanceof DumpInterruptedError && e.request) {
    detail = `the ${requestName(e.request)} was interrupted by a change to the table (NLM_F_DUMP_INTR)`;
  }
  return new IpvsExchangeError(op, e.errno, `netlink: ${detail}`, { cause: e });
}
