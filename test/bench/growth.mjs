// How each benchmarked command's cost grows with the table (test/bench/bench.mjs): per size the
// time per service and, between two sizes, the marginal cost of each added service; a command whose
// marginal cost rises from one step to the next grows faster than the table.

const f = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${Math.round(us)} µs`);

/**
 * The series to compare across sizes: `[label, [{ services, ms }...]]` for every operation timed at
 * two or more plain sizes (persistent tables are a different workload and left out).
 */
export function growthSeries(results) {
  const series = new Map();
  const add = (label, services, ms) => {
    if (ms === undefined) return;
    if (!series.has(label)) series.set(label, []);
    series.get(label).push({ services, ms });
  };
  for (const row of results.sizes ?? []) {
    if (row.persistent) continue;
    for (const [tool, r] of [['C', row.c], ['ours', row.ours]]) {
      for (const [op, t] of Object.entries(r)) if (t && typeof t.ms === 'number') add(`${tool} ${op}`, row.services, t.ms);
    }
  }
  for (const row of results.ops ?? []) {
    add('ours top block', row.services, row.top?.ours.ms);
    add('ours apply no-op', row.services, row.noop?.ours.ms);
    add('ours apply 1%', row.services, row.onePercent?.ours.ms);
    add('C flush + restore', row.services, row.onePercent?.c.ms);
  }
  for (const row of results.scrape ?? []) {
    add('ours scrape', row.services, row.ours?.ms);
    add('node_exporter scrape', row.services, row.nodeExporter?.ms);
  }
  for (const row of results.growth ?? []) {
    for (const [label, t] of Object.entries(row.timings)) add(`growth case: ${label}`, row.services, t.ms);
  }
  return [...series].filter(([, points]) => points.length >= 2).map(([label, points]) => [label, points.sort((a, b) => a.services - b.services)]);
}

/**
 * Marginal cost of each service added between consecutive sizes (µs per service), and the last
 * step's over the first: above 1 the command grows faster than the table.
 */
export function marginalCosts(points) {
  const steps = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    steps.push({ from: a.services, to: b.services, us: ((b.ms - a.ms) * 1000) / (b.services - a.services) });
  }
  const first = steps[0]?.us;
  const last = steps.at(-1)?.us;
  return { steps, growth: first > 0 && steps.length >= 2 ? last / first : undefined };
}

const ms = (t) => (t >= 1000 ? `${(t / 1000).toFixed(2)} s` : `${Math.round(t)} ms`);

/** The growth case's own timings: per size, each command's median with min and max. */
export function growthCaseLines(results) {
  const rows = results.growth ?? [];
  if (rows.length === 0) return [];
  const lines = ['', 'growth case (ours alone; medians with min–max):', '| services × real servers | command | time | per service |', '|---|---|---|---|'];
  for (const row of rows) {
    for (const [label, t] of Object.entries(row.timings)) {
      lines.push(`| ${row.services} × ${row.dests} | \`${label}\` | ${ms(t.ms)} (${ms(t.min)}–${ms(t.max)}) | ${f((t.ms * 1000) / row.services)} |`);
    }
  }
  return lines;
}

/** The report's lines: one row per operation, its time per service at each size and its marginal costs. */
export function growthReport(results) {
  const all = growthSeries(results);
  if (all.length === 0) return growthCaseLines(results);
  const sizes = [...new Set(all.flatMap(([, p]) => p.map((x) => x.services)))].sort((a, b) => a - b);
  const lines = [
    '',
    'growth with the table (medians; time per service at each size, then the marginal cost of each added service between sizes, and the last step over the first):',
    `| operation | ${sizes.map((n) => `per service at ${n}`).join(' | ')} | marginal per service | last / first step |`,
    `|---|${sizes.map(() => '---|').join('')}---|---|`,
  ];
  for (const [label, points] of all) {
    const at = sizes.map((n) => {
      const p = points.find((x) => x.services === n);
      return p ? f((p.ms * 1000) / n) : '—';
    });
    const { steps, growth } = marginalCosts(points);
    const marginal = steps.map((s) => `${s.from}→${s.to}: ${f(s.us)}`).join(', ');
    lines.push(`| ${label} | ${at.join(' | ')} | ${marginal} | ${growth === undefined ? '—' : growth.toFixed(2)} |`);
  }
  return [...growthCaseLines(results), ...lines];
}
