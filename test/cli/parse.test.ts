// parseCommandLine, table-driven: argv → Command, and argv → (stderr text, exit status).
// Every example comes from the spec (§3–§8, §15), i.e. from runs of the real ipvsadm 1.31.
import { describe, expect, it } from 'vitest';
import type { Command, ListOptions } from '../../src/cli/command.js';
import { UsageError } from '../../src/cli/errors.js';
import { parseCommandLine } from '../../src/cli/parse.js';
import { parseIPv4, parseIPv6 } from '../../src/ipvs/address.js';
import type { Address } from '../../src/ipvs/address.js';
import type { DestinationConfig, ServiceConfig, ServiceKey } from '../../src/ipvs/model.js';
import { FixedNames } from '../support/fixed-names.js';

const v4 = (text: string): Address => parseIPv4(text)!;
const v6 = (text: string): Address => parseIPv6(text)!;
// AF_INET 2, AF_INET6 10; IPPROTO TCP 6, UDP 17, SCTP 132.
const tcp = (a: string, port: number): ServiceKey => ({ kind: 'addr', af: 2, protocol: 6, addr: v4(a), port });
const udp = (a: string, port: number): ServiceKey => ({ kind: 'addr', af: 2, protocol: 17, addr: v4(a), port });
const tcp6 = (a: string, port: number): ServiceKey => ({ kind: 'addr', af: 10, protocol: 6, addr: v6(a), port });
const fwm = (fwmark: number, af: 2 | 10 = 2): ServiceKey => ({ kind: 'fwmark', af, fwmark });
const svc = (key: ServiceKey, over: Partial<ServiceConfig> = {}): ServiceConfig => ({
  key,
  scheduler: 'wlc',
  flags: 0,
  timeout: 0,
  netmask: key.af === 10 ? 128 : 0xffffffff,
  pe: '',
  ...over,
});
// Forwarding: MASQ 0, TUNNEL 2, DROUTE 3 (the default). Tunnel types: ipip 0, gue 1, gre 2.
const dest = (addr: Address, port: number, over: Partial<DestinationConfig> = {}): DestinationConfig => ({
  addr,
  port,
  fwdMethod: 3,
  weight: 1,
  uThreshold: 0,
  lThreshold: 0,
  tunType: 0,
  tunPort: 0,
  tunFlags: 0,
  ...over,
});
const listing = (over: Partial<ListOptions> = {}): ListOptions => ({
  numeric: false,
  exact: false,
  nosort: false,
  stats: false,
  rate: false,
  thresholds: false,
  persistentConn: false,
  tunInfo: false,
  ...over,
});

const ARGV0 = '/sbin/ipvsadm';
const words = (argv: string | string[]): string[] => (typeof argv === 'string' ? (argv === '' ? [] : argv.split(' ')) : argv);
const parse = (argv: string | string[]): Promise<Command> => parseCommandLine(words(argv), { argv0: ARGV0, names: new FixedNames() });

