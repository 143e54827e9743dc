// A popt-compatible option tokenizer (popt 1.19 as ipvsadm 1.31 links it), hand-written
// because commander cannot reproduce popt byte for byte: clusters whose rest is an argument,
// `-t=x`, optional arguments, permuted positional words and popt's exact error texts.

export type ArgKind = 'none' | 'required' | 'optional';

/** One entry of the option table (popt's struct poptOption, reduced to what ipvsadm uses). */
export interface OptionSpec<Id extends string = string> {
  readonly id: Id;
  /** long name without the dashes; matched exactly (no abbreviations, never with one dash) */
  readonly long?: string;
  /** one character */
  readonly short?: string;
  readonly arg: ArgKind;
}

/** poptStrerror() texts for the errors popt can raise on ipvsadm's table. */
export type PoptProblem = 'unknown option' | 'missing argument' | 'option does not take an argument';

export type Token<Id extends string = string> =
  | {
      readonly kind: 'option';
      readonly id: Id;
      /** undefined: no argument (always for `none`; for `optional` when none was given) */
      readonly arg: string | undefined;
      /** poptBadOption(): the last argv word consumed (the option's word, or its argument's) */
      readonly word: string;
    }
  | { readonly kind: 'error'; readonly problem: PoptProblem; readonly word: string }
  | { readonly kind: 'end' };

interface TableIndex<Id extends string> {
  readonly byLong: ReadonlyMap<string, OptionSpec<Id>>;
  readonly byShort: ReadonlyMap<string, OptionSpec<Id>>;
}

/** Lookup maps per option table, built once (a restore tokenizes one argv per line). */
const INDEXES = new WeakMap<readonly OptionSpec[], TableIndex<string>>();

function indexOf<Id extends string>(table: readonly OptionSpec<Id>[]): TableIndex<Id> {
  let index = INDEXES.get(table) as TableIndex<Id> | undefined;
  if (!index) {
    const byLong = new Map<string, OptionSpec<Id>>();
    const byShort = new Map<string, OptionSpec<Id>>();
    for (const spec of table) {
      if (spec.long !== undefined) byLong.set(spec.long, spec);
      if (spec.short !== undefined) byShort.set(spec.short, spec);
    }
    index = { byLong, byShort };
    INDEXES.set(table, index);
  }
  return index;
}

/**
 * Walks argv like popt: call next() until `end` (or an `error`), then take the positional words
 * with positionals(). Positional words may appear anywhere; `--` makes every later word one.
 */
export class PoptTokenizer<Id extends string> {
  private index = 0;
  /** the unread rest of a short-option cluster (popt's nextCharArg) */
  private cluster: string | undefined;
  private restArePositional = false;
  private readonly leftovers: string[] = [];
  private readonly byLong: ReadonlyMap<string, OptionSpec<Id>>;
  private readonly byShort: ReadonlyMap<string, OptionSpec<Id>>;

  constructor(
    table: readonly OptionSpec<Id>[],
    private readonly argv: readonly string[],
  ) {
    const index = indexOf(table);
    this.byLong = index.byLong;
    this.byShort = index.byShort;
  }

  next(): Token<Id> {
    while (this.cluster === undefined) {
      const word = this.argv[this.index];
      if (word === undefined) return { kind: 'end' };
      this.index++;
      if (this.restArePositional || !word.startsWith('-') || word === '-') {
        this.leftovers.push(word);
      } else if (word === '--') {
        this.restArePositional = true;
      } else if (word.startsWith('--')) {
        return this.longOption(word.slice(2));
      } else {
        this.cluster = word.slice(1);
      }
    }
    return this.shortOption(this.cluster);
  }

  /** The positional words seen so far, in argv order (popt's leftovers, read by poptGetArg). */
  positionals(): readonly string[] {
    return this.leftovers;
  }

  private get lastWord(): string {
    return this.argv[this.index - 1] ?? '';
  }

  private error(problem: PoptProblem): Token<Id> {
    return { kind: 'error', problem, word: this.lastWord };
  }

  private longOption(body: string): Token<Id> {
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    const spec = this.byLong.get(name);
    if (spec === undefined) return this.error('unknown option');
    return this.withArgument(spec, inline);
  }

  private shortOption(cluster: string): Token<Id> {
    // Code points, not UTF-16 units: a non-ASCII character is one unknown option either way.
    const ch = String.fromCodePoint(cluster.codePointAt(0) ?? 0);
    const rest = cluster.slice(ch.length);
    this.cluster = rest === '' ? undefined : rest;
    const spec = this.byShort.get(ch);
    if (spec === undefined) return this.error('unknown option');
    return this.withArgument(spec, undefined);
  }

  /** `inline` is the text after `=` of a long option; a short one looks at the cluster rest. */
  private withArgument(spec: OptionSpec<Id>, inline: string | undefined): Token<Id> {
    if (spec.arg === 'none') {
      // `--numeric=x` and `-n=x` are errors; `-nx` goes on with `x` as the next short option.
      if (inline !== undefined || this.cluster?.startsWith('=')) return this.error('option does not take an argument');
      return this.option(spec, undefined);
    }
    if (inline !== undefined) return this.option(spec, inline);
    if (this.cluster !== undefined) {
      // The rest of a cluster is the argument, one leading `=` dropped: `-sp`, `-t=x`.
      const arg = this.cluster.startsWith('=') ? this.cluster.slice(1) : this.cluster;
      this.cluster = undefined;
      return this.option(spec, arg);
    }
    const next = this.argv[this.index];
    if (next === undefined) {
      return spec.arg === 'required' ? this.error('missing argument') : this.option(spec, undefined);
    }
    // An optional argument is never a word starting with `-`; a required one may be (`-f -1`).
    if (spec.arg === 'optional' && next.startsWith('-')) return this.option(spec, undefined);
    this.index++;
    return this.option(spec, next);
  }

  private option(spec: OptionSpec<Id>, arg: string | undefined): Token<Id> {
    return { kind: 'option', id: spec.id, arg, word: this.lastWord };
  }
}
