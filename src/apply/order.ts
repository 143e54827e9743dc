// The canonical kernel order of a service's real servers (apply --canonical-order): sorted by
// address family, address and port, so it depends on the set of real servers only, never on the
// history or on the file's order. The kernel puts each added real server at the head of its list,
// so the order is reached by adding, head last, every server before the longest tail already in
// order: new ones added, kept ones deleted and added again in one batch (the kernel takes a deleted
// server back from its trash with its connection entries), unless that could drop connections.
import { destinationId } from '../ipvs/vocabulary.js';
import type { Destination, DestinationConfig } from '../ipvs/model.js';

/** One add at the head of the list: a new real server, or a kept one deleted and added again. */
export interface OrderedAdd {
  readonly dest: DestinationConfig;
  /** the real server as the kernel has it, for a kept one that moves */
  readonly moved?: Destination;
  /** its 1-based place in the kernel's list now (moved ones) and after the plan */
  readonly from?: number;
  readonly to: number;
}

export type OrderPlan =
  | { readonly kind: 'ordered'; readonly adds: readonly OrderedAdd[] }
  /** moves that could drop connections: the service's order is left as it is */
  | { readonly kind: 'unsafe'; readonly held: readonly Destination[] };

/** Address family, then address bytes, then port: one order for any set of real servers. */
export function canonicalCompare(a: DestinationConfig, b: DestinationConfig): number {
  if (a.addr.af !== b.addr.af) return a.addr.af - b.addr.af;
  for (let i = 0; i < Math.min(a.addr.bytes.length, b.addr.bytes.length); i++) {
    const d = a.addr.bytes[i]! - b.addr.bytes[i]!;
    if (d !== 0) return d;
  }
  return a.port - b.port;
}

const entriesOf = (d: Destination): number => d.activeConns + d.inactConns + d.persistConns;

/**
 * The adds (in the order to send) that leave `wanted` in canonical order, given the kernel's list
 * now (`kernel`, head first; servers not wanted are removed later and do not count). A kept real
 * server with connection entries moves only when `expireNodestConn` is 0: with 1 the kernel
 * expires the entries of a real server that is gone when one of their packets arrives (or its
 * flush runs) before the add.
 */
export function planOrder(kernel: readonly Destination[], wanted: readonly DestinationConfig[], expireNodestConn: number | undefined): OrderPlan {
  const canonical = [...wanted].sort(canonicalCompare);
  const place = new Map(kernel.map((d, i) => [destinationId(d), i]));
  const keptPlace = new Map(kernel.filter((d) => wanted.some((w) => destinationId(w) === destinationId(d))).map((d, i) => [destinationId(d), i]));
  // the longest tail of the canonical order that the kernel already holds in that order
  let start = canonical.length;
  let last = Infinity;
  while (start > 0) {
    const at = keptPlace.get(destinationId(canonical[start - 1]!));
    if (at === undefined || at >= last) break;
    last = at;
    start -= 1;
  }
  const adds: OrderedAdd[] = [];
  for (let i = start - 1; i >= 0; i--) {
    const dest = canonical[i]!;
    const at = place.get(destinationId(dest));
    const moved = at === undefined ? undefined : kernel[at];
    adds.push({ dest, to: i + 1, ...(moved ? { moved, from: keptPlace.get(destinationId(dest))! + 1 } : {}) });
  }
  const held = adds.flatMap((a) => (a.moved && entriesOf(a.moved) > 0 ? [a.moved] : []));
  if (held.length > 0 && expireNodestConn !== 0) return { kind: 'unsafe', held };
  return { kind: 'ordered', adds };
}

/** Whether the kernel's list (head first) is in canonical order. */
export function inCanonicalOrder(kernel: readonly DestinationConfig[]): boolean {
  return kernel.every((d, i) => i === 0 || canonicalCompare(kernel[i - 1]!, d) < 0);
}
