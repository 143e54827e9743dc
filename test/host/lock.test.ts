// lock.ts in a temp directory: the file it writes, contention (at once and with a bounded wait,
// with the holder named), a wait that ends when the holder releases, holders that died, a reused
// pid, a holder that left the namespace it locked, files of earlier versions, many takers at once
// doing a read-modify-write that the lock must keep whole, and no lock where it may not be made.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockBusyError, prepLock, stateLock, tableLock, takeLock, takeLockIfPermitted } from '../../src/host/lock.js';
import type { LockRequest } from '../../src/host/lock.js';
import { tempDir } from '../prep/support.js';

const ownStart = (): string => {
  const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};
const ownNetns = (): string => String(statSync('/proc/self/ns/net').ino);

async function request(more: Partial<LockRequest> = {}): Promise<LockRequest> {
  return { path: join(await tempDir(), 'x.lock'), command: 'ipvsadm test', doing: 'is testing', scope: 'namespace', waitMs: 0, ...more };
}

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid;
}

describe('takeLock', () => {
  it('writes "PID START NONCE", the command and its namespace; release removes it and leaves nothing else', async () => {
    const req = await request();
    const lock = await takeLock(req);
    const [first, command, netns, rest] = readFileSync(req.path, 'utf8').split('\n');
    expect(first).toMatch(new RegExp(`^${process.pid} ${ownStart()} [0-9a-f-]{36}$`));
    expect([command, netns, rest]).toEqual(['ipvsadm test', ownNetns(), '']);
    lock.release();
    expect(readdirSync(join(req.path, '..'))).toEqual([]);
  });

  it('a living holder: busy at once, naming its command and pid; its lock is left as it was', async () => {
    const req = await request();
    const held = await takeLock({ ...req, command: 'ipvsadm apply' });
    const text = readFileSync(req.path, 'utf8');
    const e = await takeLock(req).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LockBusyError);
    expect((e as Error).message).toBe(`another ipvsadm apply (pid ${process.pid}) is testing; try again when it is done`);
    expect(readFileSync(req.path, 'utf8')).toBe(text);
    held.release();
    expect(existsSync(req.path)).toBe(false);
  });

  it('a bounded wait gives up after its time, saying how long it waited', async () => {
    const req = await request({ waitMs: 300, pollMs: 20 });
    const held = await takeLock(req);
    const started = Date.now();
    const e = await takeLock(req).catch((x: unknown) => x);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect((e as Error).message).toBe(`another ipvsadm test (pid ${process.pid}) is testing; waited 0.3 s for it`);
    held.release();
  });

  it('a wait ends as soon as the holder releases', async () => {
    const req = await request({ waitMs: 5000, pollMs: 10 });
    const held = await takeLock(req);
    setTimeout(() => held.release(), 100);
    const started = Date.now();
    const second = await takeLock(req);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(readFileSync(req.path, 'utf8')).toContain(`${process.pid} `);
    second.release();
  });

  it('takes over the lock of a holder that died, of a reused pid, and a file that is not a lock', async () => {
    for (const stale of [`${deadPid()} 12345 old\nipvsadm apply\n${ownNetns()}\n`, `${process.pid} 1 reused\nipvsadm apply\n\n`, 'garbage']) {
      const req = await request();
      writeFileSync(req.path, stale);
      const lock = await takeLock(req);
      expect(readFileSync(req.path, 'utf8')).toMatch(new RegExp(`^${process.pid} ${ownStart()} `));
      lock.release();
      expect(readdirSync(join(req.path, '..'))).toEqual([]);
    }
  });

  it("a living holder no longer in the namespace it locked: taken over for a namespace's lock, not for the host's", async () => {
    const moved = `${process.pid} ${ownStart()} n\nipvsadm apply\n1\n`;
    const ns = await request({ scope: 'namespace' });
    writeFileSync(ns.path, moved);
    (await takeLock(ns)).release();
    const host = await request({ scope: 'host' });
    writeFileSync(host.path, moved);
    await expect(takeLock(host)).rejects.toBeInstanceOf(LockBusyError);
  });

  it('a lock file of an earlier version ("PID START") is apply\'s, and holds while its process lives', async () => {
    const req = await request();
    writeFileSync(req.path, `${process.pid} ${ownStart()}\n`);
    await expect(takeLock(req)).rejects.toThrow(`another ipvsadm apply (pid ${process.pid}) is testing; try again when it is done`);
    writeFileSync(req.path, '999999999 12345\n');
    (await takeLock(req)).release();
  });

  it('keeps a read-modify-write whole: 25 takers at once, each adding one to a counter, lose none', async () => {
    const req = await request({ waitMs: 10_000, pollMs: 2 });
    const counter = join(req.path, '..', 'counter');
    await writeFile(counter, '0');
    const add = async (locked: boolean): Promise<void> => {
      const lock = locked ? await takeLock(req) : undefined;
      try {
        const n = Number(await readFile(counter, 'utf8'));
        await new Promise((r) => setTimeout(r, 1));
        await writeFile(counter, String(n + 1));
      } finally {
        lock?.release();
      }
    };
    await Promise.all(Array.from({ length: 25 }, () => add(true)));
    expect(await readFile(counter, 'utf8')).toBe('25');
    // the same without the lock loses updates: the check above can fail
    await writeFile(counter, '0');
    await Promise.all(Array.from({ length: 25 }, () => add(false)));
    expect(Number(await readFile(counter, 'utf8'))).toBeLessThan(25);
  });
});

describe('takeLockIfPermitted', () => {
  it('no lock (and no error) where this process may not make the lock file; a busy lock still throws', async () => {
    const req = await request();
    await expect(takeLock({ ...req, path: '/sys/kernel/x.lock' })).rejects.toMatchObject({ code: expect.stringMatching(/^(EACCES|EPERM|EROFS)$/) });
    const none = await takeLockIfPermitted({ ...req, path: '/sys/kernel/x.lock' });
    none.release();
    const held = await takeLock(req);
    await expect(takeLockIfPermitted(req)).rejects.toBeInstanceOf(LockBusyError);
    held.release();
  });
});

describe('the named locks', () => {
  it("the table lock keeps apply's file name; the preparation's is per namespace; the state files' per directory", async () => {
    const table = await tableLock('/run/x', 'ipvsadm drain', 5);
    expect(table).toEqual({ path: `/run/x/apply-netns-${ownNetns()}.lock`, command: 'ipvsadm drain', doing: "is changing this network namespace's table", scope: 'namespace', waitMs: 5 });
    expect(prepLock('/run/x', '42', 'ipvsadm realserver up', 7)).toMatchObject({ path: '/run/x/prep-netns-42.lock', doing: 'is preparing this network namespace', scope: 'namespace' });
    expect(stateLock('/run/x', 'ipvsadm director down', 9)).toMatchObject({ path: '/run/x/state.lock', doing: 'is writing the state files in /run/x', scope: 'host' });
  });
});
