// Runs Prometheus's promtool (Debian package prometheus; test/run-all.mjs installs it; a test that
// needs it fails with this advice when it is missing, never skips); turns an exposition into its
// input series; checks which shipped alerts fire on such series.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ASSETS } from '../../src/metrics/assets.js';

export interface PromtoolResult {
  readonly status: number | null;
  readonly output: string;
}

export function promtool(args: readonly string[], cwd?: string): PromtoolResult {
  const r = spawnSync('promtool', [...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('promtool not found: install Debian\'s prometheus package (apt-get install prometheus); `npm test` installs it when run as root');
  }
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/**
 * The samples of an exposition as Prometheus stores them from a scrape of `target` (its job and
 * instance labels added, empty label values dropped): promtool's series notation → the value.
 */
export function scrapedSeries(text: string, target: { job: string; instance: string }): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].filter((p) => p[2] !== '').map((p) => p[0]);
    out.set(`${m[1]}{${[`job="${target.job}"`, `instance="${target.instance}"`, ...labels].join(',')}}`, m[3]!);
  }
  return out;
}

/**
 * `promtool test rules` in `dir`: the shipped rules (annotations left out: only who fires is
 * checked) on `input`, every alert evaluated at `evalTime`, expected to fire with exactly the
 * label sets `firing` gives it (none for an alert not named). Throws if `firing` names an alert
 * the rules do not have.
 */
export function checkAlerts(dir: string, input: readonly { series: string; values: string }[], evalTime: string, firing: Record<string, Record<string, string>[]>): PromtoolResult {
  const rules = parse(readFileSync(ASSETS.rules, 'utf8')) as { groups: { rules: { alert?: string; annotations?: unknown }[] }[] };
  const all = rules.groups.flatMap((g) => g.rules);
  for (const r of all) delete r.annotations;
  const alerts = all.flatMap((r) => (r.alert ? [r.alert] : []));
  for (const name of Object.keys(firing)) if (!alerts.includes(name)) throw new Error(`no alert ${name} in the rules`);
  writeFileSync(join(dir, 'rules.yml'), stringify(rules));
  const alertCases = alerts.map((a) => ({ eval_time: evalTime, alertname: a, exp_alerts: (firing[a] ?? []).map((l) => ({ exp_labels: l })) }));
  writeFileSync(join(dir, 'cases.yml'), stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: input, alert_rule_test: alertCases }] }));
  return promtool(['test', 'rules', 'cases.yml'], dir);
}
