// --scope: items read (CIDRs of either family, fwmark ranges, protocols), bad items named, and
// which services a scope holds (networks and marks select, protocols narrow address services).
import { describe, expect, it } from 'vitest';
import { inScope, parseScope, ScopeError } from '../../src/apply/scope.js';
import { fwm, svc } from '../support/format-fixtures.js';

describe('parseScope', () => {
  it('reads every kind of item, comma-separated or repeated', () => {
    const s = parseScope(['192.0.2.0/24,2001:db8::/32', 'fwmark:10-19', 'fwmark:7', 'tcp']);
    expect(s.networks.map((n) => n.bits)).toEqual([24, 32]);
    expect(s.marks).toEqual([{ from: 10, to: 19 }, { from: 7, to: 7 }]);
    expect(s.protocols).toEqual([6]);
    expect(s.text).toBe('192.0.2.0/24,2001:db8::/32,fwmark:10-19,fwmark:7,tcp');
    expect(parseScope(['192.0.2.7']).networks[0]!.bits).toBe(32);
  });

  it.each(['', '192.0.2.0/33', '2001:db8::/129', 'fwmark:0', 'fwmark:9-3', 'fwmark:99999999999', 'icmp', '192.0.2.0/24/1', 'vip'])('refuses %j', (item) => {
    expect(() => parseScope([item])).toThrow(ScopeError);
  });
});

describe('inScope', () => {
  const web = svc(6, '192.0.2.1', 80).key;
  const dns = svc(17, '192.0.2.200', 53).key;
  const far = svc(6, '203.0.113.1', 80).key;
  const v6 = svc(6, '2001:db8::1', 80).key;
  const mark = fwm(12).key;

  it('no scope: everything', () => {
    expect([web, dns, far, v6, mark].map((k) => inScope(undefined, k))).toEqual([true, true, true, true, true]);
  });

  it('a network selects address services in it; marks then only by a range', () => {
    const s = parseScope(['192.0.2.0/25']);
    expect([web, dns, far, v6, mark].map((k) => inScope(s, k))).toEqual([true, false, false, false, false]);
    expect([web, v6, mark].map((k) => inScope(parseScope(['2001:db8::/32', 'fwmark:10-20']), k))).toEqual([false, true, true]);
  });

  it('protocols narrow address services, leave marks alone', () => {
    expect([web, dns, mark].map((k) => inScope(parseScope(['udp']), k))).toEqual([false, true, true]);
    expect([web, dns, far].map((k) => inScope(parseScope(['192.0.2.0/24', 'tcp']), k))).toEqual([true, false, false]);
  });
});
