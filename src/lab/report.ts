// What `ipvsadm lab` prints after the traffic: per service, each real server's weight and the
// number of requests it answered, then failures. Pure (plan, answers) → text.
import type { LabPlan } from './lab-plan.js';
import { formatTarget } from './target.js';

export function formatLabReport(plan: LabPlan, answers: Readonly<Record<string, Readonly<Record<string, number>>>>, count: number): string {
  const lines = [`traffic: ${count} requests to each service from the client`];
  let failed = 0;
  for (const svc of plan.services) {
    const key = formatTarget(svc.target);
    const got = answers[key] ?? {};
    lines.push(`  ${svc.target.proto.toUpperCase()} ${key.slice(4)}  ${svc.scheduler}`);
    for (const s of plan.servers.filter((x) => svc.weights[x.name] !== undefined)) {
      const n = got[s.name] ?? 0;
      lines.push(`    ${s.name.padEnd(5)} ${s.addr.padEnd(22)} ${s.mode.padEnd(3)}  weight ${String(svc.weights[s.name]).padStart(3)}  ${String(n).padStart(4)} answered`);
    }
    // Whatever was not answered counts as failed, also when the client reported nothing for it.
    const answered = Object.entries(got).reduce((n, [k, v]) => (k === '(failed)' ? n : n + v), 0);
    const lost = Math.max(count - answered, got['(failed)'] ?? 0);
    const strangers = Object.entries(got).filter(([k]) => k !== '(failed)' && svc.weights[k] === undefined);
    for (const [k, n] of strangers) lines.push(`    ${k} (not a real server of this service): ${n}`);
    if (lost > 0) lines.push(`    ${lost} of ${count} requests FAILED`);
    failed += lost;
  }
  const total = count * plan.services.length;
  lines.push(failed === 0 ? `all ${total} requests answered` : `${failed} of ${total} requests failed`);
  return `${lines.join('\n')}\n`;
}
