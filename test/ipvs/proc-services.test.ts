// parseProcServices and procServiceId against /proc/net/ip_vs as Linux 6.1 printed it in the
// user-mode kernel (the table below was made there with ipvsadm 1.31; the service of mark 9 and
// the counts of 198.51.100.2 were added by hand), and damaged copies of it.
import { describe, expect, it } from 'vitest';
import { parseIPv4, parseIPv6 } from '../../src/ipvs/address.js';
import type { ServiceKey } from '../../src/ipvs/model.js';
import { NOT_LISTED, parseProcServices, procServiceId } from '../../src/ipvs/proc-services.js';
import type { ProcServices } from '../../src/ipvs/proc-services.js';

const PROC = [
  'IP Virtual Server version 1.2.1 (size=4096)',
  'Prot LocalAddress:Port Scheduler Flags',
  '  -> RemoteAddress:Port Forward Weight ActiveConn InActConn',
  'SCTP  C0000209:1388 rr  ',
  '  -> C6336409:1388      Route   1      0          0         ',
  'TCP  [2001:0db8:0000:0000:0000:0000:0000:0001]:01BB lc persistent 36000 80000000',
  '  -> [2001:0db8:0000:0000:0000:0000:0000:0010]:01BB      Masq    2      0          0         ',
  'UDP  C0000201:0035 sh ops  ',
  '  -> C6336403:0035      Tunnel  1      0          0         ',
  'TCP  C0000201:0050 rr  persistent 30000 FFFFFF00',
  '  -> C6336402:0050      Route   0      7          12        ',
  '  -> C6336401:1F90      Masq    3      0          0         ',
  'FWM  00000007 wrr ',
  '  -> [2001:0db8:0000:0000:0000:0000:0000:0005]:0000      Route   1      0          0         ',
  'FWM  00000007 wrr ',
  'FWM  00000009 wrr ',
  '  -> C6336401:0000      Local   -5     0          0         ',
  '',
].join('\n');

const tcp = (addr: string, port: number): ServiceKey => ({ kind: 'addr', af: 2, protocol: 6, addr: parseIPv4(addr)!, port });
const v6tcp: ServiceKey = { kind: 'addr', af: 10, protocol: 6, addr: parseIPv6('2001:db8::1')!, port: 443 };
const mark = (fwmark: number): ServiceKey => ({ kind: 'fwmark', af: 2, fwmark });
const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/** The parsed file's entry for a service, or NOT_LISTED. */
function entryOf(file: ProcServices, key: ServiceKey): number {
  return file.entry(procServiceId(key)!);
}

describe('procServiceId', () => {
  it('tells every service apart: protocol, address and port; IPv6 in full; marks without family', () => {
    const keys: ServiceKey[] = [
      tcp('192.0.2.1', 80),
      tcp('192.0.2.1', 81),
      tcp('192.0.2.2', 80),
      tcp('255.255.255.255', 65535),
      tcp('0.0.0.0', 0),
      { kind: 'addr', af: 2, protocol: 17, addr: parseIPv4('192.0.2.1')!, port: 80 },
      { kind: 'addr', af: 2, protocol: 132, addr: parseIPv4('192.0.2.1')!, port: 80 },
      { kind: 'addr', af: 2, protocol: 51, addr: parseIPv4('255.255.255.255')!, port: 65535 },
      v6tcp,
      mark(0),
      mark(1),
      mark(0xffffffff),
    ];
    const ids = keys.map(procServiceId);
    expect(new Set(ids).size).toBe(keys.length);
    for (const id of ids) if (typeof id === 'number') expect(Number.isSafeInteger(id)).toBe(true);
    expect(procServiceId(v6tcp)).toBe('TCP [2001:0db8:0000:0000:0000:0000:0000:0001]:01BB');
    expect(procServiceId({ kind: 'fwmark', af: 10, fwmark: 7 })).toBe(procServiceId(mark(7)));
    expect(procServiceId({ kind: 'addr', af: 2, protocol: 99, addr: parseIPv4('192.0.2.1')!, port: 1 })).toBeUndefined();
  });
});

