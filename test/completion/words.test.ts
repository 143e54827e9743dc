// The completion table of our leading words (src/completion/words.ts) against each front end's
// own --help: the same options, the same choices where commander lists them, the same actions;
// and the command table's words are the words completion offers.
import { describe, expect, it } from 'vitest';
import { COMMAND_WORDS, dispatch } from '../../src/entry/command-table.js';
import { LEADING_WORDS, OTHER_PROGRAMS, wordSpecs } from '../../src/completion/words.js';
import type { ValueKind } from '../../src/completion/spec.js';
import { captureIo } from '../support/capture-io.js';

async function help(key: string): Promise<string> {
  const io = captureIo();
  expect(await dispatch([...key.split(' '), '--help'], io)).toBe(0);
  return io.out();
}

/** The help's entries of a section (`Options:`), each with its continuation lines joined. */
function entries(text: string, section: string): string[] {
  const body = (text.split(`\n${section}\n`)[1] ?? '').split('\n\n')[0]!;
  const out: string[] = [];
  for (const line of body.split('\n')) {
    if (/^ {2}\S/.test(line)) out.push(line.trim());
    else if (out.length > 0) out[out.length - 1] += ` ${line.trim()}`;
  }
  return out;
}

/** Every spelling the help's Options list (`-t, --tcp-service <vip:port>` → -t, --tcp-service). */
function helpOptions(text: string): string[] {
  return entries(text, 'Options:').flatMap((e) => /^(-[^\s,]+(?:, -[^\s,]+)*)/.exec(e)?.[1]?.split(', ') ?? []);
}

/** The words of `(choices: "a", "b")` in an entry, or undefined. */
function choices(entry: string): string[] | undefined {
  const m = /\(choices: ((?:"[^"]*"(?:, )?)+)/.exec(entry);
  return m ? [...m[1]!.matchAll(/"([^"]*)"/g)].map((c) => c[1]!) : undefined;
}

const wordsOf = (kind: ValueKind): readonly string[] | undefined => (typeof kind === 'string' ? undefined : kind.words);

/** The contexts of the leading words (ipvsadm-save and ipvsadm-restore are programs of their own). */
const WORD_CONTEXTS = [...wordSpecs()].filter(([key]) => !OTHER_PROGRAMS.includes(key));

describe.each(WORD_CONTEXTS.map(([key, spec]) => [key, spec] as const))('ipvsadm %s', (key, spec) => {
  it('completes the options --help lists (and --netns, which every command takes)', async () => {
    const listed = helpOptions(await help(key));
    expect(listed.length, 'the help lists options').toBeGreaterThan(0);
    const completed = spec.options.flatMap((o) => (o.short ? [o.short, o.long] : [o.long]));
    expect(completed.filter((s) => s !== '--netns').sort(), `the options of ${key} in src/completion/words.ts`).toEqual([...listed].sort());
    expect(completed).toContain('--netns');
  });

  it('offers the choices --help lists for each option', async () => {
    for (const entry of entries(await help(key), 'Options:')) {
      const listed = choices(entry);
      if (!listed) continue;
      const long = /--[a-z0-9.-]+/.exec(entry)![0];
      const option = spec.options.find((o) => o.long === long)!;
      expect(wordsOf(option.value), long).toEqual(listed);
    }
  });

  it('offers the actions (the choices of its first argument) --help lists', async () => {
    const args = entries(await help(key), 'Arguments:');
    // commander's `(choices: ...)`, or an action argument described as `a, b or c`
    const described = /^action\s+(\w+(?:, \w+)* or \w+)$/.exec(args[0] ?? '')?.[1]?.split(/, | or /);
    const listed = args.map(choices).find((c) => c !== undefined) ?? described;
    // `director ready` is a command of its own behind the action word
    expect(spec.actions?.filter((a) => !(key === 'director' && a === 'ready'))).toEqual(listed);
  });
});

describe('the leading words', () => {
  it('are the command table words', () => {
    expect([...LEADING_WORDS].sort()).toEqual([...COMMAND_WORDS].sort());
  });
});
