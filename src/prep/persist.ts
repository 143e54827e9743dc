// --persist FILE: the mode's sysctls as a sysctl.d(5) file (`key = value` lines under a comment
// header), so they hold from boot; written atomically. Addresses and links are not sysctls and
// are not in it; the header says so.
import { removeFile, writeFileAtomic } from '../host/files.js';
import type { Desired } from './model.js';
import { modeLabel } from './format.js';
import { sysctlName } from '../host/sysctl.js';

export function formatSysctlConf(d: Desired, commandLine: string): string {
  const modules = d.modules.map((m) => m.name);
  const header = [
    `# Written by \`${commandLine}\` (ipvsadm-ts).`,
    `# Kernel settings for an LVS ${d.spec.side === 'realserver' ? 'real server' : 'director'}, mode ${modeLabel(d.spec)}; applied at boot by`,
    '# systemd-sysctl or `sysctl --system`. VIP addresses, links and fou ports are not sysctls: run',
    `# \`ipvsadm ${d.spec.side} up\` at boot for those.`,
  ];
  if (modules.length > 0) {
    header.push(`# Per-device keys need their device when this file is applied: list ${modules.join(', ')} in`);
    header.push('# /etc/modules-load.d/ so that the module creates it first.');
  }
  if (d.sysctls.some((s) => s.key.startsWith('net/ipv4/vs/'))) {
    header.push('# The net.ipv4.vs keys exist only once ip_vs is loaded: list ip_vs in /etc/modules-load.d/');
    header.push('# too. Sync daemons are not sysctls either: `director up` starts them.');
  }
  const body = d.sysctls.map((s) => `${sysctlName(s.key)} = ${s.value}`);
  if (body.length === 0) body.push('# (this mode needs no sysctls)');
  return `${[...header, '', ...body].join('\n')}\n`;
}

export async function writeSysctlConf(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text, 0o644);
}

/** Removes the file `up --persist` wrote; false when there was none. */
export async function removeSysctlConf(path: string): Promise<boolean> {
  return removeFile(path);
}
