// Default-mode listings against captures of ipvsadm 1.31 (copied verbatim; `|` marks line end).
import { describe, expect, it } from 'vitest';
import { addressesToResolve, formatListing, versionLine } from '../../../src/cli/format/list.js';
import { formatAddress } from '../../../src/ipvs/address.js';
import type { ServiceWithDestinations } from '../../../src/ipvs/model.js';
import { dest, entry, fwm, opts, specLines, specText, svc } from '../../support/format-fixtures.js';
import { names, noNames } from '../../support/names-table.js';

const TCP = 6;
const UDP = 17;
const SCTP = 132;
const INFO = { version: 0x00010201, connTabSize: 4096 };

/** The services of the `ipvsadm -Ln` capture, deliberately out of order. */
const TABLE: ServiceWithDestinations[] = [
  entry(fwm(3)),
  entry(fwm(2, { ipv6: true, scheduler: 'rr', persistent: true, timeout: 60, netmask: 64 }), dest('2001:db8::5', 0)),
  entry(svc(TCP, '2001:db8::1', 81)),
  entry(
    svc(TCP, '2001:db8::1', 80, { scheduler: 'mh', persistent: true, schedFlags: [2], timeout: 30, netmask: 96 }),
    dest('2001:db8::2', 8080, { forwarding: 'masq' }),
    dest('198.51.100.6', 80, { forwarding: 'tunnel' }),
  ),
  entry(svc(TCP, '2001:db8:ffff::1', 80)),
  entry(svc(SCTP, '192.0.2.5', 9999, { scheduler: 'dh' }), dest('198.51.100.12', 9999, { forwarding: 'masq' })),
  entry(svc(UDP, '192.0.2.4', 5061, { pe: 'sip' })),
  entry(svc(UDP, '192.0.2.4', 5060, { persistent: true, timeout: 100, pe: 'sip' })),
  entry(svc(UDP, '192.0.2.1', 53, { scheduler: 'wrr', onePacket: true })),
  entry(svc(TCP, '192.0.2.7', 80, { scheduler: 'rr', schedFlags: [1, 3] })),
  entry(svc(TCP, '192.0.2.3', 0, { persistent: true, timeout: 360 })),
  entry(svc(TCP, '192.0.2.2', 443, { scheduler: 'sh', persistent: true, schedFlags: [1, 2], timeout: 600, netmask: 0xffffff00 })),
  entry(svc(TCP, '192.0.2.1', 443)),
  entry(
    svc(TCP, '192.0.2.1', 80, { scheduler: 'rr' }),
    dest('198.51.100.4', 80, { forwarding: 'tunnel' }),
    dest('198.51.100.3', 80, { forwarding: 'route', weight: 0 }),
    dest('198.51.100.2', 8080, { forwarding: 'masq', weight: 3 }),
    dest('198.51.100.1', 80, { forwarding: 'masq' }),
  ),
  entry(fwm(1, { scheduler: 'lc' }), dest('198.51.100.6', 8080, { forwarding: 'route' }), dest('198.51.100.5', 0, { forwarding: 'masq' })),
  entry(fwm(4294967295)),
];

