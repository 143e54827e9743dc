// `npm run bench`: boots the user-mode kernel once and compares whole-command times and peak
// memory of the C ipvsadm 1.31 and ours (restore, save, list) at several table sizes. Numbers from
// one boot are comparable with each other only; ratios are what the README quotes.
import { runInGuest } from '../kernel/uml.mjs';
import { measureStartup } from './native-startup.mjs';

console.log(`native start-up on this machine (median of alternating runs, ms; + over node -e 0):`);
console.log('| command | median | over node -e 0 |');
console.log('|---|---|---|');
for (const s of measureStartup()) console.log(`| \`${s.name}\` | ${s.ms.toFixed(1)} ms | ${s.name.startsWith('node') ? '—' : `+${s.overNode.toFixed(1)} ms`} |`);
console.log('');

const r = await runInGuest('node test/bench/guest-bench.mjs', {
  timeoutMs: 30 * 60 * 1000,
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
console.log(`startup (ipvsadm -Ln, empty table): C ${f(res.startup.c.ms)}, ours ${f(res.startup.ours.ms)}\n`);
const s = res.script;
console.log(
  `script case (${s.calls} single \`ipvsadm -a\` calls): C ${f(s.c.ms)}, ours ${f(s.ours.ms)}, ` +
    `${s.calls} × node -e 0 ${f(s.node.ms)} (ours ${Math.round((s.ours.ms / s.node.ms - 1) * 100)}% over node)\n`,
);
const OPS = { restore: '-R', save: '-Sn', list: '-Ln', flush: '-C' };
console.log('| services × real servers (restore lines) | operation | C ipvsadm 1.31 | ours | ours / C | peak RSS C / ours | system calls per service C / ours |');
console.log('|---|---|---|---|---|---|---|');
for (const row of res.sizes) {
  for (const op of Object.keys(OPS)) {
    const c = row.c[op];
    const o = row.ours[op];
    const rss = `${Math.round(c.rssKiB / 1024)} / ${Math.round(o.rssKiB / 1024)} MiB`;
    const sc = row.c.syscalls[op];
    const so = row.ours.syscalls[op];
    const calls = sc === undefined || so === undefined ? '' : `${(sc / row.services).toFixed(1)} / ${(so / row.services).toFixed(1)}`;
    console.log(`| ${row.services} × ${row.dests} (${row.lines}) | \`${OPS[op]}\` | ${f(c.ms)} | ${f(o.ms)} | ${(o.ms / c.ms).toFixed(2)} | ${rss} | ${calls} |`);
  }
}
for (const row of res.sizes) {
  for (const [name, r] of [['C', row.c], ['ours', row.ours]]) {
    if (r.procListed !== row.services) {
      console.log(`\nnote: before the listings of ${name}'s row /proc/net/ip_vs showed ${r.procListed} of ${row.services} services (another namespace still had services)`);
    }
  }
}
