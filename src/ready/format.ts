// The readiness verdict as text (a first line, then one reason per line) and as one JSON document.
import type { Verdict } from './verdict.js';
import { verdictLine } from './watch.js';

export function formatVerdict(v: Verdict): string {
  if (v.ready) return `${verdictLine(v)}\n`;
  return `not ready:\n${v.reasons.map((r) => `  ${r}\n`).join('')}`;
}

export function verdictJson(v: Verdict): string {
  const doc = { ready: v.ready, reasons: v.reasons, services: v.services, usableServices: v.usable, syncDaemons: v.daemons };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
