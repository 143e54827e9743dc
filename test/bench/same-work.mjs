// Whether the C ipvsadm 1.31 and ours did the same work in the bench (test/bench/guest-bench.mjs):
// the same output of each command and the same table afterwards; what differs is kept with a diff.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIFF_LINES = 40;

/**
 * A saved table (`-Sn`) in an order that does not depend on the namespace: each service with its
 * real servers (kept in their order) is one block, and the blocks are sorted. The kernel's hash of
 * a service mixes in its namespace, so two namespaces holding the same table list it in
 * different orders.
 */
export function canonicalTable(saved) {
  const blocks = [];
  for (const line of saved.split('\n').filter(Boolean)) {
    if (line.startsWith('-A ') || blocks.length === 0) blocks.push([line]);
    else blocks.at(-1).push(line);
  }
  return blocks.map((b) => b.join('\n')).sort().join('\n');
}

/** `diff -u` of two texts, at most 40 lines, for the report of a mismatch. */
export function difference(labelA, a, labelB, b) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-diff-'));
  try {
    writeFileSync(join(dir, 'a'), a, 'latin1');
    writeFileSync(join(dir, 'b'), b, 'latin1');
    const r = spawnSync('diff', ['-u', '--label', labelA, '--label', labelB, 'a', 'b'], { cwd: dir, encoding: 'latin1', maxBuffer: 1 << 30 });
    if (r.error) return `(diff failed: ${r.error.message})`;
    const lines = r.stdout.split('\n');
    return lines.length > DIFF_LINES ? [...lines.slice(0, DIFF_LINES), `... (${lines.length - DIFF_LINES} more lines of diff)`].join('\n') : r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What differs between C's and our work on one operation of a table size: a list of
 * { op, what, diff }. Each side is the measurement of its runs: `output` (the first run's stdout
 * and stderr), `outputs` (how many different outputs the runs printed), and where the operation
 * changes the table, `table` and `tables` (the same for the table read back) or `leftover` (what a
 * flush left behind).
 */
export function compareWork(c, ours, op) {
  const found = [];
  for (const [name, r] of [['C', c], ['ours', ours]]) {
    if (r.outputs !== 1) found.push({ op, what: `${name}'s runs printed ${r.outputs} different outputs`, diff: '' });
    if (r.tables !== undefined && r.tables !== 1) found.push({ op, what: `${name}'s runs left ${r.tables} different tables`, diff: '' });
    if (r.leftover) found.push({ op, what: `${name} left a table behind`, diff: r.leftover });
  }
  if (c.output !== ours.output) {
    found.push({ op, what: 'the outputs differ (stdout, then stderr)', diff: difference('C ipvsadm 1.31', c.output, 'ours', ours.output) });
  }
  if (c.table !== ours.table) {
    found.push({ op, what: 'the tables left differ (read back with C -Sn, services sorted)', diff: difference('after C', c.table ?? '', 'after ours', ours.table ?? '') });
  }
  return found;
}

/**
 * The floor program's work (test/bench/dump-floor.c): it must have dumped every service and read
 * every real server of the table (its output, `services N dests M reads R`, then stderr).
 */
export function floorMismatches(output, services, dests) {
  const m = /^services (\d+) dests (\d+) reads (\d+)\n/.exec(output);
  if (m && Number(m[1]) === services && Number(m[2]) === dests) return [];
  return [{ op: 'floor', what: `the floor program should have read ${services} services and ${dests} real servers`, diff: output.slice(0, 300) }];
}
