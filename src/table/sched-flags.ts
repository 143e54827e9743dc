// The words for the scheduler flag bits (IP_VS_SVC_F_SCHED1..3), which depend on the scheduler:
// shared by the listing's "(…)" and the save line's "-b …". Spec §7.6 and §9.2.
import { SvcFlag } from '../ipvs/constants.js';

const SCHED_BITS = SvcFlag.SCHED1 | SvcFlag.SCHED2 | SvcFlag.SCHED3;

/** Names per scheduler; sh and mh have no name for SCHED3. */
const NAMES: Readonly<Record<string, readonly [number, string][]>> = {
  sh: [
    [SvcFlag.SCHED1, 'sh-fallback'],
    [SvcFlag.SCHED2, 'sh-port'],
  ],
  mh: [
    [SvcFlag.SCHED1, 'mh-fallback'],
    [SvcFlag.SCHED2, 'mh-port'],
  ],
};

const GENERIC: readonly [number, string][] = [
  [SvcFlag.SCHED1, 'flag-1'],
  [SvcFlag.SCHED2, 'flag-2'],
  [SvcFlag.SCHED3, 'flag-3'],
];

/**
 * The comma-separated flag words of a service, or undefined when no scheduler flag bit is set.
 * May be the empty string (sh/mh with only SCHED3 set): ipvsadm then prints `()` / `-b `.
 */
export function schedFlagsText(scheduler: string, flags: number): string | undefined {
  if ((flags & SCHED_BITS) === 0) return undefined;
  const table = Object.hasOwn(NAMES, scheduler) ? NAMES[scheduler]! : GENERIC;
  return table
    .filter(([bit]) => (flags & bit) !== 0)
    .map(([, name]) => name)
    .join(',');
}
