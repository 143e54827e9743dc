// ipvsadm-drain.8 against the code: every option src/drain/cli.ts declares (but the hidden
// --poll and --lock-dir) has an item and a SYNOPSIS place and is what --help lists; the exit statuses are
// DRAIN_EXIT's; the sysctls it warns about are the ones run.ts reads. groff -ww: man-pages.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runDrainCli } from '../../src/drain/cli.js';
import { DRAIN_EXIT } from '../../src/app/exit-status.js';
import { captureIo } from '../support/capture-io.js';
import { declaredOptions, helpOptions, itemTags, renderedSection, ROOT, wordRe } from './roff.js';

const PAGE = 'ipvsadm-drain.8';
const OPTIONS = declaredOptions('src/drain/cli.ts').filter((o) => o !== '--poll' && o !== '--lock-dir');
const section = (name: string): string => renderedSection(PAGE, name);
const tags = (sh: string): string[] => itemTags(PAGE, sh);

describe('ipvsadm-drain.8', () => {
  it('documents every option --help lists, and --help lists every declared one but --poll and --lock-dir', async () => {
    expect(declaredOptions('src/drain/cli.ts')).toContain('--poll');
    const io = captureIo();
    expect(await runDrainCli(['--help'], io)).toBe(0);
    const listed = helpOptions(io.out());
    expect(listed.sort()).toEqual([...OPTIONS].sort());
    const synopsis = section('SYNOPSIS');
    for (const option of OPTIONS) {
      expect(tags('OPTIONS').some((t) => wordRe(option).test(t)) || section('OPTIONS').includes(option), option).toBe(true);
      if (!['--tcp-service', '--udp-service', '--fwmark-service', '--ipv6', '--real-server'].includes(option)) expect(synopsis, option).toMatch(wordRe(option));
    }
  });

  it('lists exactly the exit statuses of DRAIN_EXIT', () => {
    expect(tags('EXIT STATUS').map(Number)).toEqual([...new Set(Object.values(DRAIN_EXIT))].sort((a, b) => a - b));
  });

  it('names the sysctls run.ts reads', () => {
    const run = readFileSync(new URL('src/drain/cli.ts', ROOT), 'utf8');
    for (const name of ['expire_quiescent_template', 'conn_reuse_mode', 'expire_nodest_conn']) {
      expect(run).toContain(`'${name}'`);
      expect(section('DESCRIPTION')).toContain(`net.ipv4.vs.${name}`);
    }
  });
});
