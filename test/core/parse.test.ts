// parseCommandLine, table-driven: argv → Command. Every example comes from runs of the real
// ipvsadm 1.31, or was checked against it in the UML guest.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/core/command.js';
import { parseCommandLine } from '../../src/core/parse.js';
import { FixedNames } from '../support/fixed-names.js';
import { ARGV0, dest, fwm, listing, parse, svc, tcp, tcp6, udp, v4, v6, words } from '../support/parse-cases.js';

describe('commands', () => {
  const cases: [string | string[], Command][] = [
    ['', { kind: 'list', options: listing() }],
    ['-L', { kind: 'list', options: listing() }],
    ['-l', { kind: 'list', options: listing() }],
    ['--list', { kind: 'list', options: listing() }],
    ['-Ln', { kind: 'list', options: listing({ numeric: true }) }],
    ['-Ln --stats --rate --exact --nosort', { kind: 'list', options: listing({ numeric: true, stats: true, rate: true, exact: true, nosort: true }) }],
    ['-L --thresholds --persistent-conn --tun-info -X', { kind: 'list', options: listing({ thresholds: true, persistentConn: true, tunInfo: true, exact: true }) }],
    ['-L --sort --sort --syncid 5', { kind: 'list', options: listing() }],
    ['-Ln -t 192.0.2.1:80', { kind: 'list', key: tcp('192.0.2.1', 80), options: listing({ numeric: true }) }],
    ['-L -t 2001:db8::1', { kind: 'list', key: tcp6('2001:db8::1', 0), options: listing() }],
    ['-Ln -f 2', { kind: 'list', key: fwm(2), options: listing({ numeric: true }) }],
    ['-L -f 1 -6', { kind: 'list', key: fwm(1, 10), options: listing() }],
    ['-L -c', { kind: 'list-connections', numeric: false, persistentConn: false }],
    ['-Lcn --persistent-conn --tun-info --exact --nosort', { kind: 'list-connections', numeric: true, persistentConn: true }],
    ['-L --timeout -n --exact', { kind: 'list-timeouts' }],
    ['-L --daemon', { kind: 'list-daemons' }],
    ['-S', { kind: 'save', numeric: false }],
    ['--save -n', { kind: 'save', numeric: true }],
    ['-R', { kind: 'restore' }],
    ['-C', { kind: 'flush' }],
    ['--clear', { kind: 'flush' }],
    ['-Z', { kind: 'zero' }],
    ['-Z -t 192.0.2.1:80', { kind: 'zero', key: tcp('192.0.2.1', 80) }],
    ['-Z -t 0.0.0.0:0', { kind: 'zero' }],
    ['-Z -t [::]:0', { kind: 'zero' }],
    ['-Z -t 0.0.0.0:1', { kind: 'zero', key: tcp('0.0.0.0', 1) }],
    ['-Z -f 1 -6', { kind: 'zero', key: fwm(1, 10) }],
    ['-h', { kind: 'help' }],
    ['--help', { kind: 'help' }],
    ['-h -n --foo', { kind: 'help' }],
    ['-hn', { kind: 'help' }],
    ['foo -h', { kind: 'help' }],
    ['-v', { kind: 'version' }],
    ['--version -L', { kind: 'version' }],
    ['-D -t 192.0.2.1:80', { kind: 'delete-service', key: tcp('192.0.2.1', 80) }],
    ['-D -f 1 -6', { kind: 'delete-service', key: fwm(1, 10) }],
    ['--set 900 120 300', { kind: 'set-timeouts', timeouts: { tcp: 900, tcpFin: 120, udp: 300 } }],
    ['--set 0 0 45', { kind: 'set-timeouts', timeouts: { tcp: 0, tcpFin: 0, udp: 45 } }],
    ['1 --set 2 3', { kind: 'set-timeouts', timeouts: { tcp: 1, tcpFin: 2, udp: 3 } }],
    [['--set', '2678400', '+5', ' 7'], { kind: 'set-timeouts', timeouts: { tcp: 2678400, tcpFin: 5, udp: 7 } }],
    ['--start-daemon master', { kind: 'start-daemon', daemon: { state: 'master', mcastIfn: 'eth0', syncId: 0 } }],
    [
      '--start-daemon backup --mcast-interface dummy0 --syncid 7 --sync-maxlen 1000 --mcast-group 239.1.2.3 --mcast-port 9000 --mcast-ttl 5',
      {
        kind: 'start-daemon',
        daemon: { state: 'backup', mcastIfn: 'dummy0', syncId: 7, syncMaxlen: 1000, mcastGroup: v4('239.1.2.3'), mcastPort: 9000, mcastTtl: 5 },
      },
    ],
    ['--start-daemon=master --mcast-group ff02::1:2', { kind: 'start-daemon', daemon: { state: 'master', mcastIfn: 'eth0', syncId: 0, mcastGroup: v6('ff02::1:2') } }],
    [['--start-daemon', 'master', '--mcast-interface', ''], { kind: 'start-daemon', daemon: { state: 'master', mcastIfn: 'eth0', syncId: 0 } }],
    [
      '--start-daemon master --mcast-interface averyveryverylongifname',
      { kind: 'start-daemon', daemon: { state: 'master', mcastIfn: 'averyveryverylo', syncId: 0 } },
    ],
    ['--stop-daemon master', { kind: 'stop-daemon', state: 'master', syncId: 0 }],
    ['--stop-daemon backup --syncid 3', { kind: 'stop-daemon', state: 'backup', syncId: 3 }],
  ];
  it.each(cases)('%j', async (argv, expected) => {
    expect(await parse(argv)).toEqual(expected);
  });
});

