// `--netns NAME|PATH` (ours, any command): the command runs in that network namespace — a name
// under /run/netns (as `ip netns add` makes them) or a path such as /proc/PID/ns/net. The
// process runs itself again under nsenter(1), so the netlink socket and every /proc/net and
// /proc/sys file it reads belong to that namespace, as with `ip netns exec`.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { PROCESS_EXIT } from './exit-status.js';

export const NETNS_DIR = '/run/netns';

export type NetnsArgs = { readonly argv: readonly string[]; readonly netns?: string } | { readonly error: string };

/** Takes `--netns X` / `--netns=X` out of argv; the namespace file it names, or why not. */
export function splitNetns(argv: readonly string[]): NetnsArgs {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    let given: string | undefined;
    if (arg === '--netns') {
      given = argv[i + 1];
      if (given === undefined) return { error: '--netns: expected a namespace name (under /run/netns) or a path' };
      i++;
    } else if (arg.startsWith('--netns=')) given = arg.slice('--netns='.length);
    else {
      rest.push(arg);
      continue;
    }
    if (value !== undefined) return { error: '--netns: given twice' };
    value = given;
  }
  if (value === undefined) return { argv: rest };
  const path = value.includes('/') ? value : /^[A-Za-z0-9_.-]+$/.test(value) && value !== '.' && value !== '..' ? `${NETNS_DIR}/${value}` : undefined;
  if (path === undefined) return { error: `--netns ${value}: not a namespace name or path` };
  try {
    statSync(path);
  } catch {
    return { error: `--netns ${value}: no such network namespace (${path})` };
  }
  return { argv: rest, netns: path };
}

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
