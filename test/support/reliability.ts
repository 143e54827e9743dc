// Figures for the reliability report that `npm test` prints at the end (test/run-all.mjs reads
// them): each test that fuzzes, injects faults or runs concurrent operations records what it did.
// One JSON line per call, appended to $IPVSADM_RELIABILITY_LOG (unset: nothing is written).
import { appendFileSync } from 'node:fs';

/** What a figure counts; the report sums figures by area and item. */
export interface ReliabilityFigure {
  /** 'fuzz' | 'fault' | 'concurrency' | 'input' | 'output' — the report's section */
  readonly area: 'fuzz' | 'fault' | 'concurrency' | 'input' | 'output';
  /** what was counted, e.g. 'argv parser cases', 'listings checked', 'timeouts injected' */
  readonly item: string;
  readonly count: number;
  /** crashes, hangs, inconsistent listings, lost rules... seen (a passing test records 0) */
  readonly failures?: number;
}

export function recordReliability(figure: ReliabilityFigure): void {
  const file = process.env['IPVSADM_RELIABILITY_LOG'];
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ failures: 0, ...figure })}\n`);
}
