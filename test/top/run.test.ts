// top's loop over fake ports: plain blocks with --count, the terminal's alternate screen entered
// and left, keys that sort and quit without a new read, a size change redrawn at once, a signal,
// a failed first read (an error) and a failed later one (a message, and the view goes on), and an
// unexpected error that still puts the terminal back.
import { describe, expect, it } from 'vitest';
import { runTop } from '../../src/top/run.js';
import type { TopOptions, TopPorts } from '../../src/top/run.js';
import { rowLabel } from '../../src/top/frame.js';
import type { Terminal } from '../../src/app/terminal.js';
import type { ServiceWithDestinations } from '../../src/ipvs/model.js';
import { dest, svc } from '../support/format-fixtures.js';
import { SYSTEM_CLOCK } from '../../src/core/clock.js';

const NUMERIC = { host: () => undefined, port: () => undefined };

function table(active: number): ServiceWithDestinations[] {
  return [
    { service: svc(6, '192.0.2.1', 80, { stats: { conns: BigInt(active * 10) } }), destinations: [dest('198.51.100.1', 80, { activeConns: active }), dest('198.51.100.2', 80, { activeConns: 100 - active })] },
  ];
}

class FakeTerminal implements Terminal {
  columns = 150;
  rows = 20;
  closed = false;
  resize: (() => void) | undefined;
  keys: ((input: string) => void) | undefined;
  size() {
    return { columns: this.columns, rows: this.rows };
  }
  onResize(l: () => void) {
    this.resize = l;
  }
  onKeys(l: (input: string) => void) {
    this.keys = l;
    return true;
  }
  close() {
    this.closed = true;
  }
}

interface Harness {
  ports: TopPorts;
  out: string[];
  warnings: string[];
  reads: () => number;
  stop: () => void;
}

function harness(reads: (n: number) => ServiceWithDestinations[] | Error, terminal?: FakeTerminal): Harness {
  const out: string[] = [];
  const warnings: string[] = [];
  let n = 0;
  let stopListener: (() => void) | undefined;
  const ports: TopPorts = {
    read: async () => {
      const r = reads(n++);
      if (r instanceof Error) throw r;
      return r;
    },
    failure: (e) => (e instanceof Error && e.message.startsWith('kernel:') ? e.message : undefined),
    write: (t) => out.push(t),
    warn: (t) => warnings.push(t),
    drained: async () => undefined,
    clock: SYSTEM_CLOCK,
    ...(terminal ? { terminal } : {}),
    color: false,
    version: 'IP Virtual Server version 1.2.1',
    label: (row) => rowLabel(row, true, NUMERIC),
    onLabelsChange: () => undefined,
    onStopSignal: (l) => {
      stopListener = l;
      return () => (stopListener = undefined);
    },
  };
  return { ports, out, warnings, reads: () => n, stop: () => stopListener?.() };
}

const OPTIONS: TopOptions = { intervalMs: 5, order: 'natural', reverse: false, exact: false };
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('runTop, plain', () => {
  it('--count 3: three blocks, the deltas from the second read on, then done', async () => {
    const h = harness((n) => table(n + 1));
    expect(await runTop({ ...OPTIONS, count: 3 }, h.ports)).toEqual({ ok: true });
    expect(h.reads()).toBe(3);
    expect(h.out).toHaveLength(3);
    expect(h.out[0]).toMatch(/^ipvsadm top - IP Virtual Server version 1\.2\.1 - \d{4}-\d\d-\d\d \d\d:\d\d:\d\d - every 0\.0 s - sorted by 1\.31 order\n/);
    expect(h.out[0]!.endsWith('\n\n')).toBe(true);
    const serviceLine = (block: string) => block.split('\n').find((l) => l.startsWith('TCP'))!.split(/ +/);
    expect(serviceLine(h.out[0]!)[8]).toBe('-');
    expect(serviceLine(h.out[1]!)[8]).toBe('10'); // conns 10 → 20
    expect(h.out.join('')).not.toContain('\x1b');
  });

  it('a read that fails later is a warning, no block, and the view goes on; a first one ends it with the error', async () => {
    const h = harness((n) => (n === 1 ? new Error('kernel: netlink timeout') : table(1)));
    expect(await runTop({ ...OPTIONS, count: 3 }, h.ports)).toEqual({ ok: true });
    expect(h.warnings).toEqual(['ipvsadm top: cannot read IPVS: kernel: netlink timeout']);
    // the failed read printed no block (a log does not repeat the last one)
    expect(h.out).toHaveLength(2);
    const first = harness(() => new Error('kernel: gone'));
    expect(await runTop({ ...OPTIONS, count: 3 }, first.ports)).toEqual({ ok: false, error: 'kernel: gone' });
    expect(first.out).toEqual([]);
  });

  it('a read slower than the interval is followed by a whole interval, not by the next read at once', async () => {
    const h = harness(() => table(1));
    const spans: [number, number][] = [];
    const read = h.ports.read;
    h.ports.read = async () => {
      const start = Date.now();
      await new Promise((r) => setTimeout(r, 60));
      const t = await read();
      spans.push([start, Date.now()]);
      return t;
    };
    expect(await runTop({ ...OPTIONS, intervalMs: 40, count: 3 }, h.ports)).toEqual({ ok: true });
    expect(spans).toHaveLength(3);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0] - spans[i - 1]![1], `gap before read ${i + 1}`).toBeGreaterThanOrEqual(35);
  });

  it('a signal ends it', async () => {
    const h = harness(() => table(1));
    const done = runTop({ ...OPTIONS, intervalMs: 60_000 }, h.ports);
    await tick();
    h.stop();
    expect(await done).toEqual({ ok: true });
    expect(h.reads()).toBe(1);
  });
});

