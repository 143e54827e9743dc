// The reliability report `npm test` prints (test/run-all.mjs): the figures the tests wrote
// (test/support/reliability.ts: one JSON line per figure of a finished test, the cases it ran and
// the cases that failed), summed by area and item. The report fails the run for a failed case,
// a line it cannot read, an item that ran no case, or, in a full run, an area with no case.

export const AREAS = { fuzz: 'fuzzing', fault: 'fault injection', concurrency: 'concurrency', input: 'hostile input', output: 'output edges' };

/**
 * Sums the figure lines by area and item.
 * @param {string[]} lines
 * @returns {{ rows: { area: string, item: string, count: number, failures: number }[], unreadable: string[] }}
 */
export function sumFigures(lines) {
  const rows = new Map();
  const unreadable = [];
  for (const line of lines) {
    let f;
    try {
      f = JSON.parse(line);
    } catch {
      f = undefined;
    }
    if (!f || !(f.area in AREAS) || typeof f.item !== 'string' || !Number.isInteger(f.count) || !Number.isInteger(f.failures)) {
      unreadable.push(line);
      continue;
    }
    const key = `${f.area}\u0000${f.item}`;
    const row = rows.get(key) ?? { area: f.area, item: f.item, count: 0, failures: 0 };
    row.count += f.count;
    row.failures += f.failures;
    rows.set(key, row);
  }
  const sorted = [...rows.values()].sort((a, b) => a.area.localeCompare(b.area) || a.item.localeCompare(b.item));
  return { rows: sorted, unreadable };
}

/**
 * The report's lines and the number of failures it adds to the run.
 * @param {string[]} lines the figure lines the tests wrote
 * @param {boolean} fullRun both suites, no filter: every area must have run cases
 * @returns {{ text: string[], failures: number }}
 */
export function reliabilityReport(lines, fullRun) {
  const { rows, unreadable } = sumFigures(lines);
  const text = ['reliability report (cases the tests of this run executed, and those that failed):'];
  const width = Math.max(20, ...rows.map((r) => r.item.length));
  for (const r of rows) {
    text.push(`  ${AREAS[r.area].padEnd(16)} ${r.item.padEnd(width)} ${String(r.count).padStart(9)}   failures ${r.failures}`);
  }
  const total = (area) => rows.filter((r) => r.area === area).reduce((n, r) => n + r.count, 0);
  const failedCases = rows.reduce((n, r) => n + r.failures, 0);
  text.push(
    `  totals: ${total('fuzz')} fuzz cases, ${total('fault')} fault injections, ${total('concurrency')} concurrent operations/listings, ` +
      `${total('input')} hostile inputs, ${total('output')} output edge cases; ${failedCases} failed cases (crashes, hangs, inconsistent listings, lost rules, wrong output)`,
  );
  const problems = [];
  if (failedCases > 0) problems.push(`${failedCases} failed cases`);
  for (const line of unreadable) problems.push(`a figure line that is not a figure: ${line.slice(0, 200)}`);
  for (const r of rows.filter((row) => row.count === 0)) problems.push(`${AREAS[r.area]} '${r.item}' ran no case`);
  if (fullRun) {
    for (const area of Object.keys(AREAS)) if (total(area) === 0) problems.push(`a full run recorded no ${AREAS[area]} case`);
  }
  for (const p of problems) text.push(`  FAILED: ${p}`);
  return { text, failures: problems.length };
}
