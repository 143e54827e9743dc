// top's keys: letters, Ctrl-C/Ctrl-D, xterm's CSI and SS3 sequences, several keys in one read,
// unknown keys and sequences ignored.
import { describe, expect, it } from 'vitest';
import { parseKeys } from '../../src/top/keys.js';

describe('parseKeys', () => {
  it('reads quit, sort, reverse, refresh and scroll keys', () => {
    expect(parseKeys('q')).toEqual([{ kind: 'quit' }]);
    expect(parseKeys('\x03')).toEqual([{ kind: 'quit' }]);
    expect(parseKeys('a')).toEqual([{ kind: 'sort', order: 'active' }]);
    expect(parseKeys('b')).toEqual([{ kind: 'sort', order: 'bytes' }]);
    expect(parseKeys('r ')).toEqual([{ kind: 'reverse' }, { kind: 'refresh' }]);
    expect(parseKeys('\x1b[B\x1bOA\x1b[6~\x1b[5~\x1b[H\x1b[4~')).toEqual([
      { kind: 'scroll', by: 'line', direction: 1 },
      { kind: 'scroll', by: 'line', direction: -1 },
      { kind: 'scroll', by: 'page', direction: 1 },
      { kind: 'scroll', by: 'page', direction: -1 },
      { kind: 'scroll', by: 'all', direction: -1 },
      { kind: 'scroll', by: 'all', direction: 1 },
    ]);
  });

  it('ignores what it does not know, and a lone or unknown escape sequence does not swallow the next key', () => {
    expect(parseKeys('zZ\x1b\x1b[15~q')).toEqual([{ kind: 'quit' }]);
    expect(parseKeys('\x1b[1;5Cw')).toEqual([{ kind: 'sort', order: 'weight' }]);
    expect(parseKeys('')).toEqual([]);
  });
});
