// `npm run bench`: boots the user-mode kernel once and compares whole-command times and peak
// memory of the C ipvsadm 1.31 and ours (restore, save, list) at several table sizes. Numbers from
// one boot are comparable with each other only; ratios are what the README quotes. A ratio is
// printed only where both tools did the same work (same output, same table afterwards); any
// mismatch is printed with its difference and makes the bench exit 1.
import { runInGuest } from '../kernel/uml.mjs';
import { measureStartup } from './native-startup.mjs';

console.log(`native start-up on this machine (median of alternating runs, ms; + over node -e 0):`);
console.log('| command | median | over node -e 0 |');
console.log('|---|---|---|');
for (const s of measureStartup()) console.log(`| \`${s.name}\` | ${s.ms.toFixed(1)} ms | ${s.name.startsWith('node') ? '—' : `+${s.overNode.toFixed(1)} ms`} |`);
console.log('');

const r = await runInGuest('node test/bench/guest-bench.mjs', {
  timeoutMs: 120 * 60 * 1000, // 10,000 × 4 with three runs of each operation takes most of an hour in a busy guest
  env: {
    BENCH_SIZES: process.env.BENCH_SIZES ?? '100,1000,5000,10000x4',
    BENCH_REPEAT: process.env.BENCH_REPEAT ?? '3',
    BENCH_SCRIPT_CALLS: process.env.BENCH_SCRIPT_CALLS ?? '20',
  },
});
if (r.code !== 0) {
  console.error(r.stderr || r.stdout);
  process.exit(1);
}
const res = JSON.parse(r.stdout.trim().split('\n').at(-1));
const f = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
/** A median with the range of the runs: `1.23 s (1.20–1.31 s)`. */
const spread = (m) => `${f(m.ms)} (${f(m.min)}–${f(m.max)})`;
console.log(`every figure below: the median of ${res.repeat} runs (min–max)${res.repeat < 3 ? ' — fewer than 3 runs: not a figure to publish' : ''}\n`);
const mismatches = [...res.startup.mismatches, ...res.sizes.flatMap((row) => row.mismatches.map((m) => ({ ...m, size: `${row.services} × ${row.dests}` })))];
const failed = (op, size) => mismatches.some((m) => m.op === op && m.size === size);
console.log(
  `startup (ipvsadm -Ln, empty table): C ${spread(res.startup.c)}, ours ${spread(res.startup.ours)}` +
    `${failed('startup', undefined) ? ' — OUTPUTS DIFFER, see below' : ''}\n`,
);
const s = res.script;
console.log(
  `script case (${s.calls} single \`ipvsadm -a\` calls): C ${spread(s.c)}, ours ${spread(s.ours)}, ` +
    `${s.calls} × node -e 0 ${spread(s.node)}` +
    (s.problems.length ? ` — NOT THE SAME WORK: ${s.problems.join('; ')}\n` : ` (ours ${Math.round((s.ours.ms / s.node.ms - 1) * 100)}% over node, medians)\n`),
);
const OPS = { restore: '-R', save: '-Sn', list: '-Ln', flush: '-C' };
console.log('| services × real servers (restore lines) | operation | C ipvsadm 1.31 | ours | ours / C | peak RSS C / ours | system calls per service C / ours |');
console.log('|---|---|---|---|---|---|---|');
for (const row of res.sizes) {
  const size = `${row.services} × ${row.dests}`;
  for (const op of Object.keys(OPS)) {
    const c = row.c[op];
    const o = row.ours[op];
    const rss = `${Math.round(c.rssKiB / 1024)} / ${Math.round(o.rssKiB / 1024)} MiB`;
    const sc = row.c.syscalls[op];
    const so = row.ours.syscalls[op];
    const calls = sc === undefined || so === undefined ? '' : `${(sc / row.services).toFixed(1)} / ${(so / row.services).toFixed(1)}`;
    // A ratio only for the same work: the same output and the same table afterwards.
    const ratio = failed(op, size) ? 'not the same work' : (o.ms / c.ms).toFixed(2);
    console.log(`| ${size} (${row.lines}) | \`${OPS[op]}\` | ${spread(c)} | ${spread(o)} | ${ratio} | ${rss} | ${calls} |`);
  }
}
for (const row of res.sizes) {
  for (const [name, r] of [['C', row.c], ['ours', row.ours]]) {
    if (r.procListed !== row.services) {
      console.log(`\nnote: before the listings of ${name}'s row /proc/net/ip_vs showed ${r.procListed} of ${row.services} services (another namespace still had services)`);
    }
  }
}
for (const m of mismatches) {
  console.log(`\nMISMATCH${m.size ? ` at ${m.size}` : ''}, ${m.op}: ${m.what}${m.diff ? `\n${m.diff}` : ''}`);
}
if (mismatches.length > 0 || s.problems.length > 0) {
  console.log(`\nbench: C and ours did not do the same work (${mismatches.length + s.problems.length} problems above): no ratio for those operations`);
  process.exit(1);
}
console.log('\nbench: C and ours printed the same listings and left the same tables in every operation');
