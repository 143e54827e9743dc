// The bench's tables (test/bench/bench.mjs) from the results of test/bench/guest-bench.mjs: each
// time the median of the runs with their min and max, and a ratio ours / C only where both tools
// did the same work; every mismatch is printed with its diff and fails the bench.
import { spread } from './timing-text.mjs';

const OPS = {
  restore: '-R',
  save: '-Sn',
  list: '-Ln',
  flush: '-C',
  stats: '-Ln --stats',
  rate: '-Ln --rate',
  exact: '-Ln --stats --exact',
  thresholds: '-Ln --thresholds',
  persistentConn: '-Ln --persistent-conn',
  tunInfo: '-Ln --tun-info',
  json: '-Ln --json',
};


/** `2000 × 4`, and `persistent` for a table of persistent services with thresholds. */
const sizeOf = (row) => `${row.services} × ${row.dests}${row.persistent ? ' persistent' : ''}`;

/** One line per operation measured (a mode 1.31 lacks: ours alone, no ratio). */
function sizeRows(row, failed) {
  const size = sizeOf(row);
  return Object.keys(OPS).flatMap((op) => {
    const c = row.c[op];
    const o = row.ours[op];
    if (!o) return [];
    const rss = `${c ? Math.round(c.rssKiB / 1024) : '—'} / ${Math.round(o.rssKiB / 1024)} MiB`;
    const sc = row.c.syscalls[op];
    const so = row.ours.syscalls[op];
    const calls = sc === undefined || so === undefined ? '' : `${(sc / row.services).toFixed(1)} / ${(so / row.services).toFixed(1)}`;
    const ratio = failed(op, size) ? 'not the same work' : c ? (o.ms / c.ms).toFixed(2) : '—';
    return [`| ${size} (${row.lines}) | \`${OPS[op]}\` | ${c ? spread(c) : '— (no such mode)'} | ${spread(o)} | ${ratio} | ${rss} | ${calls} |`];
  });
}

/**
 * Per size, the floor of the list modes that dump every service (dump-floor.c: C, one socket,
 * a send and two reads per service, no start-up, nothing printed) beside C's and our `--stats`.
 */
function floorLines(sizes, failed) {
  const rows = sizes.filter((row) => row.floor && row.c.stats && row.ours.stats);
  if (rows.length === 0) return [];
  const lines = ['', 'floor of the modes that dump every service (test/bench/dump-floor.c: one socket, a send and two reads per service, no start-up, nothing printed):'];
  for (const row of rows) {
    const of = (t) => (t.ms / row.c.stats.ms).toFixed(2);
    const verdict = failed('floor', sizeOf(row)) ? 'not the same work' : `${of(row.floor)} of C's \`-Ln --stats\` (${spread(row.c.stats)}); ours ${of(row.ours.stats)}`;
    lines.push(`- ${sizeOf(row)}: ${spread(row.floor)}, ${verdict}`);
  }
  return lines;
}

/**
 * The lines to print, and whether the bench failed (a mismatch between C and ours).
 * @returns {{ lines: string[], failed: boolean }}
 */
export function benchReport(res) {
  const lines = [];
  const few = res.repeat < 3 ? ' — fewer than 3 runs: not a figure to publish' : '';
  lines.push(`every figure below: the median of ${res.repeat} runs (min–max); ratios are of the medians${few}`, '');
  const mismatches = [
    ...res.startup.mismatches,
    ...res.sizes.flatMap((row) => row.mismatches.map((m) => ({ ...m, size: sizeOf(row) }))),
  ];
  const failed = (op, size) => mismatches.some((m) => m.op === op && m.size === size);
  const startupNote = failed('startup', undefined) ? ' — OUTPUTS DIFFER, see below' : '';
  lines.push(`startup (ipvsadm -Ln, empty table): C ${spread(res.startup.c)}, ours ${spread(res.startup.ours)}${startupNote}`, '');
  const s = res.script;
  const over = s.problems.length ? ` — NOT THE SAME WORK: ${s.problems.join('; ')}` : ` (ours ${Math.round((s.ours.ms / s.node.ms - 1) * 100)}% over node, medians)`;
  lines.push(`script case (${s.calls} single \`ipvsadm -a\` calls): C ${spread(s.c)}, ours ${spread(s.ours)}, ${s.calls} × node -e 0 ${spread(s.node)}${over}`, '');
  lines.push('| services × real servers (restore lines) | operation | C ipvsadm 1.31 | ours | ours / C | peak RSS C / ours | system calls per service C / ours |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const row of res.sizes) lines.push(...sizeRows(row, failed));
  lines.push(...floorLines(res.sizes, failed));
  for (const row of res.sizes) {
    for (const [name, r] of [['C', row.c], ['ours', row.ours]]) {
      if (r.procListed !== row.services) {
        lines.push('', `note: before the listings of ${name}'s row /proc/net/ip_vs showed ${r.procListed} of ${row.services} services (another namespace still had services)`);
      }
    }
  }
  for (const m of mismatches) lines.push('', `MISMATCH${m.size ? ` at ${m.size}` : ''}, ${m.op}: ${m.what}${m.diff ? `\n${m.diff}` : ''}`);
  const problems = mismatches.length + s.problems.length;
  if (problems > 0) lines.push('', `bench: C and ours did not do the same work (${problems} problems above): no ratio for those operations`);
  else lines.push('', 'bench: C and ours printed the same listings and left the same tables in every operation');
  return { lines, failed: problems > 0 };
}
