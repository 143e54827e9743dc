// `ipvsadm -L --daemon`: one line per sync daemon the kernel reported, labelled by its role
// (an entry holding both roles was read as two), with the optional parts only when set.
import { formatAddress } from '../../ipvs/address.js';
import type { DaemonConfig } from '../../ipvs/model.js';
import { i32, u32 } from '../../table/printf.js';

/** `(mcast=dummy0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)` */
function daemonDetails(d: DaemonConfig): string {
  const parts = [`mcast=${d.mcastIfn}`, `syncid=${i32(d.syncId)}`];
  if (d.syncMaxlen) parts.push(`maxlen=${u32(d.syncMaxlen)}`);
  if (d.mcastGroup) parts.push(`group=${formatAddress(d.mcastGroup)}`);
  if (d.mcastPort) parts.push(`port=${u32(d.mcastPort)}`);
  if (d.mcastTtl) parts.push(`ttl=${u32(d.mcastTtl)}`);
  return `(${parts.join(', ')})`;
}

/**
 * The daemon lines in the order given (the kernel's: master first), newline-terminated; the
 * empty string when no daemon runs.
 */
export function formatDaemons(daemons: readonly DaemonConfig[]): string {
  let out = '';
  for (const d of daemons) {
    out += `${d.state} sync daemon ${daemonDetails(d)}\n`;
  }
  return out;
}
