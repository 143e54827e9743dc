import { describe, expect, it } from 'vitest';
import { cut, i32, low32, padLeft, padRight, u32, u64 } from '../../src/fields/printf.js';

describe('printf helpers', () => {
  it('pads like %-Ns and %Ns and never cuts', () => {
    expect(padRight('Masq', 7)).toBe('Masq   ');
    expect(padLeft('4', 9)).toBe('        4');
    expect(padRight('2147483647', 6)).toBe('2147483647');
    expect(padLeft('1200560000', 9)).toBe('1200560000');
  });

  it('renders u32 as %u and %d would', () => {
    expect(u32(4294967295)).toBe('4294967295');
    expect(u32(-1)).toBe('4294967295');
    expect(i32(4294967295)).toBe('-1');
    expect(i32(2147483648)).toBe('-2147483648');
    expect(i32(2147483647)).toBe('2147483647');
  });

  it('renders u64 modulo 2^64 and keeps the low 32 bits on request', () => {
    expect(u64(2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(u64(2n ** 64n)).toBe('0');
    expect(low32(2n ** 32n + 5n)).toBe(5n);
  });

  it('cuts like a NUL at buf[max]', () => {
    expect(cut('abcdef', 4)).toBe('abcd');
    expect(cut('abc', 4)).toBe('abc');
  });
});
