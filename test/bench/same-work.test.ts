// The bench prints a ratio only where the C ipvsadm and ours did the same work: the checks that
// decide it (test/bench/same-work.mjs) and the report that leaves the ratio out and fails
// (test/bench/report.mjs), fed made-up measurements.
import { describe, expect, it } from 'vitest';
import { benchReport, type BenchResults, type Timing } from './report.mjs';
import { canonicalTable, compareWork, floorMismatches } from './same-work.mjs';

const SAVED = '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1\n-A -t 192.0.2.2:80 -s wlc\n';
/** The same table listed from another namespace: the services in another order. */
const SAVED_ELSEWHERE = '-A -t 192.0.2.2:80 -s wlc\n-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1\n';

describe('same work', () => {
  it('a table listed in another service order is the same table; other real servers are not', () => {
    expect(canonicalTable(SAVED_ELSEWHERE)).toBe(canonicalTable(SAVED));
    expect(canonicalTable(SAVED.replace('198.51.100.2', '198.51.100.3'))).not.toBe(canonicalTable(SAVED));
    // a real server moved to another service is another table
    const moved = '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1\n-A -t 192.0.2.2:80 -s wlc\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1\n';
    expect(canonicalTable(moved)).not.toBe(canonicalTable(SAVED));
  });

  it('equal outputs and tables: nothing to report', () => {
    const c = { output: SAVED, outputs: 1, table: canonicalTable(SAVED), tables: 1 };
    expect(compareWork(c, { ...c, table: canonicalTable(SAVED_ELSEWHERE) }, 'restore')).toEqual([]);
  });

  it('a listing one byte off is reported with a diff naming both lines', () => {
    const ours = SAVED.replace('-w 1\n-A', '-w 1 \n-A');
    const found = compareWork({ output: SAVED, outputs: 1 }, { output: ours, outputs: 1 }, 'save');
    expect(found.map((m) => [m.op, m.what])).toEqual([['save', 'the outputs differ (stdout, then stderr)']]);
    expect(found[0]!.diff).toContain('--- C ipvsadm 1.31\n+++ ours\n');
    expect(found[0]!.diff).toContain('\n--a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1\n+-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1 \n');
  });

  it('a restore that left another table, runs that disagree, and a flush that left services are each reported', () => {
    const c = { output: '', outputs: 1, table: canonicalTable(SAVED), tables: 1 };
    const ours = { output: '', outputs: 2, table: canonicalTable(SAVED.split('\n').slice(0, 2).join('\n')), tables: 3 };
    expect(compareWork(c, ours, 'restore').map((m) => m.what)).toEqual([
      "ours's runs printed 2 different outputs",
      "ours's runs left 3 different tables",
      'the tables left differ (read back with C -Sn, services sorted)',
    ]);
    expect(compareWork({ output: '', outputs: 1 }, { output: '', outputs: 1, leftover: '-A -t 192.0.2.1:80 -s rr' }, 'flush')).toEqual([
      { op: 'flush', what: 'ours left a table behind', diff: '-A -t 192.0.2.1:80 -s rr' },
    ]);
  });
});

const t = (ms: number): Timing => ({ ms, min: ms * 0.9, max: ms * 1.2, rssKiB: 4096 });
const tool = (scale: number): BenchResults['sizes'][number]['c'] => ({
  procListed: 1000,
  restore: t(2000 * scale),
  save: t(1500 * scale),
  list: t(1600 * scale),
  flush: t(100 * scale),
  syscalls: { list: 18_200, save: 18_200 },
});
function results(mismatches: BenchResults['sizes'][number]['mismatches']): BenchResults {
  return {
    repeat: 3,
    startup: { c: t(70), ours: t(550), mismatches: [] },
    script: { calls: 20, c: t(1400), ours: t(19_000), node: t(16_000), problems: [] },
    sizes: [{ services: 1000, dests: 2, lines: 3000, c: tool(1), ours: tool(0.5), mismatches }],
  };
}