describe('runTop, on a terminal', () => {
  it('enters and leaves the alternate screen; keys sort without reading again; q quits', async () => {
    const term = new FakeTerminal();
    const h = harness(() => table(30), term);
    const done = runTop({ ...OPTIONS, intervalMs: 60_000 }, h.ports);
    await tick();
    expect(h.out[0]).toBe('\x1b[?1049h\x1b[?25l');
    expect(h.out[1]).toMatch(/^\x1b\[H.*\x1b\[K\r\n/);
    expect(h.out[1]).toMatch(/\x1b\[J$/);
    const order = (frame: string) => frame.split('\r\n').filter((l) => l.includes('->')).map((l) => l.trim().split(/ +/)[1]);
    expect(order(h.out[1]!)).toEqual(['198.51.100.1:80', '198.51.100.2:80']);
    term.keys!('a');
    await tick();
    expect(h.reads()).toBe(1);
    expect(order(h.out[2]!)).toEqual(['198.51.100.2:80', '198.51.100.1:80']);
    expect(h.out[2]).toContain('sorted by active connections, largest first');
    term.keys!('a'); // the same key again: the other way round
    await tick();
    expect(h.out[3]).toContain('sorted by active connections, smallest first');
    term.keys!(' '); // refresh: a read now
    await tick();
    expect(h.reads()).toBe(2);
    term.keys!('q');
    expect(await done).toEqual({ ok: true });
    expect(term.closed).toBe(true);
    expect(h.out.at(-1)).toBe('\x1b[?25h\x1b[?1049l');
  }, 10_000);

  it('redraws at once for a new size, and no line is wider than the terminal', async () => {
    const term = new FakeTerminal();
    const h = harness(() => table(30));
    const done = runTop({ ...OPTIONS, intervalMs: 60_000 }, { ...h.ports, terminal: term });
    await tick();
    const before = h.out.length;
    term.columns = 40;
    term.rows = 8;
    term.resize!();
    await tick();
    expect(h.out.length).toBe(before + 1);
    const lines = h.out.at(-1)!.replace(/^\x1b\[H/, '').replace(/\x1b\[J$/, '').split('\r\n');
    expect(lines).toHaveLength(8);
    for (const l of lines) expect(l.replace(/\x1b\[[0-9;]*[mK]/g, '').length).toBeLessThanOrEqual(40);
    h.stop();
    await done;
    expect(term.closed).toBe(true);
  });

  it('a failed later read shows a message in the view; an unexpected error still puts the terminal back', async () => {
    const term = new FakeTerminal();
    const h = harness((n) => (n === 1 ? new Error('kernel: netlink timeout') : table(1)));
    const done = runTop({ ...OPTIONS, intervalMs: 60_000 }, { ...h.ports, terminal: term });
    await tick();
    term.keys!(' ');
    await tick();
    expect(h.out.at(-1)).toContain('cannot read IPVS: kernel: netlink timeout');
    expect(h.warnings).toEqual([]);
    term.keys!('q');
    await done;

    const term2 = new FakeTerminal();
    const bug = harness((n) => (n === 0 ? table(1) : new Error('something else')));
    const failing = runTop({ ...OPTIONS, intervalMs: 60_000 }, { ...bug.ports, terminal: term2 });
    await tick();
    term2.keys!(' ');
    await expect(failing).rejects.toThrow('something else');
    expect(term2.closed).toBe(true);
    expect(bug.out.at(-1)).toBe('\x1b[?25h\x1b[?1049l');
  });
});
