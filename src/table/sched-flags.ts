// The words for the scheduler flag bits (IP_VS_SVC_F_SCHED1..3), which depend on the scheduler:
// shared by the listing's "(…)", the save line's "-b …", and read back by `-b` and the JSON
// restore. The words are ipvsadm 1.31's.
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

/**
 * Every scheduler flag bit set, as words: the scheduler's own name, else the generic one (mh's
 * SCHED3 is `flag-3`), so that no bit is lost (JSON; the 1.31 text has no word for it).
 */
export function schedFlagWords(scheduler: string, flags: number): string[] {
  const own = Object.hasOwn(NAMES, scheduler) ? NAMES[scheduler]! : [];
  return GENERIC.filter(([bit]) => (flags & bit) !== 0).map(([bit, generic]) => own.find(([b]) => b === bit)?.[1] ?? generic);
}

/** A flag word read back: its bit, or why it does not apply to `scheduler`. */
export type SchedFlagWord = { readonly bit: number } | { readonly problem: 'invalid' | 'incompatible' };

/** The bit of a flag word for `scheduler`: `flag-N` for any, `sh-…`/`mh-…` for theirs only. */
export function schedFlagOfWord(word: string, scheduler: string): SchedFlagWord {
  const generic = GENERIC.find(([, name]) => name === word);
  if (generic) return { bit: generic[0] };
  for (const [owner, names] of Object.entries(NAMES)) {
    const found = names.find(([, name]) => name === word);
    if (found) return owner === scheduler ? { bit: found[0] } : { problem: 'incompatible' };
  }
  return { problem: 'invalid' };
}
