// ipvsadm-completion.8 against the code: its options are --help's, its exit statuses
// COMPLETION_EXIT's, and it names every scheduler offered, every leading word and each shell's
// install path (the ones the scripts' own headers give).
import { describe, expect, it } from 'vitest';
import { COMPLETION_EXIT } from '../../src/app/exit-status.js';
import { runCompletionCli } from '../../src/completion/cli.js';
import { completionScript, SHELLS } from '../../src/completion/scripts.js';
import { LEADING_WORDS } from '../../src/completion/words.js';
import { SCHEDULERS } from '../../src/ipvs/vocabulary.js';
import { captureIo } from '../support/capture-io.js';
import { helpOptions, itemTags, renderedSection } from './roff.js';

const PAGE = 'ipvsadm-completion.8';

describe('ipvsadm-completion.8', () => {
  it('documents the options --help lists', async () => {
    const io = captureIo();
    expect(await runCompletionCli(['--help'], io)).toBe(0);
    expect(helpOptions(io.out()).sort()).toEqual(['--help', '-h']);
    expect(itemTags(PAGE, 'OPTIONS').join(' ')).toMatch(/-h, --help/);
  });

  it('lists exactly the exit statuses of COMPLETION_EXIT', () => {
    expect(itemTags(PAGE, 'EXIT STATUS').map(Number)).toEqual([...new Set(Object.values(COMPLETION_EXIT))].sort((a, b) => a - b));
  });

  it('names every scheduler and every leading word completed', () => {
    const text = renderedSection(PAGE, 'DESCRIPTION').replace(/\s+/g, ' ');
    for (const s of SCHEDULERS) expect(text).toMatch(new RegExp(`\\b${s}\\b`));
    for (const w of LEADING_WORDS) expect(text).toMatch(new RegExp(`\\b${w}\\b`));
  });

  it.each(SHELLS)('%s: the install path of the script header is in INSTALLATION', (shell) => {
    const header = completionScript(shell).split('\n').find((l) => l.startsWith('# ipvsadm completion'))!;
    const path = /save it as (\S+?)(?:[,)]|\s)/.exec(header)![1]!;
    const install = renderedSection(PAGE, 'INSTALLATION');
    expect(install).toContain(shell);
    expect(install).toContain(path === '_ipvsadm' ? '/_ipvsadm' : path);
  });
});
