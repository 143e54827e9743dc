// ipvsadm-top.8 against the code: every option src/top/cli.ts declares has an item (and, but
// --help, a SYNOPSIS place) and is what --help lists; every sort order and its key are on the
// page; the exit statuses are TOP_EXIT's. groff -ww: man-pages.test.ts.
import { describe, expect, it } from 'vitest';
import { runTopCli } from '../../src/top/cli.js';
import { SORT_ORDERS } from '../../src/top/rows.js';
import { TOP_EXIT } from '../../src/app/exit-status.js';
import { captureIo } from '../support/capture-io.js';
import { declaredOptions, helpOptions, itemTags, renderedSection, wordRe } from './roff.js';

const PAGE = 'ipvsadm-top.8';
const OPTIONS = declaredOptions('src/top/cli.ts');
const section = (name: string): string => renderedSection(PAGE, name);
const tags = (sh: string): string[] => itemTags(PAGE, sh);

describe('ipvsadm-top.8', () => {
  it('documents every option --help lists, and --help lists every declared one', async () => {
    const io = captureIo();
    expect(await runTopCli(['--help'], io)).toBe(0);
    const listed = helpOptions(io.out());
    expect(listed.sort()).toEqual([...OPTIONS].sort());
    const synopsis = section('SYNOPSIS');
    for (const option of OPTIONS) {
      expect(tags('OPTIONS').some((t) => wordRe(option).test(t)) || (option === '--ipv6' || option === '-6' ? section('OPTIONS').includes(option) : false), option).toBe(true);
    }
    for (const short of ['-t', '-u', '--sctp-service', '-f', '-6', '-n', '-i', '-s', '--reverse', '-x', '-c', '-h', '--help']) expect(synopsis, short).toMatch(wordRe(short));
  });

  it('names every sort order in OPTIONS and its key in KEYS', () => {
    const keys = tags('KEYS').join(' ');
    for (const [word, o] of Object.entries(SORT_ORDERS)) {
      expect(section('OPTIONS'), word).toMatch(wordRe(word));
      expect(keys.split(/[ ,]+/), o.key).toContain(o.key);
    }
  });

  it('lists exactly the exit statuses of TOP_EXIT', () => {
    expect(tags('EXIT STATUS').map(Number)).toEqual([...new Set(Object.values(TOP_EXIT))].sort((a, b) => a - b));
  });
});
