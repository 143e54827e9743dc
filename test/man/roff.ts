// Helpers shared by the man page tests: groff runs (groff is required), roff source lines as
// plain text, and the "option standing alone" pattern used to look for option spellings.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = new URL('../..', import.meta.url);

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

/** Option spellings a front end declares by `.option('…')`, `new Option('…')`, `.helpOption('…')` or frontEnd(). */
export function declaredOptions(sourceFile: string): string[] {
  const text = readFileSync(new URL(sourceFile, ROOT), 'utf8');
  const flags = [...text.matchAll(/(?:\.option|\.helpOption|new Option)\(\s*'([^']+)'/g)].map((m) => m[1]!);
  // a program made by app/front-end.ts's frontEnd() has its -h, --help
  if (/\bfrontEnd\(/.test(text)) flags.push('-h, --help');
  // a program given core/reference.ts's service options has every one that module declares
  if (/\baddServiceOptions\(/.test(text)) {
    const core = readFileSync(new URL('src/core/reference.ts', ROOT), 'utf8');
    flags.push(...[...core.matchAll(/(?:\.option\(|\['(?:tcp|udp|sctp|fwmark)', )'([^']+)'/g)].map((m) => m[1]!));
  }
  return [...new Set(flags.flatMap((f) => [...f.matchAll(/(?:^|[\s,])(--?[a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]!)))];
}

/** Option spellings listed in the Options: part of a commander help text. */
export function helpOptions(help: string): string[] {
  return (help.split('\nOptions:\n')[1] ?? '').split('\n').flatMap((l) => /^ {2}(--?[a-z0-9][a-z0-9.-]*(?:, --?[a-z0-9][a-z0-9.-]*)*)/.exec(l)?.[1]?.split(', ') ?? []);
}

/** Rendered text of a section (`.SH`) of man/<page>, lines long enough to hold a paragraph. */
export function renderedSection(page: string, name: string): string {
  const r = groff(page, ['-man', '-Tascii', '-P-cbou', '-rLL=20000n']);
  if (r.status !== 0) throw new Error(`groff ${page}: ${r.stderr}`);
  const lines = r.stdout.split('\n').slice(1);
  const start = lines.findIndex((l) => l.trim() === name && /^[A-Z]/.test(l));
  if (start < 0) throw new Error(`man/${page} has no ${name} section`);
  const end = lines.findIndex((l, i) => i > start && /^[A-Z]/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The `.TP` tags of a source section (`.SH`) of man/<page>, as plain text. */
export function itemTags(page: string, sh: string): string[] {
  const lines = readFileSync(new URL(`man/${page}`, ROOT), 'utf8').split('\n');
  const out: string[] = [];
  let inside = false;
  for (let i = 0; i < lines.length; i++) {
    const heading = /^\.SH\s+"?([^"]*)"?$/.exec(lines[i]!);
    if (heading) inside = heading[1] === sh;
    else if (inside && /^\.TP\b/.test(lines[i]!)) out.push(roffText(lines[++i] ?? ''));
  }
  return out;
}
