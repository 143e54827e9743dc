// The bench's growth table: per-service and marginal costs computed from the timed sizes, and a
// command that grows faster than the table shows a last-over-first step above 1.
import { describe, expect, it } from 'vitest';
import { growthCaseLines, growthReport, growthSeries, marginalCosts } from './growth.mjs';

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

describe('growthCases (the growth case at one size, over a fake guest)', () => {
  // a table of 2 services with 1 real server each, as C -Sn and our listings print it
  const saved = '-A -t 192.0.2.1:1000 -s wlc\n-a -t 192.0.2.1:1000 -r 198.51.100.1:8080 -m -w 1\n-A -t 192.0.2.2:1000 -s rr\n-a -t 192.0.2.2:1000 -r 198.51.100.2:8080 -m -w 1\n';
  const listing = 'TCP  192.0.2.1:1000 wlc\n  -> 198.51.100.1:8080 Masq 1 0 0\nTCP  192.0.2.2:1000 rr\n  -> 198.51.100.2:8080 Masq 1 0 0\n';
  function guest(overrides: { list?: string; afterApply?: string; floorOut?: string } = {}) {
    let table = saved;
    return {
      OURS: ['ours'],
      lockDir: '/locks',
      readBack: () => table,
      write: () => '/file',
      measure: (tool: string[], argv: string[]) => {
        if (argv[0] === 'apply') table = overrides.afterApply ?? table;
        const out = tool[0] === 'ours' ? (argv[0] === '-Sn' ? saved : argv[0] === 'apply' ? '' : (overrides.list ?? listing)) : (overrides.floorOut ?? 'services 2 dests 2 reads 5\n');
        return { ms: 10, min: 9, max: 11, runs: 3, rssKiB: 1, output: `${out}\u0000stderr:\n`, outputs: 1 };
      },
    };
  }
  it('times every command and finds the same work', async () => {
    const { growthCases } = await import('./growth-bench.mjs');
    const r = growthCases(guest(), 2, 1, '/floor');
    expect(r.mismatches).toEqual([]);
    expect(Object.keys(r.timings)).toEqual(['-Sn', '-Ln', '-Ln --stats', 'top -c 1 -n', 'apply (nothing to change)', 'floor (dump-floor.c)']);
  });
  it('a listing missing a row, an apply that changed the table, a floor that read less: each a mismatch', async () => {
    const { growthCases } = await import('./growth-bench.mjs');
    expect(growthCases(guest({ list: listing.split('\n').slice(0, 3).join('\n') }), 2, 1).mismatches.map((m) => m.op)).toEqual(['-Ln', '-Ln --stats', 'top -c 1 -n']);
    expect(growthCases(guest({ afterApply: '' }), 2, 1).mismatches.map((m) => m.op)).toEqual(['apply']);
    expect(growthCases(guest({ floorOut: 'services 2 dests 1 reads 5\n' }), 2, 1, '/floor').mismatches.map((m) => m.op)).toEqual(['floor']);
  });
});

describe('growthCaseLines', () => {
  it('prints each timing of the growth case with its spread, also for a single size', () => {
    const results = { growth: [{ services: 50000, dests: 4, timings: { '-Ln': { ms: 41800, min: 40000, max: 43000 } }, mismatches: [] }] };
    expect(growthCaseLines(results)).toContain('| 50000 × 4 | `-Ln` | 41.80 s (40.00 s–43.00 s) | 836 µs |');
    expect(growthReport(results)).toEqual(growthCaseLines(results));
    expect(growthCaseLines({})).toEqual([]);
  });
});
