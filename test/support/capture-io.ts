// An Io for tests without root or network: output captured as text, fixed names. captureIo()
// refuses netlink (a test that reaches the kernel fails loudly; test/lab, test/realserver/cli,
// test/man); fakeKernelIo() serves every socket from one fake IPVS model (test/cli front door).
import type { Io } from '../../src/app/io.js';
import { FakeKernel } from './fake-kernel.js';
import type { FakeKernelOptions } from './fake-kernel.js';
import { FixedNames } from './fixed-names.js';

export interface CapturedIo extends Io {
  readonly out: () => string;
  readonly err: () => string;
}

export function captureIo(overrides: Partial<Io> = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    argv0: 'ipvsadm',
    readStdin: async () => '',
    openTransport: async () => {
      throw new Error('test: no netlink in unit tests');
    },
    names: new FixedNames(),
    loadModule: async () => undefined,
    readConnections: async () => '',
    ...overrides,
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    out: () => out,
    err: () => err,
  };
}

/** A captured Io whose every netlink socket is a new FakeKernel over the same `kernel` options. */
export function fakeKernelIo(kernel: FakeKernelOptions, overrides: Partial<Io> = {}): CapturedIo {
  return captureIo({ openTransport: async () => new FakeKernel(kernel), ...overrides });
}

/** What a program printed and the status it ended with. */
export interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Runs `program` (e.g. the command table's dispatch) over a fake kernel of `kernel`, with `stdin`. */
export async function runOverFakeKernel(kernel: FakeKernelOptions, program: (io: CapturedIo) => Promise<number>, stdin = ''): Promise<Run> {
  const io = fakeKernelIo(kernel, { readStdin: async () => stdin });
  const code = await program(io);
  return { stdout: io.out(), stderr: io.err(), code };
}
