// ipvsadm-apply.8 against the code: every option src/apply/cli.ts declares (but the hidden
// --lock-dir) has an item and a SYNOPSIS place and is what --help lists; the exit statuses are
// APPLY_EXIT's; the lock file is the one lock.ts makes. groff -ww: man-pages.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runApplyCli } from '../../src/apply/cli.js';
import { DEFAULT_LOCK_DIR } from '../../src/apply/lock.js';
import { APPLY_EXIT } from '../../src/app/exit-status.js';
import { captureIo } from '../support/capture-io.js';
import { groff, roffText, ROOT, wordRe } from './roff.js';

const PAGE = 'ipvsadm-apply.8';
const SOURCE = readFileSync(new URL('src/apply/cli.ts', ROOT), 'utf8');
const DECLARED = [
  ...new Set(
    [...SOURCE.matchAll(/(?:\.option|\.helpOption|new Option)\(\s*'([^']+)'/g)].flatMap((m) => [...m[1]!.matchAll(/(?:^|[\s,])(--?[a-z][a-z0-9-]*)/g)].map((x) => x[1]!)),
  ),
];
const OPTIONS = DECLARED.filter((o) => o !== '--lock-dir');

function plain(): string {
  const r = groff(PAGE, ['-man', '-Tascii', '-P-cbou', '-rLL=20000n']);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

function section(name: string): string {
  const lines = plain().split('\n').slice(1);
  const start = lines.findIndex((l) => l.trim() === name && /^[A-Z]/.test(l));
  const end = lines.findIndex((l, i) => i > start && /^[A-Z]/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The `.TP` tags of a source section. */
function tags(sh: string): string[] {
  const lines = readFileSync(new URL(`man/${PAGE}`, ROOT), 'utf8').split('\n');
  const out: string[] = [];
  let inside = false;
  for (let i = 0; i < lines.length; i++) {
    const heading = /^\.SH\s+"?([^"]*)"?$/.exec(lines[i]!);
    if (heading) inside = heading[1] === sh;
    else if (inside && /^\.TP\b/.test(lines[i]!)) out.push(roffText(lines[++i] ?? ''));
  }
  return out;
}

describe('ipvsadm-apply.8', () => {
  it('documents every option --help lists, and --help lists every declared one but --lock-dir', async () => {
    expect(DECLARED).toContain('--lock-dir');
    const io = captureIo();
    expect(await runApplyCli(['--help'], io)).toBe(0);
    const listed = (io.out().split('\nOptions:\n')[1] ?? '').split('\n').flatMap((l) => /^ {2}(--?[a-z][a-z0-9-]*(?:, --?[a-z][a-z0-9-]*)*)/.exec(l)?.[1]?.split(', ') ?? []);
    expect(listed.sort()).toEqual([...OPTIONS].sort());
    for (const option of OPTIONS) {
      expect(tags('OPTIONS').some((t) => wordRe(option).test(t)), option).toBe(true);
      expect(section('SYNOPSIS'), option).toMatch(wordRe(option));
    }
  });

  it('lists exactly the exit statuses of APPLY_EXIT', () => {
    expect(tags('EXIT STATUS').map(Number)).toEqual([...new Set(Object.values(APPLY_EXIT))].sort((a, b) => a - b));
  });

  it('names the lock file lock.ts makes', () => {
    expect(section('FILES')).toContain(`${DEFAULT_LOCK_DIR}/apply-netns-INODE.lock`);
    expect(readFileSync(new URL('src/apply/lock.ts', ROOT), 'utf8')).toContain('`apply-netns-${netnsId()}.lock`');
  });
});
