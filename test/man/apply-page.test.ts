// ipvsadm-apply.8 against the code: every option src/apply/cli.ts declares (but the hidden
// --lock-dir) has an item and a SYNOPSIS place and is what --help lists; the exit statuses are
// APPLY_EXIT's; the lock file is the one lock.ts makes. groff -ww: man-pages.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runApplyCli } from '../../src/apply/cli.js';
import { DEFAULT_LOCK_DIR } from '../../src/host/lock.js';
import { APPLY_EXIT } from '../../src/app/exit-status.js';
import { captureIo } from '../support/capture-io.js';
import { declaredOptions, helpOptions, itemTags, renderedSection, ROOT, wordRe } from './roff.js';

const PAGE = 'ipvsadm-apply.8';
const OPTIONS = declaredOptions('src/apply/cli.ts').filter((o) => o !== '--lock-dir');
const section = (name: string): string => renderedSection(PAGE, name);
const tags = (sh: string): string[] => itemTags(PAGE, sh);

describe('ipvsadm-apply.8', () => {
  it('documents every option --help lists, and --help lists every declared one but --lock-dir', async () => {
    expect(declaredOptions('src/apply/cli.ts')).toContain('--lock-dir');
    const io = captureIo();
    expect(await runApplyCli(['--help'], io)).toBe(0);
    const listed = helpOptions(io.out());
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
    expect(readFileSync(new URL('src/host/lock.ts', ROOT), 'utf8')).toContain('`apply-netns-${netns}.lock`');
  });
});
