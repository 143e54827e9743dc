// The (operation, errno) → message table of ipvsadm 1.31's ipvs_strerror, pinned
// literally with Linux errno numbers, and the strerror(3) fallback.
import { describe, expect, it } from 'vitest';
import { IpvsOperationError, ipvsErrorMessage, strerror } from '../../src/ipvs/errors.js';
import type { IpvsOperation } from '../../src/ipvs/errors.js';

// Linux (asm-generic/errno*.h) numbers, written out so the test does not lean on os.constants.
const EPERM = 1, ENOENT = 2, ESRCH = 3, ENOMEM = 12, EEXIST = 17, ENODEV = 19, EINVAL = 22, ERANGE = 34;
const EMSGSIZE = 90, ENOPROTOOPT = 92, EOPNOTSUPP = 95, EAFNOSUPPORT = 97;

const ALL_OPS: IpvsOperation[] = [
  'init', 'add-service', 'edit-service', 'delete-service', 'zero', 'flush', 'add-dest', 'edit-dest', 'delete-dest',
  'get-services', 'get-service', 'get-dests', 'get-timeouts', 'set-timeouts', 'start-daemon', 'stop-daemon', 'get-daemons',
];

describe('ipvsErrorMessage: the per-function rows', () => {
  it.each<[IpvsOperation, number, string]>([
    ['add-service', EEXIST, 'Service already exists'],
    ['add-service', ENOENT, 'Scheduler or persistence engine not found'],
    ['edit-service', ESRCH, 'No such service'],
    ['edit-service', ENOENT, 'Scheduler or persistence engine not found'],
    ['delete-service', ESRCH, 'No such service'],
    ['zero', ESRCH, 'No such service'],
    ['add-dest', ESRCH, 'Service not defined'],
    ['add-dest', EEXIST, 'Destination already exists'],
    ['edit-dest', ESRCH, 'Service not defined'],
    ['edit-dest', ENOENT, 'No such destination'],
    ['delete-dest', ESRCH, 'Service not defined'],
    ['delete-dest', ENOENT, 'No such destination'],
    ['start-daemon', EEXIST, 'Daemon has already run'],
    ['stop-daemon', ESRCH, 'No daemon is running'],
    ['get-services', ESRCH, 'No such service'],
    ['get-dests', ESRCH, 'No such service'],
    ['get-service', ESRCH, 'No such service'],
  ])('%s + errno %i → %j', (op, errno, message) => {
    expect(ipvsErrorMessage(op, errno)).toBe(message);
  });
});

describe('ipvsErrorMessage: the rows for any function', () => {
  const ANY: [number, string][] = [
    [EPERM, 'Permission denied (you must be root)'],
    [EINVAL, 'Invalid operation.  Possibly wrong module version, address not unicast, ...'],
    [ENOPROTOOPT, 'Protocol not available'],
    [ENOMEM, 'Memory allocation problem'],
    [EOPNOTSUPP, 'Operation not supported with IPv6'],
    [EAFNOSUPPORT, 'Operation not supported with specified address family'],
    [EMSGSIZE, 'Module is wrong version'],
  ];
  it.each(ANY)('errno %i → %j for every operation', (errno, message) => {
    for (const op of ALL_OPS) expect(ipvsErrorMessage(op, errno)).toBe(message);
  });

  it('keeps the two spaces after the first period of the EINVAL text', () => {
    expect(ipvsErrorMessage('add-dest', EINVAL)).toContain('operation.  Possibly');
  });
});

describe('ipvsErrorMessage: otherwise strerror(errno)', () => {
  it.each<[IpvsOperation, number, string]>([
    ['delete-service', ENOENT, 'No such file or directory'], // ENOENT only has a row for add/edit
    ['flush', ESRCH, 'No such process'],
    ['edit-service', EEXIST, 'File exists'],
    ['start-daemon', ENODEV, 'No such device'], // unknown interface
    ['add-dest', ERANGE, 'Numerical result out of range'], // l_threshold > u_threshold
    ['stop-daemon', EEXIST, 'File exists'],
    ['get-timeouts', ESRCH, 'No such process'],
    ['init', ENOENT, 'No such file or directory'],
    ['add-service', 999, 'Unknown error 999'],
  ])('%s + errno %i → %j', (op, errno, message) => {
    expect(ipvsErrorMessage(op, errno)).toBe(message);
  });

  it.each<[number, string]>([
    [EPERM, 'Operation not permitted'],
    [ESRCH, 'No such process'],
    [16, 'Device or resource busy'],
    [EINVAL, 'Invalid argument'],
    [ENOMEM, 'Cannot allocate memory'],
    [105, 'No buffer space available'],
    [EAFNOSUPPORT, 'Address family not supported by protocol'],
    [ENOPROTOOPT, 'Protocol not available'],
    [524, 'Unknown error 524'], // kernel-internal ENOTSUPP leaks as glibc prints it
  ])('strerror(%i) is glibc’s %j', (errno, text) => {
    expect(strerror(errno)).toBe(text);
  });
});

describe('IpvsOperationError', () => {
  it('carries the operation, the errno, the table message and the cause', () => {
    const cause = new Error('kernel said no');
    const e = new IpvsOperationError('add-dest', EEXIST, { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'IpvsOperationError', operation: 'add-dest', errno: EEXIST, message: 'Destination already exists' });
    expect(e.cause).toBe(cause);
  });
});
