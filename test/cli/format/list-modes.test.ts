// The other listing modes against captures of ipvsadm 1.31 (`|` marks line end), plus the
// precedence of the modes and the 32-bit destination counters 1.31 reads.
import { describe, expect, it } from 'vitest';
import type { ChecksumMode, Reported, TunnelType } from '../../../src/ipvs/model.js';
import { formatListing } from '../../../src/cli/format/list.js';
import { listMode } from '../../../src/cli/format/list-lines.js';
import { dest, entry, fwm, opts, specLines, specText, svc } from '../../support/format-fixtures.js';
import { noNames } from '../../support/names-table.js';

const TCP = 6;
const UDP = 17;
const INFO = { version: 0x00010201, connTabSize: 4096 };

describe('--stats', () => {
  it('reproduces the capture', () => {
    const table = [
      entry(fwm(2, { ipv6: true })),
      entry(svc(UDP, '192.0.2.1', 53, { stats: { conns: 1n, inpkts: 20000n, inbytes: 1200560000n } })),
      entry(
        svc(TCP, '192.0.2.1', 80, { stats: { conns: 4n, inpkts: 8n, inbytes: 480n } }),
        dest('198.51.100.2', 8080, { stats: { conns: 2n, inpkts: 4n, inbytes: 240n } }),
        dest('198.51.100.1', 80, { stats: { conns: 2n, inpkts: 4n, inbytes: 240n } }),
      ),
    ];
    expect(formatListing({ info: INFO, services: table }, opts({ stats: true }), noNames)).toBe(
      specText(`
IP Virtual Server version 1.2.1 (size=4096)|
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes|
  -> RemoteAddress:Port|
TCP  192.0.2.1:80                        4        8        0      480        0|
  -> 198.51.100.1:80                     2        4        0      240        0|
  -> 198.51.100.2:8080                   2        4        0      240        0|
UDP  192.0.2.1:53                        1    20000        0    1200M        0|
FWM  2 IPv6                              0        0        0        0        0|
`),
    );
  });

  it('widens with --exact', () => {
    const s = svc(UDP, '192.0.2.1', 53, { stats: { conns: 1n, inbytes: 1200560000n, outbytes: 240112000n } });
    const lines = formatListing({ services: [entry(s)] }, opts({ stats: true, exact: true }), noNames).split('\n');
    expect(lines[2]).toBe('UDP  192.0.2.1:53                        1        0        0 1200560000 240112000');
  });

  it('keeps 64-bit service counters but the low 32 bits of destination packet counters', () => {
    const big = 2n ** 32n + 7n;
    const s = svc(TCP, '192.0.2.1', 80, { stats: { inpkts: big } });
    const d = dest('198.51.100.1', 80, { stats: { conns: big, inpkts: big, inbytes: big } });
    const lines = formatListing({ services: [entry(s, d)] }, opts({ stats: true, exact: true }), noNames).split('\n');
    expect(lines[2]).toBe('TCP  192.0.2.1:80                        0 4294967303        0        0        0');
    expect(lines[3]).toBe('  -> 198.51.100.1:80                     7        7        0 4294967303        0');
  });

  it('pads long IPv6 names without cutting them', () => {
    const s = svc(TCP, '2001:db8:1234:5678:9abc:def0:1234:5678', 65535);
    const lines = formatListing({ services: [entry(s)] }, opts({ stats: true }), noNames).split('\n');
    expect(lines[2]).toBe('TCP  [2001:db8:1234:5678:9abc:def0:1234:5678]:65535        0        0        0        0        0');
  });
});

describe('--rate', () => {
  it('reproduces the capture (dest CPS/PPS never abbreviated)', () => {
    const rates = { inpps: 2500n, inbps: 150070123n };
    const table = [entry(svc(UDP, '192.0.2.1', 53, { stats: rates }), dest('198.51.100.1', 53, { stats: rates }))];
    expect(formatListing({ services: table }, opts({ rate: true }), noNames)).toBe(
      specText(`
Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS|
  -> RemoteAddress:Port|
UDP  192.0.2.1:53                        0     2500        0  150070K        0|
  -> 198.51.100.1:53                     0     2500        0  150070K        0|
`),
    );
  });

  it('prints destination CPS/InPPS/OutPPS as %8llu even above 10^8', () => {
    const d = dest('198.51.100.1', 53, { stats: { cps: 123456789n, inpps: 4294967295n, outpps: 2n ** 32n + 1n, outbps: 100000000n } });
    const lines = formatListing({ services: [entry(svc(UDP, '192.0.2.1', 53), d)] }, opts({ rate: true }), noNames).split('\n');
    expect(lines[3]).toBe('  -> 198.51.100.1:53              123456789 4294967295        1        0  100000K');
  });
});

