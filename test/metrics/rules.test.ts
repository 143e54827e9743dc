// The shipped Prometheus rules (src/metrics/rules/ipvsadm.rules.yml): promtool accepts them;
// `promtool test rules` passes on the cases of rules/ipvsadm.rules.test.yml, which make every
// alert fire and not fire; breaking an alert's expression or its `for` makes that run fail (the
// cases can fail); every metric and label the rules read is one `ipvsadm metrics` exports
// (support/exported-metrics.ts); `--print-rules` prints the file.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ASSETS } from '../../src/metrics/assets.js';
import { runMetricsCli } from '../../src/metrics/cli.js';
import { METRICS_EXIT } from '../../src/app/exit-status.js';
import { captureIo } from '../support/capture-io.js';
import { EXPORTED_LABELS, EXPORTED_METRICS, EXPORTED_VALUES, SCRAPE_METRICS, TARGET_LABELS } from '../support/exported-metrics.js';
import { promqlNames } from '../support/promql.js';
import { promtool } from '../support/promtool.js';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RulesFile {
  groups: { name: string; rules: Rule[] }[];
}
interface AlertCase {
  alertname: string;
  eval_time: string;
  exp_alerts: unknown[];
}
interface TestFile {
  tests: { name: string; alert_rule_test?: AlertCase[]; promql_expr_test?: { expr: string }[] }[];
}

const CASES = fileURLToPath(new URL('rules/ipvsadm.rules.test.yml', import.meta.url));
const RULES_TEXT = readFileSync(ASSETS.rules, 'utf8');
const RULES = parse(RULES_TEXT) as RulesFile;
const ALL = RULES.groups.flatMap((g) => g.rules);
const ALERTS = ALL.filter((r) => r.alert !== undefined);
const RECORDS = ALL.filter((r) => r.record !== undefined);
const TESTS = parse(readFileSync(CASES, 'utf8')) as TestFile;

