// The bench's growth table: per-service and marginal costs computed from the timed sizes, and a
// command that grows faster than the table shows a last-over-first step above 1.
import { describe, expect, it } from 'vitest';
import { growthReport, growthSeries, marginalCosts } from './growth.mjs';

const timing = (ms: number) => ({ ms, min: ms, max: ms, rssKiB: 0 });
const size = (services: number, c: number, ours: number, persistent = false) => ({
  services,
  dests: 4,
  persistent,
  c: { list: timing(c), syscalls: { list: 1 } },
  ours: { list: timing(ours), syscalls: {} },
});

describe('marginalCosts', () => {
  it('is flat (1) for a cost linear in the table and above 1 for a quadratic one', () => {
    const linear = [1000, 10000, 50000].map((n) => ({ services: n, ms: 100 + n * 0.5 }));
    const quadratic = [1000, 10000, 50000].map((n) => ({ services: n, ms: (n * n) / 1e6 }));
    expect(marginalCosts(linear).growth).toBeCloseTo(1, 6);
    expect(marginalCosts(linear).steps.map((s) => s.us)).toEqual([500, 500]);
    expect(marginalCosts(quadratic).growth).toBeCloseTo(60 / 11, 6);
  });
  it('gives no growth figure for a single step', () => {
    expect(marginalCosts([{ services: 1, ms: 1 }, { services: 2, ms: 2 }]).growth).toBeUndefined();
  });
});

describe('growthSeries and growthReport', () => {
  const results = {
    sizes: [size(1000, 900, 300), size(2000, 1500, 500, true), size(10000, 9000, 2100), size(50000, 45000, 10100)],
    ops: [
      { services: 1000, top: { ours: timing(1200) }, noop: { ours: timing(800) }, onePercent: { c: timing(9000), ours: timing(700) } },
      { services: 10000, top: { ours: timing(12000) }, noop: { ours: timing(8000) }, onePercent: { c: timing(90000), ours: timing(7000) } },
    ],
    scrape: [{ services: 10000, ours: timing(5000), nodeExporter: timing(3000) }],
  };
  it('takes every operation timed at two or more plain sizes, the persistent table left out', () => {
    const labels = growthSeries(results).map(([label]) => label);
    expect(labels).toEqual(['C list', 'ours list', 'ours top block', 'ours apply no-op', 'ours apply 1%', 'C flush + restore']);
    expect(growthSeries(results)[1]![1]).toEqual([
      { services: 1000, ms: 300 },
      { services: 10000, ms: 2100 },
      { services: 50000, ms: 10100 },
    ]);
  });
  it('prints per-service and marginal costs per row', () => {
    const lines = growthReport(results);
    const ours = lines.find((l) => l.startsWith('| ours list |'));
    expect(ours).toBe('| ours list | 300 µs | 210 µs | 202 µs | 1000→10000: 200 µs, 10000→50000: 200 µs | 1.00 |');
    expect(lines.find((l) => l.startsWith('| ours top block |'))).toContain('| 1.20 ms | 1.20 ms | — |');
  });
  it('prints nothing when no operation ran at two sizes', () => {
    expect(growthReport({ sizes: [size(1000, 1, 1)] })).toEqual([]);
  });
});
