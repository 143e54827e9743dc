// The loop of `ipvsadm top`: read the table every interval, turn it into rows with deltas
// (rows.ts), draw a frame (frame.ts) — full screen on a terminal, where keys sort and scroll and
// a size change redraws at once; otherwise one plain block per read — until a key, a signal or
// --count ends it. Everything outside (kernel, streams, terminal, clock) comes in as TopPorts.
import type { ServiceWithDestinations } from '../ipvs/model.js';
import type { Terminal } from '../app/terminal.js';
import type { Clock } from '../core/clock.js';
import { renderFrame } from './frame.js';
import { parseKeys } from './keys.js';
import type { KeyAction } from './keys.js';
import { buildGroups, sortGroups } from './rows.js';
import type { CounterMemory, SortOrder, TopGroup, TopRow } from './rows.js';

export interface TopOptions {
  readonly intervalMs: number;
  /** reads to show before ending (undefined: until a key or a signal) */
  readonly count?: number;
  readonly order: SortOrder;
  readonly reverse: boolean;
  readonly exact: boolean;
}

export interface TopPorts {
  /** the table with its counters; throws (the caller's errors) when IPVS cannot be read */
  read(): Promise<readonly ServiceWithDestinations[]>;
  /** what a read's error says, or undefined when it is not one of ours (then it is thrown on) */
  failure(e: unknown): string | undefined;
  write(text: string): void;
  /** a line on stderr (plain output: a failed read) */
  warn(text: string): void;
  /** resolves when what was written is out (a slow terminal gets no backlog of frames) */
  drained(): Promise<void>;
  readonly clock: Pick<Clock, 'now' | 'setTimer' | 'clearTimer'>;
  /** the terminal to draw on full screen; absent: plain output */
  readonly terminal?: Terminal;
  readonly color: boolean;
  /** `IP Virtual Server version 1.2.1` */
  readonly version?: string;
  /** the name column of a row; `onChange` is called when names looked up later arrive */
  label(row: TopRow): string;
  onLabelsChange(listener: () => void): void;
  /** `listener` is called on SIGINT/SIGTERM/SIGHUP; the returned function stops listening */
  onStopSignal(listener: () => void): () => void;
}

export type TopOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';

