// The process side of Io: IPVSADM_NETLINK_TIMEOUT parsing, and main() refusing a bad value with
// one line and status 2 before it touches the kernel (help and version still work).
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { timeoutFromEnv } from '../../src/app/process-io.js';
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

describe('large listings are streamed with back-pressure', () => {
  it('-Ln and -Sn of 3,000 services: chunks in order, drainStdout awaited, the same text as in one piece', async () => {
    const { FakeIpvs } = await import('../support/fake-ipvs.js');
    const { fakeKernelIo } = await import('../support/capture-io.js');
    const ipvs = new FakeIpvs();
    const rules = Array.from({ length: 3000 }, (_, i) => `-A -t 192.0.2.${1 + (i % 250)}:${1000 + Math.floor(i / 250)} -s rr\n-a -t 192.0.2.${1 + (i % 250)}:${1000 + Math.floor(i / 250)} -r 198.51.100.1 -m\n-a -t 192.0.2.${1 + (i % 250)}:${1000 + Math.floor(i / 250)} -r 198.51.100.2 -m\n`).join('');
    expect(await main(['-R'], fakeKernelIo({ model: ipvs }, { readStdin: async () => rules }))).toBe(0);
    for (const args of [['-Ln'], ['-Sn']]) {
      const whole = fakeKernelIo({ model: ipvs });
      expect(await main(args, whole)).toBe(0);
      const chunks: string[] = [];
      let drains = 0;
      const streamed = { ...fakeKernelIo({ model: ipvs }, { drainStdout: async () => void drains++ }), stdout: (t: string) => void chunks.push(t) };
      expect(await main(args, streamed)).toBe(0);
      expect(chunks.length).toBeGreaterThan(10);
      expect(drains).toBeGreaterThan(0);
      expect(chunks.join('')).toBe(whole.out());
      expect(whole.out().split('\n')).toHaveLength((args[0] === '-Ln' ? 3 : 0) + 9000 + 1);
    }
  }, 60_000);
});
