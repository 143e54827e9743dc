// -S output against a capture of ipvsadm 1.31 (lines copied verbatim), with one deliberate
// difference: fwmarks >= 2^31 are written unsigned so that -R can read them back.
import { describe, expect, it } from 'vitest';
import type { ChecksumMode, Reported, TunnelType } from '../../src/ipvs/model.js';
import { formatSave } from '../../src/save/format.js';
import { dest, entry, fwm, svc } from '../support/format-fixtures.js';
import { names, noNames } from '../support/names-table.js';

const TCP = 6;
const UDP = 17;
const SCTP = 132;
const tun = (a: string, tunnelType: Reported<TunnelType>, tunnelPort: number, checksum: Reported<ChecksumMode>) => dest(a, 80, { forwarding: 'tunnel', tunnelType, tunnelPort, checksum });

const TABLE = [
  entry(fwm(16, { scheduler: 'mh', schedFlags: [3] })),
  entry(fwm(2, { ipv6: true, scheduler: 'rr', persistent: true, timeout: 60, netmask: 64 }), dest('2001:db8::5', 0)),
  entry(fwm(1, { scheduler: 'lc' }), dest('198.51.100.5', 0, { forwarding: 'masq' })),
  entry(
    svc(TCP, '2001:db8::1', 80, { scheduler: 'mh', persistent: true, schedFlags: [2], timeout: 30, netmask: 96 }),
    dest('2001:db8::2', 8080, { forwarding: 'masq' }),
    tun('198.51.100.6', 'ipip', 0, 'nocsum'),
  ),
  entry(svc(SCTP, '192.0.2.5', 9999, { scheduler: 'dh' }), dest('198.51.100.12', 9999, { forwarding: 'masq' })),
  entry(svc(UDP, '192.0.2.4', 5061, { pe: 'sip' })),
  entry(svc(UDP, '192.0.2.4', 5060, { persistent: true, timeout: 100, pe: 'sip' })),
  entry(svc(UDP, '192.0.2.1', 53, { scheduler: 'wrr', onePacket: true })),
  entry(svc(TCP, '192.0.2.7', 80, { scheduler: 'rr', schedFlags: [1, 3] })),
  entry(
    svc(TCP, '192.0.2.6', 80),
    tun('198.51.100.11', 'gre', 0, 'nocsum'),
    tun('198.51.100.9', 'gue', 6081, 'remcsum'),
    tun('198.51.100.8', 'gre', 0, 'csum'),
    tun('198.51.100.7', 'gue', 6080, 'csum'),
  ),
  entry(svc(TCP, '192.0.2.3', 0, { persistent: true, timeout: 360 })),
  entry(svc(TCP, '192.0.2.2', 443, { scheduler: 'sh', persistent: true, schedFlags: [1, 2], timeout: 600, netmask: 0xffffff00 })),
  entry(
    svc(TCP, '192.0.2.1', 80, { scheduler: 'rr' }),
    tun('198.51.100.4', 'ipip', 0, 'nocsum'),
    dest('198.51.100.3', 80, { forwarding: 'route', weight: 0, uThreshold: 100, lThreshold: 50 }),
    dest('198.51.100.1', 80, { forwarding: 'masq' }),
  ),
  entry(fwm(4294967295)),
];

/** The 1.31 capture; its first line reads `-A -f -1 -s wlc` (not restorable). */
const SPEC_LINES = `-A -f 4294967295 -s wlc
-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1
-a -t 192.0.2.1:80 -r 198.51.100.3:80 -g -w 0
-a -t 192.0.2.1:80 -r 198.51.100.4:80 -i -w 1 --tun-type ipip
-A -t 192.0.2.2:443 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port
-A -t 192.0.2.3:0 -s wlc -p 360
-a -t 192.0.2.6:80 -r 198.51.100.7:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
-a -t 192.0.2.6:80 -r 198.51.100.8:80 -i -w 1 --tun-type gre --tun-csum
-a -t 192.0.2.6:80 -r 198.51.100.9:80 -i -w 1 --tun-type gue --tun-port 6081 --tun-remcsum
-a -t 192.0.2.6:80 -r 198.51.100.11:80 -i -w 1 --tun-type gre --tun-nocsum
-A -t 192.0.2.7:80 -s rr -b flag-1,flag-3
-A -u 192.0.2.1:53 -s wrr -o
-A -u 192.0.2.4:5060 -s wlc -p 100 --pe sip
-A -u 192.0.2.4:5061 -s wlc --pe sip
-A --sctp-service 192.0.2.5:9999 -s dh
-a --sctp-service 192.0.2.5:9999 -r 198.51.100.12:9999 -m -w 1
-A -t [2001:db8::1]:80 -s mh -p 30 -M 96 -b mh-port
-a -t [2001:db8::1]:80 -r 198.51.100.6:80 -i -w 1 --tun-type ipip
-a -t [2001:db8::1]:80 -r [2001:db8::2]:8080 -m -w 1
-A -f 1 -s lc
-a -f 1 -r 198.51.100.5:0 -m -w 1
-A -f 2 -6 -s rr -p 60 -M 64
-a -f 2 -6 -r [2001:db8::5]:0 -g -w 1
-A -f 16 -s mh -b 
`;

