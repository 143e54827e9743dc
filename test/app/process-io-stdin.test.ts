// How the real process reads stdin (dist/, which `npm test` builds first): a file, pipe or
// socket in one synchronous read (readWhole), anything else through the stream; a non-blocking
// pipe that runs dry goes on through the stream without losing what was read. Bytes kept raw.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readWhole } from '../../src/app/process-io.js';

const dist = (path: string): string => fileURLToPath(new URL(`../../dist/${path}`, import.meta.url));

/** Prints the md5 and length of what processIo's readStdin gave, as raw bytes again. */
const CHILD = `
import { createHash } from 'node:crypto';
import { processIo } from ${JSON.stringify(dist('app/process-io.js'))};
import { encodeRaw } from ${JSON.stringify(dist('app/raw-text.js'))};
const text = await processIo('ipvsadm', { stdout() {}, stderr() {} }).readStdin();
const bytes = encodeRaw(text);
console.log(bytes.length, createHash('md5').update(bytes).digest('hex'));
`;

const dir = mkdtempSync(join(tmpdir(), 'stdin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function input(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = i % 97 === 0 ? 0x0a : i % 1013 === 0 ? 0xff : 0x41 + (i % 26); // with bytes that are not UTF-8
  return b;
}
const digest = (b: Buffer): string => `${b.length} ${createHash('md5').update(b).digest('hex')}\n`;

describe('readStdin of the real process', () => {
  it.each([0, 1, 5000, 3 * (1 << 20) + 7])('a regular file of %i bytes: every byte', (size) => {
    const bytes = input(size);
    const f = join(dir, `in${size}`);
    writeFileSync(f, bytes);
    const fd = openSync(f, 'r');
    try {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
      expect({ out: r.stdout, err: r.stderr, status: r.status }).toEqual({ out: digest(bytes), err: '', status: 0 });
    } finally {
      closeSync(fd);
    }
  });

  it('a socket (what spawn from Node passes) written slowly, in pieces: every byte', async () => {
    const bytes = input(300_000);
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    for (let at = 0; at < bytes.length; at += 70_000) {
      child.stdin.write(bytes.subarray(at, at + 70_000));
      await new Promise((r) => setTimeout(r, 30));
    }
    child.stdin.end();
    const status = await new Promise((r) => child.on('close', r));
    expect({ out, err, status }).toEqual({ out: digest(bytes), err: '', status: 0 });
  });
});

/** CHILD run by bash at the end of a real pipe whose writer pauses between two halves. */
function throughPipe(bytes: Buffer, touchStdinFirst: boolean): { out: string; err: string; status: number | null } {
  const f = join(dir, `pipe${bytes.length}`);
  writeFileSync(f, bytes);
  const half = Math.floor(bytes.length / 2);
  // process.stdin made first: libuv sets the pipe non-blocking, so a read finds it empty (EAGAIN)
  const child = touchStdinFirst ? `process.stdin; ${CHILD}` : CHILD;
  const script = `(head -c ${half} ${f}; sleep 0.5; tail -c +${half + 1} ${f}) | "${process.execPath}" --input-type=module -e "$CHILD"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, CHILD: child } });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

describe('readStdin from a pipe (a FIFO, as a shell makes it)', () => {
  it('a blocking pipe whose writer pauses: every byte', () => {
    const bytes = input(200_000);
    expect(throughPipe(bytes, false)).toEqual({ out: digest(bytes), err: '', status: 0 });
  });

  it('a non-blocking pipe that runs dry: the bytes read so far, then the stream, every byte once', () => {
    const bytes = input(200_000);
    expect(throughPipe(bytes, true)).toEqual({ out: digest(bytes), err: '', status: 0 });
  });
});

describe('readWhole', () => {
  it('a descriptor with nothing more for now (EAGAIN): the bytes so far, not complete', () => {
    const parts = [Buffer.from('-A -t 192.0.2.1:80\n'), Buffer.from('-a -t 192.0.2.1:80 -r 198.51.100.1\n')];
    let pending = Buffer.concat(parts);
    const fs = {
      readSync: (_fd: number, buf: NodeJS.ArrayBufferView, offset: number, length: number): number => {
        if (pending.length === 0) throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, read'), { code: 'EAGAIN' });
        const n = Math.min(length, pending.length, 7); // a few bytes per read: the buffer doubles twice
        Buffer.from(buf.buffer, buf.byteOffset).set(pending.subarray(0, n), offset);
        pending = pending.subarray(n);
        return n;
      },
    } as Pick<typeof import('node:fs'), 'readSync'>;
    const r = readWhole(0, fs, 16);
    expect({ text: Buffer.from(r.bytes).toString(), complete: r.complete }).toEqual({ text: parts.join(''), complete: false });
  });

  it('other read errors are thrown', () => {
    const fs = { readSync: () => { throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }); } } as unknown as Pick<typeof import('node:fs'), 'readSync'>;
    expect(() => readWhole(0, fs, 16)).toThrow(/EIO/);
  });
});
