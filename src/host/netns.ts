// Which network namespace: the one identity used by the locks (lock.ts) and the preparation's state
// records. For a process that is alive, the inode of /proc/PID/ns/net is exact: a namespace lives
// as long as a process is in it, so no two living namespaces share an inode. A record that outlives
// the process that wrote it (the state file) needs more, because the kernel hands a deleted
// namespace's inode to the next namespace at once: such a record carries the marker on lo below.
//
// Why this marker: SO_NETNS_COOKIE would be exact but needs getsockopt on a raw socket (a native
// addon); every namespace has an undeletable lo, and an alias (IFLA_IFALIAS, `ip link set lo alias
// ...`) is inert (nothing routes, filters or names by it), dies with its namespace, is shown by
// `ip link show lo`, and is readable without privileges. An alias that is not ours is never
// overwritten.
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { RtnlClient } from '../rtnl/client.js';

/** The inode of the network namespace of `pid` (default: this process), as text. */
export async function namespaceInode(pid: number | 'self' = 'self', procRoot = '/proc'): Promise<string> {
  return String((await stat(`${procRoot}/${pid}/ns/net`)).ino);
}

/** The inode of the namespace at `path` (/proc/self/ns/net, or a test's stand-in), as text. */
export async function namespaceInodeAt(path: string): Promise<string> {
  return String((await stat(path)).ino);
}

export const MARKER_PREFIX = 'ipvsadm-ts marker ';

/** What reading and setting the marker takes from rtnetlink. */
export type LoPort = Pick<RtnlClient, 'link' | 'setAlias'>;

/** lo as read now: its index and our marker's token, or the alias that is not ours. */
export interface LoMark {
  readonly index: number | undefined;
  readonly token: string | undefined;
  /** an alias that is not our marker (left alone) */
  readonly foreign: string | undefined;
}

export async function readLo(rtnl: LoPort): Promise<LoMark> {
  const lo = await rtnl.link('lo');
  const alias = lo?.alias;
  const token = alias?.startsWith(MARKER_PREFIX) ? alias.slice(MARKER_PREFIX.length) : undefined;
  return { index: lo?.index, token, foreign: token === undefined ? alias : undefined };
}

/** The marker a record written now carries: lo's, or a new one set on lo when it has no alias. */
export interface Marking {
  readonly token: string | undefined;
  /** this call set it (a failed commit takes it off again) */
  readonly setNow: boolean;
}

export async function markNamespace(rtnl: LoPort): Promise<Marking> {
  const lo = await readLo(rtnl);
  if (lo.token !== undefined) return { token: lo.token, setNow: false };
  if (lo.index === undefined || lo.foreign !== undefined) return { token: undefined, setNow: false };
  const token = randomUUID();
  await rtnl.setAlias(lo.index, `${MARKER_PREFIX}${token}`);
  return { token, setNow: true };
}

/** Takes our marker off lo (only if it still is `token`): the namespace has no record left. */
export async function unmarkNamespace(rtnl: LoPort, token: string): Promise<void> {
  const lo = await readLo(rtnl);
  if (lo.index !== undefined && lo.token === token) await rtnl.setAlias(lo.index, '');
}
