// doctor's checks as text: a compact table (verdict, check, detail with its fix on the next line)
// in 79 columns, then one summary line. The same words and layout whatever stdout is; colour
// (the verdicts, the head) only when asked.
import { Chalk } from 'chalk';
import { TEXT_WIDTH, textTable } from '../app/text-table.js';
import type { Check } from './checks.js';

const WIDTHS = [7, 24, TEXT_WIDTH - 7 - 24 - 2];

/** The checks as a table and a summary line (`1 fail, 0 warn, 17 info, 1 ok`). */
export function doctorText(checks: readonly Check[], opts: { readonly color: boolean }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const verdict = { ok: c.green, info: c.dim, warn: c.yellow, fail: c.red.bold } as const;
  const rows = checks.map((ch) => [ch.verdict, ch.check, ch.fix ? `${ch.detail}\nfix: ${ch.fix}` : ch.detail]);
  const table = textTable(['verdict', 'check', 'detail'], rows, {
    widths: WIDTHS,
    paint: (text, row, col) => (row < 0 ? c.bold(text) : col === 0 ? verdict[checks[row]!.verdict](text) : text),
  });
  const count = (v: Check['verdict']): string => `${checks.filter((ch) => ch.verdict === v).length} ${v}`;
  return `${table}${(['fail', 'warn', 'info', 'ok'] as const).map(count).join(', ')}\n`;
}
