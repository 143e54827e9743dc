// The loop of `ipvsadm top`: read the table every interval, turn it into rows with deltas
// (rows.ts), draw a frame (frame.ts) — full screen on a terminal, where keys sort and scroll and
// a size change redraws at once; otherwise one plain block per read — until a key, a signal or
// --count ends it. Everything outside (kernel, streams, terminal, clock) comes in as TopPorts.
import type { ServiceWithDestinations } from '../ipvs/model.js';
import type { Terminal } from '../app/terminal.js';
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
  now(): Date;
  setTimer(ms: number, fire: () => void): unknown;
  clearTimer(handle: unknown): void;
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

export async function runTop(o: TopOptions, io: TopPorts): Promise<TopOutcome> {
  const term = io.terminal;
  let order = o.order;
  let reverse = o.reverse;
  let scroll = 0;
  let page = 1;
  let memory: CounterMemory | undefined;
  let groups: TopGroup[] | undefined;
  let readAt = io.now();
  let message: string | undefined;
  /** the cells of the previous read's frames (what this read's frames highlight against), and of this read's */
  let baseline: ReadonlyMap<string, string> | undefined;
  let latest: ReadonlyMap<string, string> | undefined;
  let reads = 0;
  let stopped = false;
  let refreshNow = false;
  let dirty = false;
  let wake: (() => void) | undefined;
  const poke = (): void => wake?.();

  const act = (a: KeyAction): void => {
    if (a.kind === 'quit') stopped = true;
    else if (a.kind === 'refresh') refreshNow = true;
    else if (a.kind === 'reverse') reverse = !reverse;
    else if (a.kind === 'sort') {
      if (a.order === order) reverse = !reverse;
      else {
        order = a.order;
        reverse = false;
      }
      scroll = 0;
    } else scroll = a.by === 'all' ? (a.direction < 0 ? 0 : Number.MAX_SAFE_INTEGER) : Math.max(0, scroll + a.direction * (a.by === 'page' ? page : 1));
    dirty = true;
  };
  const stopListening = io.onStopSignal(() => {
    stopped = true;
    poke();
  });
  io.onLabelsChange(() => {
    dirty = true;
    poke();
  });
  if (term) {
    term.onResize(() => {
      dirty = true;
      poke();
    });
    term.onKeys((input) => {
      parseKeys(input).forEach(act);
      poke();
    });
    io.write(ENTER);
  }

  const draw = async (): Promise<void> => {
    if (!groups) return;
    const size = term?.size();
    const frame = renderFrame({
      groups: sortGroups(groups, order, reverse),
      order,
      reverse,
      exact: o.exact,
      label: io.label,
      ...(io.version ? { version: io.version } : {}),
      time: clockText(readAt),
      intervalMs: o.intervalMs,
      ...(message ? { message } : {}),
      ...(size ? { size } : {}),
      scroll,
      ...(term && baseline ? { previous: baseline } : {}),
      color: io.color && term !== undefined,
    });
    scroll = frame.scroll;
    page = frame.page;
    latest = frame.cells;
    await io.drained();
    if (size) io.write(`\x1b[H${frame.lines.slice(0, size.rows).map((l) => `${l}\x1b[K`).join('\r\n')}\x1b[J`);
    else io.write(`${frame.lines.join('\n')}\n\n`);
  };

  try {
    let due = 0;
    while (!stopped) {
      if (refreshNow || io.now().getTime() >= due) {
        refreshNow = false;
        const started = io.now().getTime();
        try {
          const table = await io.read();
          const built = buildGroups(table, memory);
          // a frame's highlights are what changed since the previous read, not since the previous key
          baseline = groups ? latest : undefined;
          memory = built.memory;
          groups = built.groups;
          readAt = io.now();
          message = undefined;
        } catch (e) {
          const why = io.failure(e);
          if (why === undefined) throw e;
          if (!groups) return { ok: false, error: why };
          message = `cannot read IPVS: ${why}`;
          // plain blocks are a log: a failed read is a line on stderr, not the last block again
          if (!term) io.warn(`ipvsadm top: ${message}`);
        }
        reads++;
        dirty = term !== undefined || message === undefined;
        // every interval from the start of a read; a read slower than that (a huge table) waits a
        // whole interval after it ends, so the view never reads the kernel back to back
        const ended = io.now().getTime();
        due = ended - started < o.intervalMs ? started + o.intervalMs : ended + o.intervalMs;
      }
      if (dirty) {
        dirty = false;
        await draw();
      }
      if (o.count !== undefined && reads >= o.count) break;
      if (stopped || refreshNow || dirty) continue;
      await new Promise<void>((resolve) => {
        const timer = io.setTimer(Math.max(0, due - io.now().getTime()), resolve);
        wake = () => {
          io.clearTimer(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    return { ok: true };
  } finally {
    stopListening();
    if (term) {
      term.close();
      io.write(LEAVE);
    }
  }
}
