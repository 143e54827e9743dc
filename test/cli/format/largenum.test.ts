import { describe, expect, it } from 'vitest';
import { formatLargeNumber } from '../../../src/cli/format/largenum.js';

describe('formatLargeNumber', () => {
  it.each([
    [0n, '        0'],
    [480n, '      480'],
    [99_999_999n, ' 99999999'],
    [100_000_000n, '  100000K'],
    [240_112_000n, '  240112K'], // observed from 1.31
    [999_999_999n, '  999999K'],
    [1_000_000_000n, '    1000M'],
    [1_200_560_000n, '    1200M'], // observed from 1.31
    [99_999_999_999n, '   99999M'],
    [100_000_000_000n, '     100G'],
    [99_999_999_999_999n, '   99999G'],
    [100_000_000_000_000n, '     100T'],
    [2n ** 32n, '    4294M'],
    [2n ** 53n + 1n, '    9007T'],
    [2n ** 64n - 1n, '18446744T'],
  ])('abbreviates %s as %j', (value, text) => {
    expect(formatLargeNumber(value, false)).toBe(text);
  });

  it.each([
    [0n, '        0'],
    [99_999_999n, ' 99999999'],
    [100_000_000n, ' 100000000'],
    [240_112_000n, ' 240112000'],
    [1_200_560_000n, ' 1200560000'],
    [2n ** 53n + 1n, ' 9007199254740993'],
    [2n ** 64n - 1n, ' 18446744073709551615'],
  ])('with --exact prints %s as %j', (value, text) => {
    expect(formatLargeNumber(value, true)).toBe(text);
  });
});
