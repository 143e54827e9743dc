// The reliability report can fail: a failed case, an item that ran no case, an unreadable line or
// (in a full run) an empty area fails the run. With IPVSADM_RELIABILITY_PLANT=1 this file is two
// planted failures instead (a case that throws, a test that fails after declaring its case), which
// the last test runs through the real runner (test/run-all.mjs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reliabilityReport } from './reliability-report.mjs';
import { reliabilityCases, reliabilityTest } from './support/reliability.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PLANTED = { area: 'fault', item: 'planted failing case (IPVSADM_RELIABILITY_PLANT)' } as const;
const PLANTED_TEST = { area: 'output', item: 'planted failing test (IPVSADM_RELIABILITY_PLANT)' } as const;

const line = (area: string, item: string, count: number, failures = 0): string => JSON.stringify({ area, item, count, failures });
const EVERY_AREA = ['fuzz', 'fault', 'concurrency', 'input', 'output'].map((area) => line(area, `${area} cases`, 3));

if (process.env['IPVSADM_RELIABILITY_PLANT'] === '1') {
  it('planted failing case', () => {
    const cases = reliabilityCases(PLANTED);
    cases.run(() => undefined);
    cases.run(() => {
      throw new Error('planted failure');
    });
  });
  it('planted failing test', () => {
    reliabilityTest(PLANTED_TEST);
    expect('planted').toBe('failure');
  });
} else {
  describe('reliability report', () => {
    it('sums the cases of each item and passes when none failed', () => {
      const r = reliabilityReport([...EVERY_AREA, line('fuzz', 'fuzz cases', 4)], true);
      expect(r.failures).toBe(0);
      expect(r.text.find((t) => t.includes('fuzz cases  '))).toMatch(/fuzzing +fuzz cases +7 +failures 0$/);
      expect(r.text.at(-1)).toMatch(/^ {2}totals: 7 fuzz cases, 3 fault injections, .* 0 failed cases/);
    });

    it('a failed case shows on its line and fails the run', () => {
      const r = reliabilityReport([...EVERY_AREA, line('input', 'input cases', 2, 1)], true);
      expect(r.text.find((t) => t.includes('input cases'))).toMatch(/hostile input +input cases +5 +failures 1$/);
      expect(r.text).toContain('  FAILED: 1 failed cases');
      expect(r.failures).toBe(1);
    });

    it('an item that ran no case fails, so does an unreadable line', () => {
      const r = reliabilityReport([...EVERY_AREA, line('fault', 'timeouts', 0), '{"area":"fault","item":"x","count":"1"}'], false);
      expect(r.text.filter((t) => t.includes('FAILED'))).toEqual([
        `  FAILED: a figure line that is not a figure: {"area":"fault","item":"x","count":"1"}`,
        `  FAILED: fault injection 'timeouts' ran no case`,
      ]);
      expect(r.failures).toBe(2);
    });

    it('a full run fails where an area recorded nothing; a partial run does not', () => {
      const withoutOutput = EVERY_AREA.filter((l) => !l.includes('"output"'));
      expect(reliabilityReport(withoutOutput, true)).toMatchObject({ failures: 1 });
      expect(reliabilityReport(withoutOutput, true).text.at(-1)).toBe('  FAILED: a full run recorded no output edges case');
      expect(reliabilityReport(withoutOutput, false).failures).toBe(0);
      expect(reliabilityReport([], true).failures).toBe(5);
    });
  });

  describe('the case counter', () => {
    // These tests write their figures into a file of their own, read by the third.
    const log = join(mkdtempSync(join(tmpdir(), 'reliability-')), 'figures.jsonl');
    const realLog = process.env['IPVSADM_RELIABILITY_LOG'];
    beforeAll(() => {
      process.env['IPVSADM_RELIABILITY_LOG'] = log;
    });
    afterAll(() => {
      if (realLog === undefined) delete process.env['IPVSADM_RELIABILITY_LOG'];
      else process.env['IPVSADM_RELIABILITY_LOG'] = realLog;
    });

    it('counts the runs fast-check executed, not the runs asked for', () => {
      const cases = reliabilityCases({ area: 'fuzz', item: 'fast-check runs' });
      let predicateRuns = 0;
      // Fails at its 5th run: fast-check stops there (endOnFailure), and the failure goes on.
      const failing = fc.property(fc.integer(), () => ++predicateRuns < 5);
      expect(() => fc.assert(failing, cases.fuzz({ numRuns: 100, seed: 1, endOnFailure: true }))).toThrow(/Property failed after 5 tests/);
      expect(predicateRuns).toBe(5);
      const passing = fc.property(fc.integer(), () => {
        predicateRuns++;
      });
      fc.assert(passing, cases.fuzz({ numRuns: 7, seed: 1 }));
      expect(predicateRuns).toBe(12);
    });

    it('a case that throws or rejects is counted as failed and the error goes on', async () => {
      const cases = reliabilityCases({ area: 'fault', item: 'cases' });
      expect(cases.run(() => 42)).toBe(42);
      expect(() => cases.run(() => JSON.parse('{'))).toThrow(SyntaxError);
      await expect(cases.run(async () => Promise.reject(new Error('late')))).rejects.toThrow('late');
      for (const problems of [[], [], [], ['a record lost']]) cases.checked(problems);
    });

    it('each figure is written when its test ends, with the cases run and failed', () => {
      expect(readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown)).toEqual([
        { area: 'fuzz', item: 'fast-check runs', count: 12, failures: 1 },
        { area: 'fault', item: 'cases', count: 7, failures: 3 },
      ]);
    });
  });

  describe('the runner', () => {
    it('a planted failing case is seen in the report of a real run, which fails', () => {
      const r = spawnSync(process.execPath, ['test/run-all.mjs', '--unit-only', 'test/reliability-report.test.ts'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, IPVSADM_RELIABILITY_PLANT: '1', IPVSADM_TEST_SKIP_BUILD: '1' },
        timeout: 120_000,
      });
      const report = r.stdout.split('\n');
      // a case that threw inside a test, and a test that failed around its case
      expect(report.find((l) => l.includes(PLANTED.item))).toMatch(/fault injection +planted failing case \(IPVSADM_RELIABILITY_PLANT\) +2 +failures 1$/);
      expect(report.find((l) => l.includes(PLANTED_TEST.item))).toMatch(/output edges +planted failing test \(IPVSADM_RELIABILITY_PLANT\) +1 +failures 1$/);
      expect(report).toContain('  FAILED: 2 failed cases');
      expect(report).toContain('unit: 0 passed, 2 failed');
      expect(report).toContain('reliability: 0 passed, 1 failed');
      expect(report.filter(Boolean).at(-1)).toBe('0 passed, 3 failed');
      expect(r.status).toBe(1);
    }, 150_000);
  });
}
