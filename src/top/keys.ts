// The keys of `ipvsadm top`: bytes a terminal in raw mode sends → what the view does. Letters
// and the escape sequences of xterm-like terminals (arrows, PgUp/PgDn, Home/End). Pure.
import { sortOrderOfKey } from './rows.js';
import type { SortOrder } from './rows.js';

export type KeyAction =
  | { readonly kind: 'quit' }
  | { readonly kind: 'sort'; readonly order: SortOrder }
  | { readonly kind: 'reverse' }
  | { readonly kind: 'refresh' }
  | { readonly kind: 'scroll'; readonly by: 'line' | 'page' | 'all'; readonly direction: 1 | -1 };

const SEQUENCES: Readonly<Record<string, KeyAction>> = {
  '\x1b[A': { kind: 'scroll', by: 'line', direction: -1 },
  '\x1bOA': { kind: 'scroll', by: 'line', direction: -1 },
  '\x1b[B': { kind: 'scroll', by: 'line', direction: 1 },
  '\x1bOB': { kind: 'scroll', by: 'line', direction: 1 },
  '\x1b[5~': { kind: 'scroll', by: 'page', direction: -1 },
  '\x1b[6~': { kind: 'scroll', by: 'page', direction: 1 },
  '\x1b[H': { kind: 'scroll', by: 'all', direction: -1 },
  '\x1bOH': { kind: 'scroll', by: 'all', direction: -1 },
  '\x1b[1~': { kind: 'scroll', by: 'all', direction: -1 },
  '\x1b[F': { kind: 'scroll', by: 'all', direction: 1 },
  '\x1bOF': { kind: 'scroll', by: 'all', direction: 1 },
  '\x1b[4~': { kind: 'scroll', by: 'all', direction: 1 },
};

const LETTERS: Readonly<Record<string, KeyAction>> = {
  q: { kind: 'quit' },
  Q: { kind: 'quit' },
  '\x03': { kind: 'quit' }, // Ctrl-C (raw mode: no SIGINT)
  '\x04': { kind: 'quit' }, // Ctrl-D
  r: { kind: 'reverse' },
  R: { kind: 'reverse' },
  ' ': { kind: 'refresh' },
  '\x0c': { kind: 'refresh' }, // Ctrl-L
  j: { kind: 'scroll', by: 'line', direction: 1 },
  k: { kind: 'scroll', by: 'line', direction: -1 },
};

/** The actions of one read from the terminal (several keys may come at once); unknown keys are ignored. */
export function parseKeys(input: string): KeyAction[] {
  const out: KeyAction[] = [];
  let i = 0;
  while (i < input.length) {
    if (input[i] === '\x1b') {
      // CSI/SS3: ESC [ params final, ESC O final; a lone ESC is ignored
      const m = /^\x1b(?:\[[0-9;]*[A-Za-z~]|O[A-Za-z])?/.exec(input.slice(i))!;
      const action = SEQUENCES[m[0]];
      if (action) out.push(action);
      i += m[0].length;
      continue;
    }
    const ch = input[i]!;
    const order = sortOrderOfKey(ch);
    const action = order ? ({ kind: 'sort', order } as const) : LETTERS[ch];
    if (action) out.push(action);
    i++;
  }
  return out;
}