async function failureOf(argv: string | string[]): Promise<{ stderr: string; exit: number; kind: string }> {
  try {
    const cmd = await parse(argv);
    throw new Error(`parsed: ${JSON.stringify(cmd)}`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return { stderr: `${e.message}\n`, exit: e.exitCode, kind: e.kind };
  }
}

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
    ['--start-daemon master', { kind: 'start-daemon', daemon: { state: 1, mcastIfn: 'eth0', syncId: 0 } }],
    [
      '--start-daemon backup --mcast-interface dummy0 --syncid 7 --sync-maxlen 1000 --mcast-group 239.1.2.3 --mcast-port 9000 --mcast-ttl 5',
      {
        kind: 'start-daemon',
        daemon: { state: 2, mcastIfn: 'dummy0', syncId: 7, syncMaxlen: 1000, mcastGroup: v4('239.1.2.3'), mcastPort: 9000, mcastTtl: 5 },
      },
    ],
    ['--start-daemon=master --mcast-group ff02::1:2', { kind: 'start-daemon', daemon: { state: 1, mcastIfn: 'eth0', syncId: 0, mcastGroup: v6('ff02::1:2') } }],
    [['--start-daemon', 'master', '--mcast-interface', ''], { kind: 'start-daemon', daemon: { state: 1, mcastIfn: 'eth0', syncId: 0 } }],
    [
      '--start-daemon master --mcast-interface averyveryverylongifname',
      { kind: 'start-daemon', daemon: { state: 1, mcastIfn: 'averyveryverylo', syncId: 0 } },
    ],
    ['--stop-daemon master', { kind: 'stop-daemon', state: 1, syncId: 0 }],
    ['--stop-daemon backup --syncid 3', { kind: 'stop-daemon', state: 2, syncId: 3 }],
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
      // flags: PERSISTENT 0x1 | SCHED1 0x8
      { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { scheduler: 'rr', flags: 0x09, timeout: 120, netmask: 0xffffff00, pe: 'sip' }) },
    ],
    ['-A -t 192.0.2.3:0 -p', { kind: 'add-service', service: svc(tcp('192.0.2.3', 0), { flags: 1, timeout: 360 }) }],
    ['-A -t 192.0.2.3 -p 300', { kind: 'add-service', service: svc(tcp('192.0.2.3', 0), { flags: 1, timeout: 300 }) }],
    ['-A -t 192.0.2.1:80 -p300', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { flags: 1, timeout: 300 }) }],
    ['-A -t 192.0.2.1:80 --persistent=300', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { flags: 1, timeout: 300 }) }],
    ['-A -t 192.0.2.1:80 -p -s rr', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { flags: 1, timeout: 360, scheduler: 'rr' }) }],
    ['-A -u 192.0.2.1:53 -s wrr -o', { kind: 'add-service', service: svc(udp('192.0.2.1', 53), { scheduler: 'wrr', flags: 0x04 }) }],
    ['-A -u 192.0.2.1:domain', { kind: 'add-service', service: svc(udp('192.0.2.1', 53)) }],
    ['-A -u 192.0.2.4:5060 -p 100 --pe sip', { kind: 'add-service', service: svc(udp('192.0.2.4', 5060), { flags: 1, timeout: 100, pe: 'sip' }) }],
    [
      '-A --sctp-service 192.0.2.5:9999 -s dh',
      { kind: 'add-service', service: svc({ kind: 'addr', af: 2, protocol: 132, addr: v4('192.0.2.5'), port: 9999 }, { scheduler: 'dh' }) },
    ],
    ['-A -t vip1.example.org:http', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80)) }],
    ['-A -t 3221225985:80', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80)) }],
    ['-A -t 192.0.2:80', { kind: 'add-service', service: svc(tcp('192.0.0.2', 80)) }],
    ['-A -t 0300.0.2.1:+85', { kind: 'add-service', service: svc(tcp('192.0.2.1', 85)) }],
    [['-A', '-t', '192.0.2.1: 80'], { kind: 'add-service', service: svc(tcp('192.0.2.1', 80)) }],
    ['-A -t [192.0.2.1]:80 -p', { kind: 'add-service', service: svc(tcp('192.0.2.1', 0), { flags: 1, timeout: 360 }) }],
    ['-A -t [2001:db8::1]:80 -s mh -p 30 -M 96 -b mh-port', { kind: 'add-service', service: svc(tcp6('2001:db8::1', 80), { scheduler: 'mh', flags: 0x11, timeout: 30, netmask: 96 }) }],
    ['-A -t [::ffff:192.0.2.7]:80', { kind: 'add-service', service: svc(tcp6('::ffff:192.0.2.7', 80)) }],
    ['-A -t 2001:db8::1:80 -p', { kind: 'add-service', service: svc(tcp6('2001:db8::1:80', 0), { flags: 1, timeout: 360 }) }],
    // A later IPv6 service address resets an earlier -M.
    ['-A -M 64 -t [2001:db8::10]:80 -p 100', { kind: 'add-service', service: svc(tcp6('2001:db8::10', 80), { flags: 1, timeout: 100, netmask: 128 }) }],
    ['-A -t 192.0.2.1:80 -M 24 -p', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { flags: 1, timeout: 360, netmask: 24 }) }],
    ['-A -t 192.0.2.1:80 -M 255.255.255', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { netmask: 0xffff00ff }) }],
    ['-A -t 192.0.2.1:80 -M 0', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { netmask: 0 }) }],
    ['-A -t 192.0.2.1:80 -M localhost', { kind: 'add-service', service: svc(tcp('192.0.2.1', 80), { netmask: 0x7f000001 }) }],
    ['-A -f 1 -s lc', { kind: 'add-service', service: svc(fwm(1), { scheduler: 'lc' }) }],
    ['-A -f 4294967295', { kind: 'add-service', service: svc(fwm(4294967295)) }],
    ['-A -f 1 -o', { kind: 'add-service', service: svc(fwm(1), { flags: 0x04 }) }],
    ['-A -f 2 -6 -s rr -p 60 -M 64', { kind: 'add-service', service: svc(fwm(2, 10), { scheduler: 'rr', flags: 1, timeout: 60, netmask: 64 }) }],
    ['-A -f 2 -6 -6 -M 64abc', { kind: 'add-service', service: svc(fwm(2, 10), { netmask: 64 }) }],
    // -M before -6 is read as IPv4 and then reset by -6.
    ['-A -f 2 -M 255.255.255.0 -6', { kind: 'add-service', service: svc(fwm(2, 10), { netmask: 128 }) }],
    ['-A -f 2 -M 255.255.255.0', { kind: 'add-service', service: svc(fwm(2), { netmask: 0xffffff00 }) }],
    ['-A -t 192.0.2.2:443 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port', { kind: 'add-service', service: svc(tcp('192.0.2.2', 443), { scheduler: 'sh', flags: 0x19, timeout: 600, netmask: 0xffffff00 }) }],
    ['-A -t 192.0.2.7:80 -b flag-1,flag-3 -s rr', { kind: 'add-service', service: svc(tcp('192.0.2.7', 80), { scheduler: 'rr', flags: 0x28 }) }],
    ['-A -t 192.0.2.7:80 -b mh-port -s mh', { kind: 'add-service', service: svc(tcp('192.0.2.7', 80), { scheduler: 'mh', flags: 0x10 }) }],
    ['-A -t 192.0.2.7:80 -s sh -b flag-1', { kind: 'add-service', service: svc(tcp('192.0.2.7', 80), { scheduler: 'sh', flags: 0x08 }) }],
    ['-A -t 192.0.2.7:80 -b flag-1,', { kind: 'add-service', service: svc(tcp('192.0.2.7', 80), { flags: 0x08 }) }],
    ['-A -t 192.0.2.7:80 -b ,flag-2', { kind: 'add-service', service: svc(tcp('192.0.2.7', 80), { flags: 0x10 }) }],
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
    ['-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m', { kind: 'add-server', key: key80, dest: dest(v4('198.51.100.1'), 80, { fwdMethod: 0 }) }],
    ['-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 3', { kind: 'add-server', key: key80, dest: dest(v4('198.51.100.2'), 8080, { fwdMethod: 0, weight: 3 }) }],
    // DR (the default) and TUN force the virtual port.
    ['-a -t 192.0.2.1:80 -r 198.51.100.3:8080 -g -w 0', { kind: 'add-server', key: key80, dest: dest(v4('198.51.100.3'), 80, { weight: 0 }) }],
    ['-a -t 192.0.2.1:80 -r 198.51.100.3:8080', { kind: 'add-server', key: key80, dest: dest(v4('198.51.100.3'), 80) }],
    ['-a -t 192.0.2.1:80 -r 198.51.100.4:8080 -i', { kind: 'add-server', key: key80, dest: dest(v4('198.51.100.4'), 80, { fwdMethod: 2 }) }],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -m', { kind: 'add-server', key: key80, dest: dest(v4('198.51.100.1'), 80, { fwdMethod: 0 }) }],
    ['-a -t 192.0.2.1:80 -r rs1.example.org:http-alt -m', { kind: 'add-server', key: key80, dest: dest(v4('198.51.100.1'), 8080, { fwdMethod: 0 }) }],
    // -r before -t: the port is the service port known then (0).
    ['-a -r 198.51.100.24 -m -t 192.0.2.1:http-alt', { kind: 'add-server', key: tcp('192.0.2.1', 8080), dest: dest(v4('198.51.100.24'), 0, { fwdMethod: 0 }) }],
    ['-a -t 192.0.2.1:80 -r [198.51.100.9]:8080 -m', { kind: 'add-server', key: key80, dest: dest(v4('198.51.100.9'), 80, { fwdMethod: 0 }) }],
    [
      '-a -t 192.0.2.1:80 -r 198.51.100.1 -w 2147483647 -x 100 -y 50 -m',
      { kind: 'add-server', key: key80, dest: dest(v4('198.51.100.1'), 80, { fwdMethod: 0, weight: 2147483647, uThreshold: 100, lThreshold: 50 }) },
    ],
    ['-a -f 1 -r 198.51.100.5 -m', { kind: 'add-server', key: fwm(1), dest: dest(v4('198.51.100.5'), 0, { fwdMethod: 0 }) }],
    ['-a -f 1 -r 198.51.100.6:8080 -g', { kind: 'add-server', key: fwm(1), dest: dest(v4('198.51.100.6'), 8080) }],
    ['-a -f 1 -r 198.51.100.6:http', { kind: 'add-server', key: fwm(1), dest: dest(v4('198.51.100.6'), 80) }],
    ['-a -f 2 -6 -r [2001:db8::5]:0 -g', { kind: 'add-server', key: fwm(2, 10), dest: dest(v6('2001:db8::5'), 0) }],
    ['-a -t [2001:db8::1]:80 -r 198.51.100.6 -i', { kind: 'add-server', key: tcp6('2001:db8::1', 80), dest: dest(v4('198.51.100.6'), 80, { fwdMethod: 2 }) }],
    ['-a -t [2001:db8::1]:80 -r [2001:db8::2]:8080 -m', { kind: 'add-server', key: tcp6('2001:db8::1', 80), dest: dest(v6('2001:db8::2'), 8080, { fwdMethod: 0 }) }],
    ['-a -t [2001:db8::1]:80 -r 2001:db8::2 -m', { kind: 'add-server', key: tcp6('2001:db8::1', 80), dest: dest(v6('2001:db8::2'), 80, { fwdMethod: 0 }) }],
    ['-a -t 192.0.2.6:80 -r 198.51.100.4 -i --tun-type ipip', { kind: 'add-server', key: tcp('192.0.2.6', 80), dest: dest(v4('198.51.100.4'), 80, { fwdMethod: 2 }) }],
    [
      '-a -t 192.0.2.6:80 -r 198.51.100.7:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum',
      { kind: 'add-server', key: tcp('192.0.2.6', 80), dest: dest(v4('198.51.100.7'), 80, { fwdMethod: 2, tunType: 1, tunPort: 6080, tunFlags: 1 }) },
    ],
    [
      '-a -t 192.0.2.6:80 -r 198.51.100.9:80 -i --tun-type gue --tun-port 6081 --tun-remcsum',
      { kind: 'add-server', key: tcp('192.0.2.6', 80), dest: dest(v4('198.51.100.9'), 80, { fwdMethod: 2, tunType: 1, tunPort: 6081, tunFlags: 2 }) },
    ],
    [
      '-a -t 192.0.2.6:80 -r 198.51.100.11:80 -i --tun-type gre --tun-nocsum',
      { kind: 'add-server', key: tcp('192.0.2.6', 80), dest: dest(v4('198.51.100.11'), 80, { fwdMethod: 2, tunType: 2 }) },
    ],
    ['-e -t 192.0.2.1:80 -r 198.51.100.2:8080 -w 5', { kind: 'edit-server', key: key80, dest: dest(v4('198.51.100.2'), 80, { weight: 5 }) }],
    ['-e -t 192.0.2.1:80 -r 198.51.100.2:8080 -m', { kind: 'edit-server', key: key80, dest: dest(v4('198.51.100.2'), 8080, { fwdMethod: 0 }) }],
    // -d: no port forcing, no family check.
    ['-d -t 192.0.2.1:80 -r 198.51.100.2:8080', { kind: 'delete-server', key: key80, dest: dest(v4('198.51.100.2'), 8080) }],
    ['-d -t 192.0.2.1:80 -r 198.51.100.2', { kind: 'delete-server', key: key80, dest: dest(v4('198.51.100.2'), 80) }],
    ['-d -t 192.0.2.1:80 -r [2001:db8::2]:80', { kind: 'delete-server', key: key80, dest: dest(v6('2001:db8::2'), 80) }],
  ];
  it.each(cases)('%j', async (argv, expected) => {
    expect(await parse(argv)).toEqual(expected);
  });
});