/** A scratch tree where a changed rules file sits where the cases expect it. */
const scratch = mkdtempSync(join(tmpdir(), 'ipvsadm-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
mkdirSync(join(scratch, 'src/metrics/rules'), { recursive: true });
mkdirSync(join(scratch, 'test/metrics/rules'), { recursive: true });

/**
 * `promtool test rules` against the rules with `change` applied to one alert, on the cases of
 * that alert (the groups of tests that name it; the others would only take time).
 */
function testWithChangedAlert(alert: string, change: (r: Rule) => void): ReturnType<typeof promtool> {
  const changed = parse(RULES_TEXT) as RulesFile;
  const rule = changed.groups.flatMap((g) => g.rules).find((r) => r.alert === alert)!;
  change(rule);
  writeFileSync(join(scratch, 'src/metrics/rules/ipvsadm.rules.yml'), stringify(changed));
  const cases = parse(readFileSync(CASES, 'utf8')) as TestFile;
  cases.tests = cases.tests.filter((t) => (t.alert_rule_test ?? []).some((c) => c.alertname === alert));
  writeFileSync(join(scratch, 'test/metrics/rules/cases.yml'), stringify(cases));
  return promtool(['test', 'rules', 'cases.yml'], join(scratch, 'test/metrics/rules'));
}

describe('src/metrics/rules/ipvsadm.rules.yml', () => {
  it('promtool check rules accepts every rule', () => {
    const r = promtool(['check', 'rules', ASSETS.rules]);
    expect(r.output).toContain(`SUCCESS: ${ALL.length} rules found`);
    expect(r.status).toBe(0);
  });

  it('promtool test rules passes on the cases', () => {
    const r = promtool(['test', 'rules', CASES]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('the cases make every alert fire and, elsewhere, stay silent; they test every recording rule', () => {
    const cases = TESTS.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const a of ALERTS) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      expect(mine.some((c) => c.exp_alerts.length > 0), `${a.alert} fires in some case`).toBe(true);
      expect(mine.some((c) => c.exp_alerts.length === 0), `${a.alert} is silent in some case`).toBe(true);
    }
    const exprs = TESTS.tests.flatMap((t) => t.promql_expr_test ?? []).map((c) => c.expr);
    for (const r of RECORDS) expect(exprs, r.record).toContain(r.record);
    expect(ALERTS.length).toBeGreaterThanOrEqual(11);
  });

  it.each(ALERTS.map((a) => a.alert!))('%s: the cases fail when it never fires, and when its `for` is dropped', (alert) => {
    const never = testWithChangedAlert(alert, (r) => void (r.expr = 'vector(1) < 0'));
    expect(never.status, never.output).not.toBe(0);
    expect(never.output).toContain(`alertname: ${alert}`);
    const hasty = testWithChangedAlert(alert, (r) => void (r.for = '0s'));
    expect(hasty.status, hasty.output).not.toBe(0);
    expect(hasty.output).toContain(`alertname: ${alert}`);
  });

  it('every alert has a severity, a summary and a description, and waits (`for`)', () => {
    for (const a of ALERTS) {
      expect(['critical', 'warning', 'info'], a.alert).toContain(a.labels?.['severity']);
      expect(a.annotations?.['summary'], a.alert).toMatch(/\{\{ \$labels\.instance \}\}/);
      expect(a.annotations?.['description']?.length ?? 0, a.alert).toBeGreaterThan(80);
      expect(a.for, a.alert).toMatch(/^\d+[mh]$/);
    }
  });

  it('reads only metrics `ipvsadm metrics` exports (or Prometheus writes per scrape, or the rules record)', () => {
    const known = new Set([...EXPORTED_METRICS, ...SCRAPE_METRICS, ...RECORDS.map((r) => r.record!)]);
    const labels = new Set([...EXPORTED_LABELS, ...TARGET_LABELS]);
    for (const rule of ALL) {
      const { metrics, labels: used, equalities, errors } = promqlNames(rule.expr);
      const name = rule.alert ?? rule.record;
      expect(errors, name).toEqual([]);
      expect(metrics.length, name).toBeGreaterThan(0);
      for (const m of metrics) expect(known.has(m), `${name} reads ${m}`).toBe(true);
      for (const l of used) expect(labels.has(l), `${name} uses label ${l}`).toBe(true);
      // values compared as the exposition writes them (tcp, not TCP); table sizes: the test below
      for (const { label, value } of equalities.filter((e) => e.label !== 'connection_table_size')) expect(EXPORTED_VALUES.get(label), `${name}: ${label}="${value}"`).toContain(value);
      for (const [, l] of JSON.stringify(rule.annotations ?? {}).matchAll(/\$labels\.(\w+)/g)) expect(labels.has(l!), `${name} shows label ${l}`).toBe(true);
    }
    // the derived sets are the exposition's, not empty: the rules read these families
    for (const m of ['ipvs_destination_weight', 'ipvs_sync_daemon_running', 'ipvs_connection_entries', 'ipvs_info']) expect(EXPORTED_METRICS).toContain(m);
  });

  it('reads the connection table size for every size the kernel allows (2^8 to 2^27 buckets)', () => {
    const expr = RECORDS.find((r) => r.record === 'instance:ipvs_connection_table_size:buckets')!.expr;
    const sizes = [...expr.matchAll(/connection_table_size="(\d+)"\} \* (\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(sizes).toEqual(Array.from({ length: 20 }, (_, i) => [2 ** (i + 8), 2 ** (i + 8)]));
  });
});

describe('ipvsadm metrics --print-rules / --print-dashboard', () => {
  it('prints the shipped files as they are', async () => {
    const io = captureIo();
    expect(await runMetricsCli(['--print-rules'], io)).toBe(METRICS_EXIT.OK);
    expect(io.out()).toBe(RULES_TEXT);
    const io2 = captureIo();
    expect(await runMetricsCli(['--print-dashboard'], io2)).toBe(METRICS_EXIT.OK);
    expect(io2.out()).toBe(readFileSync(ASSETS.dashboard, 'utf8'));
  });

  it('ship in the package (package.json "files" names them)', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const files = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] }).files;
    for (const path of Object.values(ASSETS)) expect(files, path).toContain(path.slice(root.length));
  });

  it('either stands alone', async () => {
    const io = captureIo();
    expect(await runMetricsCli(['--print-rules', '--listen', '9565'], io)).toBe(METRICS_EXIT.USAGE);
    expect(io.err()).toBe('ipvsadm metrics: --print-rules takes no other option\n');
    expect(io.out()).toBe('');
  });
});
