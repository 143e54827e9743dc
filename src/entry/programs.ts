// The programs of bin/ as functions — ipvsadm, ipvsadm-save, ipvsadm-restore — each run through
// the app boundary (run-process.ts). `npm run build` bundles this module with everything it can
// load into dist/cli/bundle.cjs, so starting a command reads and compiles one file.
import { dispatch } from './command-table.js';
import type { ImportModule } from '../app/io.js';
import { runProcess } from '../app/run-process.js';
import { IPVSADM_EXIT } from '../app/exit-status.js';
import { splitNetns } from '../app/netns.js';

/**
 * `--netns` (ours, anywhere in argv): the program runs itself again inside that namespace
 * (app/netns.ts); otherwise `run` gets argv without it.
 */
function inNamespace(argv: readonly string[], run: (argv: readonly string[]) => Promise<void>): Promise<void> {
  const split = splitNetns(argv);
  const refuse = (error: string): Promise<void> =>
    runProcess('ipvsadm', async (io) => {
      io.stderr(`ipvsadm: ${error}\n`);
      return IPVSADM_EXIT.USAGE;
    });
  if ('error' in split) return refuse(split.error);
  if (split.netns !== undefined) {
    const netns = split.netns;
    return import('../app/netns-exec.js').then(({ runInNetns }) => {
      const ran = runInNetns(netns, split.argv);
      if ('error' in ran) return refuse(ran.error);
      process.exitCode = ran.status;
      return undefined;
    });
  }
  return run(split.argv);
}

/** `importModule`: import() as bin/ passes it in (the bundle itself has none, see Io.importModule) */
export function ipvsadm(argv: readonly string[], importModule?: ImportModule): Promise<void> {
  return inNamespace(argv, (args) => runProcess('ipvsadm', (io) => dispatch(args, io), importModule));
}

export function ipvsadmSave(argv: readonly string[]): Promise<void> {
  return inNamespace(argv, (args) => runProcess('ipvsadm', async (io) => (await import('../cli/scripts.js')).mainSave(args, io)));
}

export function ipvsadmRestore(argv: readonly string[]): Promise<void> {
  return inNamespace(argv, (args) => runProcess('ipvsadm', async (io) => (await import('../cli/scripts.js')).mainRestore(args, io)));
}