describe('bench report', () => {
  it('same work: ratios of the medians, each figure with its min and max, and a pass', () => {
    const r = benchReport(results([]));
    expect(r.failed).toBe(false);
    expect(r.lines).toContain('| 1000 × 2 (3000) | `-Ln` | 1.60 s (1.44 s–1.92 s) | 800 ms (720 ms–960 ms) | 0.50 | 4 / 4 MiB | 18.2 / 18.2 |');
    expect(r.lines.at(-1)).toBe('bench: C and ours printed the same listings and left the same tables in every operation');
  });

  it('a mismatch: no ratio for that operation, its diff printed, and the bench fails', () => {
    const r = benchReport(results([{ op: 'list', what: 'the outputs differ (stdout, then stderr)', diff: '-a\n+b' }]));
    expect(r.failed).toBe(true);
    expect(r.lines).toContain('| 1000 × 2 (3000) | `-Ln` | 1.60 s (1.44 s–1.92 s) | 800 ms (720 ms–960 ms) | not the same work | 4 / 4 MiB | 18.2 / 18.2 |');
    expect(r.lines).toContain('| 1000 × 2 (3000) | `-Sn` | 1.50 s (1.35 s–1.80 s) | 750 ms (675 ms–900 ms) | 0.50 | 4 / 4 MiB | 18.2 / 18.2 |');
    expect(r.lines).toContain('MISMATCH at 1000 × 2, list: the outputs differ (stdout, then stderr)\n-a\n+b');
    expect(r.lines.at(-1)).toMatch(/^bench: C and ours did not do the same work \(1 problems above\)/);
  });

  it('list modes: a ratio where C has the mode, ours alone where it lacks it, a mismatch in a mode fails', () => {
    const res = results([]);
    const row = res.sizes[0]!;
    const withModes = { ...row, persistent: true, c: { ...row.c, stats: t(5000) }, ours: { ...row.ours, stats: t(1000), json: t(2000) } };
    const r = benchReport({ ...res, sizes: [withModes] });
    expect(r.failed).toBe(false);
    expect(r.lines).toContain('| 1000 × 2 persistent (3000) | `-Ln --stats` | 5.00 s (4.50 s–6.00 s) | 1.00 s (900 ms–1.20 s) | 0.20 | 4 / 4 MiB |  |');
    expect(r.lines).toContain('| 1000 × 2 persistent (3000) | `-Ln --json` | — (no such mode) | 2.00 s (1.80 s–2.40 s) | — | — / 4 MiB |  |');
    const bad = benchReport({ ...res, sizes: [{ ...withModes, mismatches: [{ op: 'stats', what: 'the outputs differ (stdout, then stderr)', diff: '' }] }] });
    expect(bad.failed).toBe(true);
    expect(bad.lines).toContain('| 1000 × 2 persistent (3000) | `-Ln --stats` | 5.00 s (4.50 s–6.00 s) | 1.00 s (900 ms–1.20 s) | not the same work | 4 / 4 MiB |  |');
  });

  it('the floor beside C and ours at each size, as fractions of C\'s --stats; no fraction when it did other work', () => {
    const res = results([]);
    const row = { ...res.sizes[0]!, c: { ...res.sizes[0]!.c, stats: t(5000) }, ours: { ...res.sizes[0]!.ours, stats: t(2500) }, floor: t(1000) };
    const r = benchReport({ ...res, sizes: [row] });
    expect(r.lines).toContain('- 1000 × 2: 1.00 s (900 ms–1.20 s), 0.20 of C\'s `-Ln --stats` (5.00 s (4.50 s–6.00 s)); ours 0.50');
    const bad = benchReport({ ...res, sizes: [{ ...row, mismatches: floorMismatches('services 999 dests 1998 reads 2000\n', 1000, 2000) }] });
    expect(bad.failed).toBe(true);
    expect(bad.lines).toContain('- 1000 × 2: 1.00 s (900 ms–1.20 s), not the same work');
  });

  it('the floor program must have read every service and real server', () => {
    expect(floorMismatches('services 10 dests 40 reads 21\n\u0000stderr:\n', 10, 40)).toEqual([]);
    expect(floorMismatches('services 10 dests 39 reads 21\n', 10, 40)).toHaveLength(1);
    expect(floorMismatches('', 10, 40)[0]!.what).toMatch(/10 services and 40 real servers/);
  });

  it('a script case whose calls did not all land fails too', () => {
    const res = results([]);
    const r = benchReport({ ...res, script: { ...res.script, problems: ['run 2: ours left 19 of its 20 real servers'] } });
    expect(r.failed).toBe(true);
    expect(r.lines.find((l) => l.startsWith('script case'))).toMatch(/NOT THE SAME WORK: run 2: ours left 19 of its 20 real servers$/);
  });
});
