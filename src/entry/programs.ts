// The programs of bin/ as functions — ipvsadm, ipvsadm-save, ipvsadm-restore — each run through
// the app boundary (run-process.ts). `npm run build` bundles this module with everything it can
// load into dist/cli/bundle.cjs, so starting a command reads and compiles one file.
import { dispatch } from './command-table.js';
import type { ImportModule } from '../app/io.js';
import { runProcess } from '../app/run-process.js';

/** `importModule`: import() as bin/ passes it in (the bundle itself has none, see Io.importModule) */
export function ipvsadm(argv: readonly string[], importModule?: ImportModule): Promise<void> {
  return runProcess('ipvsadm', (io) => dispatch(argv, io), importModule);
}

export function ipvsadmSave(argv: readonly string[]): Promise<void> {
  return runProcess('ipvsadm', async (io) => (await import('../cli/scripts.js')).mainSave(argv, io));
}

export function ipvsadmRestore(argv: readonly string[]): Promise<void> {
  return runProcess('ipvsadm', async (io) => (await import('../cli/scripts.js')).mainRestore(argv, io));
}
