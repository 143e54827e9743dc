// StreamWriter: queued text is written in order, in bounded chunks, with back-pressure, and the
// first write error is kept — never thrown, never an unhandled 'error' event.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, StreamWriter, writeErrorText } from '../../src/app/output.js';
import type { WritableLike } from '../../src/app/output.js';
import { reliabilityTest } from '../support/reliability.js';

/** A stream double: records chunks; `full` makes write() report back-pressure until drained. */
class FakeStream extends EventEmitter implements WritableLike {
  readonly chunks: Buffer[] = [];
  full = false;
  failWith: NodeJS.ErrnoException | undefined;
  throwWith: Error | undefined;
  writesWhileFull = 0;

  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean {
    if (this.throwWith) throw this.throwWith;
    if (this.full) this.writesWhileFull++;
    this.chunks.push(Buffer.from(chunk));
    const failure = this.failWith;
    setImmediate(() => {
      if (failure) this.emit('error', failure);
      callback(failure ?? null);
    });
    return !this.full;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

const errno = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

describe('StreamWriter', () => {
  it('writes everything in order, never synchronously inside write()', async () => {
    const s = new FakeStream();
    const w = new StreamWriter(s);
    w.write('a\n');
    w.write('');
    w.write('bé\n');
    expect(s.chunks).toHaveLength(0);
    await w.flush();
    expect(s.text()).toBe('a\nbé\n');
    expect(w.error).toBeUndefined();
  });

  it('a stream given as a function is made on the first write, once, and never when nothing is written', async () => {
    let made = 0;
    const s = new FakeStream();
    const idle = new StreamWriter(() => (made++, s));
    await idle.flush();
    expect(made).toBe(0);
    const w = new StreamWriter(() => (made++, s));
    w.write('a\n');
    w.write('b\n');
    await w.flush();
    w.write('c\n');
    await w.flush();
    expect(made).toBe(1);
    expect(s.text()).toBe('a\nb\nc\n');
  });

  it('a stream that cannot be made is a write error, kept like any other', async () => {
    const w = new StreamWriter(() => {
      throw errno('EBADF', 'bad file descriptor');
    });
    w.write('a\n');
    await w.flush();
    expect(w.error?.code).toBe('EBADF');
  });

  it('splits large text into chunks of at most CHUNK_BYTES', async () => {
    const s = new FakeStream();
    const w = new StreamWriter(s);
    const big = 'x'.repeat(CHUNK_BYTES * 2 + 10);
    w.write(big);
    expect(w.pending).toBe(big.length);
    await w.flush();
    expect(s.chunks.map((c) => c.length)).toEqual([CHUNK_BYTES, CHUNK_BYTES, 10]);
    expect(s.text()).toBe(big);
    expect(w.pending).toBe(0);
  });

  it('waits for drain before the next chunk when the stream is full', async () => {
    const s = new FakeStream();
    s.full = true;
    const w = new StreamWriter(s);
    w.write('y'.repeat(CHUNK_BYTES * 3));
    const flushed = w.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(s.chunks).toHaveLength(1);
    s.full = false;
    s.emit('drain');
    await flushed;
    expect(s.chunks).toHaveLength(3);
    expect(s.writesWhileFull).toBe(1);
  });

  it('keeps the first error (callback and error event), calls onFailure once, drops later text', async () => {
    reliabilityTest({ area: 'output', item: 'write errors injected (unit)' });
    const s = new FakeStream();
    s.failWith = errno('ENOSPC', 'ENOSPC: no space left on device, write');
    const seen: string[] = [];
    const w = new StreamWriter(s, (e) => seen.push(e.code ?? '?'));
    w.write('z'.repeat(CHUNK_BYTES * 4));
    await w.flush();
    expect(w.error?.code).toBe('ENOSPC');
    expect(seen).toEqual(['ENOSPC']);
    expect(s.chunks).toHaveLength(1);
    w.write('more');
    await w.flush();
    expect(s.chunks).toHaveLength(1);
    expect(w.pending).toBe(0);
  });

  it('turns a write() that throws into the kept error', async () => {
    const s = new FakeStream();
    s.throwWith = errno('EPIPE', 'write EPIPE');
    const w = new StreamWriter(s);
    w.write('q');
    await w.flush();
    expect(w.error?.code).toBe('EPIPE');
  });

  it('an error event with no write pending is kept too', async () => {
    const s = new FakeStream();
    const w = new StreamWriter(s);
    s.emit('error', errno('EIO', 'EIO: i/o error, write'));
    expect(w.error?.code).toBe('EIO');
  });
});

describe('writeErrorText', () => {
  it('gives strerror(3) wording for the usual write errors, else the message', () => {
    expect(writeErrorText(errno('ENOSPC', 'x'))).toBe('No space left on device');
    expect(writeErrorText(errno('EIO', 'x'))).toBe('Input/output error');
    expect(writeErrorText(errno('EWHATEVER', 'raw message'))).toBe('raw message');
  });
});

describe('StreamWriter and raw input bytes', () => {
  it('writes bytes escaped by decodeRaw back as the same bytes', async () => {
    const { decodeRaw } = await import('../../src/app/raw-text.js');
    const s = new FakeStream();
    const w = new StreamWriter(s);
    const input = Buffer.from([0x62, 0xff, 0xfe, 0x0a, 0xc3, 0xa9]);
    w.write(decodeRaw(input));
    await w.flush();
    expect(Buffer.concat(s.chunks)).toEqual(input);
  });
});
