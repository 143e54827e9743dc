// Each output read from a registry: the JSON members of an object, its listing pieces, its save
// options, the settings apply shows and compares, its metric labels and gauges. The outputs
// iterate these instead of naming fields, so a field in the registry is in every output.
import { fieldsOf, writers } from './spec.js';
import type { Json, MemberReader, MetricGauge, MetricLabel, Registry } from './spec.js';

/** The JSON members of an object, in registry order (listing-only ones only in a listing). */
export function jsonMembers<M>(registry: Registry<M>, m: M, listing: boolean): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const spec of writers(registry, (f) => f.json)) {
    if (spec.listingOnly && !listing) continue;
    const value = spec.write(m);
    if (value !== undefined) out[spec.key] = value;
  }
  return out;
}

/** An object's settings read back from a document, each field after those before it. */
export function readMembers<M>(registry: Registry<M>, r: MemberReader, identity: Partial<M>): M {
  let out: Partial<M> = identity;
  for (const spec of writers(registry, (f) => f.json)) out = { ...out, ...spec.read(r, out) };
  return out as M;
}

/** The JSON keys of an object's settings (a listing also has the listing-only ones). */
export function jsonKeys<M>(registry: Registry<M>, listing: boolean): string[] {
  return writers(registry, (f) => f.json)
    .filter((s) => listing || !s.listingOnly)
    .map((s) => s.key);
}

/** The listing pieces of an object in registry order ('' where a field shows nothing). */
export function textPieces<M>(registry: Registry<M>, m: M): string[] {
  return writers(registry, (f) => f.text).map((s) => s.show(m));
}

/** The save options of an object, in ipvsadm's order (rank). */
export function saveOptions<M>(registry: Registry<M>, m: M): string {
  return writers(registry, (f) => f.save)
    .sort((a, b) => a.rank - b.rank)
    .map((s) => s.write(m))
    .join('');
}

/** A setting as apply shows it. */
export interface Shown {
  readonly name: string;
  readonly after?: string;
}

/** The settings apply shows for an object, by label, in registry order. */
export function shownSettings<M>(registry: Registry<M>, m: M): Shown[] {
  const out: Shown[] = [];
  for (const f of fieldsOf(registry)) {
    if ('notCompared' in f.apply || !f.apply.show) continue;
    const after = f.apply.show(m);
    if (after !== undefined) out.push({ name: f.apply.label, after });
  }
  return out;
}

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

/** One setting of an object on two sides: its text before and after (absent on a side that shows none). */
export interface SettingChange {
  readonly name: string;
  readonly before?: string;
  readonly after?: string;
}

/**
 * The settings that differ by the registry's typed equality, shown before → after; empty when
 * they are the same. A label the text does not show is still a change (named without values).
 */
export function differences<M>(registry: Registry<M>, before: M, after: M): SettingChange[] {
  const changed = changedLabels(registry, before, after);
  if (changed.size === 0) return []; // the common case of a large apply: no setting texts made
  const [was, will] = [shownSettings(registry, before), shownSettings(registry, after)];
  const names = [...new Set([...was, ...will].map((f) => f.name)), ...changed].filter((n, i, all) => changed.has(n) && all.indexOf(n) === i);
  return names.map((name) => {
    const b = was.find((f) => f.name === name)?.after;
    const a = will.find((f) => f.name === name)?.after;
    return { name, ...(b !== undefined ? { before: b } : {}), ...(a !== undefined ? { after: a } : {}) };
  });
}

/** Every plan label of a registry. */
export function planLabels<M>(registry: Registry<M>): Set<string> {
  return new Set(fieldsOf(registry).flatMap((f) => ('notCompared' in f.apply ? [] : [f.apply.label])));
}

const isLabel = <M>(s: MetricLabel<M> | MetricGauge<M>): s is MetricLabel<M> => 'label' in s;

/** The metric labels of an object, in registry order. */
export function metricLabels<M>(registry: Registry<M>, m: M): Record<string, string> {
  return Object.fromEntries(metricLabelWriters(registry).map((s) => [s.label, s.value(m)]));
}

/** The metric labels of a registry's objects, in registry order: each label's name and value. */
export function metricLabelWriters<M>(registry: Registry<M>): MetricLabel<M>[] {
  return writers(registry, (f) => f.metric).filter(isLabel);
}

/** The gauge families an object's fields give, in registry order. */
export function metricGauges<M>(registry: Registry<M>): MetricGauge<M>[] {
  return writers(registry, (f) => f.metric).filter((s): s is MetricGauge<M> => !isLabel(s));
}
