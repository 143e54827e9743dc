// Whose state record is this: the state file finds a record by the network namespace's inode, but
// the kernel hands a deleted namespace's inode to the next one at once; the marker on lo
// (host/netns.ts) tells the two apart. A record that carries no marker (version 1 files, or lo
// already had an alias of someone else's) is judged by what `up` left behind instead: see
// `evidenceMissing`.
import { markNamespace as markLo, readLo as readLoMark, unmarkNamespace as unmarkLo } from '../host/netns.js';
import type { LoMark, Marking } from '../host/netns.js';
import { sysctlName } from '../host/sysctl.js';
import { SystemError, reasonOf } from './errors.js';
import { observe } from './observe.js';
import type { StateRecord } from './state.js';
import type { System } from './system.js';

export type Verdict =
  | { readonly kind: 'none' }
  | { readonly kind: 'ours'; readonly record: StateRecord }
  | { readonly kind: 'stale'; readonly record: StateRecord; readonly reason: string };

/** lo of this namespace as read now (a SystemError when it cannot be read). */
export async function readLo(sys: System): Promise<LoMark> {
  try {
    return await readLoMark(await sys.rtnl());
  } catch (e) {
    throw new SystemError(`cannot identify the network namespace (lo): ${reasonOf(e)}`, { cause: e });
  }
}

/** Is `record` (found under this namespace's inode) this namespace's, or a deleted one's? */
export async function judge(record: StateRecord | undefined, sys: System): Promise<Verdict> {
  if (!record) return { kind: 'none' };
  if (record.marker !== undefined) {
    const lo = await readLo(sys);
    if (lo.token === record.marker) return { kind: 'ours', record };
    const reason = lo.token !== undefined ? 'lo carries another marker' : 'its marker is not on lo';
    return { kind: 'stale', record, reason };
  }
  const missing = await evidenceMissing(record, sys);
  return missing === undefined ? { kind: 'ours', record } : { kind: 'stale', record, reason: `recorded without a marker, and ${missing}` };
}

/**
 * For a record without a marker: what `up` left that is no longer there (undefined: all of it is).
 * The VIPs it added and tunnel devices it created decide (a new namespace has none of them); a
 * record with neither is judged by its sysctls (each at the value `up` set, or for version 1
 * records, which did not keep that value, away from the value before). A record with nothing to
 * check cannot be told from a deleted namespace's and counts as stale.
 */
async function evidenceMissing(record: StateRecord, sys: System): Promise<string | undefined> {
  const seen = await observe(sys, { sysctlKeys: record.sysctls.map((s) => s.key), modules: [], fou: false });
  const tunnels = record.tunnels ?? [];
  if (record.addresses.length > 0 || tunnels.length > 0) {
    const absent = record.addresses.find((a) => !seen.addresses.some((o) => o.dev === a.dev && o.text === a.vip && o.prefix === a.prefix));
    if (absent) return `${absent.vip} is not on ${absent.dev}`;
    const gone = tunnels.find((t) => !seen.links.has(t.dev));
    return gone ? `device ${gone.dev} is not here` : undefined;
  }
  if (record.sysctls.length === 0) return 'it holds nothing to compare';
  const moved = record.sysctls.find((s) => {
    const now = seen.sysctls.get(s.key);
    return s.after !== undefined ? now !== s.after : now === undefined || now === s.before;
  });
  return moved ? `${sysctlName(moved.key)} is not as up left it` : undefined;
}

/** The marker a record written now carries: lo's, or a new one set on lo when it has no alias. */
export async function markNamespace(sys: System): Promise<Marking> {
  return markLo(await sys.rtnl());
}

/** Takes our marker off lo (only if it still is `token`): the namespace has no record left. */
export async function unmarkNamespace(sys: System, token: string): Promise<void> {
  await unmarkLo(await sys.rtnl(), token);
}
