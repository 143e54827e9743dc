// What `ipvsadm apply` prints: one line per step (`+` add, `~` change, `-` remove, with the
// settings before → after), the entries it keeps without managing them, and how it ended; or
// the same as one JSON document (kind "apply", schema in src/schema/ipvsadm.schema.json).
// Colour (chalk) only when the caller says stdout is a terminal.
import { Chalk } from 'chalk';
import { document } from '../table/json.js';
import type { Json } from '../table/json.js';
import type { Field, Plan, PlanStep } from './plan.js';

/** How a run ended. */
export type Outcome =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'pending' }
  | { readonly kind: 'applied'; readonly steps: number }
  | { readonly kind: 'failed'; readonly step: string; readonly reason: string; readonly rollback: Rollback };

/** What undoing a failed run did, and what the table read back after it says. */
export interface Rollback {
  /** undo changes the kernel made */
  readonly undone: number;
  /** undo changes the kernel refused, each with its reason */
  readonly refused: readonly string[];
  /** each difference left between the table read back and the table before, in the plan's words */
  readonly left: readonly string[];
  /** the table could not be read back (why): whether the kernel is as it was is not known */
  readonly unreadable?: string;
}

/** Rolled back: the table read back after the undo equals the table before. */
export const rollbackComplete = (r: Rollback): boolean => r.left.length === 0 && r.unreadable === undefined;

const SIGN = { add: '+', change: '~', remove: '-' } as const;

/** Settings that say nothing when they have their default value. */
const QUIET: Readonly<Record<string, string>> = {
  'scheduler flags': 'none',
  persistence: 'none',
  'one-packet': 'no',
  pe: 'none',
  'upper threshold': '0',
  'lower threshold': '0',
};

function fieldText(f: Field, action: PlanStep['action']): string {
  if (action === 'change') return `${f.name} ${f.before ?? '(none)'} → ${f.after ?? '(none)'}`;
  return `${f.name} ${action === 'remove' ? f.before : f.after}`;
}

/** `+ real server 198.51.100.1:80 of tcp 192.0.2.1:80: masq, weight 1` */
export function stepLine(step: PlanStep): string {
  const shown = step.action === 'change' ? step.fields : step.fields.filter((f) => QUIET[f.name] !== (step.action === 'remove' ? f.before : f.after));
  const values = shown.map((f) => fieldText(f, step.action)).join(', ');
  return `${SIGN[step.action]} ${step.object} ${step.label}${values ? `: ${values}` : ''}`;
}

function count(plan: Plan): string {
  const n = (action: PlanStep['action']): number => plan.steps.filter((s) => s.action === action).length;
  return `${n('add')} to add, ${n('change')} to change, ${n('remove')} to remove`;
}

/** The plan and its outcome, as lines for a person. */
export function formatApply(plan: Plan, outcome: Outcome, file: string, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const paint = { add: c.green, change: c.yellow, remove: c.red } as const;
  const lines = plan.steps.map((s) => paint[s.action](stepLine(s)));
  for (const u of plan.unmanaged) lines.push(c.dim(`= ${u}: not in ${file}, kept (--prune removes it)`));
  for (const note of plan.notes) lines.push(c.dim(`note: ${note}`));
  switch (outcome.kind) {
    case 'unchanged':
      lines.push(`apply: nothing to change: the kernel matches ${file}`);
      break;
    case 'pending':
      lines.push(`apply: ${count(plan)} (dry run: nothing was changed)`);
      break;
    case 'applied':
      lines.push(`apply: ${outcome.steps} change${outcome.steps === 1 ? '' : 's'} made; the kernel matches ${file}`);
      break;
    case 'failed':
      lines.push(c.red(`apply: ${outcome.step}: ${outcome.reason}`));
      for (const f of outcome.rollback.refused) lines.push(c.red(`  undo refused: ${f}`));
      lines.push(rollbackLine(outcome.rollback));
      for (const f of outcome.rollback.left) lines.push(c.red(`  not undone: ${f}`));
      break;
  }
  return `${lines.join('\n')}\n`;
}

const changes = (n: number): string => `${n} change${n === 1 ? '' : 's'}`;

function rollbackLine(r: Rollback): string {
  if (r.unreadable !== undefined) return `apply: rollback not verified: the table could not be read back (${r.unreadable}); ${changes(r.undone)} undone; what this run changed may remain`;
  if (r.left.length > 0) return `apply: rollback incomplete: ${changes(r.undone)} undone, ${r.left.length} could not be; the table read back differs from the table before in:`;
  return `apply: rolled back: ${changes(r.undone)} undone; the kernel is as it was`;
}

function stepJson(step: PlanStep): Json {
  const side = (key: 'before' | 'after'): Json => {
    const entries = step.fields.filter((f) => f[key] !== undefined).map((f) => [f.name, f[key]!] as const);
    return entries.length > 0 ? Object.fromEntries(entries) : null;
  };
  return { action: step.action, object: step.object, label: step.label, before: side('before'), after: side('after') };
}

/** The plan and its outcome as one document. */
export function applyJson(plan: Plan, outcome: Outcome): string {
  const result: Record<string, Json> = { status: outcome.kind };
  if (outcome.kind === 'applied') result['steps'] = outcome.steps;
  if (outcome.kind === 'failed') {
    result['failedStep'] = outcome.step;
    result['reason'] = outcome.reason;
    const r = outcome.rollback;
    const failures = [...r.left, ...(r.unreadable !== undefined ? [`the table could not be read back: ${r.unreadable}`] : [])];
    result['rollback'] = { undone: r.undone, complete: rollbackComplete(r), failures };
  }
  return document('apply', { steps: plan.steps.map(stepJson), unmanaged: [...plan.unmanaged], notes: [...plan.notes], result });
}
