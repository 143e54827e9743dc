// `--netns NAME|PATH` (ours, any command): the command runs in that network namespace — a name
// under /run/netns (as `ip netns add` makes them) or a path such as /proc/PID/ns/net. The
// process runs itself again under nsenter(1) (netns-exec.ts, loaded only then), so the netlink
// socket and every /proc/net and /proc/sys file it reads belong to that namespace.
import { statSync } from 'node:fs';

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
