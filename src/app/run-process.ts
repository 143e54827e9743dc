// The app boundary for bin/*.js: owns the process — stdout/stderr writers that never throw, the
// exit status, and what a broken pipe or a full disk does. A broken pipe ends the process quietly
// with status 141, as a C tool killed by SIGPIPE reports in a shell; any other write error is one
// line on stderr and a non-zero status (ipvsadm 1.31 exits 0 and loses the output: we fail).
import type { ImportModule, Io } from './io.js';
import { StreamWriter, writeErrorText } from './output.js';
import { processIo } from './process-io.js';
import { PROCESS_EXIT } from './exit-status.js';

export type Entry = (io: Io) => Promise<number>;

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? '';
}

/**
 * Runs `entry` with the real process's Io and sets process.exitCode from its status and from
 * what happened to the output. Never throws; never prints a stack trace (IPVSADM_DEBUG=1 does).
 * `importModule`: import() as bin/ gives it (see Io.importModule).
 */
export async function runProcess(name: string, entry: Entry, importModule?: ImportModule): Promise<void> {
  const brokenPipe = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE') process.exit(PROCESS_EXIT.BROKEN_PIPE);
  };
  // The streams are made on the first write: a command that prints nothing never pays for them.
  const out = new StreamWriter(() => process.stdout, brokenPipe);
  const err = new StreamWriter(() => process.stderr, brokenPipe);
  const internal = (e: unknown): void => {
    const debug = process.env['IPVSADM_DEBUG'] === '1' && e instanceof Error ? `\n${e.stack ?? ''}` : '';
    err.write(`${name}: internal error (please report it): ${oneLine(e)}${debug}\n`);
  };
  process.on('uncaughtException', (e) => {
    internal(e);
    void err.flush().then(() => process.exit(PROCESS_EXIT.INTERNAL_ERROR));
  });
  let code: number;
  try {
    const sinks = { stdout: (t: string) => out.write(t), stdoutBytes: (b: Uint8Array) => out.writeBytes(b), stderr: (t: string) => err.write(t), drainStdout: () => out.flush() };
    code = await entry(processIo(name, importModule ? { ...sinks, importModule } : sinks));
  } catch (e) {
    internal(e);
    code = PROCESS_EXIT.INTERNAL_ERROR;
  }
  await out.flush();
  if (out.error) {
    err.write(`${name}: write error: ${writeErrorText(out.error)}\n`);
    if (code === 0) code = PROCESS_EXIT.WRITE_ERROR;
  }
  await err.flush();
  if (err.error && code === 0) code = PROCESS_EXIT.WRITE_ERROR;
  process.exitCode = code;
}
