// The front door, table-driven: every command line of front-door/cases.json (what ipvsadm 1.31
// printed and returned in a real kernel, captured by front-door/capture.mjs) runs through main(),
// ipvsadm-save or ipvsadm-restore over the fake kernel seeded with the same starting table; stdout,
// stderr, exit status and the table left behind must each match the C tool's.
import { describe, expect, it } from 'vitest';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { reliabilityTest } from '../support/reliability.js';
import { CAPTURE, runOurs, tableOf, words } from './front-door/cases.js';
import type { FrontDoorCase, Outcome } from './front-door/cases.js';

/** A fake kernel holding the starting table, built by our ipvsadm from the C tool's setup lines. */
async function seeded(): Promise<FakeIpvs> {
  const ipvs = new FakeIpvs();
  ipvs.destsNewestFirst = true; // --nosort shows the kernel's own order
  for (const line of CAPTURE.setup) {
    const r = await runOurs(ipvs, { program: 'ipvsadm', argv: words(line) });
    if (r.status !== 0) throw new Error(`setup line failed: ipvsadm ${line}: ${r.stderr}`);
  }
  return ipvs;
}

/**
 * The README's deliberate differences that reach the front door: our own -h and -v texts, and our
 * own words for ipvsadm-save's usage. There only the status and the stream are ipvsadm's; the
 * text is checked against what it must still carry.
 */
function deliberate(c: FrontDoorCase): ((ours: Outcome) => void) | undefined {
  if (c.program === 'ipvsadm' && ['-h', '--help'].includes(c.argv[0] ?? '')) {
    return (ours) => {
      // every long option ipvsadm's help names is in ours
      for (const option of new Set(c.stdout.match(/--[a-z][a-z-]+/g))) expect(ours.stdout, option).toContain(option);
    };
  }
  if (c.program === 'ipvsadm' && c.argv[0] === '-v') {
    return (ours) => expect(ours.stdout).toContain(c.stdout.split(' ').slice(0, 2).join(' '));
  }
  if (c.program === 'ipvsadm-save' && c.status !== 0) {
    return (ours) => expect(ours.stderr.split(':')[0]).toBe(c.stderr.split(':')[0]);
  }
  return undefined;
}

function expectSameOutcome(ours: Outcome, c: FrontDoorCase): void {
  const different = deliberate(c);
  if (different) {
    different(ours);
    expect(ours.stdout === '', 'stdout empty').toBe(c.stdout === '');
    expect(ours.stderr === '', 'stderr empty').toBe(c.stderr === '');
    expect(ours.status, 'exit status').toBe(c.status);
    return;
  }
  // one object, three fields: the diff names each stream and the status that differ
  expect({ stdout: ours.stdout, stderr: ours.stderr, status: ours.status }).toEqual({ stdout: c.stdout, stderr: c.stderr, status: c.status });
}

/** Command lines whose stdout, stderr, status and table must be 1.31's, and those we change on purpose. */
const SAME = { area: 'input', item: 'front-door command lines vs ipvsadm 1.31' } as const;
const CHANGED = { area: 'input', item: 'front-door command lines where we differ from 1.31 on purpose' } as const;

describe(`front door: ours vs ${CAPTURE.capturedWith}`, () => {
  it('the starting table is the one ipvsadm built', async () => {
    expect(await tableOf(await seeded(), CAPTURE.setupTable)).toEqual(CAPTURE.setupTable);
  });

  for (const c of CAPTURE.cases) {
    const shown = `${c.program} ${c.argv.join(' ')}`.trim();
    it(`${c.name}: ${shown}`, async () => {
      reliabilityTest(deliberate(c) ? CHANGED : SAME);
      const ipvs = await seeded();
      const ours = await runOurs(ipvs, c);
      expectSameOutcome(ours, c);
      if (c.after) expect(await tableOf(ipvs, c.after), 'table afterwards').toEqual(c.after);
    });
  }

  it('covers every exit status ipvsadm has and all three programs', () => {
    expect(new Set(CAPTURE.cases.map((c) => c.status))).toEqual(new Set([0, 1, 2, 255]));
    expect(new Set(CAPTURE.cases.map((c) => c.program))).toEqual(new Set(['ipvsadm', 'ipvsadm-save', 'ipvsadm-restore']));
  });
});