const TRY = "Try `/sbin/ipvsadm -h' or '/sbin/ipvsadm --help' for more information.\n";

describe('errors: "Try" (exit 255) when the first option is not a command', () => {
  it.each(['foo', '-n', '-n -L', '-t 192.0.2.1:80', '--foo', '-5', '--add', '--start-daemon', '--list=foo', '-q', '--', '-- -L', ['']])(
    '%j',
    async (argv) => {
      expect(await failureOf(argv)).toEqual({ stderr: TRY, exit: 255, kind: 'try' });
    },
  );

  it('uses argv0 verbatim', async () => {
    await expect(parseCommandLine(['-x'], { argv0: 'ipvsadm', names: new FixedNames() })).rejects.toThrow(
      "Try `ipvsadm -h' or 'ipvsadm --help' for more information.",
    );
  });
});

describe('errors: popt after the command (exit 255)', () => {
  it.each([
    ['-L --foo', '--foo: unknown option'],
    ['-L --tcp 192.0.2.1:80', '--tcp: unknown option'],
    ['-Lq', '-Lq: unknown option'],
    ['-A -t', '-t: missing argument'],
    ['-At', '-At: missing argument'],
    ['-A -t 192.0.2.1:80 -s', '-s: missing argument'],
    ['-L --numeric=foo', '--numeric=foo: option does not take an argument'],
    ['-L -n=foo', '-n=foo: option does not take an argument'],
    ['-A -t 192.0.2.1:80 -p -5', '-5: unknown option'],
    ['--set 1 2 -1', '-1: unknown option'],
    ['-L --start-daemon', '--start-daemon: missing argument'],
  ])('%j → %s', async (argv, message) => {
    expect(await failureOf(argv)).toEqual({ stderr: `${message}\n`, exit: 255, kind: 'popt' });
  });
});

