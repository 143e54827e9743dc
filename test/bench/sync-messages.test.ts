// The bench's connection-table case fills a backup director's table with IPVS sync messages
// (test/bench/sync-messages.mjs): their bytes against the version 1 layout written out by hand.
import { describe, expect, it } from 'vitest';
import { CONN_BYTES, HEADER_BYTES, SYNC_MTU, connection, syncMessage, syncMessages } from './sync-messages.mjs';

describe('sync messages', () => {
  it('one TCP connection: the header and the 36-byte IPv4 entry, field by field', () => {
    const c = { protocol: 6, state: 1, client: 0xc6120001, clientPort: 1024, virtual: 0xc0000201, virtualPort: 80, dest: 0xc6336401, destPort: 8080, timeout: 7200 };
    const hex = syncMessage(7, [c]).toString('hex');
    expect(hex).toBe([
      '00', '07', '002c', '01', '01', '0000', // reserved, syncid 7, size 44, 1 entry, version 1, spare
      '00', '06', '0024', '00000000', // IPv4, TCP, version 0 and size 36, flags
      '0001', '0400', '0050', '1f90', // ESTABLISHED, client port 1024, virtual port 80, real server port 8080
      '00000000', '00001c20', // fwmark, timeout 7200 s
      'c6120001', 'c0000201', 'c6336401', // 198.18.0.1, 192.0.2.1, 198.51.100.1
    ].join(''));
  });

  it('full messages of 255 entries, the size field matching the length, every client pair once', () => {
    const msgs = syncMessages(3, 0, 600, 60);
    expect(msgs.map((m) => m.length)).toEqual([8 + 255 * 36, 8 + 255 * 36, 8 + 90 * 36]);
    expect(msgs.map((m) => [m.readUInt16BE(2), m[4], m[1]])).toEqual([[9188, 255, 3], [9188, 255, 3], [3248, 90, 3]]);
    expect(SYNC_MTU).toBe(9188 + 28);
    expect(HEADER_BYTES + 255 * CONN_BYTES).toBe(9188);
    const keys = new Set(Array.from({ length: 300000 }, (_, i) => connection(i, 60)).map((c) => `${c.protocol} ${c.client} ${c.clientPort} ${c.virtual} ${c.virtualPort}`));
    expect(keys.size).toBe(300000);
  });

  it('addresses stay in the documentation and benchmarking ranges', () => {
    for (const i of [0, 49, 199, 131071, 131072, 499999]) {
      const c = connection(i, 60);
      expect(c.client >>> 17).toBe(0xc612 >>> 1); // 198.18.0.0/15
      expect(c.virtual >>> 8).toBe(0xc00002); // 192.0.2.0/24
      expect(c.dest >>> 8).toBe(0xc63364); // 198.51.100.0/24
    }
  });

  it('refuses an empty message and one over 255 entries', () => {
    expect(() => syncMessage(1, [])).toThrow(/1 to 255/);
    expect(() => syncMessages(1, 0, 256, 60).length).not.toThrow();
    expect(() => syncMessage(1, Array.from({ length: 256 }, (_, i) => connection(i, 60)))).toThrow(/not 256/);
  });
});
