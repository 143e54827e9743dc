// The process side of Io: IPVSADM_NETLINK_TIMEOUT parsing, and main() refusing a bad value with
// one line and status 2 before it touches the kernel (help and version still work).
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { timeoutFromEnv } from '../../src/cli/process-io.js';
import { captureIo } from '../support/capture-io.js';

describe('timeoutFromEnv', () => {
  it.each([
    [undefined, {}],
    ['', {}],
    ['5', { netlinkTimeoutMs: 5000 }],
    ['0.25', { netlinkTimeoutMs: 250 }],
    [' 2 ', { netlinkTimeoutMs: 2000 }],
  ])('%j → %j', (value, expected) => {
    expect(timeoutFromEnv(value)).toEqual(expected);
  });

  it.each(['abc', '-1', '1e3', '5s', '.5'])('%j is not a number of seconds (NaN)', (value) => {
    expect(timeoutFromEnv(value).netlinkTimeoutMs).toBeNaN();
  });
});

describe('main with a bad IPVSADM_NETLINK_TIMEOUT', () => {
  for (const ms of [NaN, 0]) {
    it(`${ms}: one line, status 2, no kernel touched`, async () => {
      const io = { ...captureIo(), netlinkTimeoutMs: ms };
      expect(await main(['-Ln'], io)).toBe(2);
      expect(io.err()).toBe('ipvsadm: IPVSADM_NETLINK_TIMEOUT must be a positive number of seconds\n');
      expect(io.out()).toBe('');
    });
  }

  it('help still works', async () => {
    const io = { ...captureIo(), netlinkTimeoutMs: NaN };
    expect(await main(['-h'], io)).toBe(0);
    expect(io.err()).toBe('');
  });
});
