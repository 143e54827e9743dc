// ipvsadm-director-ready.8 against the code: every option src/ready/cli.ts declares has an item and
// a SYNOPSIS place and is what --help lists; the exit statuses are READY_EXIT's. groff -ww: man-pages.test.ts.
import { describe, expect, it } from 'vitest';
import { READY_EXIT } from '../../src/app/exit-status.js';
import { runReadyCli } from '../../src/ready/cli.js';
import { captureIo } from '../support/capture-io.js';
import { declaredOptions, helpOptions, itemTags, renderedSection, wordRe } from './roff.js';

const PAGE = 'ipvsadm-director-ready.8';
const OPTIONS = declaredOptions('src/ready/cli.ts');

describe('ipvsadm-director-ready.8', () => {
  it('documents every option --help lists, and --help lists every declared one', async () => {
    const io = captureIo();
    expect(await runReadyCli(['--help'], io)).toBe(0);
    expect(helpOptions(io.out()).sort()).toEqual([...OPTIONS].sort());
    for (const option of OPTIONS) {
      expect(itemTags(PAGE, 'OPTIONS').some((t) => wordRe(option).test(t)), option).toBe(true);
      if (option !== '--help' && option !== '-h') expect(renderedSection(PAGE, 'SYNOPSIS'), option).toMatch(wordRe(option));
    }
  });

  it('lists exactly the exit statuses of READY_EXIT', () => {
    expect(itemTags(PAGE, 'EXIT STATUS').map(Number)).toEqual([...new Set(Object.values(READY_EXIT))].sort((a, b) => a - b));
  });
});
