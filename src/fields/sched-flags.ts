// The words for a service's scheduler flags (SCHED1..3), which depend on the scheduler: shared
// by the listing's "(…)", the save line's "-b …", and read back by `-b` and the JSON restore.
// sh and mh name their first two flags; every scheduler takes the generic flag-1..3.
import type { SchedFlag } from '../ipvs/model.js';

/** Names per scheduler; sh and mh have no name for the third flag. */
const NAMES: Readonly<Record<string, Partial<Record<SchedFlag, string>>>> = {
  sh: { 1: 'sh-fallback', 2: 'sh-port' },
  mh: { 1: 'mh-fallback', 2: 'mh-port' },
};

const GENERIC: Readonly<Record<SchedFlag, string>> = { 1: 'flag-1', 2: 'flag-2', 3: 'flag-3' };

const isWord = (w: string | undefined): w is string => w !== undefined;

/**
 * The comma-separated flag words of a service, or undefined when no scheduler flag is set.
 * May be the empty string (sh/mh with only the third set): ipvsadm then prints `()` / `-b `.
 */
export function schedFlagsText(scheduler: string, flags: readonly SchedFlag[]): string | undefined {
  if (flags.length === 0) return undefined;
  const table: Partial<Record<SchedFlag, string>> = Object.hasOwn(NAMES, scheduler) ? NAMES[scheduler]! : GENERIC;
  return flags.map((n) => table[n]).filter(isWord).join(',');
}

/**
 * Every scheduler flag set, as words: the scheduler's own name, else the generic one (mh's
 * third is `flag-3`), so that no flag is lost (JSON; the 1.31 text has no word for it).
 */
export function schedFlagWords(scheduler: string, flags: readonly SchedFlag[]): string[] {
  const own = Object.hasOwn(NAMES, scheduler) ? NAMES[scheduler]! : {};
  return flags.map((n) => own[n] ?? GENERIC[n]);
}

/** Every word `-b` takes: the generic ones, then sh's and mh's. */
export const SCHED_FLAG_WORDS: readonly string[] = [...Object.values(GENERIC), ...Object.values(NAMES).flatMap((n) => Object.values(n))];

/** A flag word read back: its flag, or why it does not apply to `scheduler`. */
export type SchedFlagWord = { readonly flag: SchedFlag } | { readonly problem: 'invalid' | 'incompatible' };

const FLAGS: readonly SchedFlag[] = [1, 2, 3];

/** The flag of a word for `scheduler`: `flag-N` for any, `sh-…`/`mh-…` for theirs only. */
export function schedFlagOfWord(word: string, scheduler: string): SchedFlagWord {
  const generic = FLAGS.find((n) => GENERIC[n] === word);
  if (generic !== undefined) return { flag: generic };
  for (const [owner, names] of Object.entries(NAMES)) {
    const found = FLAGS.find((n) => names[n] === word);
    if (found !== undefined) return owner === scheduler ? { flag: found } : { problem: 'incompatible' };
  }
  return { problem: 'invalid' };
}
