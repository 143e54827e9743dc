// -R's progress line over the fake kernel, with a clock that moves 10 ms at every look: the lines
// done so far out of the input's lines (text) or the changes (JSON save), drawn at most every
// 100 ms and taken away before an error line; the restore's own text and status are those of a
// run without progress. And through main: no progress when stderr is not a terminal.
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../src/app/progress.js';
import type { ProgressClock } from '../../src/app/progress.js';
import { clearingBefore } from '../../src/app/progress.js';
import { lineCount, restore } from '../../src/cli/restore.js';
import { IpvsClient } from '../../src/ipvs/client.js';
import { dispatch } from '../../src/entry/command-table.js';
import { runOverFakeKernel } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { FakeKernel } from '../support/fake-kernel.js';
import { FixedNames } from '../support/fixed-names.js';
import { fakeTableFrom } from '../support/fake-table.js';

/** 10 ms more at every look; timers never fire (the looks alone draw). */
function steppingClock(): ProgressClock {
  let t = 0;
  return { now: () => (t += 10), later: () => ({ cancel: () => undefined }) };
}

async function run(input: string, withProgress: boolean): Promise<{ out: string; err: string; code: number }> {
  const client = await IpvsClient.open(async () => new FakeKernel({ model: new FakeIpvs() }));
  let out = '';
  let err = '';
  const sinks = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };
  try {
    const progress = withProgress ? progressLine(sinks.stderr, steppingClock()) : undefined;
    const io = progress ? clearingBefore(sinks, progress) : sinks;
    const code = await restore(input, { client, names: new FixedNames(), argv0: 'ipvsadm', ...io, ...(progress ? { progress } : {}) });
    progress?.end();
    return { out, err, code };
  } finally {
    client.close();
  }
}

const LINES = Array.from({ length: 300 }, (_, i) => `-A -t 192.0.2.1:${1000 + i} -s rr`);

// eslint-disable-next-line no-control-regex
const PROGRESS = /\r(restore: [^\r\x1b]*)?\x1b\[K/g;

describe('-R progress', () => {
  it('lineCount counts a last line without newline', () => {
    expect([lineCount(''), lineCount('a\n'), lineCount('a\nb'), lineCount('a\n\nb\n')]).toEqual([0, 1, 2, 3]);
  });

  it('text input: lines done of all, every 10th look at most; an error line after the line is taken away', async () => {
    const input = `${LINES.slice(0, 150).join('\n')}\n-A -t 192.0.2.1:1000 -s rr\n${LINES.slice(150).join('\n')}\n`;
    const plain = await run(input, false);
    const shown = await run(input, true);
    expect(shown.code).toBe(plain.code);
    expect(shown.out).toBe(plain.out);
    expect(plain.err).toBe('Service already exists\n');
    expect(shown.err.replace(PROGRESS, '')).toBe(plain.err);
    const drawn = [...shown.err.matchAll(/\rrestore: ([\d,]+)\/301 lines\x1b\[K/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
    expect(drawn.length).toBeGreaterThan(5);
    // increasing, each at least 10 lines after the one before (10 looks of 10 ms each = 100 ms)
    drawn.slice(1).forEach((n, i) => expect(n - drawn[i]!).toBeGreaterThanOrEqual(10));
    expect(shown.err).toMatch(/\r\x1b\[KService already exists\n/);
    expect(shown.err.endsWith('\r\x1b[K')).toBe(true);
  });

  it('a JSON save: changes done of all', async () => {
    // the document as -S --json writes it of a table of 700 services
    const model = await fakeTableFrom(Array.from({ length: 700 }, (_, i) => `-A -t 192.0.2.1:${1000 + i} -s rr`));
    const doc = (await runOverFakeKernel({ model }, (io) => dispatch(['-S', '--json'], io))).stdout;
    const plain = await run(doc, false);
    const shown = await run(doc, true);
    expect(plain).toMatchObject({ err: '', code: 0 });
    expect(shown.code).toBe(0);
    // 700 services and the timeouts; one look per batch of 64, so one line drawn
    expect(shown.err).toMatch(/^\rrestore: [\d,]+\/701 changes\x1b\[K\r\x1b\[K$/);
  });

  it('through the command line, stderr not a terminal: 1.31 text only', async () => {
    const r = await runOverFakeKernel({ model: new FakeIpvs() }, (io) => dispatch(['-R'], io), `${LINES.join('\n')}\n-A -t 192.0.2.1:1000 -s rr\n`);
    expect(r).toEqual({ stdout: '', stderr: 'Service already exists\n', code: 255 });
  });
});
