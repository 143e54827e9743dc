// `ipvsadm -L --daemon`: one line per sync daemon the kernel reported, labelled by its role
// (an entry holding both roles was read as two), with the optional parts only when set.
import type { DaemonConfig } from '../../ipvs/model.js';
import { DAEMON_FIELDS } from '../../fields/registry.js';
import { textPieces } from '../../fields/outputs.js';

/** `(mcast=dummy0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)`: the parts set. */
function daemonDetails(d: DaemonConfig): string {
  return `(${textPieces<DaemonConfig>(DAEMON_FIELDS, d)
    .filter((p) => p !== '')
    .join(', ')})`;
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
