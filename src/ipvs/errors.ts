// Kernel refusals of IPVS operations and their text: ipvsadm 1.31 picks the message by the
// operation that failed and the errno (ipvs_strerror's table); anything else falls back to strerror(3).
// Exchanges that failed without a refusal (timeout, lost replies, a changing table) say so instead.
import { constants as osConstants } from 'node:os';
import { DumpInterruptedError, NetlinkTimeoutError, formatSeconds } from '../netlink/errors.js';
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

/** Per-operation messages (first match wins), then the ones that hold for any operation. */
const BY_OPERATION: Partial<Record<IpvsOperation, Partial<Record<number, string>>>> = {
  'add-service': { [E.EEXIST]: 'Service already exists', [E.ENOENT]: 'Scheduler or persistence engine not found' },
  'edit-service': { [E.ESRCH]: 'No such service', [E.ENOENT]: 'Scheduler or persistence engine not found' },
  'delete-service': { [E.ESRCH]: 'No such service' },
  zero: { [E.ESRCH]: 'No such service' },
  'add-dest': { [E.ESRCH]: 'Service not defined', [E.EEXIST]: 'Destination already exists' },
  'edit-dest': { [E.ESRCH]: 'Service not defined', [E.ENOENT]: 'No such destination' },
  'delete-dest': { [E.ESRCH]: 'Service not defined', [E.ENOENT]: 'No such destination' },
  'start-daemon': { [E.EEXIST]: 'Daemon has already run' },
  'stop-daemon': { [E.ESRCH]: 'No daemon is running' },
  'get-services': { [E.ESRCH]: 'No such service' },
  'get-service': { [E.ESRCH]: 'No such service' },
  'get-dests': { [E.ESRCH]: 'No such service' },
};

const ANY_OPERATION: Partial<Record<number, string>> = {
  [E.EPERM]: 'Permission denied (you must be root)',
  [E.EINVAL]: 'Invalid operation.  Possibly wrong module version, address not unicast, ...',
  [E.ENOPROTOOPT]: 'Protocol not available',
  [E.ENOMEM]: 'Memory allocation problem',
  [E.EOPNOTSUPP]: 'Operation not supported with IPv6',
  [E.EAFNOSUPPORT]: 'Operation not supported with specified address family',
  [E.EMSGSIZE]: 'Module is wrong version',
};

/** glibc strerror() texts for the errnos the kernel can answer IPVS requests with. */
const STRERROR: Partial<Record<number, string>> = {
  [E.EPERM]: 'Operation not permitted',
  [E.ENOENT]: 'No such file or directory',
  [E.ESRCH]: 'No such process',
  [E.EINTR]: 'Interrupted system call',
  [E.EIO]: 'Input/output error',
  [E.E2BIG]: 'Argument list too long',
  [E.EAGAIN]: 'Resource temporarily unavailable',
  [E.ENOMEM]: 'Cannot allocate memory',
  [E.EACCES]: 'Permission denied',
  [E.EFAULT]: 'Bad address',
  [E.EBUSY]: 'Device or resource busy',
  [E.EEXIST]: 'File exists',
  [E.ENODEV]: 'No such device',
  [E.EINVAL]: 'Invalid argument',
  [E.ENOSPC]: 'No space left on device',
  [E.ERANGE]: 'Numerical result out of range',
  [E.ENOSYS]: 'Function not implemented',
  [E.ENOBUFS]: 'No buffer space available',
  [E.EADDRNOTAVAIL]: 'Cannot assign requested address',
  [E.ENOTSUP]: 'Operation not supported',
  [E.EAFNOSUPPORT]: 'Address family not supported by protocol',
  [E.EPROTONOSUPPORT]: 'Protocol not supported',
  [E.ENOPROTOOPT]: 'Protocol not available',
  [E.EMSGSIZE]: 'Message too long',
  [E.ETIMEDOUT]: 'Connection timed out',
  [E.ECONNREFUSED]: 'Connection refused',
};

export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}

/** The text ipvsadm prints for `errno` after `op` failed. */
export function ipvsErrorMessage(op: IpvsOperation, errno: number): string {
  return BY_OPERATION[op]?.[errno] ?? ANY_OPERATION[errno] ?? strerror(errno);
}

/** An IPVS operation the kernel refused (or that could not be carried out). */
export class IpvsOperationError extends Error {
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
