// DestHeads (parts of destination lines made once per listing) must never change a line:
// formatDestLine with the cache, called again and again, equals formatDestLine without it, for
// any destination of any service, in every mode, numeric or with names.
import fc from 'fast-check';
import { decodeForwarding } from '../../../src/ipvs/value-codec.js';
import { describe, expect, it } from 'vitest';
import { DestHeads, formatDestLine } from '../../../src/cli/format/list-lines.js';
import type { ListMode } from '../../../src/cli/format/list-lines.js';
import { dest, fwm, opts, svc } from '../../support/format-fixtures.js';
import { names as someNames, noNames } from '../../support/names-table.js';

const MODES: ListMode[] = ['default', 'tun-info', 'thresholds', 'persistent-conn', 'stats', 'rate'];

describe('DestHeads', () => {
  it('lines that differ in one part only each get their own text', () => {
    const heads = new DestHeads();
    const o = opts({ numeric: true });
    const base = { forwarding: 'masq' as const, weight: 1, activeConns: 2, inactConns: 3 };
    const variants = [base, { ...base, forwarding: 'route' as const }, { ...base, weight: 2 }, { ...base, activeConns: 3 }, { ...base, inactConns: 2 }, { ...base, weight: -1 }];
    const services = [svc(6, '192.0.2.1', 80), svc(17, '2001:db8::80', 53)];
    for (const round of [1, 2]) {
      for (const s of services) {
        for (const [address, port] of [['198.51.100.1', 80], ['198.51.100.1', 81], ['198.51.100.2', 80]] as const) {
          for (const v of variants) {
            const d = dest(address, port, v);
            for (const mode of MODES) expect(formatDestLine(d, s, mode, o, noNames, heads), `round ${round}`).toBe(formatDestLine(d, s, mode, o, noNames));
          }
        }
      }
    }
  });

  it('gives the lines formatDestLine gives without it, on first use and on every reuse', () => {
    const address = fc.oneof(
      fc.constantFrom('198.51.100.1', '198.51.100.2', '203.0.113.255', '0.0.0.0', '255.255.255.255'),
      fc.constantFrom('2001:db8::1', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'),
    );
    // few values, so that lines share parts and the cache is used (and large ones it must not keep)
    const count = fc.oneof(fc.constantFrom(0, 1, 0xffff, 0x10000, 0x7fffffff, 0xffffffff), fc.integer({ min: 0, max: 3 }), fc.nat());
    const destination = fc
      .tuple(address, fc.constantFrom(0, 80, 8080, 65535), fc.integer({ min: 0, max: 7 }), fc.oneof(count, fc.integer({ min: -5, max: -1 })), count, count)
      .map(([a, port, code, weight, activeConns, inactConns]) => dest(a, port, { forwarding: decodeForwarding(code), weight, activeConns, inactConns }));
    const service = fc.constantFrom(svc(6, '192.0.2.1', 80), svc(17, '2001:db8::80', 53), fwm(7), fwm(8, { ipv6: true }));
    fc.assert(
      fc.property(fc.constantFrom(...MODES), fc.boolean(), fc.array(fc.tuple(destination, service), { minLength: 1, maxLength: 30 }), (mode, numeric, lines) => {
        const heads = new DestHeads();
        const o = opts({ numeric });
        const names = numeric ? noNames : someNames;
        for (let round = 0; round < 2; round++) {
          for (const [d, s] of lines) expect(formatDestLine(d, s, mode, o, names, heads)).toBe(formatDestLine(d, s, mode, o, names));
        }
      }),
      { numRuns: 1500 },
    );
  });
});
