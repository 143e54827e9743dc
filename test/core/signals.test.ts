// The signal port (core/signals.ts): a listener hears the stop signals asked for, and only until
// it stops listening; the process's own listeners are left as they were.
import { describe, expect, it } from 'vitest';
import { onStopSignals } from '../../src/core/signals.js';

describe('onStopSignals', () => {
  it('hears SIGINT, SIGTERM and SIGHUP until it stops listening', () => {
    const before = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
    const heard: string[] = [];
    const stop = onStopSignals((s) => heard.push(s));
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGHUP', 'SIGHUP');
    process.emit('SIGINT', 'SIGINT');
    stop();
    expect(heard).toEqual(['SIGTERM', 'SIGHUP', 'SIGINT']);
    expect(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s))).toEqual(before);
  });

  it('hears only the signals given', () => {
    const heard: string[] = [];
    const stop = onStopSignals((s) => heard.push(s), ['SIGTERM']);
    const keep = (): void => undefined;
    process.on('SIGHUP', keep);
    process.emit('SIGHUP', 'SIGHUP');
    process.emit('SIGTERM', 'SIGTERM');
    process.off('SIGHUP', keep);
    stop();
    expect(heard).toEqual(['SIGTERM']);
  });
});
