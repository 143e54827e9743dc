// `ipvsadm top`'s screen: the header, the table of services and real servers (cli-table3) and,
// on a terminal, the key line — fitted to the terminal (columns dropped by priority, rows
// scrolled), with the cells that changed since the previous frame highlighted (chalk). Pure.
import Table from 'cli-table3';
import { Chalk } from 'chalk';
import { AF_INET6 } from '../ipvs/constants.js';
import { forwardingLabel, protocolLabel, protocolOf } from '../ipvs/vocabulary.js';
import { formatAddrPort } from '../table/addr-port.js';
import { NO_RULES } from '../app/text-table.js';
import type { NameTable } from '../table/names.js';
import { SORT_ORDERS } from './rows.js';
import type { SortOrder, TopGroup, TopRow } from './rows.js';

/** A count in at most 5 characters: digits below 100,000, then 100K, 999K, 1.0M, 12.3M, 123M ... (×1000). */
export function humanCount(value: bigint): string {
  if (value < 100_000n) return value.toString();
  const suffixes = ['K', 'M', 'G', 'T', 'P', 'E'];
  let scaled = Number(value);
  let i = -1;
  while (scaled >= 999.5 && i < suffixes.length - 1) {
    scaled /= 1000;
    i++;
  }
  return `${scaled < 99.95 ? scaled.toFixed(1) : Math.round(scaled).toString()}${suffixes[i]}`;
}

interface Column {
  readonly id: string;
  readonly head: string;
  /** kept first when the terminal is narrow: lower numbers are kept longer */
  readonly priority: number;
  readonly align: 'left' | 'right';
  text(row: TopRow, number: (v: bigint) => string): string;
}

const delta = (v: bigint | undefined, number: (v: bigint) => string): string => (v === undefined ? '-' : number(v));

function modeText(row: TopRow): string {
  if (row.server) {
    const method = row.server.forwarding;
    return typeof method === 'string' ? forwardingLabel(method) : `fwd-${method}`;
  }
  const s = row.entry.service;
  const persistent = s.persistent ? ` persistent ${s.timeout}` : '';
  return `${s.scheduler}${persistent}${s.onePacket ? ' ops' : ''}`;
}

/** Every column, in screen order (the name column comes first and is never dropped). */
const COLUMNS: readonly Column[] = [
  { id: 'mode', head: 'Sched/Fwd', priority: 6, align: 'left', text: modeText },
  { id: 'weight', head: 'Weight', priority: 1, align: 'right', text: (r) => String(r.weight) },
  { id: 'active', head: 'ActConn', priority: 0, align: 'right', text: (r) => String(r.active) },
  { id: 'inactive', head: 'InActConn', priority: 2, align: 'right', text: (r) => String(r.inactive) },
  { id: 'persistent', head: 'Persist', priority: 10, align: 'right', text: (r) => String(r.persistent) },
  { id: 'conns', head: 'Conns', priority: 9, align: 'right', text: (r, n) => n(r.stats.conns) },
  { id: 'new', head: '+Conns', priority: 3, align: 'right', text: (r, n) => delta(r.deltas.conns, n) },
  { id: 'cps', head: 'CPS', priority: 4, align: 'right', text: (r, n) => n(r.stats.cps) },
  { id: 'inpps', head: 'InPPS', priority: 7, align: 'right', text: (r, n) => n(r.stats.inpps) },
  { id: 'outpps', head: 'OutPPS', priority: 8, align: 'right', text: (r, n) => n(r.stats.outpps) },
  { id: 'inbps', head: 'InBPS', priority: 5, align: 'right', text: (r, n) => n(r.stats.inbps) },
  { id: 'outbps', head: 'OutBPS', priority: 5, align: 'right', text: (r, n) => n(r.stats.outbps) },
  { id: 'inbytes', head: '+InBytes', priority: 11, align: 'right', text: (r, n) => delta(r.deltas.inbytes, n) },
  { id: 'outbytes', head: '+OutBytes', priority: 11, align: 'right', text: (r, n) => delta(r.deltas.outbytes, n) },
];

const NAME_HEAD = 'Prot LocalAddress:Port';
/** The name column is cut to no less than this when columns must go. */
const NAME_MIN = 24;

/** The name column of a row: `TCP 192.0.2.1:80`, `FWM 5 IPv6`, `  -> 198.51.100.1:8080`. */
export function rowLabel(row: TopRow, numeric: boolean, names: NameTable): string {
  const key = row.entry.service.key;
  const protocol = key.kind === 'addr' ? key.protocol : 0;
  if (row.server) return `  -> ${formatAddrPort(row.server.addr, row.server.port, protocol, numeric, names)}`;
  if (key.kind === 'fwmark') return `FWM ${key.fwmark >>> 0}${key.af === AF_INET6 ? ' IPv6' : ''}`;
  const known = protocolOf(key.protocol);
  const prot = known ? protocolLabel(known) : `P${key.protocol}`;
  return `${prot} ${formatAddrPort(key.addr, key.port, protocol, numeric, names)}`;
}

