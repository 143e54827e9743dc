// The shipped Grafana dashboard (src/metrics/dashboard/ipvsadm.json): valid JSON with a schema
// version, the data source a template variable, a $director (instance) variable; every query
// reads only metrics and labels `ipvsadm metrics` exports (support/exported-metrics.ts) or that
// Prometheus writes per scrape, and is valid PromQL for promtool (one recording rule per query in
// a temporary rules file, Grafana's variables replaced by values).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ASSETS } from '../../src/metrics/assets.js';
import { EXPORTED_LABELS, EXPORTED_METRICS, EXPORTED_VALUES, SCRAPE_METRICS, TARGET_LABELS } from '../support/exported-metrics.js';
import { promqlNames } from '../support/promql.js';
import { promtool } from '../support/promtool.js';

interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type: string; uid: string };
}
interface Dashboard {
  schemaVersion: number;
  uid: string;
  title: string;
  templating: { list: Variable[] };
  panels: Panel[];
}

const DASHBOARD = JSON.parse(readFileSync(ASSETS.dashboard, 'utf8')) as Dashboard;
const PANELS = DASHBOARD.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const QUERIES = PANELS.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr })));
const VARIABLE_QUERIES = DASHBOARD.templating.list
  .filter((v) => v.type === 'query')
  .map((v) => ({ where: `variable $${v.name}`, query: typeof v.query === 'string' ? v.query : v.query.query }));

/** Grafana's variables replaced by what it would put there, so that promtool can read the query. */
const asPromql = (expr: string): string =>
  expr
    .replace(/\$__rate_interval|\$__interval|\$__range/g, '5m')
    .replace(/\$\{?(director|service)\}?/g, '.*');

/** `label_values(selector, label)` → its selector and label. */
function labelValues(query: string): { selector: string; label: string } {
  const m = /^label_values\((.+),\s*([a-zA-Z_]\w*)\)$/.exec(query.trim());
  if (!m) throw new Error(`not label_values(selector, label): ${query}`);
  return { selector: m[1]!, label: m[2]! };
}

const scratch = mkdtempSync(join(tmpdir(), 'ipvsadm-dashboard-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('src/metrics/dashboard/ipvsadm.json', () => {
  it('has a schema version, a uid, the data source and $director as variables', () => {
    expect(DASHBOARD.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(DASHBOARD.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    const byName = new Map(DASHBOARD.templating.list.map((v) => [v.name, v]));
    expect(byName.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(labelValues(VARIABLE_QUERIES.find((v) => v.where === 'variable $director')!.query)).toEqual({ selector: 'ipvs_info', label: 'instance' });
  });

  it('every panel reads the data source variable, every query filters by $director', () => {
    const uses = (d: { type: string; uid: string } | undefined): boolean => d?.type === 'prometheus' && d.uid === '${datasource}';
    for (const p of PANELS.filter((p) => p.type !== 'row')) {
      expect(uses(p.datasource), `panel ${p.id}`).toBe(true);
      expect(p.targets?.length, `panel ${p.id}`).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect(uses(t.datasource), `panel ${p.id} ${t.refId}`).toBe(true);
        expect(t.expr, `panel ${p.id} ${t.refId}`).toContain('instance=~"$director"');
      }
    }
    expect(new Set(PANELS.map((p) => p.id)).size).toBe(PANELS.length);
  });

  it('lays the panels out on the 24-column grid without overlap', () => {
    const boxes = PANELS.map((p) => ({ id: p.id, ...p.gridPos }));
    for (const b of boxes) expect(b.x >= 0 && b.w > 0 && b.h > 0 && b.x + b.w <= 24, `panel ${b.id}`).toBe(true);
    for (const a of boxes) {
      for (const b of boxes.filter((b) => b.id > a.id)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `panels ${a.id} and ${b.id}`).toBe(false);
      }
    }
  });

  it('has the panels an operator looks for', () => {
    const read = (name: string): string[] => PANELS.filter((p) => (p.targets ?? []).some((t) => promqlNames(asPromql(t.expr)).metrics.includes(name))).map((p) => p.type);
    expect(read('ipvs_service_connections_total')).toContain('table');
    expect(read('ipvs_destination_weight')).toContain('table');
    expect(read('ipvs_destination_active_connections')).toContain('timeseries');
    expect(read('ipvs_connection_entries')).toContain('timeseries');
    expect(read('ipvs_sync_daemon_running').length).toBeGreaterThan(0);
    expect(read('scrape_duration_seconds')).toContain('timeseries');
  });

  it('queries only metrics and labels `ipvsadm metrics` exports (or Prometheus writes per scrape)', () => {
    const metrics = new Set([...EXPORTED_METRICS, ...SCRAPE_METRICS]);
    const labels = new Set([...EXPORTED_LABELS, ...TARGET_LABELS]);
    const selectors = [...QUERIES, ...VARIABLE_QUERIES.map(({ where, query }) => ({ where, expr: labelValues(query).selector }))];
    expect(QUERIES.length).toBeGreaterThan(15);
    for (const { where, expr } of selectors) {
      const names = promqlNames(asPromql(expr));
      expect(names.errors, where).toEqual([]);
      expect(names.metrics.length, where).toBeGreaterThan(0);
      for (const m of names.metrics) expect(metrics.has(m), `${where} reads ${m}`).toBe(true);
      for (const l of names.labels) expect(labels.has(l), `${where} uses label ${l}`).toBe(true);
      for (const { label, value } of names.equalities) expect(EXPORTED_VALUES.get(label), `${where}: ${label}="${value}"`).toContain(value);
    }
    for (const { where, query } of VARIABLE_QUERIES) expect(labels.has(labelValues(query).label), where).toBe(true);
  });

  it('every query is valid PromQL for promtool (as recording rules), and a bad one is refused', () => {
    const file = (exprs: string[]): string => {
      const path = join(scratch, 'queries.rules.yml');
      writeFileSync(path, stringify({ groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] }));
      return path;
    };
    const exprs = QUERIES.map((q) => asPromql(q.expr));
    const r = promtool(['check', 'rules', file(exprs)]);
    expect(r.output).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(r.status).toBe(0);
    const bad = promtool(['check', 'rules', file([...exprs, 'sum by (instance (ipvs_services)'])]);
    expect(bad.status).not.toBe(0);
  });
});
