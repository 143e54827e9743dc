// Exit statuses are decided in src/app/exit-status.ts only: no other module of src/ returns, sets
// or reports a status as a bare number (0 aside, which is never a decision of its own). The
// check is a scan of the source for the ways a status is given; a planted literal proves it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IPVSADM_EXIT, LAB_EXIT, PREP_EXIT, PROCESS_EXIT } from '../../src/app/exit-status.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const STATUS_MODULE = 'app/exit-status.ts';

/** A status given as a number: `return 2;`, `code: 255`, `exitCode = 1`, `exit(70)`, `status = 255`. */
const BARE_STATUS = /\b(?:return|code:|exitCode\s*=|status\s*=|exit\()\s*([1-9]\d*)\s*[;,)}]/g;

/** Modules whose `return <n>` is not an exit status (numbers of their own trade). */
const NOT_STATUSES = new Set(['app/raw-text.ts', 'table/sort.ts', 'lab/uml-xstate.ts']);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') ? [path.relative(SRC, full)] : [];
  });
}

function bareStatuses(file: string, text: string): string[] {
  return [...text.matchAll(BARE_STATUS)].map((m) => `${file}: ${m[0].trim()}`);
}

describe('exit statuses', () => {
  it('are given by name everywhere but app/exit-status.ts', () => {
    const found = sources(SRC)
      .filter((f) => f !== STATUS_MODULE && !NOT_STATUSES.has(f) && !f.startsWith('netlink/') && !f.startsWith('ipvs/'))
      .flatMap((f) => bareStatuses(f, fs.readFileSync(path.join(SRC, f), 'utf8')));
    expect(found).toEqual([]);
  });

  it('the scan finds a status given as a number', () => {
    expect(bareStatuses('x.ts', 'if (bad) return 2;\nreturn { stderr, code: 255 };\nprocess.exitCode = 1;\nprocess.exit(70);')).toEqual([
      'x.ts: return 2;',
      'x.ts: code: 255 }',
      'x.ts: exitCode = 1;',
      'x.ts: exit(70)',
    ]);
  });

  it('keep the values the man pages document', () => {
    expect(IPVSADM_EXIT).toMatchObject({ OK: 0, LISTING_FAILED: 1, USAGE: 2, KERNEL: 255, POPT: 255 });
    expect(PREP_EXIT).toEqual({ OK: 0, NOT_READY: 1, USAGE: 2, FAILED: 3, ROLLBACK_FAILED: 4 });
    expect(LAB_EXIT).toMatchObject({ OK: 0, USAGE: 2, FAILED: 3 });
    expect(PROCESS_EXIT).toEqual({ WRITE_ERROR: 1, INTERNAL_ERROR: 70, BROKEN_PIPE: 141 });
  });
});
