// The signal port: the signals that ask a long-running command to stop (top, metrics, the lab's
// guest) reach a listener, and listening ends when the command is done with them; SIGHUP can also
// mean "read the configuration again" (metrics --web.config.file).

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/** A terminal's interrupt, a polite kill, and a closed terminal. */
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Calls `listener` with each of `signals` the process gets; the returned function stops listening. */
export function onStopSignals(listener: (signal: StopSignal) => void, signals: readonly StopSignal[] = STOP_SIGNALS): () => void {
  signals.forEach((s) => process.on(s, listener));
  return () => signals.forEach((s) => process.off(s, listener));
}

/** Calls `listener` on each SIGHUP, a daemon's "read your configuration again"; the returned function stops listening. */
export function onReloadSignal(listener: () => void): () => void {
  process.on('SIGHUP', listener);
  return () => process.off('SIGHUP', listener);
}
