// Which socket main() opens for a command: listings and saves of the whole table read with a
// fixed 32 KiB buffer (the kernel then packs the dumps into few datagrams); everything else
// keeps the binding's size-peeking reads (restore's many small replies must not each hold 32 KiB).
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { TransportOptions } from '../../src/netlink/transport.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { FakeKernel } from '../support/fake-kernel.js';

async function socketsOf(argv: string[]): Promise<(TransportOptions | undefined)[]> {
  const opened: (TransportOptions | undefined)[] = [];
  const model = new FakeIpvs();
  expect(await main(['-A', '-t', '192.0.2.1:80'], fakeKernelIo({ model }))).toBe(0);
  const io = fakeKernelIo({}, {
    openTransport: async (_protocol, options) => {
      opened.push(options);
      return new FakeKernel({ model });
    },
  });
  const status = await main(argv, io);
  expect(io.err()).toBe('');
  expect(status).toBe(0);
  return opened;
}

describe('main: the socket a command reads with', () => {
  it.each([['-Ln'], ['-L'], ['-Sn'], ['-S'], ['-Ln', '--stats'], ['-L', '-n', '--rate']])('%s dumps the table: 32 KiB reads', async (...argv) => {
    const opened = await socketsOf(argv);
    expect(opened.length).toBeGreaterThan(0);
    expect(opened[0]).toEqual({ readBytes: 32 * 1024 });
  });

  it.each([
    ['-A', '-t', '192.0.2.2:80'],
    ['-Ln', '-t', '192.0.2.1:80'],
    ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1'],
    ['-C'],
    ['-L', '--timeout'],
  ])('%s … peeks at each reply', async (...argv) => {
    const opened = await socketsOf(argv);
    expect(opened.length).toBeGreaterThan(0);
    for (const options of opened) expect(options?.readBytes).toBeUndefined();
  });
});