export interface FrameInput {
  /** sorted already */
  readonly groups: readonly TopGroup[];
  readonly order: SortOrder;
  readonly reverse: boolean;
  /** all digits instead of 1.2K */
  readonly exact: boolean;
  readonly label: (row: TopRow) => string;
  /** `IP Virtual Server version 1.2.1` */
  readonly version?: string;
  /** the time of the read, as shown */
  readonly time: string;
  readonly intervalMs: number;
  /** a line under the summary: an error of the last read, a note */
  readonly message?: string;
  /** the terminal's size; absent: plain output (every row, every column, no key line) */
  readonly size?: { readonly columns: number; readonly rows: number };
  /** the first table row shown (terminal) */
  readonly scroll: number;
  /** the previous frame's cell texts (cells of this frame that differ are highlighted) */
  readonly previous?: ReadonlyMap<string, string>;
  /** the ids of the previous frame's rows, shown or not (rows not among them are new); default: those of `previous` */
  readonly previousRows?: ReadonlySet<string>;
  readonly color: boolean;
}

export interface Frame {
  readonly lines: readonly string[];
  /** the texts of this frame's cells (the rows shown on a terminal; none in plain output), for the next frame */
  readonly cells: ReadonlyMap<string, string>;
  /** the ids of every row of this frame, shown or not */
  readonly rowIds: ReadonlySet<string>;
  /** the scroll offset used (clamped) */
  readonly scroll: number;
  /** how many table rows fit (terminal), for paging */
  readonly page: number;
}

