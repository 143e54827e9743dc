// Figures for the reliability report that `npm test` prints at the end (test/reliability-report.mjs
// sums them): a figure is the number of cases a test really executed, and its failures are the
// cases that failed. Each test declares its figure when it starts; the figure is written when the
// test finishes, passed or failed, as one JSON line appended to $IPVSADM_RELIABILITY_LOG (unset:
// nothing is written).
import { appendFileSync } from 'node:fs';
import { defaultReportMessage, type Parameters as FcParameters, type RunDetails } from 'fast-check';
import { onTestFinished } from 'vitest';

/** The report's sections. */
export type ReliabilityArea = 'fuzz' | 'fault' | 'concurrency' | 'input' | 'output';

/** What a figure counts; the report sums figures by area and item. */
export interface ReliabilityFigure {
  readonly area: ReliabilityArea;
  /** what one case is, e.g. 'argv parser cases', 'listings checked during restore' */
  readonly item: string;
}

/** The cases of one figure in the running test. */
export interface ReliabilityCases {
  /** Runs one case: counted as executed; if it throws (or its promise rejects) it is a failed case, and the error goes on. */
  run<T>(body: () => T): T;
  /** fast-check parameters that count the runs fast-check executed, and a failed property as one failed case. */
  fuzz<Ts>(params: FcParameters<Ts>): FcParameters<Ts>;
  /** One case the test checked itself: failed when the check found problems. */
  checked(problems: readonly unknown[]): void;
  /** Cases the test saw happen without running them itself (e.g. faults a fake kernel injected, counted by the fake). */
  observed(cases: number, failed?: number): void;
}

interface Tally {
  executed: number;
  failed: number;
}

function write(figure: ReliabilityFigure, tally: Tally): void {
  const file = process.env['IPVSADM_RELIABILITY_LOG'];
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ area: figure.area, item: figure.item, count: tally.executed, failures: tally.failed })}\n`);
}

/**
 * Declares a figure of the running test and returns its case counter. When the test ends the
 * figure is written with the cases counted; a test that failed without a failed case (an
 * assertion around the cases) adds one failure.
 */
export function reliabilityCases(figure: ReliabilityFigure): ReliabilityCases {
  const tally: Tally = { executed: 0, failed: 0 };
  onTestFinished(({ task }) => {
    const testFailed = task.result?.state === 'fail';
    write(figure, { executed: tally.executed, failed: tally.failed + (testFailed && tally.failed === 0 ? 1 : 0) });
  });
  return {
    run: (body) => runCase(tally, body),
    fuzz: (params) => ({ ...params, reporter: (details) => countRuns(tally, details) }),
    checked: (problems) => {
      tally.executed++;
      if (problems.length > 0) tally.failed++;
    },
    observed: (cases, failed = 0) => {
      tally.executed += cases;
      tally.failed += failed;
    },
  };
}

/** The running test is one case of `figure`: counted when it ends, failed if the test failed. */
export function reliabilityTest(figure: ReliabilityFigure): void {
  reliabilityCases(figure).checked([]);
}

function runCase<T>(tally: Tally, body: () => T): T {
  tally.executed++;
  const failed = (error: unknown): never => {
    tally.failed++;
    throw error;
  };
  let result: T;
  try {
    result = body();
  } catch (error) {
    return failed(error);
  }
  if (result instanceof Promise) return result.catch(failed) as T;
  return result;
}

/** fast-check's report of a finished property: its runs counted, a failure thrown as fc.assert does. */
function countRuns<Ts>(tally: Tally, details: RunDetails<Ts>): void {
  tally.executed += details.numRuns;
  if (!details.failed) return;
  tally.failed++;
  throw new Error(defaultReportMessage(details) ?? 'property failed', { cause: details.errorInstance });
}