/** `2026-12-04 23:10:01` in local time. */
export function clockText(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** What the loop keeps between reads, keys and frames. */
interface TopState {
  order: SortOrder;
  reverse: boolean;
  scroll: number;
  page: number;
  memory: CounterMemory | undefined;
  groups: TopGroup[] | undefined;
  readAt: Date;
  message: string | undefined;
  /** the cells of the previous read's frames (what this read's frames highlight against), and of this read's */
  baseline: { readonly cells: ReadonlyMap<string, string>; readonly rows: ReadonlySet<string> } | undefined;
  latest: { readonly cells: ReadonlyMap<string, string>; readonly rows: ReadonlySet<string> } | undefined;
  reads: number;
  stopped: boolean;
  refreshNow: boolean;
  dirty: boolean;
  /** ends the current wait at once */
  wake: (() => void) | undefined;
  /** when the next read is due (ms since the epoch) */
  due: number;
}

function initialState(o: TopOptions, io: TopPorts): TopState {
  return {
    order: o.order,
    reverse: o.reverse,
    scroll: 0,
    page: 1,
    memory: undefined,
    groups: undefined,
    readAt: new Date(io.clock.now()),
    message: undefined,
    baseline: undefined,
    latest: undefined,
    reads: 0,
    stopped: false,
    refreshNow: false,
    dirty: false,
    wake: undefined,
    due: 0,
  };
}

/** A key's effect: quit, refresh, reverse or change the sort, scroll. */
function applyKey(st: TopState, a: KeyAction): void {
  if (a.kind === 'quit') st.stopped = true;
  else if (a.kind === 'refresh') st.refreshNow = true;
  else if (a.kind === 'reverse') st.reverse = !st.reverse;
  else if (a.kind === 'sort') {
    if (a.order === st.order) st.reverse = !st.reverse;
    else {
      st.order = a.order;
      st.reverse = false;
    }
    st.scroll = 0;
  } else st.scroll = a.by === 'all' ? (a.direction < 0 ? 0 : Number.MAX_SAFE_INTEGER) : Math.max(0, st.scroll + a.direction * (a.by === 'page' ? st.page : 1));
  st.dirty = true;
}

/** Signals, late names, resizes and keys wake the loop; returns what stops the signal listener. */
function listen(st: TopState, io: TopPorts): () => void {
  const poke = (): void => st.wake?.();
  const stopListening = io.onStopSignal(() => {
    st.stopped = true;
    poke();
  });
  io.onLabelsChange(() => {
    st.dirty = true;
    poke();
  });
  const term = io.terminal;
  if (term) {
    term.onResize(() => {
      st.dirty = true;
      poke();
    });
    term.onKeys((input) => {
      parseKeys(input).forEach((a) => applyKey(st, a));
      poke();
    });
    io.write(ENTER);
  }
  return stopListening;
}

/** Draws the last read's groups: in place on a terminal, else as a plain block. */
async function draw(st: TopState, o: TopOptions, io: TopPorts): Promise<void> {
  if (!st.groups) return;
  const term = io.terminal;
  const size = term?.size();
  const frame = renderFrame({
    groups: sortGroups(st.groups, st.order, st.reverse),
    order: st.order,
    reverse: st.reverse,
    exact: o.exact,
    label: io.label,
    ...(io.version ? { version: io.version } : {}),
    time: clockText(st.readAt),
    intervalMs: o.intervalMs,
    ...(st.message ? { message: st.message } : {}),
    ...(size ? { size } : {}),
    scroll: st.scroll,
    ...(term && st.baseline ? { previous: st.baseline.cells, previousRows: st.baseline.rows } : {}),
    color: io.color && term !== undefined,
  });
  st.scroll = frame.scroll;
  st.page = frame.page;
  st.latest = { cells: frame.cells, rows: frame.rowIds };
  await io.drained();
  if (size) io.write(`\x1b[H${frame.lines.slice(0, size.rows).map((l) => `${l}\x1b[K`).join('\r\n')}\x1b[J`);
  else io.write(`${frame.lines.join('\n')}\n\n`);
}

/** One read of the table; returns an outcome only when the very first read fails. */
async function readTable(st: TopState, o: TopOptions, io: TopPorts): Promise<TopOutcome | undefined> {
  st.refreshNow = false;
  const started = io.clock.now();
  try {
    const table = await io.read();
    const built = buildGroups(table, st.memory);
    // a frame's highlights are what changed since the previous read, not since the previous key
    st.baseline = st.groups ? st.latest : undefined;
    st.memory = built.memory;
    st.groups = built.groups;
    st.readAt = new Date(io.clock.now());
    st.message = undefined;
  } catch (e) {
    const why = io.failure(e);
    if (why === undefined) throw e;
    if (!st.groups) return { ok: false, error: why };
    st.message = `cannot read IPVS: ${why}`;
    // plain blocks are a log: a failed read is a line on stderr, not the last block again
    if (!io.terminal) io.warn(`ipvsadm top: ${st.message}`);
  }
  st.reads++;
  st.dirty = io.terminal !== undefined || st.message === undefined;
  // every interval from the start of a read; a read slower than that (a huge table) waits a
  // whole interval after it ends, so the view never reads the kernel back to back
  const ended = io.clock.now();
  st.due = ended - started < o.intervalMs ? started + o.intervalMs : ended + o.intervalMs;
  return undefined;
}

/** Waits until the next read is due or something wakes the loop. */
async function waitForWork(st: TopState, io: TopPorts): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = io.clock.setTimer(Math.max(0, st.due - io.clock.now()), resolve);
    st.wake = () => {
      io.clock.clearTimer(timer);
      resolve();
    };
  });
  st.wake = undefined;
}

export async function runTop(o: TopOptions, io: TopPorts): Promise<TopOutcome> {
  const st = initialState(o, io);
  const stopListening = listen(st, io);
  try {
    while (!st.stopped) {
      if (st.refreshNow || io.clock.now() >= st.due) {
        const failed = await readTable(st, o, io);
        if (failed) return failed;
      }
      if (st.dirty) {
        st.dirty = false;
        await draw(st, o, io);
      }
      if (o.count !== undefined && st.reads >= o.count) break;
      if (st.stopped || st.refreshNow || st.dirty) continue;
      await waitForWork(st, io);
    }
    return { ok: true };
  } finally {
    stopListening();
    if (io.terminal) {
      io.terminal.close();
      io.write(LEAVE);
    }
  }
}