describe('errors: validation (exit 2)', () => {
  const cases: [string | string[], string][] = [
    ['foo -L', 'unexpected argument foo'],
    ['-L foo', 'unexpected argument foo'],
    [['-L', ''], 'unexpected argument '],
    ['-A -t 192.0.2.1:80 -- -s', 'unexpected argument -s'],
    ['-A -t 192.0.2.1:80 # x', 'unexpected argument #'],
    // second commands: the last argv word read
    ['-L -D', "invalid option `-D'"],
    ['-L -h', "invalid option `-h'"],
    ['-L -v', "invalid option `-v'"],
    ['-A -t 192.0.2.1:80 -E', "invalid option `-E'"],
    ['-L --zero', "invalid option `--zero'"],
    ['-LD', "invalid option `-LD'"],
    ['-L --start-daemon=master', "invalid option `--start-daemon=master'"],
    ['-L --start-daemon master', "invalid option `master'"],
    ['-R -R', "invalid option `-R'"],
    ['-L -l', "invalid option `-l'"],
    ['--start-daemon foo', 'illegal start-daemon parameter specified'],
    ['--start-daemon Master', 'illegal start-daemon parameter specified'],
    ['--stop-daemon foo', 'illegal start_daemon specified'],
    // values are checked in argv order, before the matrix
    ['-A -t 192.0.2.1:80 -w abc', 'illegal weight specified'],
    ['-A -t 192.0.2.1:80 -w 5', "Illegal 'weight' option with the 'add-service' command"],
    ['-A -t 192.0.2.1:80 -w 5 -w abc', "multiple 'weight' options specified"],
    ['-A -t 192.0.2.1:80 -w abc --foo', 'illegal weight specified'],
    ['-A -t 192.0.2.1:80 -f 1', "multiple 'service-address' options specified"],
    ['-A -t 192.0.2.1:80 -u 192.0.2.1:80', "multiple 'service-address' options specified"],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -m -g', "multiple 'forwarding-method' options specified"],
    ['-A -t 192.0.2.1:80 -s rr -s wlc', "multiple 'scheduler' options specified"],
    ['-L -n -n', "multiple 'numeric' options specified"],
    ['-L -Ln', "invalid option `-Ln'"],
    [['-A', '-t', '192.0.2.1:80', '--persistent='], "invalid timeout value `' specified"],
    ['-A -t 192.0.2.1:80 -p foo', "invalid timeout value `foo' specified"],
    ['-A -t 192.0.2.1:80 -p 0', "invalid timeout value `0' specified"],
    ['-A -t 192.0.2.1:80 -p 2678401', "invalid timeout value `2678401' specified"],
    ['-A -f -1', "invalid fwmark value `-1' specified"],
    ['-A -f 0', "invalid fwmark value `0' specified"],
    ['-A -f 1x', "invalid fwmark value `1x' specified"],
    ['-A -f 4294967296', "invalid fwmark value `4294967296' specified"],
    ['-A -t 80', 'illegal virtual server address[:port] specified'],
    ['-A -t 3221225985', 'illegal virtual server address[:port] specified'],
    ['-A -t [2001:db8::1]', 'illegal virtual server address[:port] specified'],
    ['-A -t [2001:db8::1', 'illegal virtual server address[:port] specified'],
    ['-A -t 192.0.2.1:', 'illegal virtual server address[:port] specified'],
    ['-A -u 192.0.2.1:http', 'illegal virtual server address[:port] specified'],
    ['-A -t v6only.example.org:80', 'illegal virtual server address[:port] specified'],
    ['-A -t nosuchhost.example.org:80', 'illegal virtual server address[:port] specified'],
    ['-a -r 198.51.100.25:http -m -t 192.0.2.1:80', 'illegal real server address[:port] specified'],
    ['-a -t [2001:db8::1]:80 -r [2001:db8::2]', 'illegal real server address[:port] specified'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -w 2147483648', 'illegal weight specified'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -w -1', 'illegal weight specified'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -x 2147483648', 'illegal u_threshold specified'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -y x', 'illegal l_threshold specified'],
    ['-A -f 1 -6 -M 255.255.255.0', 'illegal ipv6 netmask specified'],
    ['-A -t [2001:db8::1]:80 -M 129', 'illegal ipv6 netmask specified'],
    ['-A -t 192.0.2.1:80 -M nosuchhost', 'illegal virtual server persistent mask specified'],
    ['-A -6 -f 1', '-6 used before -f\n'],
    ['-A -t 192.0.2.1:80 -6', '-6 used before -f\n'],
    ['-L -6', '-6 used before -f\n'],
    ['--set 1 2', '--set option requires 3 timeout values'],
    ['--set', '--set option requires 3 timeout values'],
    ['--set x 2', '--set option requires 3 timeout values'],
    ['--set 1 2 3 4', 'unexpected argument 4'],
    ['--set 1 x 3', "invalid timeout value `x' specified"],
    ['--set 2678401 0 0', "invalid timeout value `2678401' specified"],
    ['--set 1 2 3 -n', "Illegal 'numeric' option with the 'set' command"],
    ['-L -b foo', "invalid scheduler flag `foo'"],
    ['-L -b flag-1', "Illegal 'sched-flags' option with the 'list' command"],
    ['-A -t 192.0.2.1:80 -b sh-port', "incompatible scheduler flag `sh-port'"],
    ['-A -t 192.0.2.1:80 -b ,', "invalid scheduler flag `,'"],
    ['-A -t 192.0.2.1:80 -b flag-1 -b flag-2', "multiple 'sched-flags' options specified"],
    ['--start-daemon master --syncid 256', 'illegal syncid specified'],
    ['--start-daemon master --mcast-port 0', 'illegal mcast-port specified'],
    ['--start-daemon master --mcast-ttl 256', 'illegal mcast-ttl specified'],
    ['--start-daemon master --sync-maxlen 65508', 'illegal sync-maxlen specified'],
    ['--start-daemon master --mcast-group 192.0.2.1', "invalid IPv4 mcast-group `192.0.2.1'"],
    ['--start-daemon master --mcast-group 2001:db8::1', "invalid IPv6 mcast-group `2001:db8::1'"],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 --tun-type GUE', 'illegal tunnel type specified'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 --tun-port 0', 'illegal tunnel port specified'],
    // the matrix
    ['-L -c -t 192.0.2.1:80', "The option 'service-address' conflicts with the 'connection' option in the 'list' command"],
    ['-L --timeout --daemon', "The option 'daemon' conflicts with the 'timeout' option in the 'list' command"],
    ['-a -r 198.51.100.1 -n', "Illegal 'numeric' option with the 'add-server' command"],
    ['-a -t 192.0.2.1:80', "You need to supply the 'real-server' option for the 'add-server' command"],
    ['-A', "You need to supply the 'service-address' option for the 'add-service' command"],
    ['-R -n', "Illegal 'numeric' option with the 'restore' command"],
    ['-C -t 192.0.2.1:80', "Illegal 'service-address' option with the 'flush' command"],
    ['--stop-daemon master --mcast-interface eth0', "Illegal 'mcast-interface' option with the 'stop-daemon' command"],
    // §6 checks
    ['-A -t 192.0.2.1:0', 'Zero port specified for non-persistent service'],
    ['-A -t 192.0.2.1', 'Zero port specified for non-persistent service'],
    ['-E -t [2001:db8::1]:0', 'Zero port specified for non-persistent service'],
    ['-A -t 192.0.2.1:80 -o', 'One-Packet Scheduling is only for UDP virtual services'],
    ['-A --sctp-service 192.0.2.1:80 -o', 'One-Packet Scheduling is only for UDP virtual services'],
    ['-a -t 192.0.2.1:80 -r [2001:db8::2]:80 -m', 'Different address family is allowed only for tunneling servers'],
    ['-e -f 1 -r [2001:db8::2]:80', 'Different address family is allowed only for tunneling servers'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 --tun-type gue --tun-port 1', 'Tunnel options conflict with forward method'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -m --tun-csum', 'Tunnel options conflict with forward method'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type gue', "You need to supply the 'tun-port' option for the 'gue' tunnel type"],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-port 5', "Illegal 'tun-port' option with the 'ipip' tunnel type"],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type gre --tun-remcsum', "Illegal 'tun-remcsum' option with the 'gre' tunnel type"],
    [
      '-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type gue --tun-port 1 --tun-csum --tun-remcsum',
      "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type",
    ],
    ['-L -c --stats', 'options conflicts in the list command'],
    ['-L --daemon --thresholds', 'options conflicts in the list command'],
    ['-L --timeout --persistent-conn', 'options conflicts in the list command'],
    ['-L --daemon --persistent-conn', 'options conflicts in the list command'],
  ];
  it.each(cases)('%j → %j', async (argv, message) => {
    expect(await failureOf(argv)).toEqual({ stderr: `${message}\n`, exit: 2, kind: 'fail' });
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
