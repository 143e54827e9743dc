// Tables for people in our own commands (doctor, realserver/director check): a head and rows in
// columns, no rules, one space between columns, in TEXT_WIDTH columns (long cells wrapped, see
// wrap()). Colour is applied to whole cells by the caller's paint and never changes the layout.
import Table from 'cli-table3';

/** Fits an 80-column terminal without touching its last column. */
export const TEXT_WIDTH = 79;

/** `text` in lines of at most `width` characters: at spaces; a longer word after a dot, underscore, slash or hyphen, else cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').flatMap((w) => pieces(w, width))) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

/** A word cut into pieces of at most `width`, each after its last . _ / - that fits when there is one. */
function pieces(word: string, width: number): string[] {
  const out: string[] = [];
  let rest = word;
  while (rest.length > width) {
    const head = rest.slice(0, width);
    const cut = Math.max(head.lastIndexOf('.'), head.lastIndexOf('_'), head.lastIndexOf('/'), head.lastIndexOf('-')) + 1;
    const at = cut > 0 ? cut : width;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  out.push(rest);
  return out;
}

/**
 * Column widths for cells of `natural` widths in `total` columns (one space between columns):
 * the widest column gives up room first, none below `min`.
 */
export function fitWidths(natural: readonly number[], total = TEXT_WIDTH, min = 8): number[] {
  const widths = [...natural];
  const room = total - (widths.length - 1);
  for (let over = widths.reduce((a, b) => a + b, 0) - room; over > 0; over--) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= min) break;
    widths[widest]!--;
  }
  return widths;
}

/** cli-table3's border characters for a table without rules: columns one space apart. */
export const NO_RULES = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' ',
};

/** How a cell is painted (colour); the identity when there is none. */
export type Paint = (text: string, row: number, column: number) => string;

/**
 * The table's lines (each ending in a newline): cells wrapped to `widths` (natural widths fitted
 * to TEXT_WIDTH when absent), then painted; row -1 is the head. Lines carry no trailing blanks.
 */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[], opts: { readonly widths?: readonly number[]; readonly paint?: Paint } = {}): string {
  const paint: Paint = opts.paint ?? ((t) => t);
  const widths = opts.widths ?? fitWidths(head.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.max(...(r[i] ?? '').split('\n').map((l) => l.length))))));
  const cell = (text: string, row: number, col: number): string => paint(text.split('\n').flatMap((l) => wrap(l, widths[col]!)).join('\n'), row, col);
  const t = new Table({ head: head.map((h, i) => cell(h, -1, i)), colWidths: [...widths], chars: NO_RULES, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  rows.forEach((r, i) => t.push(r.map((text, col) => cell(text, i, col))));
  return `${t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')}\n`;
}
