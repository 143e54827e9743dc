// errors.ts: exit statuses, the typed errors' fields, and errno extraction/wording for netlink,
// socket and file-system errors (with the root hint for EPERM/EACCES).
import { describe, expect, it } from 'vitest';
import { NetlinkError, TransportError } from '../../src/netlink/errors.js';
import { ApplyError, EXIT, PlanError, PrepUsageError, StepError, SystemError, errnoOf, errnoText, reasonOf } from '../../src/prep/errors.js';

const HINT = '(needs root (CAP_NET_ADMIN, write access to /proc/sys))';

describe('exit statuses and error types', () => {
  it('EXIT', () => {
    expect(EXIT).toEqual({ OK: 0, NOT_READY: 1, USAGE: 2, FAILED: 3, ROLLBACK_FAILED: 4 });
  });

  it('names and fields', () => {
    expect(new PrepUsageError('x').name).toBe('PrepUsageError');
    expect(new SystemError('x').name).toBe('SystemError');
    const plan = new PlanError(['a', 'b']);
    expect([plan.name, plan.message, plan.problems]).toEqual(['PlanError', 'a; b', ['a', 'b']]);
    const cause = new Error('root');
    const step = new StepError({ kind: 'module-load', module: 'ipip' }, 'cannot load', { cause });
    expect([step.name, step.step, step.cause]).toEqual(['StepError', { kind: 'module-load', module: 'ipip' }, cause]);
    const apply = new ApplyError(step, [], [], ['ipip']);
    expect([apply.name, apply.message, apply.cause, apply.modulesLeft]).toEqual(['ApplyError', 'cannot load', step, ['ipip']]);
  });
});

describe('errno', () => {
  it('errnoText: the system text, or error N for an unknown number', () => {
    expect(errnoText(1)).toBe('Operation not permitted');
    expect(errnoText(-17)).toBe('File already exists');
    expect(errnoText(4242)).toBe('error 4242');
  });

  it('errnoOf: netlink, transport, fs errno and code; nothing for plain errors', () => {
    expect(errnoOf(new NetlinkError(17))).toBe(17);
    expect(errnoOf(new NetlinkError(0))).toBeUndefined();
    expect(errnoOf(new TransportError('bind', 98))).toBe(98);
    expect(errnoOf(Object.assign(new Error('x'), { errno: -13, code: 'EACCES' }))).toBe(13);
    expect(errnoOf(Object.assign(new Error('x'), { code: 'EROFS' }))).toBe(30);
    expect(errnoOf(Object.assign(new Error('x'), { code: 'ERR_SOMETHING' }))).toBeUndefined();
    expect(errnoOf(new Error('x'))).toBeUndefined();
    expect(errnoOf(null)).toBeUndefined();
  });

  it('reasonOf: errno text, root hint, extack, or the message', () => {
    expect(reasonOf(new NetlinkError(1))).toBe(`Operation not permitted ${HINT}`);
    expect(reasonOf(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(`Permission denied ${HINT}`);
    expect(reasonOf(new NetlinkError(17, { message: 'Address already assigned' }))).toBe('File already exists (Address already assigned)');
    expect(reasonOf(new NetlinkError(19))).toBe('No such device');
    expect(reasonOf(new Error('plain words'))).toBe('plain words');
    expect(reasonOf('a string')).toBe('a string');
  });
});
