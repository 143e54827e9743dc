// Helpers shared by the man page tests: groff runs (groff is required), roff source lines as
// plain text, and the "option standing alone" pattern used to look for option spellings.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = new URL('../../', import.meta.url);

export const NO_GROFF =
  'groff is not installed, and the man page tests need it: install Debian/Ubuntu package groff-base ' +
  '(apt-get install groff-base; `npm test` does so itself when run as root)';

/** groff with `args` over man/<page>; throws NO_GROFF when groff is missing. */
export function groff(page: string, args: readonly string[]): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('groff', [...args, fileURLToPath(new URL(`man/${page}`, ROOT))], { encoding: 'utf8' });
  if (r.error) throw (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(NO_GROFF) : r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** The text of one roff source line: font escapes dropped, `\-` as `-`, font macros' arguments joined. */
export function roffText(line: string): string {
  let text = line;
  const macro = /^\.(B|I|BR|RB|BI|IB|IR|RI)\s+(.*)$/.exec(line);
  if (macro) {
    const args = [...(macro[2] ?? '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
    text = args.join(macro[1]!.length === 1 ? ' ' : '');
  }
  return text
    .replace(/\\f(\[[^\]]*\]|\(..|.)/g, '')
    .replace(/\\-/g, '-')
    .replace(/\\\(aq/g, "'")
    .replace(/\\[&c%]/g, '')
    .replace(/\\ /g, ' ');
}

export const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `word` standing alone, as an option is written: after a blank or `[{(|,`, before a blank or `]}),|=.;:`. */
export const wordRe = (word: string): RegExp => new RegExp(`(^|[\\s[{(|,])${escapeRe(word)}(?=[\\s\\]}),|=.;:]|$)`, 'm');
