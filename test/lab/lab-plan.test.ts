// planLab over hand-built IPVS tables (real-server modes, NAT ranking, names by address, VIPs, ports,
// skipped services and destinations) and the demo tables of demoRules, written out line by line.
import type { ForwardingMethod, TunnelType } from '../../src/ipvs/model.js';
import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/ipvs/address.js';
import type { Address } from '../../src/ipvs/address.js';
import { AF_INET, AF_INET6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from '../../src/ipvs/constants.js';
import { ZERO_STATS } from '../../src/ipvs/model.js';
import type { Destination, Service, ServiceWithDestinations } from '../../src/ipvs/model.js';
import { demoRules, planLab } from '../../src/lab/lab-plan.js';
import type { LabServer } from '../../src/lab/lab-plan.js';

function addr(text: string): Address {
  const a = parseAddress(text);
  if (!a) throw new Error(`test: bad address ${text}`);
  return a;
}

type Proto = 'tcp' | 'udp' | 'sctp';
const PROTO_NUMBER: Readonly<Record<Proto, number>> = { tcp: IPPROTO_TCP, udp: IPPROTO_UDP, sctp: IPPROTO_SCTP };

function service(proto: Proto, vip: string, port: number, scheduler = 'rr'): Service {
  const a = addr(vip);
  return { key: { kind: 'addr', af: a.af, protocol: PROTO_NUMBER[proto], addr: a, port }, scheduler, persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 0, netmask: 0, pe: '', stats: ZERO_STATS };
}

function fwmarkService(fwmark: number): Service {
  return { key: { kind: 'fwmark', af: AF_INET, fwmark }, scheduler: 'rr', persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 0, netmask: 0xffffffff, pe: '', stats: ZERO_STATS };
}

type Fwd = 'nat' | 'dr' | 'tun' | 'local';
const FWD: Readonly<Record<Fwd, ForwardingMethod>> = { nat: 'masq', dr: 'route', tun: 'tunnel', local: 'local' };

/** `ADDR:PORT` or `[V6]:PORT` */
function dest(where: string, fwd: Fwd, weight = 1, tun: { type?: TunnelType; port?: number } = {}): Destination {
  const m = /^(?:\[(.+)\]|([^:]+)):(\d+)$/.exec(where);
  if (!m) throw new Error(`test: bad destination ${where}`);
  return {
    addr: addr(m[1] ?? m[2]!),
    port: Number(m[3]),
    forwarding: FWD[fwd],
    weight,
    uThreshold: 0,
    lThreshold: 0,
    tunnelType: tun.type ?? 'ipip',
    tunnelPort: tun.port ?? 0,
    checksum: 'nocsum',
    activeConns: 0,
    inactConns: 0,
    persistConns: 0,
    stats: ZERO_STATS,
  };
}

const entry = (svc: Service, ...destinations: Destination[]): ServiceWithDestinations => ({ service: svc, destinations });

function server(name: string, addrText: string, more: Partial<LabServer>): LabServer {
  return {
    name,
    addr: addrText,
    family: addrText.includes(':') ? 6 : 4,
    mode: 'nat',
    // what realserver up prepares: tun over dr; none for a NAT-only host
    prepareAs: more.mode === 'dr' || more.mode === 'tun' ? more.mode : undefined,
    tunType: 'ipip',
    tunPort: undefined,
    vips: [],
    tcpPorts: [],
    udpPorts: [],
    ...more,
  };
}

describe('planLab: NAT', () => {
  it('the NAT demo table: two NAT real servers serving TCP 8080 and UDP 5353, director nat', () => {
    const plan = planLab([
      entry(service('tcp', '192.0.2.100', 80, 'wrr'), dest('198.51.100.2:8080', 'nat', 3), dest('198.51.100.1:8080', 'nat', 1)),
      entry(service('udp', '192.0.2.100', 53), dest('198.51.100.1:5353', 'nat'), dest('198.51.100.2:5353', 'nat')),
    ]);
    expect(plan).toEqual({
      servers: [
        server('rs1', '198.51.100.1', { tcpPorts: [8080], udpPorts: [5353] }),
        server('rs2', '198.51.100.2', { tcpPorts: [8080], udpPorts: [5353] }),
      ],
      services: [
        { target: { proto: 'tcp', host: '192.0.2.100', port: 80 }, scheduler: 'wrr', weights: { rs1: 1, rs2: 3 } },
        { target: { proto: 'udp', host: '192.0.2.100', port: 53 }, scheduler: 'rr', weights: { rs1: 1, rs2: 1 } },
      ],
      vips: ['192.0.2.100'],
      skipped: [],
      directorMode: 'nat',
    });
  });

  it('a NAT real server gets no VIPs (the director rewrites the destination)', () => {
    const plan = planLab([entry(service('tcp', '192.0.2.1', 80), dest('10.0.0.1:80', 'nat'))]);
    expect(plan.servers.map((s) => s.vips)).toEqual([[]]);
  });
});

describe('planLab: modes per real server and the director mode', () => {
  it('DR: the real server accepts the service address as a VIP, ports are the destination ports', () => {
    const plan = planLab([entry(service('tcp', '192.0.2.100', 80), dest('198.51.100.1:80', 'dr'), dest('198.51.100.2:80', 'dr'))]);
    expect(plan.servers).toEqual([
      server('rs1', '198.51.100.1', { mode: 'dr', vips: ['192.0.2.100'], tcpPorts: [80] }),
      server('rs2', '198.51.100.2', { mode: 'dr', vips: ['192.0.2.100'], tcpPorts: [80] }),
    ]);
    expect(plan.directorMode).toBe('dr');
  });

  it.each([
    ['ipip', 'ipip', undefined],
    ['gue', 'gue', 6080],
    ['gre', 'gre', undefined],
  ] as const)('TUN with tunnel type %s → %s, GUE port %s', (type, name, port) => {
    const plan = planLab([entry(service('tcp', '192.0.2.100', 80), dest('198.51.100.1:80', 'tun', 1, { type, port: 6080 }))]);
    expect(plan.servers).toEqual([server('rs1', '198.51.100.1', { mode: 'tun', tunType: name, tunPort: port, vips: ['192.0.2.100'], tcpPorts: [80] })]);
    expect(plan.directorMode).toBe('tun');
  });

  it('one address under several methods is built once: NAT over DR over TUN', () => {
    const table = (a: Fwd, b: Fwd): ServiceWithDestinations[] => [
      entry(service('tcp', '192.0.2.1', 80), dest('10.0.0.1:80', a)),
      entry(service('tcp', '192.0.2.2', 80), dest('10.0.0.1:80', b)),
    ];
    expect(planLab(table('dr', 'nat')).servers.map((s) => s.mode)).toEqual(['nat']);
    expect(planLab(table('nat', 'dr')).servers.map((s) => s.mode)).toEqual(['nat']);
    expect(planLab(table('tun', 'dr')).servers.map((s) => s.mode)).toEqual(['dr']);
    expect(planLab(table('dr', 'tun')).servers.map((s) => s.mode)).toEqual(['dr']);
    expect(planLab(table('nat', 'tun')).servers.map((s) => s.mode)).toEqual(['nat']);
  });

  it('a host that is NAT and DR keeps the DR service\'s VIP (only DR/TUN services add VIPs)', () => {
    const plan = planLab([
      entry(service('tcp', '192.0.2.1', 80), dest('10.0.0.1:80', 'dr')),
      entry(service('tcp', '192.0.2.2', 80), dest('10.0.0.1:8080', 'nat')),
    ]);
    expect(plan.servers).toEqual([server('rs1', '10.0.0.1', { mode: 'nat', prepareAs: 'dr', vips: ['192.0.2.1'], tcpPorts: [80, 8080] })]);
  });

  it('a host with DR and TUN destinations is prepared as TUN (the tunnel device takes direct packets too)', () => {
    const plan = planLab([
      entry(service('tcp', '192.0.2.1', 80), dest('10.0.0.1:80', 'dr')),
      entry(service('tcp', '192.0.2.2', 80), dest('10.0.0.1:80', 'tun', 1, { type: 'gre' })),
    ]);
    expect(plan.servers).toEqual([server('rs1', '10.0.0.1', { mode: 'dr', prepareAs: 'tun', tunType: 'gre', vips: ['192.0.2.1', '192.0.2.2'], tcpPorts: [80] })]);
  });

  it('the tunnel type and GUE port come from the first TUN destination of the address', () => {
    const plan = planLab([
      entry(service('tcp', '192.0.2.1', 80), dest('10.0.0.1:80', 'tun', 1, { type: 'gue', port: 5555 })),
      entry(service('tcp', '192.0.2.2', 80), dest('10.0.0.1:80', 'tun', 1, { type: 'gre' })),
    ]);
    expect(plan.servers).toEqual([server('rs1', '10.0.0.1', { mode: 'tun', tunType: 'gue', tunPort: 5555, vips: ['192.0.2.1', '192.0.2.2'], tcpPorts: [80] })]);
  });

  it.each([
    [['dr', 'dr'], 'dr'],
    [['dr', 'tun'], 'tun'],
    [['tun', 'dr', 'nat'], 'nat'],
    [['nat', 'nat'], 'nat'],
  ] as const)('real servers %j → director mode %s', (modes, expected) => {
    const plan = planLab([entry(service('tcp', '192.0.2.1', 80), ...modes.map((m, i) => dest(`10.0.0.${i + 1}:80`, m)))]);
    expect(plan.directorMode).toBe(expected);
  });

  it('an empty table plans nothing (director mode dr)', () => {
    expect(planLab([])).toEqual({ servers: [], services: [], vips: [], skipped: [], directorMode: 'dr' });
  });
});

describe('planLab: names, VIPs and ports', () => {
  it('names real servers rs1, rs2, ... by address: numerically, IPv4 before IPv6', () => {
    const plan = planLab([
      entry(service('tcp', '192.0.2.1', 80), dest('[2001:db8:1::a]:80', 'dr'), dest('198.51.100.10:80', 'dr'), dest('[2001:db8:1::9]:80', 'dr'), dest('198.51.100.9:80', 'dr')),
    ]);
    expect(plan.servers.map((s) => [s.name, s.addr, s.family])).toEqual([
      ['rs1', '198.51.100.9', 4],
      ['rs2', '198.51.100.10', 4],
      ['rs3', '2001:db8:1::9', 6],
      ['rs4', '2001:db8:1::a', 6],
    ]);
    expect(plan.services[0]!.weights).toEqual({ rs1: 1, rs2: 1, rs3: 1, rs4: 1 });
  });

  it('VIPs: per real server in the order of the services, each once; the director holds every service address', () => {
    const plan = planLab([
      entry(service('tcp', '192.0.2.2', 80), dest('10.0.0.1:80', 'dr')),
      entry(service('tcp', '192.0.2.1', 443), dest('10.0.0.1:443', 'dr'), dest('10.0.0.2:443', 'dr')),
      entry(service('udp', '192.0.2.2', 53), dest('10.0.0.1:53', 'dr')),
    ]);
    expect(plan.servers.map((s) => [s.name, s.vips])).toEqual([
      ['rs1', ['192.0.2.2', '192.0.2.1']],
      ['rs2', ['192.0.2.1']],
    ]);
    expect(plan.vips).toEqual(['192.0.2.2', '192.0.2.1']);
  });

  it('ports: TCP and UDP apart, sorted numerically, each once', () => {
    const plan = planLab([
      entry(service('tcp', '192.0.2.1', 80), dest('10.0.0.1:8080', 'nat')),
      entry(service('tcp', '192.0.2.1', 443), dest('10.0.0.1:443', 'nat')),
      entry(service('tcp', '192.0.2.2', 80), dest('10.0.0.1:8080', 'nat')),
      entry(service('udp', '192.0.2.1', 53), dest('10.0.0.1:5353', 'nat')),
      entry(service('udp', '192.0.2.1', 123), dest('10.0.0.1:53', 'nat')),
    ]);
    expect(plan.servers.map((s) => [s.tcpPorts, s.udpPorts])).toEqual([[[443, 8080], [53, 5353]]]);
  });

  it('IPv6 services: host without brackets, VIPs in inet_ntop form', () => {
    const plan = planLab([entry(service('tcp', '2001:db8:0::100', 80), dest('[2001:db8:1::1]:80', 'dr', 2))]);
    expect(plan.services).toEqual([{ target: { proto: 'tcp', host: '2001:db8::100', port: 80 }, scheduler: 'rr', weights: { rs1: 2 } }]);
    expect(plan.servers).toEqual([server('rs1', '2001:db8:1::1', { family: 6, mode: 'dr', vips: ['2001:db8::100'], tcpPorts: [80] })]);
    expect(plan.vips).toEqual(['2001:db8::100']);
  });
});

describe('planLab: what the lab cannot exercise', () => {
  it('skips fwmark and SCTP services and local destinations, with a note each', () => {
    const plan = planLab([
      entry(fwmarkService(5), dest('10.0.0.9:0', 'dr')),
      entry(service('sctp', '192.0.2.1', 80), dest('10.0.0.8:80', 'dr')),
      entry(service('tcp', '192.0.2.2', 80), dest('127.0.0.1:80', 'local'), dest('10.0.0.1:80', 'nat')),
    ]);
    expect(plan.skipped).toEqual([
      'fwmark 5: the lab client cannot mark packets',
      '192.0.2.1:80: protocol 132 (the lab sends TCP and UDP only)',
      '192.0.2.2:80 -> 127.0.0.1: local forwarding (no real server to build)',
    ]);
    expect(plan.servers).toEqual([server('rs1', '10.0.0.1', { tcpPorts: [80] })]);
    expect(plan.services).toEqual([{ target: { proto: 'tcp', host: '192.0.2.2', port: 80 }, scheduler: 'rr', weights: { rs1: 1 } }]);
    expect(plan.vips).toEqual(['192.0.2.2']);
  });

  it('a service with only local destinations is skipped too (nothing could answer it)', () => {
    const plan = planLab([entry(service('udp', '192.0.2.3', 53), dest('127.0.0.1:53', 'local'))]);
    expect(plan.servers).toEqual([]);
    expect(plan.services).toEqual([]);
    expect(plan.vips).toEqual([]);
    expect(plan.skipped).toEqual([
      '192.0.2.3:53 -> 127.0.0.1: local forwarding (no real server to build)',
      'UDP 192.0.2.3:53: no real server to send traffic to',
    ]);
  });

  it('the family of an IPv6 fwmark service does not matter: still skipped', () => {
    const svc: Service = { ...fwmarkService(4294967295), key: { kind: 'fwmark', af: AF_INET6, fwmark: 4294967295 } };
    expect(planLab([entry(svc)]).skipped).toEqual(['fwmark 4294967295: the lab client cannot mark packets']);
  });
});

describe('demoRules', () => {
  it('nat (IPv4): a wrr TCP service weighted 1:3 and an rr UDP service, masqueraded', () => {
    expect(demoRules({ mode: 'nat' })).toBe(
      '-A -t 192.0.2.100:80 -s wrr\n' +
        '-a -t 192.0.2.100:80 -r 198.51.100.1:8080 -m -w 1\n' +
        '-a -t 192.0.2.100:80 -r 198.51.100.2:8080 -m -w 3\n' +
        '-A -u 192.0.2.100:53 -s rr\n' +
        '-a -u 192.0.2.100:53 -r 198.51.100.1:5353 -m -w 1\n' +
        '-a -u 192.0.2.100:53 -r 198.51.100.2:5353 -m -w 1\n',
    );
  });

  it('nat (IPv6): the same on bracketed documentation addresses', () => {
    expect(demoRules({ mode: 'nat', ipv6: true })).toBe(
      '-A -t [2001:db8::100]:80 -s wrr\n' +
        '-a -t [2001:db8::100]:80 -r [2001:db8:1::1]:8080 -m -w 1\n' +
        '-a -t [2001:db8::100]:80 -r [2001:db8:1::2]:8080 -m -w 3\n' +
        '-A -u [2001:db8::100]:53 -s rr\n' +
        '-a -u [2001:db8::100]:53 -r [2001:db8:1::1]:5353 -m -w 1\n' +
        '-a -u [2001:db8::100]:53 -r [2001:db8:1::2]:5353 -m -w 1\n',
    );
  });

  it('nat ignores a tunnel type', () => {
    expect(demoRules({ mode: 'nat', tunType: 'gre' })).toBe(demoRules({ mode: 'nat' }));
  });

  it('dr: one rr TCP service, two real servers on port 80 with -g', () => {
    expect(demoRules({ mode: 'dr' })).toBe(
      '-A -t 192.0.2.100:80 -s rr\n' +
        '-a -t 192.0.2.100:80 -r 198.51.100.1:80 -g -w 1\n' +
        '-a -t 192.0.2.100:80 -r 198.51.100.2:80 -g -w 1\n',
    );
    expect(demoRules({ mode: 'dr', ipv6: true })).toBe(
      '-A -t [2001:db8::100]:80 -s rr\n' +
        '-a -t [2001:db8::100]:80 -r [2001:db8:1::1]:80 -g -w 1\n' +
        '-a -t [2001:db8::100]:80 -r [2001:db8:1::2]:80 -g -w 1\n',
    );
  });

  it.each([
    [undefined, '-i --tun-type ipip'],
    ['ipip', '-i --tun-type ipip'],
    ['gue', '-i --tun-type gue --tun-port 6080'],
    ['gre', '-i --tun-type gre'],
  ] as const)('tun, tunnel type %s: real servers added with %s', (tunType, options) => {
    expect(demoRules({ mode: 'tun', ...(tunType ? { tunType } : {}) })).toBe(
      '-A -t 192.0.2.100:80 -s rr\n' +
        `-a -t 192.0.2.100:80 -r 198.51.100.1:80 ${options} -w 1\n` +
        `-a -t 192.0.2.100:80 -r 198.51.100.2:80 ${options} -w 1\n`,
    );
  });

  it('tun gue over IPv6', () => {
    expect(demoRules({ mode: 'tun', tunType: 'gue', ipv6: true })).toBe(
      '-A -t [2001:db8::100]:80 -s rr\n' +
        '-a -t [2001:db8::100]:80 -r [2001:db8:1::1]:80 -i --tun-type gue --tun-port 6080 -w 1\n' +
        '-a -t [2001:db8::100]:80 -r [2001:db8:1::2]:80 -i --tun-type gue --tun-port 6080 -w 1\n',
    );
  });
});
