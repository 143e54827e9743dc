// -L -c against rows observed from ipvsadm 1.31. The proc text is written by hand in the kernel's
// layout ("%-3s %08X %04X %08X %04X %08X %04X %-11s %7u%s"), two lines copied from a 1.31 run.
import { describe, expect, it } from 'vitest';
import {
  connectionAddresses,
  formatConnections,
  formatExpire,
} from '../../../src/cli/format/connections.js';
import { fgetsChunks, parseConnectionFile } from '../../../src/table/connections.js';
import { formatAddress } from '../../../src/ipvs/address.js';
import { names, noNames } from '../../support/names-table.js';

const V6_1 = '2001:0db8:0000:0000:0000:0000:0000:0001';
const V6_2 = '2001:0db8:0000:0000:0000:0000:0000:0002';
const HEADER = 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n';
const PROC =
  HEADER +
  'UDP C0000201 D475 C0000201 0035 C6336401 0035 UDP             293\n' +
  'UDP C0000204 0000 C0000204 13C4 C6336402 13C4 NONE             94 sip a84b4c76e66710@pc33.example.org\n' +
  'TCP C0000201 979E C0000201 0050 C6336402 1F90 SYN_RECV         45\n' +
  `TCP ${V6_1} A48A ${V6_1} 0050 C6336401 0050 SYN_RECV         53\n` +
  `TCP ${V6_1} 9B04 ${V6_1} 0050 ${V6_2} 1F90 SYN_RECV         55\n`;

describe('formatConnections', () => {
  it('reproduces the observed -Lcn output', () => {
    expect(formatConnections(PROC, { numeric: true, persistentConn: false }, noNames)).toBe(
      'IPVS connection entries\n' +
        'pro expire state       source             virtual            destination\n' +
        'UDP 04:53  UDP         192.0.2.1:54389    192.0.2.1:53       198.51.100.1:53\n' +
        'UDP 01:34  NONE        192.0.2.4:0        192.0.2.4:5060     198.51.100.2:5060\n' +
        'TCP 00:45  SYN_RECV    192.0.2.1:38814    192.0.2.1:80       198.51.100.2:8080\n' +
        'TCP 00:53  SYN_RECV    [2001:db8::1]:42122 [2001:db8::1]:80   198.51.100.1:80\n' +
        'TCP 00:55  SYN_RECV    [2001:db8::1]:39684 [2001:db8::1]:80   [2001:db8::2]:8080\n',
    );
  });

  it('reproduces the observed --persistent-conn title and pe row (dest padded 16)', () => {
    const out = formatConnections(PROC, { numeric: true, persistentConn: true }, noNames)!.split('\n');
    expect(out[1]).toBe(
      'pro expire state       source             virtual            destination        pe name          pe_data',
    );
    expect(out[3]).toBe(
      'UDP 01:34  NONE        192.0.2.4:0        192.0.2.4:5060     198.51.100.2:5060 sip                a84b4c76e66710@pc33.example.org',
    );
    // rows without pe data keep the normal layout
    expect(out[2]).toBe('UDP 04:53  UDP         192.0.2.1:54389    192.0.2.1:53       198.51.100.1:53');
  });

  it('resolves names, with port names by the row protocol', () => {
    const out = formatConnections(PROC, { numeric: false, persistentConn: false }, names)!.split('\n');
    expect(out[2]).toBe('UDP 04:53  UDP         vip1.example.org:54389 vip1.example.org:domain rs1.example.org:domain');
    expect(out[5]).toBe('TCP 00:53  SYN_RECV    [vip6.example.org]:42122 [vip6.example.org]:http rs1.example.org:http');
  });

  it('prints the title only for a file with just the kernel header', () => {
    expect(formatConnections(HEADER, { numeric: true, persistentConn: false }, noNames)).toBe(
      'IPVS connection entries\npro expire state       source             virtual            destination\n',
    );
  });

  it('returns undefined for an empty file (no first line)', () => {
    expect(formatConnections('', { numeric: true, persistentConn: false }, noNames)).toBeUndefined();
    expect(parseConnectionFile('')).toBeUndefined();
  });

  it('uses numeric ports for protocols without service names', () => {
    const text = HEADER + 'ESP C0000201 0000 C0000202 0050 C6336401 0050 ESTABLISHED    7\n';
    expect(formatConnections(text, { numeric: false, persistentConn: false }, names)!.split('\n')[2]).toBe(
      'ESP 00:07  ESTABLISHED vip1.example.org:0 an-extremely-long-virtual-service-hostname.example.org:80 rs1.example.org:80',
    );
  });

  it('skips pieces that do not parse', () => {
    const text = HEADER + 'garbage line\n' + 'TCP C0000201 979E C0000201 0050 C6336402 1F90 SYN_RECV         45\n';
    expect(parseConnectionFile(text)).toHaveLength(1);
  });

  it('reads lines in 255-character pieces, as fgets(buf, 256) does', () => {
    const data = 'x'.repeat(200);
    const line = `UDP ${V6_1} 13C4 ${V6_1} 13C4 ${V6_2} 13C4 NONE             94 sip ${data}\n`;
    const rows = parseConnectionFile(HEADER + line)!;
    expect(rows).toHaveLength(1);
    expect(`${rows[0]!.pe!.name} ${rows[0]!.pe!.data}`).toBe(line.slice(0, 255).split(' 94 ')[1]);
    expect(fgetsChunks('abc\ndef', 3)).toEqual(['ab', 'c\n', 'de', 'f']);
  });
});

describe('formatExpire', () => {
  it.each([
    [0, '00:00'],
    [59, '00:59'],
    [7199, '119:59'],
    [2678399, '44639:59'],
  ])('%i s → %s', (s, text) => {
    expect(formatExpire(s)).toBe(text);
  });
});

describe('connectionAddresses', () => {
  it('lists every client, virtual and destination address once', () => {
    expect(connectionAddresses(parseConnectionFile(PROC)!).map(formatAddress)).toEqual([
      '192.0.2.1',
      '198.51.100.1',
      '192.0.2.4',
      '198.51.100.2',
      '2001:db8::1',
      '2001:db8::2',
    ]);
  });
});
