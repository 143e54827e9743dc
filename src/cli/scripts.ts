// The ipvsadm-save and ipvsadm-restore entry points: ipvsadm 1.31 ships them as shell wrappers
// around `ipvsadm -S` and `ipvsadm -C; ipvsadm -R`; these reproduce their argument handling.
import { main } from './main.js';
import type { Io } from '../app/io.js';
import { reportError } from './report.js';

/**
 * The 1.31 wrappers run `ipvsadm` through PATH, so its messages ("Try `ipvsadm -h' ...") always
 * name `ipvsadm`, whatever the wrapper itself was called as.
 */
const asIpvsadm = (io: Io): Io => ({ ...io, argv0: 'ipvsadm' });

/** ipvsadm-save [-n]: any other option prints a short usage and exits 1; other words are ignored. */
export async function mainSave(argv: readonly string[], io: Io, name = 'ipvsadm-save'): Promise<number> {
  let numeric = false;
  for (const arg of argv) {
    if (arg === '-n') numeric = true;
    else if (arg.startsWith('-')) {
      io.stderr(`${name}: saves the IPVS table to standard output, in ipvsadm -R form.\n   -n prints addresses and ports as numbers.\n`);
      return 1;
    }
  }
  return main(numeric ? ['-S', '-n'] : ['-S'], asIpvsadm(io));
}

/** ipvsadm-restore: drops lines that start with `#`, flushes the table, then restores stdin. */
export async function mainRestore(_argv: readonly string[], io: Io): Promise<number> {
  let text: string;
  try {
    text = await io.readStdin();
  } catch (e) {
    // Deliberate fix: 1.31 flushes the table even when its input cannot be read.
    const r = reportError(e);
    io.stderr(r.stderr);
    return r.code;
  }
  const kept = text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
  await main(['-C'], asIpvsadm(io));
  return main(['-R'], { ...asIpvsadm(io), readStdin: async () => `${kept}\n` });
}
