// The ipvsadm-save and ipvsadm-restore entry points: ipvsadm 1.31 ships them as shell wrappers
// around `ipvsadm -S` and `ipvsadm -C; ipvsadm -R`; these reproduce their argument handling.
import { main } from './main.js';
import type { Io } from '../app/io.js';
import { reportError } from './report.js';
import { isJsonSave } from '../save/json-read.js';
import { IPVSADM_EXIT } from '../app/exit-status.js';

/**
 * The 1.31 wrappers run `ipvsadm` through PATH, so its messages ("Try `ipvsadm -h' ...") always
 * name `ipvsadm`, whatever the wrapper itself was called as.
 */
const asIpvsadm = (io: Io): Io => ({ ...io, argv0: 'ipvsadm' });

/**
 * ipvsadm-save [-n] [--json]: any other option prints a short usage and exits 1; other words are
 * ignored. --json (ours) saves everything as JSON (`ipvsadm -S --json`).
 */
export async function mainSave(argv: readonly string[], io: Io, name = 'ipvsadm-save'): Promise<number> {
  const args = ['-S'];
  for (const arg of argv) {
    if (arg === '-n' || arg === '--json') {
      if (!args.includes(arg)) args.push(arg);
    } else if (arg.startsWith('-')) {
      io.stderr(
        `${name}: saves the IPVS table to standard output, in ipvsadm -R form.\n   -n prints addresses and ports as numbers.\n   --json saves everything (thresholds, timeouts, sync daemons too) as JSON.\n`,
      );
      return IPVSADM_EXIT.SAVE_USAGE;
    }
  }
  return main(args, asIpvsadm(io));
}

/**
 * ipvsadm-restore: drops lines that start with `#`, flushes the table, then restores stdin.
 * A JSON save (ours) is read whole first and restored as it is.
 */
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
  // A JSON save is checked whole before the table is flushed: a bad file changes nothing.
  if (isJsonSave(text)) {
    const { readOrReport } = await import('./restore-json.js');
    const saved = readOrReport(text, io.stderr);
    if (typeof saved === 'number') return saved;
    await main(['-C'], asIpvsadm(io));
    return main(['-R'], { ...asIpvsadm(io), readStdin: async () => text });
  }
  const kept = text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
  await main(['-C'], asIpvsadm(io));
  return main(['-R'], { ...asIpvsadm(io), readStdin: async () => `${kept}\n` });
}
