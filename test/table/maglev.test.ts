// The mh lookup table computed as the kernel builds it, checked against facts that follow from the
// algorithm itself (not from our output): a full table, weights as slot counts per pass, weight 0
// out of the table, equal orders equal tables, and a different order moving a small share.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hsiphash32, maglevSlotsMoved, maglevTable, maglevTableSize } from '../../src/table/maglev.js';
import type { MaglevServer } from '../../src/table/maglev.js';
import { addr } from '../support/format-fixtures.js';

const server = (a: string, weight = 1, port = 80): MaglevServer => ({ addr: addr(a), port, weight });
const counts = (table: Int32Array, n: number): number[] => Array.from({ length: n }, (_, i) => table.filter((s) => s === i).length);
const FOUR = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'].map((a) => server(a));

describe('hsiphash32', () => {
  it("is SipHash-1-3 of the value's four little-endian bytes, cut to 32 bits: as CPython's bytes hash (zero key)", () => {
    const values = [1, 80, 0xc6336451, 0xffffffff];
    // CPython 3.11+ hashes bytes with SipHash-1-3; PYTHONHASHSEED=0 makes its key zero
    const script = `import struct\nfor v in ${JSON.stringify(values)}: print(hash(struct.pack('<I', v)) & 0xffffffff)`;
    const python = spawnSync('python3', ['-c', script], { env: { ...process.env, PYTHONHASHSEED: '0' }, encoding: 'utf8' });
    expect(python.status, python.stderr).toBe(0);
    expect(values.map((v) => hsiphash32(v, 0n, 0n))).toEqual(python.stdout.trim().split('\n').map(Number));
  });
});

describe('maglevTableSize', () => {
  it('is the prime the kernel build option picks (12 → 4093, 16 → 65521), and refuses others', () => {
    expect(maglevTableSize(8)).toBe(251);
    expect(maglevTableSize(12)).toBe(4093);
    expect(maglevTableSize(16)).toBe(65521);
    expect(() => maglevTableSize(18)).toThrow(RangeError);
  });
});

describe('maglevTable', () => {
  it('fills every slot, each server about an equal share at equal weights', () => {
    const c = counts(maglevTable(FOUR), 4);
    expect(c.reduce((x, y) => x + y, 0)).toBe(4093);
    // one slot per server per pass: 1023 whole passes and one more slot for the first server
    expect(c).toEqual([1024, 1023, 1023, 1023]);
  });

  it('gives weights 1 and 3 one and three slots per pass (weights over their gcd)', () => {
    const c = counts(maglevTable([server('198.51.100.1', 2), server('198.51.100.2', 6)]), 2);
    // 4 slots a pass: 1023 passes fill 4092, the first server takes the last one
    expect(c).toEqual([1024, 3069]);
  });

  it('leaves a server at weight 0 out: the table is the one without it', () => {
    const without = maglevTable([FOUR[0]!, FOUR[2]!]);
    const withZero = maglevTable([FOUR[0]!, server('198.51.100.2', 0), FOUR[2]!]);
    expect(counts(withZero, 3)[1]).toBe(0);
    expect(Array.from(withZero, (s) => (s === 2 ? 1 : s))).toEqual(Array.from(without));
  });

  it('holds no slot at all when every weight is 0, and one server holds them all', () => {
    expect(maglevTable([server('198.51.100.1', 0)]).every((s) => s === -1)).toBe(true);
    expect(maglevTable([FOUR[0]!]).every((s) => s === 0)).toBe(true);
  });
});

describe('maglevSlotsMoved', () => {
  it('moves nothing for the same order', () => {
    expect(maglevSlotsMoved(FOUR, [...FOUR])).toEqual({ moved: 0, size: 4093 });
  });

  it('moves some slots but a small share when the newest server comes first instead of last', () => {
    const readded = [FOUR[3]!, ...FOUR.slice(0, 3)];
    const { moved, size } = maglevSlotsMoved(FOUR, readded);
    expect(moved).toBeGreaterThan(0);
    expect(moved / size).toBeLessThan(0.05);
    expect(maglevSlotsMoved(FOUR, readded, 16).size).toBe(65521);
  });

  it('counts the slots of a server only one side has at weight 0', () => {
    const { moved } = maglevSlotsMoved(FOUR, [FOUR[0]!, FOUR[1]!, FOUR[2]!, server('198.51.100.4', 0)]);
    // the fourth server's 1023 slots go to the others; the others keep theirs or take its
    expect(moved).toBeGreaterThanOrEqual(1023);
  });
});
