// text-table.ts: wrap() at spaces and name boundaries, fitWidths() taking room from the widest
// column, and textTable() without rules, painted cells laid out as plain ones.
import { describe, expect, it } from 'vitest';
import { fitWidths, textTable, wrap } from '../../src/app/text-table.js';

describe('wrap', () => {
  it('at spaces; a long word after its last dot, underscore, slash or hyphen that fits; else cut', () => {
    expect(wrap('not available in this kernel', 12)).toEqual(['not', 'available in', 'this kernel']);
    expect(wrap('net.ipv4.vs.expire_quiescent_template', 24)).toEqual(['net.ipv4.vs.expire_', 'quiescent_template']);
    expect(wrap('in /lib/modules/6.18.44-fc-v1300', 20)).toEqual(['in', '/lib/modules/6.18.', '44-fc-v1300']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('', 10)).toEqual(['']);
  });
});

describe('fitWidths', () => {
  it('natural widths when they fit; else the widest gives up room first, never below the minimum', () => {
    expect(fitWidths([10, 20, 30], 79)).toEqual([10, 20, 30]);
    expect(fitWidths([30, 10, 60], 79)).toEqual([30, 10, 37]);
    expect(fitWidths([50, 50], 41)).toEqual([20, 20]);
    expect(fitWidths([50, 50], 10, 8)).toEqual([8, 8]);
  });
});

describe('textTable', () => {
  it('head and rows, one space between columns, no rules, no trailing blanks; long cells wrapped', () => {
    expect(textTable(['a', 'bb'], [['x', 'one two three'], ['yyyy', 'z']], { widths: [4, 7] })).toBe(['a    bb', 'x    one two', '     three', 'yyyy z', ''].join('\n'));
  });

  it('painting adds escape sequences only', () => {
    const painted = textTable(['h', 'i'], [['a', 'b']], { paint: (t, row) => (row < 0 ? `\x1b[1m${t}\x1b[22m` : t) });
    expect(painted).toBe('\x1b[1mh\x1b[22m \x1b[1mi\x1b[22m\na b\n');
  });
});