describe('virtual services (-A/-E)', () => {
  const cases: [string | string[], Command][] = [
    ['-A -t 192.0.2.1:80', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80)) }],
    ['-At 192.0.2.19:80', { kind: 'add-service', service: svc(tcp('192.0.2.19', 80)) }],
    ['-A -t=192.0.2.1:80', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80)) }],
    ['-A -t192.0.2.20:80 -sp', { kind: 'add-service', service: svc(tcp('192.0.2.20', 80), { scheduler: 'p' }) }],
    ['--add-service --tcp-service=192.0.2.1:80 --scheduler rr', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { scheduler: 'rr' }) }],
    ['-E -t 192.0.2.1:80', { kind: 'edit-service', service: svc(tcp('192.0.2.1', 80)) }],
    [
      '-A -t 192.0.2.1:80 -s rr -p 120 -M 255.255.255.0 -b flag-1 --pe sip',
      // persistent: true 0x1 | SCHED1 0x8
      { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { scheduler: 'rr', persistent: true, onePacket: false, schedFlags: [1], unnamedFlags: 0, timeout: 120, netmask: 0xffffff00, pe: 'sip' }) },
    ],
    ['-A -t 192.0.2.3:0 -p', { kind: 'add-service', service: svc(tcp('192.0.2.3', 0), { persistent: true, timeout: 360 }) }],
    ['-A -t 192.0.2.3 -p 300', { kind: 'add-service', service: svc(tcp('192.0.2.3', 0), { persistent: true, timeout: 300 }) }],
    ['-A -t 192.0.2.1:80 -p300', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { persistent: true, timeout: 300 }) }],
    ['-A -t 192.0.2.1:80 --persistent=300', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { persistent: true, timeout: 300 }) }],
    ['-A -t 192.0.2.1:80 -p -s rr', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { persistent: true, timeout: 360, scheduler: 'rr' }) }],
    ['-A -u 192.0.2.1:53 -s wrr -o', { kind: 'add-service', service: svc(udp('192.0.2.1', 53), { scheduler: 'wrr', onePacket: true }) }],
    ['-A -u 192.0.2.1:domain', { kind: 'add-service', service: svc(udp('192.0.2.1', 53)) }],
    ['-A -u 192.0.2.4:5060 -p 100 --pe sip', { kind: 'add-service', service: svc(udp('192.0.2.4', 5060), { persistent: true, timeout: 100, pe: 'sip' }) }],
    [
      '-A --sctp-service 192.0.2.5:9999 -s dh',
      { kind: 'add-service', service: svc({ kind: 'addr', af: 2, protocol: 132, addr: v4('192.0.2.5'), port: 9999 }, { scheduler: 'dh' }) },
    ],
    ['-A -t vip1.example.org:http', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80)) }],
    ['-A -t 3221225985:80', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80)) }],
    ['-A -t 192.0.2:80', { kind: 'add-service', service: svc(tcp('192.0.0.2', 80)) }],
    ['-A -t 0300.0.2.1:+85', { kind: 'add-service', service: svc(tcp('192.0.2.1', 85)) }],
    [['-A', '-t', '192.0.2.1: 80'], { kind: 'add-service', service: svc(tcp('192.0.2.1', 80)) }],
    ['-A -t [192.0.2.1]:80 -p', { kind: 'add-service', service: svc(tcp('192.0.2.1', 0), { persistent: true, timeout: 360 }) }],
    ['-A -t [2001:db8::1]:80 -s mh -p 30 -M 96 -b mh-port', { kind: 'add-service', service: svc(tcp6('2001:db8::1', 80), { scheduler: 'mh', persistent: true, schedFlags: [2], timeout: 30, netmask: 96 }) }],
    ['-A -t [::ffff:192.0.2.7]:80', { kind: 'add-service', service: svc(tcp6('::ffff:192.0.2.7', 80)) }],
    ['-A -t 2001:db8::1:80 -p', { kind: 'add-service', service: svc(tcp6('2001:db8::1:80', 0), { persistent: true, timeout: 360 }) }],
    // A later IPv6 service address resets an earlier -M.
    ['-A -M 64 -t [2001:db8::10]:80 -p 100', { kind: 'add-service', service: svc(tcp6('2001:db8::10', 80), { persistent: true, timeout: 100, netmask: 128 }) }],
    ['-A -t 192.0.2.1:80 -M 24 -p', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { persistent: true, timeout: 360, netmask: 24 }) }],
    ['-A -t 192.0.2.1:80 -M 255.255.255', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { netmask: 0xffff00ff }) }],
    ['-A -t 192.0.2.1:80 -M 0', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { netmask: 0 }) }],
    ['-A -t 192.0.2.1:80 -M localhost', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { netmask: 0x7f000001 }) }],
    ['-A -f 1 -s lc', { kind: 'add-service', service: svc(fwm(1), { scheduler: 'lc' }) }],
    ['-A -f 4294967295', { kind: 'add-service', service: svc(fwm(4294967295)) }],
    ['-A -f 1 -o', { kind: 'add-service', service: svc(fwm(1), { onePacket: true }) }],
    ['-A -f 2 -6 -s rr -p 60 -M 64', { kind: 'add-service', service: svc(fwm(2, 10), { scheduler: 'rr', persistent: true, timeout: 60, netmask: 64 }) }],
    ['-A -f 2 -6 -6 -M 64abc', { kind: 'add-service', service: svc(fwm(2, 10), { netmask: 64 }) }],
    // -M before -6 is read as IPv4 and then reset by -6.
    ['-A -f 2 -M 255.255.255.0 -6', { kind: 'add-service', service: svc(fwm(2, 10), { netmask: 128 }) }],
    ['-A -f 2 -M 255.255.255.0', { kind: 'add-service', service: svc(fwm(2), { netmask: 0xffffff00 }) }],
    ['-A -t 192.0.2.2:443 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port', { kind: 'add-service', service: svc(tcp('192.0.2.2', 443), { scheduler: 'sh', persistent: true, schedFlags: [1, 2], timeout: 600, netmask: 0xffffff00 }) }],
    ['-A -t 192.0.2.7:80 -b flag-1,flag-3 -s rr', { kind: 'add-service', service: svc(tcp('192.0.2.7', 80), { scheduler: 'rr', schedFlags: [1, 3] }) }],
    ['-A -t 192.0.2.7:80 -b mh-port -s mh', { kind: 'add-service', service: svc(tcp('192.0.2.7', 80), { scheduler: 'mh', schedFlags: [2] }) }],
    ['-A -t 192.0.2.7:80 -s sh -b flag-1', { kind: 'add-service', service: svc(tcp('192.0.2.7', 80), { scheduler: 'sh', schedFlags: [1] }) }],
    ['-A -t 192.0.2.7:80 -b flag-1,', { kind: 'add-service', service: svc(tcp('192.0.2.7', 80), { schedFlags: [1] }) }],
    ['-A -t 192.0.2.7:80 -b ,flag-2', { kind: 'add-service', service: svc(tcp('192.0.2.7', 80), { schedFlags: [2] }) }],
    [['-A', '-t', '192.0.2.7:80', '-b', ''], { kind: 'add-service', service: svc(tcp('192.0.2.7', 80)) }],
    [['-A', '-t', '192.0.2.7:80', '-s', ''], { kind: 'add-service', service: svc(tcp('192.0.2.7', 80)) }],
    ['-A -t 192.0.2.1:80 -s averyveryverylongschedulername', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { scheduler: 'averyveryverylo' }) }],
    ['-A -t 192.0.2.1:80 --pe 0123456789abcdefXYZ', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { pe: '0123456789abcdef' }) }],
    ['-A -t 192.0.2.1:80 --sort --', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80)) }],
  ];
  it.each(cases)('%j', async (argv, expected) => {
    expect(await parse(argv)).toEqual(expected);
  });
});