describe('formatListing, default mode', () => {
  it('reproduces the `ipvsadm -Ln` capture', () => {
    expect(formatListing({ info: INFO, services: TABLE }, opts(), noNames)).toBe(
      specText(`
IP Virtual Server version 1.2.1 (size=4096)|
Prot LocalAddress:Port Scheduler Flags|
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn|
FWM  -1 wlc|
TCP  192.0.2.1:80 rr|
  -> 198.51.100.1:80              Masq    1      0          0         |
  -> 198.51.100.2:8080            Masq    3      0          0         |
  -> 198.51.100.3:80              Route   0      0          0         |
  -> 198.51.100.4:80              Tunnel  1      0          0         |
TCP  192.0.2.1:443 wlc|
TCP  192.0.2.2:443 sh (sh-fallback,sh-port) persistent 600 mask 255.255.255.0|
TCP  192.0.2.3:0 wlc persistent 360|
TCP  192.0.2.7:80 rr (flag-1,flag-3)|
UDP  192.0.2.1:53 wrr ops|
UDP  192.0.2.4:5060 wlc persistent 100 pe sip|
UDP  192.0.2.4:5061 wlc|
SCTP 192.0.2.5:9999 dh|
  -> 198.51.100.12:9999           Masq    1      0          0         |
TCP  [2001:db8:ffff::1]:80 wlc|
TCP  [2001:db8::1]:80 mh (mh-port) persistent 30 mask 96|
  -> 198.51.100.6:80              Tunnel  1      0          0         |
  -> [2001:db8::2]:8080           Masq    1      0          0         |
TCP  [2001:db8::1]:81 wlc|
FWM  1 lc|
  -> 198.51.100.5:0               Masq    1      0          0         |
  -> 198.51.100.6:8080            Route   1      0          0         |
FWM  2 IPv6 rr persistent 60 mask 64|
  -> [2001:db8::5]:0              Route   1      0          0         |
FWM  3 wlc|
`),
    );
  });

  it('prints only the three header lines for an empty table', () => {
    expect(formatListing({ info: INFO, services: [] }, opts(), noNames)).toBe(
      'IP Virtual Server version 1.2.1 (size=4096)\n' +
        'Prot LocalAddress:Port Scheduler Flags\n' +
        '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n',
    );
  });

  it('reproduces the single-service capture (no version line)', () => {
    const one = entry(svc(TCP, '192.0.2.1', 80, { scheduler: 'rr' }), dest('198.51.100.1', 80, { forwarding: 'masq' }));
    expect(formatListing({ services: [one] }, opts(), noNames)).toBe(
      specText(`
Prot LocalAddress:Port Scheduler Flags|
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn|
TCP  192.0.2.1:80 rr|
  -> 198.51.100.1:80              Masq    1      0          0         |
`),
    );
  });

  it('reproduces the capture with names, cutting IPv4 fields and capping at 59', () => {
    const table = [
      entry(svc(TCP, '2001:db8::1', 80, { scheduler: 'rr' }),
        dest('2001:db8::2', 8080, { forwarding: 'masq', activeConns: 1 }),
        dest('198.51.100.1', 80, { forwarding: 'tunnel', activeConns: 2 })),
      entry(svc(UDP, '192.0.2.1', 53, { scheduler: 'rr' })),
      entry(svc(TCP, '192.0.2.2', 80), dest('198.51.100.2', 80, { activeConns: 0 })),
      entry(svc(TCP, '192.0.2.1', 80, { scheduler: 'rr' }),
        dest('198.51.100.2', 80, { forwarding: 'masq', activeConns: 2 }),
        dest('198.51.100.1', 80, { forwarding: 'masq', activeConns: 2 })),
    ];
    const lines = formatListing({ info: INFO, services: table }, opts({ numeric: false }), names).split('\n');
    expect(lines.slice(3, -1)).toEqual(
      specLines(`
TCP  vip1.example.org:http rr|
  -> rs1.example.org:http         Masq    1      2          0         |
  -> a-very-long-real-server-host Masq    1      2          0         |
TCP  an-extremely-long-virtual-se wlc|
  -> a-very-long-real-server-host Route   1      0          0         |
UDP  vip1.example.org:domain rr|
TCP  [vip6.example.org]:http rr|
  -> rs1.example.org:http         Tunnel  1      2          0         |
  -> [a-very-long-ipv6-real-server-hostname.example.org]:http-al Masq    1      1          0         |
`),
    );
  });

  it('never names the ports of fwmark destinations, but still names hosts', () => {
    const out = formatListing({ services: [entry(fwm(1), dest('198.51.100.1', 80), dest('198.51.100.6', 8080))] }, opts({ numeric: false }), names);
    expect(out.split('\n').slice(3, 5)).toEqual([
      '  -> rs1.example.org:80           Route   1      0          0         ',
      '  -> 198.51.100.6:8080            Route   1      0          0         ',
    ]);
  });

  it('cuts destination names by the SERVICE family (ipvsadm tests se->af)', () => {
    const v4svc = entry(svc(TCP, '192.0.2.9', 80), dest('2001:db8::2', 80, { forwarding: 'tunnel' }));
    const v6svc = entry(svc(TCP, '2001:db8::9', 80), dest('198.51.100.2', 80, { forwarding: 'tunnel' }));
    const o = opts({ numeric: false });
    expect(formatListing({ services: [v4svc] }, o, names).split('\n')[3]).toBe(
      '  -> [a-very-long-ipv6-real-serve Tunnel  1      0          0         ',
    );
    expect(formatListing({ services: [v6svc] }, o, names).split('\n')[3]).toBe(
      '  -> a-very-long-real-server-hostname.example.org:http Tunnel  1      0          0         ',
    );
  });

  it('shifts columns for wide weights, as observed', () => {
    const out = formatListing({ services: [entry(svc(TCP, '192.0.2.1', 80), dest('198.51.100.1', 80, { forwarding: 'masq', weight: 2147483647 }))] }, opts(), noNames);
    expect(out.split('\n')[3]).toBe('  -> 198.51.100.1:80              Masq    2147483647 0          0         ');
  });

  it('prints u32 counters unsigned and the weight signed', () => {
    const d = dest('198.51.100.1', 80, { weight: 4294967295, activeConns: 4294967295, inactConns: 7 });
    const out = formatListing({ services: [entry(svc(TCP, '192.0.2.1', 80), d)] }, opts(), noNames);
    expect(out.split('\n')[3]).toBe('  -> 198.51.100.1:80              Route   -1     4294967295 7         ');
  });

  it('prints an empty flag list for sh/mh with only flag-3', () => {
    const out = formatListing({ services: [entry(fwm(16, { scheduler: 'mh', schedFlags: [3] }))] }, opts(), noNames);
    expect(out.split('\n')[2]).toBe('FWM  16 mh ()');
  });

  it('orders flags, persistence and ops; shows pe only when persistent', () => {
    const s = svc(UDP, '192.0.2.9', 53, { scheduler: 'sh', persistent: true, onePacket: true, schedFlags: [1], unnamedFlags: 0, timeout: 10, netmask: 0xffff0000, pe: 'sip' });
    const t = svc(UDP, '192.0.2.10', 53, { onePacket: true, pe: 'sip' });
    const out = formatListing({ services: [entry(s), entry(t)] }, opts(), noNames).split('\n');
    expect(out[2]).toBe('UDP  192.0.2.9:53 sh (sh-fallback) persistent 10 mask 255.255.0.0 pe sip ops');
    expect(out[3]).toBe('UDP  192.0.2.10:53 wlc ops');
  });

  it('names unknown protocols `?` and unknown forwarding methods sanely', () => {
    const s = svc(50, '192.0.2.1', 0);
    const out = formatListing({ services: [entry(s, dest('198.51.100.1', 0, { forwarding: 'bypass' }), dest('198.51.100.2', 0, { forwarding: 'local' }))] }, opts(), noNames);
    expect(out.split('\n').slice(2, 5)).toEqual([
      '?    192.0.2.1:0 wlc',
      '  -> 198.51.100.1:0               Bypass  1      0          0         ',
      '  -> 198.51.100.2:0               Local   1      0          0         ',
    ]);
  });

  it('keeps the given order with --nosort', () => {
    const table = [entry(svc(TCP, '192.0.2.2', 80), dest('198.51.100.2', 80), dest('198.51.100.1', 80)), entry(svc(TCP, '192.0.2.1', 80))];
    expect(formatListing({ services: table }, opts({ nosort: true }), noNames).split('\n').slice(2, -1)).toEqual([
      'TCP  192.0.2.2:80 wlc',
      '  -> 198.51.100.2:80              Route   1      0          0         ',
      '  -> 198.51.100.1:80              Route   1      0          0         ',
      'TCP  192.0.2.1:80 wlc',
    ]);
  });
});

describe('versionLine', () => {
  it('unpacks the kernel version', () => {
    expect(versionLine({ version: 0x00010201, connTabSize: 4096 })).toBe('IP Virtual Server version 1.2.1 (size=4096)');
    expect(versionLine({ version: 0x00010104, connTabSize: 1048576 })).toBe('IP Virtual Server version 1.1.4 (size=1048576)');
  });
});

describe('addressesToResolve', () => {
  it('lists service and destination addresses once, skipping fwmark services', () => {
    const got = addressesToResolve(TABLE).map(formatAddress).sort();
    expect(got).toEqual(
      [
        '192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.7',
        '2001:db8::1', '2001:db8:ffff::1', '2001:db8::2', '2001:db8::5',
        '198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5', '198.51.100.6', '198.51.100.12',
      ].sort(),
    );
  });
});
