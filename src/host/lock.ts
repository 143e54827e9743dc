// The one lock of the commands that change this host: a file in /run/ipvsadm-ts that one holder at
// a time creates. Who may wait for it, and how long, is the caller's choice (as with flock -w): 0
// fails at once naming the holder. The file appears whole (written aside, then linked into place):
// "PID START NONCE", the holder's command, and the inode of its network namespace, one a line.
// It counts while its holder lives: that pid with the start time it had (a reused pid is another
// program) and, for a lock of one namespace, still in that namespace (host/netns.ts: the inode of
// a living process's namespace is exact). A lock whose holder is gone is taken over.
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { namespaceInode } from './netns.js';

export const DEFAULT_LOCK_DIR = '/run/ipvsadm-ts';

/** Lock files of versions that wrote only "PID START" were all apply's. */
const UNNAMED_HOLDER = 'ipvsadm apply';

export interface LockRequest {
  /** the lock file */
  readonly path: string;
  /** who asks, as others waiting are told (`ipvsadm apply`) */
  readonly command: string;
  /** what its holder does, for the message (`is changing this network namespace's table`) */
  readonly doing: string;
  /** the lock of one network namespace (its holder counts only while it is in it), or of the host */
  readonly scope: 'namespace' | 'host';
  /** how long to wait for a living holder (0: not at all) */
  readonly waitMs: number;
  /** how often at most to look again while waiting (first after 5 ms, then less often); default 100 ms */
  readonly pollMs?: number;
}

export interface Holder {
  readonly pid: number;
  readonly command: string;
}

/** A living holder had the lock (for `waitedMs`, 0 when not waiting). */
export class LockBusyError extends Error {
  override readonly name = 'LockBusyError';
  constructor(
    readonly holder: Holder,
    doing: string,
    readonly waitedMs: number,
  ) {
    const then = waitedMs > 0 ? `waited ${Math.round(waitedMs / 100) / 10} s for it` : 'try again when it is done';
    super(`another ${holder.command} (pid ${holder.pid}) ${doing}; ${then}`);
  }
}

export interface Lock {
  /** Removes the lock file if it still is this lock's (synchronous: safe in finally and at exit). */
  release(): void;
}

interface HolderRecord extends Holder {
  readonly start: string;
  readonly netns: string | undefined;
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

function parseHolder(text: string): HolderRecord | undefined {
  const [first = '', command, netns] = text.split('\n');
  const [pid, start] = first.trim().split(' ');
  if (!pid || !/^\d+$/.test(pid) || !start) return undefined;
  return { pid: Number(pid), start, command: command || UNNAMED_HOLDER, netns: netns || undefined };
}

async function holds(h: HolderRecord, scope: LockRequest['scope']): Promise<boolean> {
  if (startTime(h.pid) !== h.start) return false;
  if (scope === 'host' || h.netns === undefined) return true;
  try {
    return (await namespaceInode(h.pid)) === h.netns;
  } catch (e) {
    // not ours to look at (another user's process): it lives, so it holds
    return (e as NodeJS.ErrnoException).code === 'EACCES' || (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Moves a dead holder's file away; a living lock moved by mistake (taken over meanwhile) goes back. */
async function breakStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke it first
    throw e;
  }
  if ((await readText(aside)) !== staleText) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

async function linked(tmp: string, path: string): Promise<boolean> {
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Takes the lock, waiting up to `req.waitMs` for a living holder; throws LockBusyError naming it. */
export async function takeLock(req: LockRequest): Promise<Lock> {
  await mkdir(dirname(req.path), { recursive: true, mode: 0o755 });
  const netns = await namespaceInode().catch(() => '');
  const mine = `${process.pid} ${startTime(process.pid) ?? '0'} ${randomUUID()}\n${req.command}\n${netns}\n`;
  const tmp = `${req.path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, mine, { mode: 0o644, flag: 'wx' });
  try {
    const started = Date.now();
    // short holds (a state-file write) are met fast; long ones are not polled in a busy loop
    let poll = Math.min(5, req.pollMs ?? 100);
    for (;;) {
      if (await linked(tmp, req.path)) return { release: () => releaseIfMine(req.path, mine) };
      const text = await readText(req.path);
      if (text === undefined) continue; // released in between
      const held = parseHolder(text);
      if (!held || !(await holds(held, req.scope))) {
        await breakStale(req.path, text);
        continue;
      }
      const waited = Date.now() - started;
      if (waited >= req.waitMs) throw new LockBusyError(held, req.doing, req.waitMs);
      await new Promise((r) => setTimeout(r, Math.min(poll, req.waitMs - waited)));
      poll = Math.min(poll * 2, req.pollMs ?? 100);
    }
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Errors saying this process may not make the lock file (not root, a read-only /run). */
const NOT_PERMITTED = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * takeLock, or no lock when this process may not make the lock file: for runs that need the same
 * right for every change they make (they then fail at their first change, naming what matters).
 */
export async function takeLockIfPermitted(req: LockRequest): Promise<Lock> {
  try {
    return await takeLock(req);
  } catch (e) {
    if (NOT_PERMITTED.has((e as NodeJS.ErrnoException).code ?? '')) return { release: () => undefined };
    throw e;
  }
}

function releaseIfMine(path: string, mine: string): void {
  try {
    if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * The lock of this network namespace's IPVS table, taken by apply and drain. Its file keeps the
 * name earlier versions of apply used, so a running older apply and a newer one exclude each other.
 */
export async function tableLock(dir: string, command: string, waitMs: number): Promise<LockRequest> {
  const netns = await namespaceInode().catch(() => 'default');
  return { path: join(dir, `apply-netns-${netns}.lock`), command, doing: "is changing this network namespace's table", scope: 'namespace', waitMs };
}

/** The lock of preparing one network namespace (its inode `netns`), taken by realserver and director up and down. */
export function prepLock(dir: string, netns: string, command: string, waitMs: number): LockRequest {
  return { path: join(dir, `prep-netns-${netns}.lock`), command, doing: 'is preparing this network namespace', scope: 'namespace', waitMs };
}

/** The lock of the state files in `dir`, held while one of them is read, changed and written. */
export function stateLock(dir: string, command: string, waitMs: number): LockRequest {
  return { path: join(dir, 'state.lock'), command, doing: `is writing the state files in ${dir}`, scope: 'host', waitMs };
}
