// Progress of long work as one line on stderr, redrawn in place (`restore: 12,000/40,000 lines`),
// only when stderr is a terminal: at most every 100 ms, not before the work has taken 100 ms, and
// cleared before other text and at the end, so nothing of it stays on the screen or reaches a
// script. NO_COLOR has no say here (it is about colour).
import type { Io } from './io.js';

export interface Progress {
  /** shows the text (made only when drawn): at most every interval, never before the first one */
  show(text: () => string): void;
  /** takes the line away if it is drawn (other text follows); a later show draws it again */
  clear(): void;
  /** takes the line away for good: later shows draw nothing */
  end(): void;
}

/** Progress that shows nothing (stderr not a terminal, --no-progress). */
export const NO_PROGRESS: Progress = { show: () => undefined, clear: () => undefined, end: () => undefined };

/** Redraws at most this often, and not before the work has run this long. */
export const PROGRESS_INTERVAL_MS = 100;

/** A line longer than this would wrap on a narrow terminal, and \r would not take it all away. */
const MAX_TEXT = 76;

/** The time and a timer, for the redraws (tests give their own). */
export interface ProgressClock {
  now(): number;
  /** calls `fn` once after `ms`; the timer never keeps the process alive */
  later(fn: () => void, ms: number): { cancel(): void };
}

const SYSTEM: ProgressClock = {
  now: () => performance.now(),
  later: (fn, ms) => {
    const t = setTimeout(fn, ms).unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * A progress line written with `write` (stderr). The latest text is drawn when its time comes,
 * from a timer if no later show comes first: a phase shown once ("reading the table") still
 * appears when it lasts.
 */
export function progressLine(write: (text: string) => void, clock: ProgressClock = SYSTEM, intervalMs = PROGRESS_INTERVAL_MS): Progress {
  let last = clock.now();
  let drawn = false;
  let ended = false;
  let pending: (() => string) | undefined;
  let timer: { cancel(): void } | undefined;
  const draw = (): void => {
    timer = undefined;
    if (ended || !pending) return;
    last = clock.now();
    const line = pending();
    pending = undefined;
    write(`\r${line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT - 1)}~` : line}\x1b[K`);
    drawn = true;
  };
  const clear = (): void => {
    if (drawn) write('\r\x1b[K');
    drawn = false;
  };
  return {
    show(text) {
      if (ended) return;
      pending = text;
      const wait = intervalMs - (clock.now() - last);
      if (wait <= 0) {
        timer?.cancel();
        draw();
      } else timer ??= clock.later(draw, wait);
    },
    clear,
    end() {
      timer?.cancel();
      timer = undefined;
      clear();
      ended = true;
    },
  };
}

/** Progress on the process's stderr when it is a terminal (and `wanted`); else none. */
export function progressFor(io: Pick<Io, 'stderr' | 'stderrTerminal'>, wanted = true): Progress {
  return wanted && io.stderrTerminal === true ? progressLine((t) => io.stderr(t)) : NO_PROGRESS;
}

/** `12,000/40,000 lines` */
export function countText(done: number, total: number, unit: string): string {
  const n = (v: number): string => v.toLocaleString('en-US');
  return `${n(done)}/${n(total)} ${unit}`;
}

/**
 * `io` whose stdout and stderr take the progress line away before their text, so the line never
 * mixes with it (both usually go to the same terminal).
 */
export function clearingBefore<T extends Pick<Io, 'stdout' | 'stderr'>>(io: T, progress: Progress): T {
  if (progress === NO_PROGRESS) return io;
  return {
    ...io,
    stdout: (t: string) => {
      progress.clear();
      io.stdout(t);
    },
    stderr: (t: string) => {
      progress.clear();
      io.stderr(t);
    },
  };
}
