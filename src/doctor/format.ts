// doctor's checks as text: a compact table (verdict, check, detail with its fix) in 79 columns,
// long texts wrapped at spaces (names at dots and underscores), then one summary line. The
// same words and layout whatever stdout is; colour (the verdicts, the head) only when asked.
import Table from 'cli-table3';
import { Chalk } from 'chalk';
import type { Check } from './checks.js';

/** The text's width: readable on an 80-column terminal without the last column. */
export const DOCTOR_WIDTH = 79;
const VERDICT_WIDTH = 7;
const CHECK_WIDTH = 24;
const DETAIL_WIDTH = DOCTOR_WIDTH - VERDICT_WIDTH - CHECK_WIDTH - 2;

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

const NO_RULES = {
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

/** The checks as a table and a summary line (`1 fail, 0 warn, 17 info, 1 ok`). */
export function doctorText(checks: readonly Check[], opts: { readonly color: boolean }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const paint = { ok: c.green, info: c.dim, warn: c.yellow, fail: c.red.bold } as const;
  const t = new Table({
    head: ['verdict', 'check', 'detail'].map((h) => c.bold(h)),
    colWidths: [VERDICT_WIDTH, CHECK_WIDTH, DETAIL_WIDTH],
    chars: NO_RULES,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const ch of checks) {
    const detail = [...wrap(ch.detail, DETAIL_WIDTH), ...(ch.fix ? wrap(`fix: ${ch.fix}`, DETAIL_WIDTH) : [])];
    t.push([paint[ch.verdict](ch.verdict), wrap(ch.check, CHECK_WIDTH).join('\n'), detail.join('\n')]);
  }
  const count = (v: Check['verdict']): string => `${checks.filter((ch) => ch.verdict === v).length} ${v}`;
  const lines = t.toString().split('\n').map((l) => l.trimEnd());
  return `${lines.join('\n')}\n${(['fail', 'warn', 'info', 'ok'] as const).map(count).join(', ')}\n`;
}
