// report.ts on its own: each error class → (stderr, exit status). The expected text and status of
// each come from ipvsadm 1.31 (front-door/cases.json, captured in the kernel) where a command line
// can provoke them there, else from 1.31's exit statuses (IPVSADM_EXIT).
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { FixedListingError, ListingError } from '../../src/cli/execute.js';
import { parseCommandLine } from '../../src/core/parse.js';
import { reportError } from '../../src/cli/report.js';
import { IpvsExchangeError, IpvsOperationError } from '../../src/ipvs/errors.js';
import type { IpvsOperation } from '../../src/ipvs/errors.js';
import { FixedNames } from '../support/fixed-names.js';
import { CAPTURE } from './front-door/cases.js';
import type { FrontDoorCase } from './front-door/cases.js';

const { EEXIST, ESRCH, ENOENT, ERANGE, EPERM, ENODEV } = constants.errno;

function captured(name: string): FrontDoorCase {
  const c = CAPTURE.cases.find((x) => x.name === name);
  if (!c) throw new Error(`front-door/cases.json has no case '${name}'`);
  return c;
}

/** The UsageError our parser raises for a captured case's argv. */
async function usageErrorOf(c: FrontDoorCase): Promise<UsageError> {
  const e = await parseCommandLine(c.argv, { argv0: 'ipvsadm', names: new FixedNames() }).catch((x: unknown) => x);
  if (!(e instanceof UsageError)) throw new Error(`${c.argv.join(' ')}: no UsageError`);
  return e;
}

describe('usage errors: stderr is the message, status 2 (fail) or 255 (popt, try)', () => {
  for (const name of ['weight on a service', 'port 0', 'unexpected argument', 'unknown long option', 'missing argument, clustered', 'a word first']) {
    it(name, async () => {
      const c = captured(name);
      expect(reportError(await usageErrorOf(c))).toEqual({ stderr: c.stderr, code: c.status });
    });
  }
  it('the three kinds, whatever the text', () => {
    expect(reportError(new UsageError('x', 'fail'))).toEqual({ stderr: 'x\n', code: 2 });
    expect(reportError(new UsageError('y', 'popt'))).toEqual({ stderr: 'y\n', code: 255 });
    expect(reportError(new UsageError('z', 'try'))).toEqual({ stderr: 'z\n', code: 255 });
  });
});

describe('kernel refusals of changes: the table message, status 255', () => {
  const refusals: readonly [string, IpvsOperation, number][] = [
    ['add existing service', 'add-service', EEXIST],
    ['add service, unknown scheduler', 'add-service', ENOENT],
    ['edit missing service', 'edit-service', ESRCH],
    ['delete missing service', 'delete-service', ESRCH],
    ['zero missing service', 'zero', ESRCH],
    ['add server, missing service', 'add-dest', ESRCH],
    ['add existing server', 'add-dest', EEXIST],
    ['add server, lower above upper threshold', 'add-dest', ERANGE],
    ['edit missing server', 'edit-dest', ENOENT],
    ['delete missing server', 'delete-dest', ENOENT],
    ['stop daemon not running', 'stop-daemon', ESRCH],
    ['start daemon, unknown interface', 'start-daemon', ENODEV],
  ];
  for (const [name, op, errno] of refusals) {
    it(`${name} (${op}, errno ${errno})`, () => {
      const c = captured(name);
      expect(reportError(new IpvsOperationError(op, errno))).toEqual({ stderr: c.stderr, code: c.status });
    });
  }
});

describe('listing failures: status 1', () => {
  it('a missing service: the message', () => {
    const c = captured('list missing service');
    expect(reportError(new ListingError(new IpvsOperationError('get-service', ESRCH), false))).toEqual({ stderr: c.stderr, code: c.status });
  });
  it('timeouts and daemons: nothing printed', () => {
    expect(reportError(new ListingError(new IpvsOperationError('get-timeouts', EPERM), true))).toEqual({ stderr: '', code: 1 });
    expect(reportError(new ListingError(new IpvsOperationError('get-daemons', EPERM), true))).toEqual({ stderr: '', code: 1 });
  });
  it("the connection file: ipvsadm's fixed text", () => {
    expect(reportError(new FixedListingError('cannot open file /proc/net/ip_vs_conn'))).toEqual({ stderr: 'cannot open file /proc/net/ip_vs_conn\n', code: 1 });
  });
});

describe('a failed exchange (ours: ipvsadm has no such case): never silent, the status of its class', () => {
  const lost = (op: IpvsOperation): IpvsExchangeError => new IpvsExchangeError(op, constants.errno.ETIMEDOUT, 'netlink: no reply in time');
  it('in a listing, even a silent one: status 1 (listing failure)', () => {
    for (const silent of [false, true]) {
      expect(reportError(new ListingError(lost('get-timeouts'), silent))).toEqual({ stderr: 'ipvsadm: netlink: no reply in time\n', code: 1 });
    }
  });
  it('in a change: status 255 (kernel rejected a modifying operation)', () => {
    expect(reportError(lost('add-service'))).toEqual({ stderr: 'ipvsadm: netlink: no reply in time\n', code: 255 });
  });
});

describe('anything else is a bug of ours', () => {
  it('says so, asks for a report, status 70', () => {
    const r = reportError(new TypeError('boom'));
    expect(r.code).toBe(70);
    expect(r.stderr).toBe('ipvsadm: internal error (please report it): TypeError: boom\n');
    expect(reportError('thrown text')).toEqual({ stderr: 'ipvsadm: internal error (please report it): thrown text\n', code: 70 });
  });
});
