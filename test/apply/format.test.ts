// format.ts: one line per step with its sign, defaults left out of additions and removals, every
// changed setting before → after; colour only when stdout is a terminal; outcomes in words.
import { describe, expect, it } from 'vitest';
import { formatApply, stepLine } from '../../src/apply/format.js';
import type { PlanStep } from '../../src/apply/plan.js';
import type { Plan } from '../../src/apply/plan.js';

const step = (action: PlanStep['action'], fields: PlanStep['fields']): PlanStep => ({ action, object: 'real server', label: '198.51.100.1:80 of tcp 192.0.2.1:80', fields, changes: [] });
const SETTINGS = [
  { name: 'forwarding', after: 'masq' },
  { name: 'weight', after: '0' },
  { name: 'upper threshold', after: '0' },
  { name: 'lower threshold', after: '5' },
];

describe('stepLine', () => {
  it('adds show the settings but defaults; removals the same from before; changes every field', () => {
    expect(stepLine(step('add', SETTINGS))).toBe('+ real server 198.51.100.1:80 of tcp 192.0.2.1:80: forwarding masq, weight 0, lower threshold 5');
    expect(stepLine(step('remove', SETTINGS.map((f) => ({ name: f.name, before: f.after }))))).toBe('- real server 198.51.100.1:80 of tcp 192.0.2.1:80: forwarding masq, weight 0, lower threshold 5');
    expect(stepLine(step('change', [{ name: 'upper threshold', before: '0', after: '9' }, { name: 'tunnel', before: 'ipip' }]))).toBe(
      '~ real server 198.51.100.1:80 of tcp 192.0.2.1:80: upper threshold 0 → 9, tunnel ipip → (none)',
    );
  });
});

describe('formatApply', () => {
  const plan: Plan = { steps: [step('add', SETTINGS), step('change', [{ name: 'weight', before: '1', after: '2' }]), step('remove', [])], unmanaged: ['service udp 192.0.2.9:53'], notes: ['a note'] };

  it('colours only on a terminal', () => {
    const plain = formatApply(plan, { kind: 'pending' }, 'f', false);
    expect(plain).not.toMatch(/\x1b\[/);
    const coloured = formatApply(plan, { kind: 'pending' }, 'f', true);
    expect(coloured).toMatch(/\x1b\[32m\+ real server/);
    expect(coloured).toMatch(/\x1b\[33m~ real server/);
    expect(coloured).toMatch(/\x1b\[31m- real server/);
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(plain);
  });

  it('says how it ended', () => {
    expect(formatApply(plan, { kind: 'pending' }, 'f', false).split('\n').slice(-4)).toEqual(['= service udp 192.0.2.9:53: not in f, kept (--prune removes it)', 'note: a note', 'apply: 1 to add, 1 to change, 1 to remove (dry run: nothing was changed)', '']);
    const failed = formatApply(plan, { kind: 'failed', step: '+ x', reason: 'No such device', rollback: { undone: 1, refused: ['- real server a: No such destination'], left: ['+ real server a'] } }, 'f', false);
    expect(failed.split('\n').slice(-5)).toEqual([
      'apply: + x: No such device',
      '  undo refused: - real server a: No such destination',
      'apply: rollback incomplete: 1 change undone, 1 could not be; the table read back differs from the table before in:',
      '  not undone: + real server a',
      '',
    ]);
    const unread = formatApply(plan, { kind: 'failed', step: '+ x', reason: 'r', rollback: { undone: 0, refused: [], left: [], unreadable: 'No reply' } }, 'f', false);
    expect(unread.split('\n').slice(-2)).toEqual(['apply: rollback not verified: the table could not be read back (No reply); 0 changes undone; what this run changed may remain', '']);
    const back = formatApply(plan, { kind: 'failed', step: '+ x', reason: 'r', rollback: { undone: 2, refused: [], left: [] } }, 'f', false);
    expect(back.split('\n').slice(-2)).toEqual(['apply: rolled back: 2 changes undone; the kernel is as it was', '']);
    expect(formatApply({ steps: [], unmanaged: [], notes: [] }, { kind: 'unchanged' }, 'f', false)).toBe('apply: nothing to change: the kernel matches f\n');
  });
});
