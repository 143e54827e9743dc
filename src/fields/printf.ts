// C printf conversions that ipvsadm 1.31's output relies on (%-Ns, %Ns, %u, %d, %llu), so the
// compat formatters can state widths the way the reference does. Source: C99 printf semantics.

/** `%-<width>s`: left-justified, padded with spaces, never cut. */
export function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + spaces(width - text.length);
}

/** Runs of up to 64 spaces are made once (a listing pads hundreds of thousands of columns). */
const SPACES = Array.from({ length: 65 }, (_, n) => ' '.repeat(n));
const spaces = (n: number): string => SPACES[n] ?? ' '.repeat(n);

/** `%<width>s`: right-justified, padded with spaces, never cut. */
export function padLeft(text: string, width: number): string {
  return text.length >= width ? text : spaces(width - text.length) + text;
}

/** `%u` of a C `unsigned int`: the value taken modulo 2^32. */
export function u32(value: number): string {
  return String(value >>> 0);
}

/** `%d` of a C `int` holding a 32-bit value: 4294967295 prints as -1. */
export function i32(value: number): string {
  return String(value | 0);
}

/** `%llu` of a C `unsigned long long`: the value taken modulo 2^64. */
export function u64(value: bigint): string {
  return BigInt.asUintN(64, value).toString();
}

/** The low 32 bits of a counter, as a C `u32` field filled from a wider one. */
export function low32(value: bigint): bigint {
  return BigInt.asUintN(32, value);
}

/** What a NUL written at `buf[max]` does: keep at most `max` characters. */
export function cut(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}
