// `--netns`: this program run again under nsenter(1) in the namespace splitNetns found. Its own
// module so that node:child_process is loaded only by the commands that use --netns.
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { PROCESS_EXIT } from './exit-status.js';

/**
 * Runs this program again inside `netns` with `argv`, stdio passed through: its exit status, or
 * why it could not be run (for the caller to print through the app boundary).
 */
export function runInNetns(netns: string, argv: readonly string[]): { readonly status: number } | { readonly error: string } {
  const script = process.argv[1];
  if (script === undefined) return { error: '--netns: cannot tell which program to run again' };
  const r = spawnSync('nsenter', [`--net=${netns}`, '--', process.execPath, script, ...argv], { stdio: 'inherit' });
  if (r.error) return { error: `--netns: cannot run nsenter: ${r.error.message}` };
  if (r.signal) return { status: 128 + (constants.signals[r.signal] ?? 0) };
  return { status: r.status ?? PROCESS_EXIT.INTERNAL_ERROR };
}
