// The one reader of seconds and whole numbers of our own commands (core/durations.ts).
import { describe, expect, it } from 'vitest';
import { parseSeconds, parseWhole } from '../../src/core/durations.js';

describe('parseSeconds', () => {
  it('reads up to 7 digits and 3 decimals as milliseconds', () => {
    expect(['0', '1', '0.5', '2.25', '1.001', '9999999.999'].map((t) => parseSeconds(t))).toEqual([0, 1000, 500, 2250, 1001, 9_999_999_999]);
  });
  it('refuses anything else', () => {
    expect(['', 'x', '-1', '+1', '1e3', '.5', '1.', '1.2345', '12345678', ' 1', '1 ', '0x10'].map((t) => parseSeconds(t))).toEqual(Array(12).fill(undefined));
  });
  it('keeps to the range given, in milliseconds', () => {
    expect(['0.099', '0.1', '86400', '86400.001'].map((t) => parseSeconds(t, 100, 86_400_000))).toEqual([undefined, 100, 86_400_000, undefined]);
  });
});

describe('parseWhole', () => {
  it('reads digits inside the range', () => {
    expect(['1', '999999', '0', '1000000', '1.5', '-1', '', '1234567890'].map((t) => parseWhole(t, 1, 999_999))).toEqual([1, 999_999, undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
