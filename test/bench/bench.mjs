// `npm run bench`: boots the user-mode kernel once and compares whole-command times and peak
// memory of the C ipvsadm 1.31 and ours (restore, save, list) at several table sizes. Numbers from
// one boot are comparable with each other only; ratios are what the README quotes. A ratio is
// printed only where both tools did the same work (same output, same table afterwards); any
// mismatch is printed with its difference and makes the bench exit 1.
import { runInGuest } from '../kernel/uml.mjs';
import { measureStartup } from './native-startup.mjs';
import { opsReport } from './ops-bench.mjs';
import { benchReport } from './report.mjs';
import { growthReport } from './growth.mjs';
import { NODE_EXPORTER, scrapeReport } from './scrape-bench.mjs';
import { connsReport } from './conns-bench.mjs';
import { existsSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CASES = process.env.BENCH_CASES ?? 'core,ops,scrape,growth,conns';
// the scrape case's anchor runs in the guest, which shares this machine's /usr
if (CASES.split(',').includes('scrape') && !existsSync(NODE_EXPORTER)) {
  console.error(`bench: ${NODE_EXPORTER} is missing (the scrape case's anchor): apt-get install prometheus-node-exporter`);
  process.exit(1);
}

console.log(`native start-up on this machine (alternating runs, ms; + over node -e 0, of the medians):`);
console.log('| command | median (min–max) | over node -e 0 |');
console.log('|---|---|---|');
for (const s of measureStartup()) {
  const over = s.name.startsWith('node') ? '—' : `+${s.overNode.toFixed(1)} ms`;
  console.log(`| \`${s.name}\` | ${s.ms.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)}) | ${over} |`);
}
console.log('');

// The floor of the list modes that dump every service (test/bench/dump-floor.c), built here: the
// guest shares this machine's /, so it runs the same file.
const floor = join(mkdtempSync(join(tmpdir(), 'ipvsadm-bench-floor-')), 'dump-floor');
execFileSync('gcc', ['-O2', '-o', floor, new URL('./dump-floor.c', import.meta.url).pathname], { stdio: 'inherit' });

const r = await runInGuest('node test/bench/guest-bench.mjs', {
  timeoutMs: 180 * 60 * 1000, // 10,000 × 4 with three runs of each operation takes most of an hour in a busy guest, the growth case's 50,000 more
  env: {
    BENCH_SIZES: process.env.BENCH_SIZES ?? '100,1000,5000,10000x4',
    BENCH_REPEAT: process.env.BENCH_REPEAT ?? '3',
    BENCH_SCRIPT_CALLS: process.env.BENCH_SCRIPT_CALLS ?? '20',
    BENCH_CASES: CASES,
    BENCH_FLOOR: floor,
    ...(process.env.BENCH_GROWTH_SIZES ? { BENCH_GROWTH_SIZES: process.env.BENCH_GROWTH_SIZES } : {}),
    ...(process.env.BENCH_CONNS ? { BENCH_CONNS: process.env.BENCH_CONNS } : {}),
  },
});
if (r.code !== 0) {
  console.error(r.stderr || r.stdout);
  process.exit(1);
}
const results = JSON.parse(r.stdout.trim().split('\n').at(-1));
// BENCH_CASES=ops: only the cases of top and apply (no start-up, script or 1.31 rows)
const report = results.startup ? benchReport(results) : { lines: [], failed: false };
for (const line of report.lines) console.log(line);
for (const line of opsReport(results.ops ?? [])) console.log(line);
const scrapes = scrapeReport(results.scrape);
for (const line of scrapes.lines) console.log(line);
const conns = connsReport(results.conns);
for (const line of conns.lines) console.log(line);
for (const line of growthReport(results)) console.log(line);
for (const row of results.growth ?? []) for (const m of row.mismatches) console.log(`\nMISMATCH at ${row.services} × ${row.dests}, growth case ${m.op}: ${m.what}${m.diff ? `\n${m.diff}` : ''}`);
if (report.failed || scrapes.failed || conns.failed || [...(results.ops ?? []), ...(results.growth ?? [])].some((row) => row.mismatches.length > 0)) process.exit(1);
