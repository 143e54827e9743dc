// parseProcServices and procServiceId against /proc/net/ip_vs as Linux 6.1 printed it in the
// user-mode kernel (the table below was made there with ipvsadm 1.31; the service of mark 9 and
// the counts of 198.51.100.2 were added by hand), and damaged copies of it.
import { describe, expect, it } from 'vitest';
import { parseIPv4, parseIPv6 } from '../../src/ipvs/address.js';
import type { ServiceKey } from '../../src/ipvs/model.js';
import { parseProcServices, procServiceId } from '../../src/ipvs/proc-services.js';

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

describe('procServiceId', () => {
  it('names services as the file does: protocol, hex address and port; IPv6 in full; marks without family', () => {
    expect(procServiceId(tcp('192.0.2.1', 80))).toBe('TCP C0000201:0050');
    expect(procServiceId({ kind: 'addr', af: 2, protocol: 132, addr: parseIPv4('192.0.2.9')!, port: 5000 })).toBe('SCTP C0000209:1388');
    expect(procServiceId({ kind: 'addr', af: 10, protocol: 6, addr: parseIPv6('2001:db8::1')!, port: 443 })).toBe(
      'TCP [2001:0db8:0000:0000:0000:0000:0000:0001]:01BB',
    );
    expect(procServiceId({ kind: 'fwmark', af: 10, fwmark: 0xffffffff })).toBe('FWM FFFFFFFF');
    expect(procServiceId({ kind: 'addr', af: 2, protocol: 99, addr: parseIPv4('192.0.2.1')!, port: 1 })).toBeUndefined();
  });
});

describe('parseProcServices', () => {
  it('reads every service with its destinations: addresses, ports, forwarding, weight and counts', () => {
    const m = parseProcServices(PROC)!;
    const web = m.get('TCP C0000201:0050')!;
    expect(web.scheduler).toBe('rr');
    expect(web.destinations.map((d) => [d.addr.bytes.join('.'), d.port, d.fwdMethod, d.weight, d.activeConns, d.inactConns])).toEqual([
      ['198.51.100.2', 80, 3, 0, 7, 12],
      ['198.51.100.1', 8080, 0, 3, 0, 0],
    ]);
    expect(m.get('UDP C0000201:0035')!.destinations[0]!.fwdMethod).toBe(2);
    const v6 = m.get('TCP [2001:0db8:0000:0000:0000:0000:0000:0001]:01BB')!;
    expect(v6.destinations[0]).toMatchObject({ addr: parseIPv6('2001:db8::10'), port: 443, fwdMethod: 0, weight: 2 });
    expect(m.get('FWM 00000009')!.destinations[0]).toMatchObject({ fwdMethod: 1, weight: -5 });
    expect(m.get('SCTP C0000209:1388')!.destinations).toHaveLength(1);
  });

  it('a service id listed twice (fwmark services of both families, or a read across a change) is undefined', () => {
    const m = parseProcServices(PROC)!;
    expect(m.has('FWM 00000007')).toBe(true);
    expect(m.get('FWM 00000007')).toBeUndefined();
    expect(m.size).toBe(6);
  });

  it('an empty table is an empty map', () => {
    expect(parseProcServices(PROC.split('\n').slice(0, 3).join('\n') + '\n')!.size).toBe(0);
  });

  it('anything but what Linux prints is refused as a whole', () => {
    const damaged = [
      PROC.replace('IP Virtual Server version 1.2.1', 'IP Virtual Server version 1.2'),
      PROC.replace('Prot LocalAddress', 'Proto LocalAddress'),
      PROC.replace('Forward Weight', 'Fwd Weight'),
      PROC.slice(0, -1), // no final newline: cut short
      PROC.replace('Route   0', 'Bounce  0'),
      PROC.replace('C6336402:0050', 'C633640:0050'),
      PROC.replace('[2001:0db8:0000:0000:0000:0000:0000:0010]', '[2001:db8::10]'),
      PROC.replace('SCTP  C0000209:1388 rr  \n', ''), // a destination before any service
      PROC.replace('0          0         \nUDP', '0          x         \nUDP'),
      PROC.replace('Route   0', 'constructor 0'), // an Object property name is no Forward word
      PROC.replace('Route   0', '__proto__ 0'),
    ];
    for (const text of damaged) expect(parseProcServices(text), text).toBeUndefined();
  });
});
