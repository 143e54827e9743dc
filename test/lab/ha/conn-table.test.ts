// Reading /proc/net/ip_vs_conn (hex addresses and ports, as the kernel prints them) and the refusal
// period measured after a failover.
import { describe, expect, it } from 'vitest';
import { parseIpvsConn } from '../../../src/lab/ha/conn-table.js';
import { refusedSince } from '../../../src/lab/ha/failover.js';

describe('parseIpvsConn', () => {
  it('reads IPv4 entries: client address and port, state; skips the title and IPv6 entries', () => {
    const text = [
      'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData',
      'TCP CB00710A 9C41 CB007164 0050 CB007115 0050 ESTABLISHED     899',
      'TCP CB00710A A001 CB007164 0050 C6336416 0050 FIN_WAIT         98',
      'TCP 20010db8:0000:0000:0000:0000:0000:0000:0001 1F90 20010db8:0000:0000:0000:0000:0000:0000:0064 0050 20010db8:0000:0000:0000:0000:0000:0000:0015 0050 ESTABLISHED 899',
      '',
    ].join('\n');
    expect(parseIpvsConn(text)).toEqual([
      { protocol: 'TCP', client: '203.0.113.10', clientPort: 40001, state: 'ESTABLISHED' },
      { protocol: 'TCP', client: '203.0.113.10', clientPort: 40961, state: 'FIN_WAIT' },
    ]);
  });
});

describe('refusedSince', () => {
  it('counts from the event, not from a request that started before it; an open outage lasts until now', () => {
    const outages = [
      { from: 0, to: 100, ms: 100, failed: 1 },
      { from: 900, to: 4000, ms: 3100, failed: 15 },
    ];
    expect(refusedSince(outages, 1000, 5000)).toBe(3000);
    expect(refusedSince([{ from: 1200, to: undefined, ms: 0, failed: 3 }], 1000, 2500)).toBe(1300);
    expect(refusedSince(outages, 4000, 5000)).toBe(0);
  });
});
