// The clock port of every command that waits or measures time (drain, top, apply --drain-wait,
// lab): the time now, a sleep, and a timer that can be cancelled. Tests pass their own.

export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** calls `fire` once after `ms`; the handle cancels it through clearTimer */
  setTimer(ms: number, fire: () => void): unknown;
  clearTimer(handle: unknown): void;
}

/** The process's own clock. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  setTimer: (ms, fire) => setTimeout(fire, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
