// What the registry says of one field of a model object: where it travels and how each output
// names it. Every key of the model must have an entry (Registry<M>), so a field added to the
// model without saying how apply compares it, or what the listing calls it, does not compile.
import { addressEquals } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';

/** How apply compares a field: its label in the plan, typed equality, and when it matters. */
export interface Compared<M, V> {
  readonly label: string;
  /** typed equality; === unless given */
  readonly equal?: (a: V, b: V) => boolean;
  /** whether the field means anything on this object (a timeout only with persistence); always unless given */
  readonly relevant?: (m: M) => boolean;
  /** whether the wanted object asks for it at all (a daemon's optional parts, a timeout of 0); always unless given */
  readonly wanted?: (m: M) => boolean;
}

/** A field apply never changes in place, and why (identity, or a value no input sets). */
export interface NotCompared {
  readonly notCompared: string;
}

export interface FieldSpec<M, K extends keyof M> {
  /** the netlink attribute that carries it */
  readonly attribute: string;
  /** the ipvsadm 1.31 option that sets it, or null */
  readonly option: string | null;
  /** its column header or word in the 1.31 listing, or null */
  readonly text: string | null;
  /** its key (path) in the JSON documents, or null */
  readonly json: string | null;
  /** its option in the save text, or null */
  readonly save: string | null;
  readonly apply: Compared<M, M[K]> | NotCompared;
  /** its metric family or label, or null */
  readonly metric: string | null;
}

/** One entry per key of M: the completeness the compiler checks. */
export type Registry<M> = { readonly [K in keyof M]-?: FieldSpec<M, K> };

export const sameList = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export const sameAddress = (a: Address | undefined, b: Address | undefined): boolean => (a === undefined || b === undefined ? a === b : addressEquals(a, b));

/** The plan labels whose fields differ between two objects, by typed equality. */
export function changedLabels<M>(registry: Registry<M>, before: M, after: M): Set<string> {
  const out = new Set<string>();
  for (const key of Object.keys(registry) as (keyof M)[]) {
    const spec = registry[key].apply;
    if ('notCompared' in spec || spec.wanted?.(after) === false) continue;
    const relevant = (m: M): boolean => spec.relevant?.(m) ?? true;
    const [rb, ra] = [relevant(before), relevant(after)];
    if (!rb && !ra) continue;
    const equal = spec.equal ?? ((a: M[typeof key], b: M[typeof key]) => a === b);
    if (rb !== ra || !equal(before[key], after[key])) out.add(spec.label);
  }
  return out;
}

/** Every plan label of a registry. */
export function planLabels<M>(registry: Registry<M>): Set<string> {
  const labels = (Object.keys(registry) as (keyof M)[]).map((k) => registry[k].apply);
  return new Set(labels.flatMap((a) => ('notCompared' in a ? [] : [a.label])));
}
