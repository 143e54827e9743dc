// Sysctl values read from /proc/sys by their dotted names (`net.ipv4.vs.conntrack`), for the
// front ends that look at them (drain, doctor); a name the kernel or namespace lacks is absent.
import { readFileSync } from 'node:fs';

export function readSysctls(names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    try {
      out[name] = Number(readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').trim());
    } catch {
      // not in this kernel or namespace
    }
  }
  return out;
}
