// Kernel refusals of IPVS operations and their text: ipvsadm 1.31 picks the message by the
// operation that failed and the errno (spec §13); anything else falls back to strerror(3).
import { constants as osConstants } from 'node:os';

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