describe('formatSave', () => {
  it('reproduces the capture, in order (the capture omits one -A line)', () => {
    const out = formatSave(TABLE, true, noNames);
    const expected = SPEC_LINES.split('\n').slice(0, -1);
    const got = out.split('\n').slice(0, -1);
    expect(got.filter((l) => l !== '-A -t 192.0.2.6:80 -s wlc')).toEqual(expected);
    expect(got.indexOf('-A -t 192.0.2.6:80 -s wlc')).toBe(got.indexOf(expected[7]!) - 1);
    expect(out.endsWith('-A -f 16 -s mh -b \n')).toBe(true);
  });

  it('writes fwmarks >= 2^31 unsigned, IPv6 ones with -6', () => {
    const out = formatSave([entry(fwm(2147483648, { ipv6: true }), dest('2001:db8::5', 0))], true, noNames);
    expect(out).toBe('-A -f 2147483648 -6 -s wlc\n-a -f 2147483648 -6 -r [2001:db8::5]:0 -g -w 1\n');
  });

  it('returns the empty string for an empty table', () => {
    expect(formatSave([], true, noNames)).toBe('');
  });

  it('resolves names without -n, and does not cut them (observed lines)', () => {
    const table = [
      entry(svc(TCP, '192.0.2.1', 80, { scheduler: 'rr' }), dest('198.51.100.2', 8080, { forwarding: 'masq' })),
      entry(svc(UDP, '192.0.2.4', 5061, { pe: 'sip' })),
      entry(svc(TCP, '2001:db8::1', 80)),
    ];
    const plain = { host: () => undefined, port: names.port };
    expect(formatSave(table, false, plain).split('\n')).toEqual([
      '-A -t 192.0.2.1:http -s rr',
      '-a -t 192.0.2.1:http -r 198.51.100.2:http-alt -m -w 1',
      '-A -u 192.0.2.4:sip-tls -s wlc --pe sip',
      '-A -t [2001:db8::1]:http -s wlc',
      '',
    ]);
    expect(formatSave(table.slice(2), false, names)).toBe('-A -t [vip6.example.org]:http -s wlc\n');
    expect(formatSave(table.slice(0, 1), false, names).split('\n')[1]).toBe(
      '-a -t vip1.example.org:http -r a-very-long-real-server-hostname.example.org:http-alt -m -w 1',
    );
  });

  it('never names fwmark destination ports; saves local as -g; keeps the signed weight', () => {
    const table = [entry(fwm(7), dest('198.51.100.1', 80, { forwarding: 'local', weight: 2147483647 }))];
    expect(formatSave(table, false, names)).toBe('-A -f 7 -s wlc\n-a -f 7 -r rs1.example.org:80 -g -w 2147483647\n');
  });

  it('puts -p/-M before --pe, -o and -b; -M only with persistence', () => {
    const s = svc(UDP, '192.0.2.9', 53, { scheduler: 'sh', persistent: true, onePacket: true, schedFlags: [2], unnamedFlags: 0, timeout: 5, netmask: 0xffff0000, pe: 'sip' });
    const t = svc(TCP, '192.0.2.10', 80, { netmask: 0xffffff00 });
    expect(formatSave([entry(s), entry(t)], true, noNames)).toBe(
      '-A -t 192.0.2.10:80 -s wlc\n-A -u 192.0.2.9:53 -s sh -p 5 -M 255.255.0.0 --pe sip -o -b sh-port\n',
    );
  });

  it('has a sane fallback for what ipvsadm cannot express', () => {
    const table = [entry(svc(50, '192.0.2.1', 0), dest('198.51.100.1', 0, { forwarding: 'bypass' }), tun('198.51.100.2', 7, 0, 'nocsum'))];
    expect(formatSave(table, true, noNames)).toBe(
      '-A --xxx-service 192.0.2.1:0 -s wlc\n' +
        '-a --xxx-service 192.0.2.1:0 -r 198.51.100.1:0 -g -w 1\n' +
        '-a --xxx-service 192.0.2.1:0 -r 198.51.100.2:80 -i -w 1\n',
    );
  });

  it('never saves thresholds', () => {
    const table = [entry(svc(TCP, '192.0.2.1', 80), dest('198.51.100.1', 80, { uThreshold: 9, lThreshold: 3 }))];
    expect(formatSave(table, true, noNames)).toBe('-A -t 192.0.2.1:80 -s wlc\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 1\n');
  });
});
