// Writing to stdout/stderr without ever crashing: text is queued and written in bounded chunks
// outside native callbacks, one chunk at a time with back-pressure, and the first write error is
// kept (never thrown, never an unhandled 'error' event) for the app boundary to act on. Input
// bytes that were not UTF-8 (escaped by app/raw-text.ts) go out as the same bytes.
import { encodeRaw } from './raw-text.js';

/** The part of a Node writable stream the writer uses (process.stdout, a pipe, a test double). */
export interface WritableLike {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  once(event: 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** Bytes handed to the stream per write: small enough that no write blocks for long. */
export const CHUNK_BYTES = 64 * 1024;

export class StreamWriter {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private pumping: Promise<void> | undefined;
  private failure: NodeJS.ErrnoException | undefined;
  private readonly onFailure: (error: NodeJS.ErrnoException) => void;
  private opened: WritableLike | undefined;

  constructor(
    /** the stream, or how to get it on the first write (process.stdout costs a start-up) */
    private readonly target: WritableLike | (() => WritableLike),
    /** called once, on the first write error */
    onFailure: (error: NodeJS.ErrnoException) => void = () => undefined,
  ) {
    this.onFailure = onFailure;
    if (typeof target !== 'function') this.open();
  }

  private open(): WritableLike {
    if (this.opened) return this.opened;
    const stream = typeof this.target === 'function' ? this.target() : this.target;
    this.opened = stream;
    // A stream whose write failed also emits 'error'; without a listener Node would throw it.
    stream.on('error', (e) => this.fail(e));
    return stream;
  }

  /** The first write error, if any (later text is dropped). */
  get error(): NodeJS.ErrnoException | undefined {
    return this.failure;
  }

  /** Bytes accepted but not yet handed to the stream. */
  get pending(): number {
    return this.queued;
  }

  /** Queues text; writing starts on a later turn of the event loop, never synchronously here. */
  write(text: string): void {
    if (this.failure || text.length === 0) return;
    this.writeBytes(encodeRaw(text));
  }

  /** Queues bytes as they are (see write). */
  writeBytes(bytes: Uint8Array): void {
    if (this.failure || bytes.length === 0) return;
    this.queue.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    this.queued += bytes.length;
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
  }

  /** Resolves when everything queued so far is written, or writing failed. */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    // setImmediate: out of any native callback (the netlink socket's) and its microtask queue.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0 && !this.failure) {
      const chunk = this.takeChunk();
      await this.writeChunk(chunk);
    }
    if (this.failure) {
      this.queue.length = 0;
      this.queued = 0;
    }
  }

  private takeChunk(): Buffer {
    const head = this.queue[0]!;
    if (head.length <= CHUNK_BYTES) {
      this.queue.shift();
      this.queued -= head.length;
      return head;
    }
    this.queue[0] = head.subarray(CHUNK_BYTES);
    this.queued -= CHUNK_BYTES;
    return head.subarray(0, CHUNK_BYTES);
  }

  private writeChunk(chunk: Buffer): Promise<void> {
    return new Promise<void>((resolve) => {
      let written = false;
      let drained = true;
      const done = (): void => {
        if (written && drained) resolve();
      };
      let stream: WritableLike;
      try {
        stream = this.open();
        drained = stream.write(chunk, (error) => {
          if (error) this.fail(error);
          written = true;
          if (this.failure) drained = true;
          done();
        });
      } catch (error) {
        this.fail(error as Error);
        resolve();
        return;
      }
      if (!drained) {
        stream.once('drain', () => {
          drained = true;
          done();
        });
      }
    });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error as NodeJS.ErrnoException;
    this.onFailure(this.failure);
  }
}

/** `No space left on device` for ENOSPC: the strerror(3) text of a write error, capitalised. */
export function writeErrorText(error: NodeJS.ErrnoException): string {
  const known: Readonly<Record<string, string>> = {
    ENOSPC: 'No space left on device',
    EIO: 'Input/output error',
    EPIPE: 'Broken pipe',
    EBADF: 'Bad file descriptor',
    EDQUOT: 'Disk quota exceeded',
    EFBIG: 'File too large',
    EAGAIN: 'Resource temporarily unavailable',
    ECONNRESET: 'Connection reset by peer',
    EINVAL: 'Invalid argument',
  };
  return (error.code && known[error.code]) ?? error.message;
}
