// An Io for subcommand tests without root or network: output captured as text, netlink refused
// (a test that reaches the kernel fails loudly), fixed names. Used by test/lab, test/realserver/cli
// and test/man.
import type { Io } from '../../src/cli/main.js';
import { FixedNames } from './fixed-names.js';

export interface CapturedIo extends Io {
  readonly out: () => string;
  readonly err: () => string;
}

export function captureIo(): CapturedIo {
  let out = '';
  let err = '';
  return {
    argv0: 'ipvsadm',
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    readStdin: async () => '',
    openTransport: async () => {
      throw new Error('test: no netlink in unit tests');
    },
    names: new FixedNames(),
    loadModule: async () => undefined,
    readConnections: async () => '',
    out: () => out,
    err: () => err,
  };
}
