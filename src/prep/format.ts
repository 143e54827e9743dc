// Text and JSON renderings of plans, runs, checks and failures: pure (data, options) → string.
// Colour (chalk) only when the caller says stdout is a terminal; tables by app/text-table.ts.
import { Chalk } from 'chalk';
import { textTable } from '../app/text-table.js';
import type { CheckReport, CheckRow } from './check.js';
import type { ApplyError } from './errors.js';
import type { Action, Side, Step } from './model.js';
import { sysctlName } from '../host/sysctl.js';
import { daemonLabel, haLabel } from './ha.js';
import type { HaSpec } from './model.js';
import { recordDaemon } from './state.js';

/** The change as a phrase: "set net.ipv4.conf.all.arp_ignore = 1 (was 0)". */
export function describeStep(s: Step): string {
  switch (s.kind) {
    case 'module-load':
      return `load module ${s.module}`;
    case 'sysctl-set':
      return `set ${sysctlName(s.key)} = ${s.to} (${s.from === undefined ? (s.key.startsWith('net/ipv4/vs/') ? 'ip_vs not loaded yet' : 'device not there yet') : `was ${s.from}`})`;
    case 'link-set':
      return `set link ${s.dev} ${s.up ? 'up' : 'down'}`;
    case 'address-add':
      return `add ${s.vip.text}/${s.prefix} to ${s.dev}${s.vip.family === 6 ? ' (nodad, deprecated)' : s.nodad ? ' (nodad)' : ''}`;
    case 'address-del':
      return `remove ${s.vip.text}/${s.prefix} from ${s.dev}`;
    case 'fou-add':
      return `open GUE port ${s.port}/udp (IPv${s.family})`;
    case 'fou-del':
      return `close GUE port ${s.port}/udp (IPv${s.family})`;
    case 'tunnel-add':
      return `create ${s.type} device ${s.dev} (local ${s.local.text}, expects checksums)`;
    case 'tunnel-del':
      return `delete ${s.type} device ${s.dev}`;
    case 'daemon-start':
      return `start sync daemon ${daemonLabel(s.daemon)}`;
    case 'daemon-stop':
      return `stop sync daemon ${daemonLabel(s.daemon)}`;
  }
}

/** The step as JSON-friendly data (sysctl keys in sysctl(8) spelling, VIPs as text). */
export function stepJson(s: Step): Record<string, unknown> {
  switch (s.kind) {
    case 'sysctl-set':
      return { kind: s.kind, key: sysctlName(s.key), from: s.from ?? null, to: s.to };
    case 'address-add':
    case 'address-del':
      return { kind: s.kind, dev: s.dev, address: s.vip.text, prefix: s.prefix, nodad: s.nodad };
    case 'tunnel-add':
    case 'tunnel-del':
      return { kind: s.kind, dev: s.dev, type: s.type, local: s.local.text };
    case 'daemon-start':
    case 'daemon-stop':
      return { kind: s.kind, ...recordDaemon(s.daemon) };
    default:
      return { ...s };
  }
}

/** A spec or a state record as a short label: `dr`, `tun ipip`, `tun gue, port 6080`, `tun gre, checksums`. */
export function modeLabel(spec: { side: Side; mode: string; tunType?: string | undefined; tunPort?: number | undefined; csum?: boolean | undefined; csumLocals?: readonly unknown[] | undefined; ha?: HaSpec | undefined }): string {
  if (spec.ha) return `${spec.mode}, ${haLabel(spec.ha)}`;
  if (spec.side !== 'realserver' || spec.mode !== 'tun') return spec.mode;
  if (spec.tunType === 'gue') return `tun gue, port ${spec.tunPort}`;
  return `tun ${spec.tunType}${spec.csum === true || spec.csumLocals !== undefined ? ', checksums' : ''}`;
}

/** A deleted namespace's record met under this namespace's inode and set aside (state.ts StaleRecord). */
export interface SetAsideReport {
  /** the inode */
  readonly netns: string;
  readonly mode: string;
  readonly reason: string;
}

