// The bench's cases for `top` and `apply` (run by test/bench/guest-bench.mjs in the guest, each
// against its anchor in the same boot): a top block against C `-Ln --stats`, a no-op apply against
// our `-Sn`, a 1% apply against C's flush + restore of the same file; each checks the same work.
import { spread } from './timing-text.mjs';
import { difference } from './same-work.mjs';

/** The rows a listing or a top block shows, in order: `TCP 192.0.2.1:80`, `-> 198.51.100.1:8080`. */
export function listedRows(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    const service = /^(TCP|UDP|SCTP|FWM)\s+(\S+)/.exec(line);
    const server = /^\s+->\s+(\S+)/.exec(line);
    if (service) rows.push(`${service[1]} ${service[2]}`);
    else if (server && server[1] !== 'RemoteAddress:Port') rows.push(`-> ${server[1]}`);
  }
  return rows;
}

/** `rules` with the weight of the first real server of every 25th service raised by 10: 1% of the real servers when each service has 4. */
export function onePercent(rules) {
  let service = -1;
  let first = false;
  return rules
    .split('\n')
    .map((line) => {
      if (line.startsWith('-A ')) return (service++, (first = true), line);
      if (!line.startsWith('-a ') || !first) return line;
      first = false;
      return service % 25 === 0 ? line.replace(/-w (\d+)$/, (_, w) => `-w ${Number(w) + 10}`) : line;
    })
    .join('\n');
}

/**
 * The three cases at one size; `t` gives the guest's tools: measure(tool, argv, opts),
 * summaryOf(runs), timed(argv), readBack(netns), canonicalTable(saved), freshNamespace(),
 * dropNamespaces(), restore(file, netns?), write(name, text), C, OURS, repeat. The table of
 * `file` is in the root namespace when called, and is left there.
 */
export function opsCases(t, file, rules) {
  const mismatches = [];
  const cStats = t.measure(t.C, ['-Ln', '--stats']);
  const top = t.measure(t.OURS, ['top', '-c', '1', '-n']);
  const [cRows, topRows] = [listedRows(cStats.output), listedRows(top.output)];
  if (cRows.length === 0 || cRows.join('\n') !== topRows.join('\n')) {
    mismatches.push({ op: 'top', what: `the top block and C -Ln --stats show different rows (${topRows.length} vs ${cRows.length})`, diff: difference('C -Ln --stats', cRows.join('\n'), 'ours top', topRows.join('\n')) });
  }
  // (a top block's title has the time of its read: its runs differ there)
  if (cStats.outputs !== 1) mismatches.push({ op: 'top', what: `C -Ln --stats's runs printed ${cStats.outputs} different outputs`, diff: '' });

  const saved = t.readBack();
  const same = t.write('ops-same', saved);
  const save = t.measure(t.OURS, ['-Sn']);
  const noop = t.measure(t.OURS, ['apply', '--lock-dir', t.lockDir, same]);
  if (save.output.replace(/\u0000stderr:\n$/, '') !== saved) mismatches.push({ op: 'apply-noop', what: 'our -Sn differs from C -Sn', diff: difference('C -Sn', saved, 'ours -Sn', save.output) });
  if (t.readBack() !== saved) mismatches.push({ op: 'apply-noop', what: 'a no-op apply changed the table', diff: difference('before', saved, 'after', t.readBack()) });
  if (noop.outputs !== 1) mismatches.push({ op: 'apply-noop', what: `the no-op apply printed ${noop.outputs} different outputs`, diff: '' });

  const changed = t.write('ops-1pct', onePercent(rules));
  const oneC = onePercentRuns(t, file, ['sh', '-c', `${t.C[0]} -C && ${t.C[0]} -R < ${changed}`]);
  const oneOurs = onePercentRuns(t, file, [...t.OURS, 'apply', '--lock-dir', t.lockDir, changed]);
  for (const [name, r] of [['C flush + restore', oneC], ['ours apply', oneOurs]]) if (r.tables !== 1) mismatches.push({ op: 'apply-1%', what: `${name}'s runs left ${r.tables} different tables`, diff: '' });
  if (oneC.table !== oneOurs.table) mismatches.push({ op: 'apply-1%', what: 'the tables left differ (read back with C -Sn, services sorted)', diff: difference('after C', oneC.table, 'after ours', oneOurs.table) });
  const strip = ({ output: _o, table: _t, ...rest }) => rest;
  return { top: { c: strip(cStats), ours: strip(top) }, noop: { sn: strip(save), ours: strip(noop) }, onePercent: { c: strip(oneC), ours: strip(oneOurs) }, mismatches };
}

/** `argv` timed `repeat` times, each in a new namespace holding `file`'s table (restored by ours, untimed); the tables left. */
function onePercentRuns(t, file, argv) {
  const runs = [];
  const tables = [];
  for (let i = 0; i < t.repeat; i++) {
    const netns = t.freshNamespace();
    t.restore(file, netns);
    runs.push(t.timed(['ip', 'netns', 'exec', netns, ...argv]));
    tables.push(t.canonicalTable(t.readBack(netns)));
    t.dropNamespaces();
  }
  return { ...t.summaryOf(runs), table: tables[0], tables: new Set(tables).size };
}


/** The report's lines for the sizes that ran the cases: one row per case, a ratio only where the work was the same. */
export function opsReport(rows) {
  if (rows.length === 0) return [];
  const lines = ['', '| services × real servers | case | anchor | anchor time | ours | ours / anchor |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    const size = `${row.services} × ${row.dests}`;
    const o = row;
    const bad = (op) => o.mismatches.some((m) => m.op === op);
    const ratio = (op, a, b) => (bad(op) ? 'not the same work' : (b.ms / a.ms).toFixed(2));
    lines.push(`| ${size} | \`top -c 1 -n\` (one block) | C \`-Ln --stats\` | ${spread(o.top.c)} | ${spread(o.top.ours)} | ${ratio('top', o.top.c, o.top.ours)} |`);
    lines.push(`| ${size} | \`apply\` of the table as it is | ours \`-Sn\` | ${spread(o.noop.sn)} | ${spread(o.noop.ours)} | ${ratio('apply-noop', o.noop.sn, o.noop.ours)} |`);
    lines.push(`| ${size} | \`apply\` of 1% of the weights changed | C \`-C\` + \`-R\` of the same file | ${spread(o.onePercent.c)} | ${spread(o.onePercent.ours)} | ${ratio('apply-1%', o.onePercent.c, o.onePercent.ours)} |`);
  }
  for (const row of rows) for (const m of row.mismatches) lines.push('', `MISMATCH at ${row.services} × ${row.dests}, ${m.op}: ${m.what}${m.diff ? `\n${m.diff}` : ''}`);
  return lines;
}
