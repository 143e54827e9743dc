// The one error triage (core/failure.ts) over the one base of kernel failures: every failure of
// any layer is reported by its text; anything else is a bug and goes on to the process boundary.
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { failureText, kernelFailureOrThrow } from '../../src/core/failure.js';
import { exchangeError, IpvsOperationError } from '../../src/ipvs/errors.js';
import { MalformedMessageError, NetlinkError, NetlinkTimeoutError, TransportError } from '../../src/netlink/errors.js';

const { ESRCH, EPERM } = constants.errno;

describe('the triage of errors', () => {
  const timeout = new NetlinkTimeoutError({ type: 0x10, dump: false }, 5000);
  const failures: [string, Error][] = [
    ['an IPVS refusal', new IpvsOperationError('get-service', ESRCH)],
    ['a failed IPVS exchange', exchangeError('get-services', timeout)],
    ['a netlink refusal', new NetlinkError(EPERM)],
    ['a netlink timeout', timeout],
    ['a damaged reply', new MalformedMessageError('rtmsg', 'needs 12 bytes, got 4')],
    ['a socket that failed', new TransportError('socket: EPERM', EPERM)],
  ];

  it.each(failures)('%s is a failure, reported by its text', (_, e) => {
    expect(failureText(e)).toBe(e.message);
    expect(kernelFailureOrThrow(e)).toBe(e.message);
  });

  it('the texts are the layers\' own (1.31 for a refusal of IPVS)', () => {
    expect(failures.slice(0, 2).map(([, e]) => failureText(e))).toEqual(['No such service', 'netlink: no reply from the kernel to CTRL_CMD_GETFAMILY within 5 s']);
  });

  it.each([new Error('a bug'), new TypeError('x is undefined'), 'a string'])('%j is a bug: no text, thrown again', (e) => {
    expect(failureText(e)).toBeUndefined();
    expect(() => kernelFailureOrThrow(e)).toThrow();
  });
});
