// A comparison written twice from the same data: lines for a person (A's value → B's value) and
// one JSON document (ipvsadm-compare(8) describes its members).
import type { SettingChange } from '../fields/outputs.js';
import type { Comparison, OrderDifference, OrderSource, ServiceDifference } from '../table/compare.js';

const ORDER_WORDS: Readonly<Record<OrderSource, string>> = {
  kernel: "the kernel's real-server order",
  listing: 'real servers in listing order',
  none: 'no real-server order: a save is sorted',
};

const settingText = (s: SettingChange): string => (s.before === undefined && s.after === undefined ? s.name : `${s.name} ${s.before ?? '-'} → ${s.after ?? '-'}`);

/** `41 of 4093 slots (1.00%)` */
function slotShare(slots: { readonly moved: number; readonly size: number }): string {
  return `${slots.moved} of ${slots.size} slots (${((100 * slots.moved) / slots.size).toFixed(2)}%)`;
}

function orderLines(o: OrderDifference): string[] {
  const lines = [`  real-server order differs (${o.scheduler} walks it):`, `    A: ${o.a.join(' ')}`, `    B: ${o.b.join(' ')}`];
  if (o.slots) lines.push(`    mh lookup table: ${slotShare(o.slots)} send a flow to another real server`);
  if (o.chosen) lines.push(`    fo sends every connection to ${o.chosen.a ?? 'none'} on A, ${o.chosen.b ?? 'none'} on B`);
  return lines;
}

function serviceLines(d: ServiceDifference): string[] {
  if (d.onlyIn) return [`service ${d.service}: only in ${d.onlyIn === 'a' ? 'A' : 'B'}`];
  const lines = [`service ${d.service}:`];
  for (const s of d.settings) lines.push(`  ${settingText(s)}`);
  for (const r of d.serversOnlyInA) lines.push(`  real server ${r}: only in A`);
  for (const r of d.serversOnlyInB) lines.push(`  real server ${r}: only in B`);
  for (const r of d.servers) lines.push(`  real server ${r.server}: ${r.settings.map(settingText).join(', ')}`);
  if (d.order) lines.push(...orderLines(d.order));
  return lines;
}

/** The report for a person: the two inputs, the notes on order, each service that differs, a summary. */
export function formatComparison(c: Comparison): string {
  const lines = [`A: ${c.a.name} (${ORDER_WORDS[c.a.order]})`, `B: ${c.b.name} (${ORDER_WORDS[c.b.order]})`];
  if (!c.orderCompared) lines.push('note: real-server order not compared: one input does not carry it');
  else if (c.a.order === 'listing' || c.b.order === 'listing') lines.push('note: a listing shows the kernel order only when it was made with --nosort');
  for (const d of c.differences) lines.push(...serviceLines(d));
  const n = c.differences.length;
  const services = `${c.servicesCompared} service${c.servicesCompared === 1 ? '' : 's'}`;
  lines.push(n === 0 ? `same: ${services}` : `differ: ${n} of ${services}`);
  return `${lines.join('\n')}\n`;
}

/** The comparison as one JSON document. */
export function comparisonJson(c: Comparison): string {
  return `${JSON.stringify({ same: c.differences.length === 0, a: c.a, b: c.b, orderCompared: c.orderCompared, servicesCompared: c.servicesCompared, differences: c.differences }, null, 2)}\n`;
}
