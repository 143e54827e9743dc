// The bench's connection-table case prints a ratio only when the C ipvsadm and ours listed the
// same entries: the comparison that sets the counting-down expiry column aside, and the report.
import { describe, expect, it } from 'vitest';
import { connsReport, listingDifference, splitExpiry } from './conns-bench.mjs';

const TITLE = 'IPVS connection entries\npro expire state       source             virtual            destination\n';
const FIRST = TITLE +
  'TCP 119:16 ESTABLISHED 198.19.128.158:1024 192.0.2.13:80      198.51.100.63:8080\n' +
  'UDP 100:00 UDP         198.19.110.253:1024 192.0.2.50:53      198.51.100.150:53\n';
/** The same table 3 seconds later: both rows counted down, one across a change of width. */
const LATER = TITLE +
  'TCP 119:13 ESTABLISHED 198.19.128.158:1024 192.0.2.13:80      198.51.100.63:8080\n' +
  'UDP 99:57  UDP         198.19.110.253:1024 192.0.2.50:53      198.51.100.150:53\n';

describe('conns case: same work', () => {
  it('sets the expiry aside, in seconds', () => {
    const s = splitExpiry(LATER);
    expect(s.expiries).toEqual([119 * 60 + 13, 99 * 60 + 57]);
    expect(s.rows[3]).toBe('UDP - UDP         198.19.110.253:1024 192.0.2.50:53      198.51.100.150:53');
    expect(splitExpiry(FIRST).rows).toEqual(s.rows);
  });

  it('the same table a few seconds later is the same listing', () => {
    expect(listingDifference(FIRST, LATER, 3)).toBeUndefined();
    expect(listingDifference(FIRST, FIRST, 0)).toBeUndefined();
  });

  it('an expiry that went up, or down by more than the time between, is a difference', () => {
    expect(listingDifference(LATER, FIRST, 3)).toMatch(/^row 1: expiry 7153 s, then 7156 s/);
    expect(listingDifference(FIRST, LATER, 1)).toMatch(/^row 1: expiry 7156 s, then 7153 s 1 s later/);
  });

  it('another address, another order or a missing row is a difference', () => {
    expect(listingDifference(FIRST, LATER.replace('198.51.100.63', '198.51.100.64'), 3)).toMatch(/^line 3 differs beyond its expiry/);
    const lines = LATER.split('\n');
    expect(listingDifference(FIRST, [lines[0], lines[1], lines[3], lines[2], ''].join('\n'), 3)).toMatch(/^line 3 differs/);
    expect(listingDifference(FIRST, lines.slice(0, 3).join('\n') + '\n', 3)).toBe('5 lines against 4');
    // a padding byte off in a column after the expiry
    expect(listingDifference(FIRST, LATER.replace('192.0.2.13:80      ', '192.0.2.13:80     '), 3)).toMatch(/^line 3/);
  });

  it('the report gives a ratio only for the same work, and fails otherwise', () => {
    const t = (ms: number) => ({ ms, min: ms - 1000, max: ms + 1000, runs: 3, rssKiB: 2048 });
    const same = { entries: 100000, fillMs: 5000, c: t(150000), ours: t(40000), bytes: 8055797, problems: [] };
    const ok = connsReport([same]);
    expect(ok.failed).toBe(false);
    expect(ok.lines).toContain('| 100000 | 150.00 s (149.00 s–151.00 s) | 40.00 s (39.00 s–41.00 s) | 0.27 | 8.1 | 2 / 2 MiB |');
    const bad = connsReport([{ ...same, problems: ['ours run 1 against C\'s first: line 3 differs beyond its expiry'] }]);
    expect(bad.failed).toBe(true);
    expect(bad.lines.join('\n')).toContain('| not the same work |');
    expect(bad.lines.join('\n')).not.toMatch(/\| 0\.27 \|/);
    expect(bad.lines.join('\n')).toContain('MISMATCH at 100000 entries');
    expect(connsReport([])).toEqual({ lines: [], failed: false });
  });
});