describe('--thresholds', () => {
  it('reproduces the capture (title ends with a space)', () => {
    const table = [
      entry(
        svc(TCP, '192.0.2.1', 80, { scheduler: 'rr' }),
        dest('198.51.100.4', 80, { forwarding: 'tunnel', uThreshold: 100, lThreshold: 50 }),
        dest('198.51.100.1', 80, { forwarding: 'masq' }),
      ),
    ];
    expect(formatListing({ services: table }, opts({ thresholds: true }), noNames)).toBe(
      specText(`
Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn |
  -> RemoteAddress:Port|
TCP  192.0.2.1:80 rr|
  -> 198.51.100.1:80              0          0          0          0         |
  -> 198.51.100.4:80              100        50         0          0         |
`),
    );
  });
});

describe('--persistent-conn', () => {
  it('reproduces the capture', () => {
    const table = [
      entry(svc(UDP, '192.0.2.4', 5060, { scheduler: 'rr', persistent: true, timeout: 100, pe: 'sip' }),
        dest('198.51.100.2', 5060, { persistConns: 1, inactConns: 1 })),
      entry(svc(TCP, '192.0.2.8', 80, { persistent: true, timeout: 30 }),
        dest('198.51.100.3', 80, { persistConns: 1, activeConns: 1 })),
    ];
    const lines = formatListing({ info: INFO, services: table }, opts({ persistentConn: true }), noNames).split('\n');
    expect(lines.slice(1, -1)).toEqual(
      specLines(`
Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn |
  -> RemoteAddress:Port|
TCP  192.0.2.8:80 wlc persistent 30|
  -> 198.51.100.3:80              1         1           1          0         |
UDP  192.0.2.4:5060 rr persistent 100 pe sip|
  -> 198.51.100.2:5060            1         1           0          1         |
`),
    );
  });
});

describe('--tun-info', () => {
  it('reproduces the capture', () => {
    const tun = (a: string, tunnelType: Reported<TunnelType>, tunnelPort: number, checksum: Reported<ChecksumMode>) =>
      dest(a, 80, { forwarding: 'tunnel', tunnelType, tunnelPort, checksum });
    const table = [
      entry(svc(TCP, '192.0.2.6', 80),
        tun('198.51.100.13', 'gue', 6082, 'nocsum'),
        tun('198.51.100.11', 'gre', 0, 'nocsum'),
        tun('198.51.100.9', 'gue', 6081, 'remcsum'),
        tun('198.51.100.8', 'gre', 0, 'csum'),
        tun('198.51.100.7', 'gue', 6080, 'csum')),
      entry(svc(TCP, '192.0.2.1', 80, { scheduler: 'rr' }),
        tun('198.51.100.4', 'ipip', 0, 'nocsum'),
        dest('198.51.100.1', 80, { forwarding: 'masq' })),
    ];
    expect(formatListing({ services: table }, opts({ tunInfo: true }), noNames)).toBe(
      specText(`
Prot LocalAddress:Port Scheduler Flags|
  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn|
TCP  192.0.2.1:80 rr|
  -> 198.51.100.1:80              Masq    n/a           1      0          0         |
  -> 198.51.100.4:80              Tunnel  ipip          1      0          0         |
TCP  192.0.2.6:80 wlc|
  -> 198.51.100.7:80              Tunnel  gue:6080:+c   1      0          0         |
  -> 198.51.100.8:80              Tunnel  gre:+c        1      0          0         |
  -> 198.51.100.9:80              Tunnel  gue:6081:r+c  1      0          0         |
  -> 198.51.100.11:80             Tunnel  gre:-c        1      0          0         |
  -> 198.51.100.13:80             Tunnel  gue:6082:-c   1      0          0         |
`),
    );
  });
});

describe('mode precedence', () => {
  it.each([
    [{ stats: true, rate: true, thresholds: true, persistentConn: true, tunInfo: true }, 'stats'],
    [{ rate: true, thresholds: true, persistentConn: true, tunInfo: true }, 'rate'],
    [{ thresholds: true, persistentConn: true, tunInfo: true }, 'thresholds'],
    [{ persistentConn: true, tunInfo: true }, 'persistent-conn'],
    [{ tunInfo: true }, 'tun-info'],
    [{ exact: true, nosort: true }, 'default'],
  ])('%j → %s', (flags, mode) => {
    expect(listMode(opts(flags))).toBe(mode);
  });

  it('--stats --rate prints the stats title and columns', () => {
    const out = formatListing({ services: [entry(svc(TCP, '192.0.2.1', 80, { stats: { conns: 3n, cps: 9n } }))] }, opts({ stats: true, rate: true }), noNames);
    expect(out.split('\n').slice(0, 3)).toEqual([
      'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
      '  -> RemoteAddress:Port',
      'TCP  192.0.2.1:80                        3        0        0        0        0',
    ]);
  });

  it('--exact alone changes nothing in the default layout', () => {
    const table = [entry(svc(TCP, '192.0.2.1', 80), dest('198.51.100.1', 80))];
    expect(formatListing({ services: table }, opts({ exact: true }), noNames)).toBe(formatListing({ services: table }, opts(), noNames));
  });
});