describe('real servers (-a/-e/-d)', () => {
  const key80 = tcp('192.0.2.1', 80);
  const cases: [string | string[], Command][] = [
    ['-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m', { kind: 'add-dest', key: key80, dest: dest(v4('198.51.100.1'), 80, { forwarding: 'masq' }) }],
    ['-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 3', { kind: 'add-dest', key: key80, dest: dest(v4('198.51.100.2'), 8080, { forwarding: 'masq', weight: 3 }) }],
    // DR (the default) and TUN force the virtual port.
    ['-a -t 192.0.2.1:80 -r 198.51.100.3:8080 -g -w 0', { kind: 'add-dest', key: key80, dest: dest(v4('198.51.100.3'), 80, { weight: 0 }) }],
    ['-a -t 192.0.2.1:80 -r 198.51.100.3:8080', { kind: 'add-dest', key: key80, dest: dest(v4('198.51.100.3'), 80) }],
    ['-a -t 192.0.2.1:80 -r 198.51.100.4:8080 -i', { kind: 'add-dest', key: key80, dest: dest(v4('198.51.100.4'), 80, { forwarding: 'tunnel' }) }],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -m', { kind: 'add-dest', key: key80, dest: dest(v4('198.51.100.1'), 80, { forwarding: 'masq' }) }],
    ['-a -t 192.0.2.1:80 -r rs1.example.org:http-alt -m', { kind: 'add-dest', key: key80, dest: dest(v4('198.51.100.1'), 8080, { forwarding: 'masq' }) }],
    // -r before -t: the port is the service port known then (0).
    ['-a -r 198.51.100.24 -m -t 192.0.2.1:http-alt', { kind: 'add-dest', key: tcp('192.0.2.1', 8080), dest: dest(v4('198.51.100.24'), 0, { forwarding: 'masq' }) }],
    ['-a -t 192.0.2.1:80 -r [198.51.100.9]:8080 -m', { kind: 'add-dest', key: key80, dest: dest(v4('198.51.100.9'), 80, { forwarding: 'masq' }) }],
    [
      '-a -t 192.0.2.1:80 -r 198.51.100.1 -w 2147483647 -x 100 -y 50 -m',
      { kind: 'add-dest', key: key80, dest: dest(v4('198.51.100.1'), 80, { forwarding: 'masq', weight: 2147483647, uThreshold: 100, lThreshold: 50 }) },
    ],
    ['-a -f 1 -r 198.51.100.5 -m', { kind: 'add-dest', key: fwm(1), dest: dest(v4('198.51.100.5'), 0, { forwarding: 'masq' }) }],
    ['-a -f 1 -r 198.51.100.6:8080 -g', { kind: 'add-dest', key: fwm(1), dest: dest(v4('198.51.100.6'), 8080) }],
    ['-a -f 1 -r 198.51.100.6:http', { kind: 'add-dest', key: fwm(1), dest: dest(v4('198.51.100.6'), 80) }],
    ['-a -f 2 -6 -r [2001:db8::5]:0 -g', { kind: 'add-dest', key: fwm(2, 10), dest: dest(v6('2001:db8::5'), 0) }],
    ['-a -t [2001:db8::1]:80 -r 198.51.100.6 -i', { kind: 'add-dest', key: tcp6('2001:db8::1', 80), dest: dest(v4('198.51.100.6'), 80, { forwarding: 'tunnel' }) }],
    ['-a -t [2001:db8::1]:80 -r [2001:db8::2]:8080 -m', { kind: 'add-dest', key: tcp6('2001:db8::1', 80), dest: dest(v6('2001:db8::2'), 8080, { forwarding: 'masq' }) }],
    ['-a -t [2001:db8::1]:80 -r 2001:db8::2 -m', { kind: 'add-dest', key: tcp6('2001:db8::1', 80), dest: dest(v6('2001:db8::2'), 80, { forwarding: 'masq' }) }],
    ['-a -t 192.0.2.6:80 -r 198.51.100.4 -i --tun-type ipip', { kind: 'add-dest', key: tcp('192.0.2.6', 80), dest: dest(v4('198.51.100.4'), 80, { forwarding: 'tunnel' }) }],
    [
      '-a -t 192.0.2.6:80 -r 198.51.100.7:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum',
      { kind: 'add-dest', key: tcp('192.0.2.6', 80), dest: dest(v4('198.51.100.7'), 80, { forwarding: 'tunnel', tunnelType: 'gue', tunnelPort: 6080, checksum: 'csum' }) },
    ],
    [
      '-a -t 192.0.2.6:80 -r 198.51.100.9:80 -i --tun-type gue --tun-port 6081 --tun-remcsum',
      { kind: 'add-dest', key: tcp('192.0.2.6', 80), dest: dest(v4('198.51.100.9'), 80, { forwarding: 'tunnel', tunnelType: 'gue', tunnelPort: 6081, checksum: 'remcsum' }) },
    ],
    [
      '-a -t 192.0.2.6:80 -r 198.51.100.11:80 -i --tun-type gre --tun-nocsum',
      { kind: 'add-dest', key: tcp('192.0.2.6', 80), dest: dest(v4('198.51.100.11'), 80, { forwarding: 'tunnel', tunnelType: 'gre' }) },
    ],
    ['-e -t 192.0.2.1:80 -r 198.51.100.2:8080 -w 5', { kind: 'edit-dest', key: key80, dest: dest(v4('198.51.100.2'), 80, { weight: 5 }) }],
    ['-e -t 192.0.2.1:80 -r 198.51.100.2:8080 -m', { kind: 'edit-dest', key: key80, dest: dest(v4('198.51.100.2'), 8080, { forwarding: 'masq' }) }],
    // -d: no port forcing, no family check.
    ['-d -t 192.0.2.1:80 -r 198.51.100.2:8080', { kind: 'delete-dest', key: key80, dest: dest(v4('198.51.100.2'), 8080) }],
    ['-d -t 192.0.2.1:80 -r 198.51.100.2', { kind: 'delete-dest', key: key80, dest: dest(v4('198.51.100.2'), 80) }],
    ['-d -t 192.0.2.1:80 -r [2001:db8::2]:80', { kind: 'delete-dest', key: key80, dest: dest(v6('2001:db8::2'), 80) }],
  ];
  it.each(cases)('%j', async (argv, expected) => {
    expect(await parse(argv)).toEqual(expected);
  });
});

