// Runs our ipvsadm in-process (node starts slowly inside the user-mode kernel, so the kernel
// suite calls main() directly rather than spawning bin/ipvsadm.js for every case).
import { dispatch } from '../../../src/entry/command-table.js';
import type { Io } from '../../../src/app/io.js';
import { processIo } from '../../../src/app/process-io.js';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** Our tool with argv0 `ipvsadm`, real netlink, system names; output captured. */
export async function runOurs(args: readonly string[], opts: { stdin?: string } = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    ...processIo('ipvsadm', { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }),
    argv0: 'ipvsadm',
    readStdin: async () => opts.stdin ?? '',
    loadModule: async () => undefined,
  };
  const code = await dispatch(args, io);
  return { stdout, stderr, code };
}