describe('parseProcServices', () => {
  it('reads every service with its destinations: addresses, ports, forwarding, weight and counts', () => {
    const file = parseProcServices(bytes(PROC))!;
    const web = entryOf(file, tcp('192.0.2.1', 80));
    expect(file.schedulerIs(web, 'rr')).toBe(true);
    expect(file.schedulerIs(web, 'r')).toBe(false);
    expect(file.schedulerIs(web, 'rrr')).toBe(false);
    expect(file.destinations(web).map((d) => [d.addr.bytes.join('.'), d.port, d.forwarding, d.weight, d.activeConns, d.inactConns])).toEqual([
      ['198.51.100.2', 80, 'route', 0, 7, 12],
      ['198.51.100.1', 8080, 'masq', 3, 0, 0],
    ]);
    const dns = entryOf(file, { kind: 'addr', af: 2, protocol: 17, addr: parseIPv4('192.0.2.1')!, port: 53 });
    expect(file.schedulerIs(dns, 'sh')).toBe(true);
    expect(file.destinations(dns)[0]!.forwarding).toBe('tunnel');
    const v6 = entryOf(file, v6tcp);
    expect(file.schedulerIs(v6, 'lc')).toBe(true);
    expect(file.destinations(v6)[0]).toMatchObject({ addr: parseIPv6('2001:db8::10'), port: 443, forwarding: 'masq', weight: 2, stats: { conns: 0n } });
    expect(file.destinations(entryOf(file, mark(9)))[0]).toMatchObject({ forwarding: 'local', weight: -5 });
    expect(file.destinations(entryOf(file, { kind: 'addr', af: 2, protocol: 132, addr: parseIPv4('192.0.2.9')!, port: 5000 }))).toHaveLength(1);
    expect(entryOf(file, tcp('192.0.2.1', 81))).toBe(NOT_LISTED);
  });

  it('destinations are made anew on each call (nothing a caller changes sticks)', () => {
    const file = parseProcServices(bytes(PROC))!;
    const web = entryOf(file, tcp('192.0.2.1', 80));
    const first = file.destinations(web);
    expect(file.destinations(web)).toEqual(first);
    expect(file.destinations(web)[0]).not.toBe(first[0]);
  });

  it('a service id listed twice (fwmark services of both families, or a read across a change) is NOT_LISTED', () => {
    const file = parseProcServices(bytes(PROC))!;
    expect(entryOf(file, mark(7))).toBe(NOT_LISTED);
    expect(file.size).toBe(6);
    // the destinations under the second listing are checked, and given to no other service
    const head = PROC.split('\n').slice(0, 3).join('\n');
    const again = parseProcServices(bytes(`${head}\nFWM  00000007 wrr \nTCP  C0000201:0050 rr \n  -> C6336401:0050      Masq    1      0          0\nFWM  00000007 wrr \n  -> C6336402:0050      Masq    1      0          0\n`))!;
    expect(again.size).toBe(2);
    expect(again.destinations(entryOf(again, tcp('192.0.2.1', 80))).map((d) => d.addr.bytes[3])).toEqual([1]);
  });

  it('tells whether a service has a destination of a forwarding method', () => {
    const file = parseProcServices(bytes(PROC))!;
    const dns = entryOf(file, { kind: 'addr', af: 2, protocol: 17, addr: parseIPv4('192.0.2.1')!, port: 53 });
    expect(file.hasMethod(dns, 'tunnel')).toBe(true);
    expect(file.hasMethod(dns, 'masq')).toBe(false);
    const web = entryOf(file, tcp('192.0.2.1', 80));
    expect((['masq', 'local', 'tunnel', 'route'] as const).map((m) => file.hasMethod(web, m))).toEqual([true, false, false, true]);
  });

  it('two destinations with the same address and port are found', () => {
    const file = parseProcServices(bytes(PROC))!;
    expect(file.hasDuplicateDestinations(entryOf(file, tcp('192.0.2.1', 80)))).toBe(false);
    const twice = parseProcServices(bytes(PROC.replace('C6336401:1F90', 'C6336402:0050')))!;
    expect(twice.hasDuplicateDestinations(entryOf(twice, tcp('192.0.2.1', 80)))).toBe(true);
    const v6twice = parseProcServices(bytes(PROC.replace('Masq    2      0          0         \n', 'Masq    2      0          0         \n  -> [2001:0db8:0000:0000:0000:0000:0000:0010]:01BB      Route   1      0          0         \n')))!;
    expect(v6twice.hasDuplicateDestinations(entryOf(v6twice, v6tcp))).toBe(true);
  });

  it('an empty table is an empty file', () => {
    expect(parseProcServices(bytes(PROC.split('\n').slice(0, 3).join('\n') + '\n'))!.size).toBe(0);
  });

  it('many services and destinations (the columns grow) come out as they went in', () => {
    let text = PROC.split('\n').slice(0, 3).join('\n') + '\n';
    for (let s = 0; s < 300; s++) {
      text += `TCP  C00002${(s & 0xff).toString(16).toUpperCase().padStart(2, '0')}:${(s >> 8).toString(16).toUpperCase().padStart(4, '0')} wlc \n`;
      for (let d = 0; d < 7; d++) text += `  -> C63364${d.toString(16).toUpperCase().padStart(2, '0')}:0050      Masq    ${s}      ${d}          4294967295\n`;
    }
    const file = parseProcServices(bytes(text))!;
    expect(file.size).toBe(300);
    const last = file.destinations(entryOf(file, tcp('192.0.2.43', 1)));
    expect(last.map((d) => [d.addr.bytes[3], d.weight, d.activeConns, d.inactConns])).toEqual(Array.from({ length: 7 }, (_, d) => [d, 299, d, 4294967295]));
  });

  it('anything but what Linux prints is refused as a whole', () => {
    const damaged = [
      PROC.replace('IP Virtual Server version 1.2.1', 'IP Virtual Server version 1.2'),
      PROC.replace('Prot LocalAddress', 'Proto LocalAddress'),
      PROC.replace('Forward Weight', 'Fwd Weight'),
      PROC.slice(0, -1), // no final newline: cut short
      '',
      PROC.replace('Route   0', 'Bounce  0'),
      PROC.replace('C6336402:0050', 'C633640:0050'),
      PROC.replace('C6336402:0050', 'c6336402:0050'),
      PROC.replace('C6336402:0050', 'C6336402-0050'),
      PROC.replace('[2001:0db8:0000:0000:0000:0000:0000:0010]', '[2001:db8::10]'),
      PROC.replace('[2001:0db8:0000:0000:0000:0000:0000:0010]', '[2001:0DB8:0000:0000:0000:0000:0000:0010]'),
      PROC.replace('SCTP  C0000209:1388 rr  \n', ''), // a destination before any service
      PROC.replace('0          0         \nUDP', '0          x         \nUDP'),
      PROC.replace('0          0         \nUDP', '0          0x        \nUDP'),
      PROC.replace('0          0         \nUDP', '0          123456789012\nUDP'),
      PROC.replace('Route   0      7', 'Route   0      -'),
      PROC.replace('Route   0', 'Route0'),
      PROC.replace('Route   0', 'constructor 0'), // an Object property name is no Forward word
      PROC.replace('Route   0', '__proto__ 0'),
      PROC.replace('UDP  C0000201:0035', 'XYZ  C0000201:0035'), // a protocol the kernel does not name
      PROC.replace('UDP  C0000201:0035', 'UDP C0000201:0035'),
      PROC.replace('FWM  00000009 wrr ', 'FWM  00000009 wrr'), // no space after the scheduler
      PROC.replace('FWM  00000009 wrr ', 'FWM  0000009 wrr '),
      PROC.replace('TCP  C0000201:0050 rr  ', 'TCP  C0000201:0050  rr  '),
    ];
    for (const text of damaged) expect(parseProcServices(bytes(text)), JSON.stringify(text.slice(0, 400))).toBeUndefined();
  });
});