describe('order of resolution', () => {
  it('resolves names in argv order, and stops at the first failure', async () => {
    const names = new FixedNames();
    await expect(
      parseCommandLine(words('-a -t vip1.example.org:http -r nosuch.example.org -r rs1.example.org'), { argv0: ARGV0, names }),
    ).rejects.toThrow('illegal real server address[:port] specified');
    expect(names.calls).toEqual(['host:vip1.example.org', 'port:http/tcp', 'host:nosuch.example.org']);
  });

  it('resolves nothing after -h', async () => {
    const names = new FixedNames();
    expect(await parseCommandLine(words('-h -t vip1.example.org:http'), { argv0: ARGV0, names })).toEqual({ kind: 'help' });
    expect(names.calls).toEqual([]);
  });
});


describe('edge cases checked against the C ipvsadm 1.31 in the user-mode kernel', () => {
  it.each([
    [['-A', '-t', '192.0.2.1 x:81'], { kind: 'add-service', service: svc(tcp('192.0.2.1', 81)) }],
    ['-A -t [1.2.3.4:99]:80', { kind: 'add-service', service: svc(tcp('1.2.3.4', 99)) }],
    ['-A -f 3 -6 -M 4294967360 -p', { kind: 'add-service', service: svc(fwm(3, 10), { persistent: true, timeout: 360, netmask: 64 }) }],
    ['-A -t 192.0.2.5:86 -p -M 1.2', { kind: 'add-service', service: svc(tcp('192.0.2.5', 86), { persistent: true, timeout: 360, netmask: 0x01000002 }) }],
    ['-A -t 192.0.2.1:84 -p 100 -M 0xffffff00', { kind: 'add-service', service: svc(tcp('192.0.2.1', 84), { persistent: true, timeout: 100, netmask: 0xffffff00 }) }],
    ['-A -f +7', { kind: 'add-service', service: svc(fwm(7)) }],
    ['-a -f 4 -r 198.51.100.6:http -m', { kind: 'add-dest', key: fwm(4), dest: dest(v4('198.51.100.6'), 80, { forwarding: 'masq' }) }],
    ['-a -f 2 -6 -r [2001:db8::5]:http -m', { kind: 'add-dest', key: fwm(2, 10), dest: dest(v6('2001:db8::5'), 80, { forwarding: 'masq' }) }],
    ['-E -f 99 -6', { kind: 'edit-service', service: svc(fwm(99, 10)) }],
  ] as [string | string[], Command][])('%j', async (argv, expected) => {
    expect(await parse(argv)).toEqual(expected);
  });
});
