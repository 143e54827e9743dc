// The completion engine every script carries: POSIX sh functions (bash and zsh run them in the
// shell, fish through sh) that read the words typed and print the candidates, with the tables of
// spec.ts and words.ts written in as case statements.
import { COMMAND_NAMES } from '../core/matrix.js';
import { COMPAT_COMMANDS, NETNS_OPTION, compatOptions, optionsAfter } from './spec.js';
import type { CompletionOption, ValueKind } from './spec.js';
import { ENGINE_LOGIC } from './engine-logic.js';
import { LEADING_WORDS, wordSpecs } from './words.js';

/** A value kind as the engine reads it: `w:a/b`, `fw:a/b` (files too), or its name. */
export function kindText(kind: ValueKind): string {
  if (typeof kind === 'string') return kind;
  return `${kind.files ? 'fw' : 'w'}:${kind.words.join('/')}`;
}

/** One option as `SHORT,LONG,TRACKED,KIND` (what the engine splits). */
function element(o: CompletionOption): string {
  // a command is `cmd`, or `cmd:KIND` when it takes a value (--start-daemon master)
  const kind = o.tracked !== 'command' ? kindText(o.value) : o.value === 'flag' ? 'cmd' : `cmd:${kindText(o.value)}`;
  const text = `${o.short ?? ''},${o.long},${o.tracked},${kind}`;
  if (!/^[-a-zA-Z0-9,/:.]+$/.test(text)) throw new Error(`completion: option element ${text} is not plain`);
  return text;
}

/** The shell key of a word context (`director ready` → `w:director:ready`). */
const wordKey = (key: string): string => `w:${key.replace(' ', ':')}`;

/** A function that sets __ipvsadm_r from a case on its first argument (empty when none fits). */
function caseFunction(name: string, cases: readonly (readonly [string, string])[]): string {
  const arms = cases.map(([pattern, value]) => `    ${pattern}) __ipvsadm_r='${value}' ;;`);
  return [`${name}() {`, '  case $1 in', ...arms, "    *) __ipvsadm_r='' ;;", '  esac', '}'].join('\n');
}

/** The option lists: all of 1.31's, each 1.31 command's valid ones, each word context's. */
function listFunction(): string {
  const list = (options: readonly CompletionOption[]): string => options.map(element).join(' ');
  const cases: [string, string][] = [['all', list([...compatOptions(), NETNS_OPTION])]];
  for (const name of [...COMMAND_NAMES, 'help', 'version'] as const) cases.push([`c:${name}`, list(optionsAfter(name))]);
  for (const [key, spec] of wordSpecs()) cases.push([`'${wordKey(key)}'`, list(spec.options)]);
  return caseFunction('__ipvsadm_list', cases);
}

/** The data half of the engine, generated. */
export function engineData(): string {
  const specs = [...wordSpecs()];
  return [
    `__ipvsadm_words='${LEADING_WORDS.join(' ')}'`,
    listFunction(),
    caseFunction(
      '__ipvsadm_command',
      COMPAT_COMMANDS.map(([id, name]) => [`--${id}`, name]),
    ),
    caseFunction(
      '__ipvsadm_actions',
      specs.filter(([, s]) => s.actions).map(([key, s]) => [`'${wordKey(key)}'`, s.actions!.join(' ')]),
    ),
    caseFunction(
      '__ipvsadm_operands',
      specs.filter(([, s]) => s.operands).map(([key, s]) => [`'${wordKey(key)}'`, kindText(s.operands!)]),
    ),
  ].join('\n');
}

/** The whole engine: data, then the logic (engine-logic.ts). */
export function engine(): string {
  return `${engineData()}\n${ENGINE_LOGIC}`;
}