const seconds = (ms: number): string => `${ms % 1000 === 0 ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

function summary(groups: readonly TopGroup[], number: (v: bigint) => string): string {
  let servers = 0;
  let active = 0;
  let inactive = 0;
  let cps = 0n;
  let inpps = 0n;
  let outpps = 0n;
  let inbps = 0n;
  let outbps = 0n;
  for (const g of groups) {
    servers += g.servers.length;
    active += g.service.active;
    inactive += g.service.inactive;
    const s = g.service.stats;
    cps += s.cps;
    inpps += s.inpps;
    outpps += s.outpps;
    inbps += s.inbps;
    outbps += s.outbps;
  }
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  return (
    `${plural(groups.length, 'service', 'services')}, ${plural(servers, 'real server', 'real servers')}` +
    ` | active ${active}, inactive ${inactive} | ${number(cps)} conn/s` +
    ` | in ${number(inpps)} pkt/s ${number(inbps)} B/s | out ${number(outpps)} pkt/s ${number(outbps)} B/s`
  );
}

export const KEYS_HELP = 'q quit  n a i c d p b w sort  r reverse  space refresh  up/down/PgUp/PgDn scroll';

/** Lines above the table (title, summary, message) and the table's head and key line below. */
const HEADER_LINES = 3;

export function renderFrame(f: FrameInput): Frame {
  const c = new Chalk({ level: f.color ? 1 : 0 });
  const number = f.exact ? (v: bigint): string => v.toString() : humanCount;
  const rows: TopRow[] = f.groups.flatMap((g) => [g.service, ...g.servers]);
  // a terminal shows a page of rows: only those are formatted (and measured for the widths)
  const page = f.size ? Math.max(1, f.size.rows - HEADER_LINES - 2) : rows.length;
  const scroll = f.size ? Math.max(0, Math.min(f.scroll, rows.length - page)) : 0;
  const shown = f.size ? rows.slice(scroll, scroll + page) : rows;
  const labels = shown.map(f.label);
  const texts = shown.map((r) => COLUMNS.map((col) => col.text(r, number)));
  const layout = columnsFor(f.size, labels, texts);

  const cells = new Map<string, string>();
  const previousRows = f.previousRows ?? (f.previous ? { has: (id: string): boolean => f.previous!.has(`${id}\t`) } : undefined);
  const body = shown.map((row, k) => {
    if (f.size) {
      cells.set(`${row.id}\t`, labels[k]!);
      COLUMNS.forEach((col, i) => cells.set(`${row.id}\t${col.id}`, texts[k]![i]!));
    }
    const isNew = previousRows !== undefined && !previousRows.has(row.id);
    const paint = (text: string, id: string): string => {
      if (isNew) return c.green(text);
      const before = f.previous?.get(`${row.id}\t${id}`);
      const changed = before !== undefined && before !== text;
      const styled = changed ? c.inverse(text) : text;
      return row.level === 'service' ? c.bold(styled) : styled;
    };
    return [paint(labels[k]!, ''), ...layout.kept.map((i) => paint(texts[k]![i]!, COLUMNS[i]!.id))];
  });
  const table = tableLines(layout, body, f.size === undefined && !f.color);

  const direction = SORT_ORDERS[f.order].value ? (f.reverse ? 'smallest first' : 'largest first') : f.reverse ? 'reversed' : '';
  const title =
    `ipvsadm top${f.version ? ` - ${f.version}` : ''} - ${f.time} - every ${seconds(f.intervalMs)}` +
    ` - sorted by ${SORT_ORDERS[f.order].title}${direction ? `, ${direction}` : ''}`;
  // a terminal keeps the message line (empty or not) so the table does not jump; plain blocks only when there is one
  const head = [c.bold(title), summary(f.groups, number), ...(f.message ? [c.yellow(f.message)] : f.size ? [''] : [])];
  table[0] = c.dim(table[0]!);
  const lines = [...head, ...table];
  if (f.size) {
    const range = rows.length === 0 ? 'no services' : `rows ${scroll + 1}-${scroll + shown.length} of ${rows.length}`;
    lines.push(c.dim(`${KEYS_HELP}  ${range}`));
  }
  const rowIds = new Set(rows.map((r) => r.id));
  return { lines: f.size ? lines.map((l) => fit(l, f.size!.columns)) : lines, cells, rowIds, scroll, page };
}

/** The columns shown, their widths and the name column's width. */
interface Layout {
  readonly kept: readonly number[];
  readonly widths: readonly number[];
  readonly nameShown: number;
}

/** Each column as wide as its widest text; on a terminal the fewest that fit, by priority. */
function columnsFor(size: FrameInput['size'], labels: readonly string[], texts: readonly string[][]): Layout {
  const widths = COLUMNS.map((col, i) => texts.reduce((w, t) => Math.max(w, t[i]!.length), col.head.length));
  const nameWidth = labels.reduce((w, l) => Math.max(w, l.length), NAME_HEAD.length);
  let kept = COLUMNS.map((_, i) => i);
  if (!size) return { kept, widths, nameShown: nameWidth };
  const room = size.columns;
  const total = (cols: readonly number[]): number => cols.reduce((n, i) => n + widths[i]! + 1, 0);
  // priority 0 stays whatever the width: the name column gives up its room first
  const byPriority = [...kept].filter((i) => COLUMNS[i]!.priority > 0).sort((a, b) => COLUMNS[b]!.priority - COLUMNS[a]!.priority || b - a);
  while (byPriority.length > 0 && Math.min(nameWidth, NAME_MIN) + total(kept) > room) {
    const drop = byPriority.shift()!;
    kept = kept.filter((i) => i !== drop);
  }
  return { kept, widths, nameShown: Math.max(1, Math.min(nameWidth, room - total(kept))) };
}

/**
 * The table's lines, head first: cells padded to their column, one space between. Plain
 * ASCII cells that fit (a plain block) are laid out here, in one pass; anything else (colour,
 * cells to cut with ~, wide characters) by cli-table3, which takes time quadratic in the rows.
 */
function tableLines(layout: Layout, body: readonly string[][], plain: boolean): string[] {
  const head = [NAME_HEAD, ...layout.kept.map((i) => COLUMNS[i]!.head)];
  const colWidths = [layout.nameShown, ...layout.kept.map((i) => layout.widths[i]!)];
  const colAligns: ('left' | 'right')[] = ['left', ...layout.kept.map((i) => COLUMNS[i]!.align)];
  const simple = (row: readonly string[]): boolean => row.every((cell, i) => cell.length <= colWidths[i]! && /^[\x20-\x7e]*$/.test(cell));
  if (plain && simple(head) && body.every(simple)) {
    const line = (row: readonly string[]): string => row.map((cell, i) => (colAligns[i] === 'left' ? cell.padEnd(colWidths[i]!) : cell.padStart(colWidths[i]!))).join(' ');
    return [line(head), ...body.map(line)];
  }
  const table = new Table({ head, colWidths, colAligns, chars: NO_RULES, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 }, truncate: '~' });
  body.forEach((row) => table.push([...row]));
  return table.toString().split('\n');
}

/** A line cut to `columns` visible characters (escape sequences kept, not counted). */
export function fit(line: string, columns: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const m = /^\x1b\[[0-9;]*m/.exec(line.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length - 1;
        continue;
      }
    }
    if (visible === columns) continue;
    out += line[i];
    visible++;
  }
  return out;
}
