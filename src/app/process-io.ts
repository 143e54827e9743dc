// The real-process side of cli/main.ts's Io: stdout/stderr streams, stdin, the native netlink
// transport, system name resolution, modprobe. bin/*.js pass it to main().
import { fstatSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname } from 'node:path';
import { openNativeTransport } from '../netlink/native.js';
import { decodeRaw } from './raw-text.js';
import { InputError, TIMEOUT_ENV } from './io.js';
import type { ImportModule, Io } from './io.js';
import { writeErrorText } from './output.js';
import { systemNameResolver } from './system-names.js';
import { processTerminal } from './terminal.js';

/**
 * argv[0] as the shell would have passed it to the C tool: the bare name when the script was
 * found through PATH, else the path as invoked.
 */
export function shellArgv0(scriptPath: string | undefined, fallback: string): string {
  if (!scriptPath) return fallback;
  const dirs = (process.env['PATH'] ?? '').split(':');
  return dirs.includes(dirname(scriptPath)) ? basename(scriptPath) : scriptPath;
}

/**
 * Stdin as text that keeps every byte (raw-text.ts): ipvsadm -R echoes input bytes raw. Input that
 * cannot be read is one line and exit 1 (1.31 reads it as empty, and ipvsadm-restore then flushes).
 * A file, pipe or socket (what a program that spawns us passes) is read synchronously into one
 * buffer (a 50,000-line restore otherwise spends
 * 0.3 s of the user-mode kernel's time on stream chunks and joining them); anything else, and a
 * non-blocking pipe that runs dry, through the stream. The stream is made only then: making
 * process.stdin of a pipe sets it non-blocking.
 */
async function readStdin(stream: () => NodeJS.ReadableStream): Promise<string> {
  const unreadable = (why: string): InputError => new InputError(`cannot read standard input: ${why}`);
  let stat: Stats | undefined;
  try {
    stat = fstatSync(0);
  } catch {
    stat = undefined;
  }
  // Node reads a directory as empty input without an error.
  if (stat?.isDirectory()) throw unreadable('Is a directory');
  const chunks: Buffer[] = [];
  try {
    if (stat && (stat.isFile() || stat.isFIFO() || stat.isSocket())) {
      const initial = stat.isFile() ? Math.min(stat.size + 1, MAX_FIRST_READ) : MAX_FIRST_READ;
      const { bytes, complete } = readWhole(0, { readSync }, Math.max(initial, 4096));
      if (complete) return decodeRaw(bytes);
      chunks.push(Buffer.from(bytes));
    }
    for await (const c of stream()) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  } catch (e) {
    throw unreadable(writeErrorText(e as NodeJS.ErrnoException));
  }
  return decodeRaw(Buffer.concat(chunks));
}

/** The first buffer of a whole-file read: its pages cost memory only once a read fills them. */
const MAX_FIRST_READ = 16 << 20;

/**
 * Reads `fd` to its end into one buffer, doubled when full. `complete` is false when a
 * non-blocking descriptor had nothing more for now (EAGAIN): the bytes so far are given.
 */
export function readWhole(fd: number, fs: Pick<typeof import('node:fs'), 'readSync'>, initialBytes: number): { bytes: Uint8Array; complete: boolean } {
  let buf = Buffer.allocUnsafe(initialBytes);
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    let n: number;
    try {
      n = fs.readSync(fd, buf, len, buf.length - len, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return { bytes: buf.subarray(0, len), complete: false };
      throw e;
    }
    if (n === 0) return { bytes: buf.subarray(0, len), complete: true };
    len += n;
  }
}

/** Where processIo sends text; run-process.ts passes StreamWriters that never throw. */
export interface TextSinks {
  stdout(text: string): void;
  stderr(text: string): void;
  /** bytes to stdout, unencoded */
  stdoutBytes?(bytes: Uint8Array): void;
  /** resolves when stdout has taken what it was given */
  drainStdout?(): Promise<void>;
  /** import() as bin/ gives it to the bundle (see Io.importModule) */
  readonly importModule?: ImportModule;
}

/** IPVSADM_NETLINK_TIMEOUT in seconds (decimals allowed) → milliseconds; NaN when not a number. */
export function timeoutFromEnv(value: string | undefined): { netlinkTimeoutMs?: number } {
  if (value === undefined || value === '') return {};
  return { netlinkTimeoutMs: /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) * 1000 : NaN };
}

/** Colour unless NO_COLOR is set to a non-empty value (the no-color.org convention). */
export function colourWanted(env: Readonly<Record<string, string | undefined>>): boolean {
  const no = env['NO_COLOR'];
  return no === undefined || no === '';
}

/** The real process's Io; text goes to `sinks` (run-process.ts's writers, or a test's capture). */
export function processIo(name: string, sinks: TextSinks): Io {
  return {
    argv0: shellArgv0(process.argv[1], name),
    stdout: (t) => sinks.stdout(t),
    stderr: (t) => sinks.stderr(t),
    ...(sinks.drainStdout ? { drainStdout: sinks.drainStdout } : {}),
    ...(sinks.stdoutBytes ? { stdoutBytes: sinks.stdoutBytes } : {}),
    ...(sinks.importModule ? { importModule: sinks.importModule } : {}),
    readStdin: () => readStdin(() => process.stdin),
    openTransport: openNativeTransport,
    names: systemNameResolver(),
    // loaded only here: most runs never call modprobe
    loadModule: async (how) => (await import('../host/modules.js')).loadIpvs(how),
    // synchronously, as /proc/net/ip_vs (readProcFile): the kernel gives out about 4 KiB per read
    readConnections: async () => {
      const b = readProcFile('/proc/net/ip_vs_conn', await import('node:fs'));
      return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
    },
    readServices: async () => readProcFile('/proc/net/ip_vs', await import('node:fs')),
    // a getter: process.stdout is made when first used, and most commands never ask this
    get color() {
      return process.stdout.isTTY === true && colourWanted(process.env);
    },
    get stdoutTerminal() {
      return process.stdout.isTTY === true;
    },
    get stderrTerminal() {
      return process.stderr.isTTY === true;
    },
    get explain() {
      return process.env['IPVSADM_EXPLAIN'] === '1' || (process.env['IPVSADM_EXPLAIN'] !== '0' && process.stderr.isTTY === true);
    },
    terminal: processTerminal,
    // loaded when a refused command is explained (it spawns modprobe -n)
    moduleState: async (name: string) => (await import('../host/modules.js')).moduleState(name),
    addressType: async (addr) => (await import('./address-type.js')).addressType(openNativeTransport, addr),
    ...timeoutFromEnv(process.env[TIMEOUT_ENV]),
    environment: process.env,
  };
}

/**
 * A /proc file read whole, synchronously: the kernel gives such files out about 4 KiB per read,
 * so a read per thread-pool trip would cost a wake-up each, and readFileSync keeps a 64 KiB
 * buffer alive per read (45 MiB for 10,000 services). One buffer here (16 MiB to start: 60,000
 * services x 4 fit, and each doubling copies what was read, 140 ms for 3 MiB in the user-mode
 * kernel).
 */
export function readProcFile(path: string, fs: typeof import('node:fs'), initialBytes = MAX_FIRST_READ): Uint8Array {
  const fd = fs.openSync(path, 'r');
  try {
    return readWhole(fd, fs, initialBytes).bytes;
  } finally {
    fs.closeSync(fd);
  }
}