export interface RunReport {
  readonly side: Side;
  readonly action: Exclude<Action, 'check'>;
  readonly mode: string;
  readonly dryRun: boolean;
  /** planned steps (dry run) or the steps performed */
  readonly steps: readonly Step[];
  readonly notes: readonly string[];
  readonly stateFile?: string;
  /** a stale record found under this namespace's inode (also one line in notes) */
  readonly setAside?: SetAsideReport;
  /** what happened to the --persist file */
  readonly persist?: { readonly path: string; readonly outcome: 'written' | 'removed' | 'absent' | 'would write' | 'would remove' };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatRun(r: RunReport): string {
  const head = `${r.side} ${r.action} (${r.mode})`;
  const n = r.steps.length;
  const lines: string[] = [];
  if (n === 0) lines.push(`${head}: nothing to do, ${r.action === 'up' ? 'already prepared' : 'nothing to undo'}`);
  else lines.push(r.dryRun ? `${head}, dry run: would make ${plural(n, 'change')}:` : `${head}: ${plural(n, 'change')} applied:`);
  for (const s of r.steps) lines.push(`  ${describeStep(s)}`);
  for (const note of r.notes) lines.push(`note: ${note}`);
  if (r.persist) lines.push(`${r.persist.outcome === 'absent' ? 'no file to remove' : r.persist.outcome}: ${r.persist.path}`);
  if (r.stateFile && !r.dryRun && n > 0) lines.push(`state: ${r.stateFile}`);
  if (r.dryRun) lines.push('dry run: nothing was changed');
  return `${lines.join('\n')}\n`;
}

export function runJson(r: RunReport): string {
  return `${JSON.stringify({ ok: true, ...r, changed: r.steps.length > 0 && !r.dryRun, steps: r.steps.map(stepJson) }, null, 2)}\n`;
}

export interface CheckMeta {
  readonly side: Side;
  readonly mode: string;
}

export function formatCheck(report: CheckReport, meta: CheckMeta, opts: { color: boolean }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const rows = report.rows.map((row) => [row.requirement, row.expected, row.detail ? `${row.effective} (${row.detail})` : row.effective, row.ok ? 'ok' : 'FAIL']);
  const table = textTable(['requirement', 'expected', 'effective', 'status'], rows, {
    paint: (text, row, col) => (row < 0 ? c.bold(text) : col !== 3 ? text : report.rows[row]!.ok ? c.green(text) : c.red.bold(text)),
  });
  const failing = report.rows.filter((r) => !r.ok).length;
  const missing = report.rows.filter((r) => !r.ok && r.why !== undefined).map((r) => `missing: ${r.requirement}: ${r.why}\n`);
  const summary = report.ready
    ? c.green(`ready: ${meta.side} prepared for ${meta.mode} (${plural(report.rows.length, 'requirement')} met)`)
    : c.red(`not ready: ${failing} of ${plural(report.rows.length, 'requirement')} not met`);
  return `${table}${missing.join('')}${summary}\n`;
}

export function checkJson(report: CheckReport, meta: CheckMeta): string {
  const rows = report.rows.map((r: CheckRow) => ({ ...r }));
  return `${JSON.stringify({ ...meta, ready: report.ready, requirements: rows }, null, 2)}\n`;
}

/** stderr text for a failed run: what failed, what was rolled back, what (if anything) remains. */
export function formatApplyError(prefix: string, e: ApplyError): string {
  const lines = [`${prefix}: ${e.failed.message}`];
  if (e.rolledBack.length > 0) {
    lines.push(`rolled back ${plural(e.rolledBack.length, 'change')}:`, ...e.rolledBack.map((s) => `  ${describeStep(s)}`));
  }
  if (e.rollbackFailures.length > 0) {
    lines.push(`ROLLBACK INCOMPLETE, these changes remain:`, ...e.rollbackFailures.map((f) => `  ${f.message}`));
  } else lines.push('nothing of this run remains applied');
  if (e.modulesLeft.length > 0) lines.push(`(modules loaded by this run stay loaded: ${e.modulesLeft.join(', ')})`);
  return `${lines.join('\n')}\n`;
}

export function applyErrorJson(e: ApplyError): string {
  const body = {
    ok: false,
    error: e.failed.message,
    failedStep: e.failed.step ? stepJson(e.failed.step) : null,
    rolledBack: e.rolledBack.map(stepJson),
    rollbackFailures: e.rollbackFailures.map((f) => ({ step: f.step ? stepJson(f.step) : null, error: f.message })),
    modulesLeft: e.modulesLeft,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
