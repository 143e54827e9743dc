// progress.ts with a fake clock and a fake terminal stream: the line appears only after the
// first interval, is redrawn at most once per interval (the latest text, from the timer when no
// later call comes), is cleared before other text and at the end, and nothing at all is written
// when stderr is not a terminal or progress is not wanted.
import { describe, expect, it } from 'vitest';
import { clearingBefore, countText, NO_PROGRESS, progressFor, progressLine } from '../../src/app/progress.js';
import type { ProgressClock } from '../../src/app/progress.js';
import { captureIo } from '../support/capture-io.js';

/** A clock moved by hand; timers fire when it passes their time. */
function fakeClock(): ProgressClock & { advance(ms: number): void; timers: () => number } {
  let t = 1000;
  let timers: { at: number; fn: () => void; live: boolean }[] = [];
  return {
    now: () => t,
    later: (fn, ms) => {
      const timer = { at: t + ms, fn, live: true };
      timers.push(timer);
      return { cancel: () => void (timer.live = false) };
    },
    advance(ms) {
      t += ms;
      const due = timers.filter((x) => x.live && x.at <= t);
      timers = timers.filter((x) => !due.includes(x));
      for (const x of due) {
        x.live = false;
        x.fn();
      }
    },
    timers: () => timers.filter((x) => x.live).length,
  };
}

describe('progressLine', () => {
  it('draws nothing in the first 100 ms, then the latest text at most every 100 ms, and clears at the end', () => {
    const clock = fakeClock();
    const written: string[] = [];
    const p = progressLine((t) => written.push(t), clock);
    let made = 0;
    const text = (n: number) => (): string => {
      made++;
      return `restore: ${countText(n, 40_000, 'lines')}`;
    };
    p.show(text(0));
    clock.advance(50);
    p.show(text(5_000));
    expect(written).toEqual([]);
    clock.advance(50); // the timer of the first show draws the latest text
    expect(written).toEqual(['\rrestore: 5,000/40,000 lines\x1b[K']);
    for (let n = 1; n <= 9; n++) {
      clock.advance(10);
      p.show(text(5_000 + n));
    }
    expect(written).toHaveLength(1);
    clock.advance(10); // 100 ms after the last draw: the timer draws the latest text
    expect(written.at(-1)).toBe('\rrestore: 5,009/40,000 lines\x1b[K');
    p.show(text(12_000));
    clock.advance(99);
    expect(written).toHaveLength(2);
    clock.advance(1);
    expect(written.at(-1)).toBe('\rrestore: 12,000/40,000 lines\x1b[K');
    // the text is made only for the lines drawn
    expect(made).toBe(3);
    p.show(text(13_000));
    p.end();
    expect(written.at(-1)).toBe('\r\x1b[K');
    expect(clock.timers()).toBe(0);
    clock.advance(500);
    p.show(text(40_000));
    clock.advance(500);
    expect(written).toHaveLength(4);
  });

  it('a phase shown once still appears when it lasts (the timer draws it); end before any draw writes nothing', () => {
    const clock = fakeClock();
    const written: string[] = [];
    const p = progressLine((t) => written.push(t), clock);
    p.show(() => 'apply: reading the table');
    clock.advance(99);
    expect(written).toEqual([]);
    clock.advance(1);
    expect(written).toEqual(['\rapply: reading the table\x1b[K']);
    const quick = progressLine((t) => written.push(t), clock);
    quick.show(() => 'never drawn');
    quick.end();
    clock.advance(1000);
    expect(written).toHaveLength(1);
  });

  it('clear takes the drawn line away once; a longer text is cut to fit 80 columns', () => {
    const clock = fakeClock();
    const written: string[] = [];
    const p = progressLine((t) => written.push(t), clock);
    p.clear();
    expect(written).toEqual([]);
    clock.advance(100);
    p.show(() => 'x'.repeat(200));
    expect(written[0]).toBe(`\r${'x'.repeat(75)}~\x1b[K`);
    p.clear();
    p.clear();
    expect(written.slice(1)).toEqual(['\r\x1b[K']);
  });
});

describe('progressFor / clearingBefore', () => {
  it('nothing when stderr is not a terminal, or when not wanted; a line through io.stderr on a terminal', async () => {
    expect(progressFor(captureIo())).toBe(NO_PROGRESS);
    expect(progressFor(captureIo({ stderrTerminal: false }))).toBe(NO_PROGRESS);
    expect(progressFor(captureIo({ stderrTerminal: true }), false)).toBe(NO_PROGRESS);
    const io = captureIo({ stderrTerminal: true });
    const p = progressFor(io);
    expect(p).not.toBe(NO_PROGRESS);
    p.show(() => 'lab: booting');
    await new Promise((r) => setTimeout(r, 150));
    p.end();
    expect(io.err()).toBe('\rlab: booting\x1b[K\r\x1b[K');
    expect(io.out()).toBe('');
  });

  it('other text on stdout or stderr takes the line away first; with no progress the io is the same object', () => {
    const clock = fakeClock();
    const io = captureIo();
    const p = progressLine((t) => io.stderr(t), clock);
    const out = clearingBefore(io, p);
    clock.advance(100);
    p.show(() => 'restore: 1/3 lines');
    out.stderr('ipvsadm: error\n');
    out.stdout('listing\n');
    expect(io.err()).toBe('\rrestore: 1/3 lines\x1b[K\r\x1b[Kipvsadm: error\n');
    expect(io.out()).toBe('listing\n');
    expect(clearingBefore(io, NO_PROGRESS)).toBe(io);
  });
});
