// apply's progress over the fake kernel: with a clock that moves 50 ms at every look, the phases
// and `apply: N/M changes` appear (M the changes of the plan), the outcome is the same as
// without; through the command line, none when stderr is not a terminal or with --no-progress,
// and the line taken away before the outcome is printed when it is.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openClient } from '../../src/app/open-client.js';
import { progressLine } from '../../src/app/progress.js';
import type { ProgressClock } from '../../src/app/progress.js';
import { runApply } from '../../src/apply/run.js';
import { readDesired } from '../../src/core/desired.js';
import { dispatch } from '../../src/entry/command-table.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { FixedNames } from '../support/fixed-names.js';

const LOCKS = mkdtempSync(join(tmpdir(), 'apply-progress-'));
/** 200 services, 200 changes to make */
const RULES = Array.from({ length: 200 }, (_, i) => `-A -t 192.0.2.1:${1000 + i} -s rr`).join('\n');

function steppingClock(step: number): ProgressClock {
  let t = 0;
  return { now: () => (t += step), later: () => ({ cancel: () => undefined }) };
}

describe('apply progress', () => {
  it('the phases and the changes made of all, every 2nd look at most', async () => {
    const io = fakeKernelIo({ model: new FakeIpvs() });
    const client = await openClient(io);
    let err = '';
    const progress = progressLine((t) => void (err += t), steppingClock(50));
    try {
      const { outcome } = await runApply(client, await readDesired(RULES, new FixedNames()), { dryRun: false, prune: false, connect: () => openClient(io), progress });
      progress.end();
      expect(outcome).toEqual({ kind: 'applied', steps: 200 });
    } finally {
      client.close();
    }
    const lines = err.split('\r').filter((l) => l !== '\x1b[K' && l !== '');
    expect(lines.every((l) => l.endsWith('\x1b[K'))).toBe(true);
    const texts = lines.map((l) => l.slice(0, -3));
    expect(texts.some((t) => /^apply: [\d,]+\/200 changes$/.test(t))).toBe(true);
    expect(texts.at(-1)).toBe('apply: reading the table back');
    expect(err.endsWith('\r\x1b[K')).toBe(true);
  });

  it('the command: nothing on stderr when it is not a terminal or with --no-progress; the same stdout', async () => {
    const apply = async (argv: string[], stderrTerminal: boolean): Promise<{ out: string; err: string; code: number }> => {
      const io = fakeKernelIo({ model: new FakeIpvs() }, { readStdin: async () => RULES, stderrTerminal });
      const code = await dispatch(['apply', ...argv, '--lock-dir', LOCKS, '-'], io);
      return { out: io.out(), err: io.err(), code };
    };
    const pipe = await apply([], false);
    expect(pipe.err).toBe('');
    expect(pipe.code).toBe(0);
    expect(await apply(['--no-progress'], true)).toEqual(pipe);
    const tty = await apply([], true);
    expect(tty.out).toBe(pipe.out);
    // a fast run may end before the first 100 ms: then nothing; else lines, and the last takes them away
    expect(tty.err === '' || tty.err.endsWith('\r\x1b[K')).toBe(true);
  });
});
