// What the registry says of one field of a model object: where it travels and how each output
// writes it. Every key of the model must have an entry (Registry<M>) and every entry must say
// something for every output (a writer, `along` another field, or null: not shown), so a field
// added to the model without its listing word, JSON key, save option, apply comparison or metric
// does not compile.
import { addressEquals } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';

/** The largest timeout ipvsadm sets (31 days), as -p and --set check it. */
export const MAX_TIMEOUT = 2678400;

/** The largest weight or threshold ipvsadm takes (INT_MAX). */
export const INT_MAX = 2147483647;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

/** Written by the output together with another field or with the object's identity. */
export interface Along {
  readonly along: string;
}

/** Its piece of the 1.31 listing's service line, with its leading space, or ''. */
export interface TextSpec<M> {
  readonly word: string;
  readonly show: (m: M) => string;
}

/**
 * What the JSON reader (save/json-read.ts) offers a field to read its member with. Each method
 * checks the member and throws the reader's error, named by the member's path.
 */
export interface MemberReader {
  path(key: string): string;
  has(key: string): boolean;
  /** the member, which must be there */
  value(key: string): unknown;
  integer(key: string, min: number, max: number): number;
  /** a name of 1 to maxBytes bytes */
  name(key: string, maxBytes: number): string;
  oneOf<T extends string>(key: string, names: readonly T[]): T;
  boolean(key: string): boolean;
  array(key: string): unknown[];
  /** an object member read the same way, or null where the member is null */
  member(key: string): MemberReader | null;
  /** refuses any member not named */
  only(keys: readonly string[]): void;
  fail(path: string, problem: string): never;
}

export interface JsonSpec<M> {
  readonly key: string;
  /** its value, or undefined when the document leaves the key out */
  readonly write: (m: M) => Json | undefined;
  /** the fields it gives back from a document, given those read before it (in registry order) */
  readonly read: (r: MemberReader, before: Partial<M>) => Partial<M>;
  /** its JSON Schema fragment (src/schema/ipvsadm.schema.json is generated from these) */
  readonly schema: Json;
  /** may be absent from a document */
  readonly optional?: true;
  /** only in listings, never in a save (a restore sets it from the fields around) */
  readonly listingOnly?: true;
}

export interface SaveSpec<M> {
  readonly option: string;
  /** its place on the save line (ipvsadm 1.31's order, not the registry's) */
  readonly rank: number;
  /** its options with their leading space, or '' */
  readonly write: (m: M) => string;
}

/** How apply compares a field: its label and text in the plan, typed equality, and when it matters. */
export interface Compared<M, V> {
  readonly label: string;
  /** its text in the plan, undefined where the field is not shown (or is shown by another field of the label) */
  readonly show?: (m: M) => string | undefined;
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

export interface MetricLabel<M> {
  readonly label: string;
  readonly value: (m: M) => string;
}

export interface MetricGauge<M> {
  readonly family: string;
  readonly help: string;
  readonly value: (m: M) => number;
}

export interface FieldSpec<M, K extends keyof M> {
  /** the netlink attribute that carries it */
  readonly attribute: string;
  /** the ipvsadm 1.31 option that sets it (alternatives split by `|`), or null */
  readonly option: string | null;
  readonly text: TextSpec<M> | Along | null;
  readonly json: JsonSpec<M> | Along | null;
  readonly save: SaveSpec<M> | Along | null;
  readonly apply: Compared<M, M[K]> | NotCompared;
  readonly metric: MetricLabel<M> | MetricGauge<M> | Along | null;
}

/** One entry per key of M: the completeness the compiler checks. */
export type Registry<M> = { readonly [K in keyof M]-?: FieldSpec<M, K> };

/** A field every output writes along with another (persistence's timeout, a tunnel's port). */
export function partOf<M, K extends keyof M>(owner: string, attribute: string, option: string, apply: Compared<M, M[K]>): FieldSpec<M, K> {
  return { attribute, option, text: { along: owner }, json: { along: owner }, save: { along: owner }, apply, metric: null };
}

/** The entries of a registry in its order. */
export function fieldsOf<M>(registry: Registry<M>): FieldSpec<M, keyof M>[] {
  return (Object.keys(registry) as (keyof M)[]).map((k) => registry[k] as FieldSpec<M, keyof M>);
}

/** The entries of one output that write themselves (not `along` another, not null). */
export function writers<M, S extends object>(registry: Registry<M>, pick: (f: FieldSpec<M, keyof M>) => S | Along | null): S[] {
  return fieldsOf(registry)
    .map(pick)
    .filter((s): s is S => s !== null && !('along' in s));
}

export const sameList = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export const sameAddress = (a: Address | undefined, b: Address | undefined): boolean => (a === undefined || b === undefined ? a === b : addressEquals(a, b));
