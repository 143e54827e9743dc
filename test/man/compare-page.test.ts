// ipvsadm-compare.8 against the code: every option src/compare/cli.ts declares has an item and a
// SYNOPSIS place and is what --help lists; the exit statuses are COMPARE_EXIT's; the schedulers
// whose order it compares are the ones table/compare.ts names. groff -ww: man-pages.test.ts.
import { describe, expect, it } from 'vitest';
import { runCompareCli } from '../../src/compare/cli.js';
import { ORDER_SCHEDULERS } from '../../src/table/compare.js';
import { COMPARE_EXIT } from '../../src/app/exit-status.js';
import { captureIo } from '../support/capture-io.js';
import { declaredOptions, helpOptions, itemTags, renderedSection, wordRe } from './roff.js';

const PAGE = 'ipvsadm-compare.8';
const OPTIONS = declaredOptions('src/compare/cli.ts');
const section = (name: string): string => renderedSection(PAGE, name);

describe('ipvsadm-compare.8', () => {
  it('documents every option --help lists, and --help lists every declared one', async () => {
    const io = captureIo();
    expect(await runCompareCli(['--help'], io)).toBe(0);
    expect(helpOptions(io.out()).sort()).toEqual([...OPTIONS].sort());
    for (const option of OPTIONS) {
      expect(itemTags(PAGE, 'OPTIONS').some((t) => wordRe(option).test(t)), option).toBe(true);
      if (option !== '--help') expect(section('SYNOPSIS'), option).toMatch(wordRe(option));
    }
  });

  it('lists exactly the exit statuses of COMPARE_EXIT', () => {
    expect(itemTags(PAGE, 'EXIT STATUS').map(Number)).toEqual([...new Set(Object.values(COMPARE_EXIT))].sort((a, b) => a - b));
  });

  it('names the schedulers whose order is compared', () => {
    for (const s of ORDER_SCHEDULERS) expect(section('DESCRIPTION')).toMatch(wordRe(s));
  });
});
