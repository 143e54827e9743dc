// One `ipvsadm apply` at a time per network namespace: a lock file under /run/ipvsadm-ts named
// after the namespace's inode, holding the owner's pid and start time. A
// lock whose owner is gone (killed, crashed, a reused pid of another program) is taken over.
// The file is linked into place whole, so it is never seen empty.
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_LOCK_DIR = '/run/ipvsadm-ts';

/** Another apply holds the lock. */
export class LockBusyError extends Error {
  override readonly name = 'LockBusyError';
  constructor(readonly pid: number) {
    super(`another ipvsadm apply (pid ${pid}) is changing this network namespace's table; try again when it is done`);
  }
}

export interface Lock {
  release(): void;
}

/** The namespace's inode: the lock of one namespace never blocks another's. */
function netnsId(): string {
  try {
    return String(statSync('/proc/self/ns/net').ino);
  } catch {
    return 'default';
  }
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function owner(path: string): { pid: number; start: string } | undefined {
  try {
    const [pid, start] = readFileSync(path, 'utf8').trim().split(' ');
    return pid && start ? { pid: Number(pid), start } : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock of this namespace, or throws LockBusyError naming the holder. */
export function takeLock(dir = DEFAULT_LOCK_DIR): Lock {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, `apply-netns-${netnsId()}.lock`);
  const mine = `${process.pid} ${startTime(process.pid) ?? '0'}\n`;
  // The lock appears with its content at once: written to a file of our own, then linked.
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  writeSync(fd, mine);
  closeSync(fd);
  try {
    return takeWith(path, tmp, mine);
  } finally {
    unlinkSync(tmp);
  }
}

function takeWith(path: string, tmp: string, mine: string): Lock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      linkSync(tmp, path);
      return { release: () => releaseIfMine(path, mine) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const held = owner(path);
    if (held && startTime(held.pid) === held.start) throw new LockBusyError(held.pid);
    // The holder is gone: move its file aside (only one taker wins the rename) and try again.
    try {
      renameSync(path, `${path}.stale-${process.pid}`);
      unlinkSync(`${path}.stale-${process.pid}`);
    } catch {
      // another apply took it over first; the next attempt sees its lock
    }
  }
  const held = owner(path);
  throw new LockBusyError(held?.pid ?? 0);
}

function releaseIfMine(path: string, mine: string): void {
  try {
    if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
  } catch {
    // already gone
  }
}
