// IpvsClient.tableFromProc: the default listing's destinations from /proc/net/ip_vs, checked
// against the services dumped around the read (fake kernel; the file is made from its model the
// way Linux prints it, then damaged or made stale).
import { encodeForwarding } from '../../src/ipvs/value-codec.js';
import { describe, expect, it } from 'vitest';
import { parseIPv4, parseIPv6 } from '../../src/ipvs/address.js';
import { IpvsClient } from '../../src/ipvs/client.js';
import type { DestinationConfig, ServiceKey, ServiceWithDestinations } from '../../src/ipvs/model.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { FakeKernel } from '../support/fake-kernel.js';

const HEADER = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n';
const FWD = ['Masq', 'Local', 'Tunnel', 'Route'];
const hex = (n: number, w: number): string => n.toString(16).toUpperCase().padStart(w, '0');

/** /proc/net/ip_vs for a table, in ip_vs_info_seq_show's formats. */
function procText(table: readonly ServiceWithDestinations[], scheduler = (s: string): string => s): string {
  let out = HEADER;
  for (const { service, destinations } of table) {
    out += `${serviceColumns(service.key)} ${scheduler(service.scheduler)} \n`;
    for (const d of destinations) {
      const b = d.addr.bytes;
      const addr =
        d.addr.af === 10
          ? `[${Array.from({ length: 8 }, (_, i) => hex((b[2 * i]! << 8) | b[2 * i + 1]!, 4).toLowerCase()).join(':')}]`
          : hex(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, 8);
      out += `  -> ${addr}:${hex(d.port, 4)}      ${FWD[encodeForwarding(d.forwarding)]!.padEnd(7)} ${String(d.weight).padEnd(6)} ${String(d.activeConns).padEnd(10)} ${String(d.inactConns).padEnd(10)}\n`;
    }
  }
  return out;
}

/** A service line's first columns: `TCP  C0000201:0050`, `FWM  00000007`. */
function serviceColumns(key: ServiceKey): string {
  if (key.kind === 'fwmark') return `FWM  ${hex(key.fwmark, 8)}`;
  const b = key.addr.bytes;
  const addr =
    key.af === 10
      ? `[${Array.from({ length: 8 }, (_, i) => hex((b[2 * i]! << 8) | b[2 * i + 1]!, 4).toLowerCase()).join(':')}]`
      : hex(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0, 8);
  return `${{ 6: 'TCP', 17: 'UDP', 132: 'SCTP' }[key.protocol] ?? 'XX'}  ${addr}:${hex(key.port, 4)}`;
}

/** The file as read: bytes. */
const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/** A listing as plain objects (destinations made once). */
const plainTable = (t: readonly ServiceWithDestinations[]): ServiceWithDestinations[] => t.map((e) => ({ service: e.service, destinations: [...e.destinations] }));

const DEST: DestinationConfig = { addr: parseIPv4('198.51.100.1')!, port: 8080, forwarding: 'masq', weight: 1, uThreshold: 0, lThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, checksum: 'nocsum' };
const tcp = (port: number): ServiceKey => ({ kind: 'addr', af: 2, protocol: 6, addr: parseIPv4('192.0.2.1')!, port });

async function setup(): Promise<IpvsClient> {
  const ipvs = new FakeIpvs();
  const client = await IpvsClient.open(async () => new FakeKernel({ model: ipvs }));
  const v6: ServiceKey = { kind: 'addr', af: 10, protocol: 17, addr: parseIPv6('2001:db8::1')!, port: 53 };
  for (const key of [tcp(80), tcp(443), v6, { kind: 'fwmark', af: 2, fwmark: 7 } as ServiceKey]) {
    await client.apply({ op: 'add-service', service: { key, scheduler: 'wrr', persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 0, netmask: key.af === 10 ? 128 : 0xffffffff, pe: '' } });
  }
  await client.apply({ op: 'add-dest', key: tcp(80), dest: DEST });
  await client.apply({ op: 'add-dest', key: tcp(80), dest: { ...DEST, addr: parseIPv4('198.51.100.2')!, forwarding: 'route', weight: 4 } });
  await client.apply({ op: 'add-dest', key: v6, dest: { ...DEST, addr: parseIPv6('2001:db8::10')!, port: 53, forwarding: 'tunnel', tunnelType: 'gue', tunnelPort: 6080, checksum: 'csum' } });
  return client;
}

/** What the default listing shows of a destination. */
const shown = (t: readonly ServiceWithDestinations[]): unknown =>
  t.map(({ service, destinations }) => [service, destinations.map((d) => [d.addr, d.port, d.forwarding, d.weight, d.activeConns, d.inactConns])]);

describe('IpvsClient.tableFromProc', () => {
  it('gives the dumped services with the destinations of the file, as the dumps show them', async () => {
    const client = await setup();
    const dumped = await client.table();
    let reads = 0;
    const fromProc = await client.tableFromProc(async () => (reads++, bytes(procText(dumped))));
    expect(reads).toBe(1);
    expect(fromProc).toBeDefined();
    expect(shown(fromProc!)).toEqual(shown(dumped));
    client.close();
  });

  it('a file that lists an extra service or names another scheduler is read again', async () => {
    const client = await setup();
    const dumped = await client.table();
    const stale = [procText(dumped) + 'TCP  C0000201:0001 rr \n', procText(dumped, (s) => (s === 'wrr' ? 'rr' : s))];
    for (const bad of stale) {
      const seen = client.changesSeen;
      let reads = 0;
      const out = await client.tableFromProc(async () => bytes(reads++ === 0 ? bad : procText(dumped)));
      expect(shown(out!)).toEqual(shown(dumped));
      expect(reads).toBe(2);
      expect(client.changesSeen).toBe(seen + 1);
    }
    client.close();
  });

  it('services the file leaves out (Linux does, while another namespace has IPVS services) get their destinations dumped', async () => {
    const client = await setup();
    const dumped = await client.table();
    for (const left of [[0], [1, 2], [0, 1, 2, 3]]) {
      const seen = client.changesSeen;
      let reads = 0;
      const out = await client.tableFromProc(async () => (reads++, bytes(procText(dumped.filter((_, i) => !left.includes(i)))))); // the tunnel one has its details then
      expect(reads).toBe(1);
      expect(client.changesSeen).toBe(seen);
      expect(shown(out!)).toEqual(shown(dumped));
      for (const i of left) expect(out![i]).toEqual(dumped[i]);
    }
    client.close();
  });

  it('a service left out of the file and deleted before its destinations are dumped starts the fetch again', async () => {
    const client = await setup();
    const dumped = await client.table();
    const gone = dumped.findIndex((e) => e.destinations.length > 0 && e.service.key.af === 2);
    let reads = 0;
    const seen = client.changesSeen;
    const out = await client.tableFromProc(async () => {
      if (reads++ === 0) await client.apply({ op: 'delete-service', key: dumped[gone]!.service.key });
      return bytes(procText(dumped.filter((_, i) => i !== gone)));
    });
    expect(reads).toBe(2);
    expect(client.changesSeen).toBe(seen + 1);
    expect(shown(out!)).toEqual(shown(dumped.filter((_, i) => i !== gone)));
    client.close();
  });

  it('a file that keeps disagreeing, is unreadable or is not what Linux prints: undefined (the caller dumps)', async () => {
    const client = await setup();
    const dumped = await client.table();
    let reads = 0;
    expect(await client.tableFromProc(async () => (reads++, bytes(procText(dumped) + 'TCP  C0000201:0001 rr \n')), { attempts: 3 })).toBeUndefined();
    expect(reads).toBe(3);
    expect(await client.tableFromProc(() => Promise.reject(new Error('EACCES')))).toBeUndefined();
    expect(await client.tableFromProc(async () => bytes(procText(dumped).replace('Route', 'Bounce')))).toBeUndefined();
    client.close();
  });

  it('fwmark services of both families sharing a mark, or a protocol the file cannot name: not read at all', async () => {
    const client = await setup();
    await client.apply({ op: 'add-service', service: { key: { kind: 'fwmark', af: 10, fwmark: 7 }, scheduler: 'rr', persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 0, netmask: 128, pe: '' } });
    let reads = 0;
    expect(await client.tableFromProc(async () => (reads++, bytes(HEADER)))).toBeUndefined();
    await client.apply({ op: 'delete-service', key: { kind: 'fwmark', af: 10, fwmark: 7 } });
    expect(await client.tableFromProc(async () => bytes(procText(await client.table())))).toBeDefined();
    await client.apply({ op: 'add-service', service: { key: { kind: 'addr', af: 2, protocol: 99, addr: parseIPv4('192.0.2.1')!, port: 0 }, scheduler: 'rr', persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 0, netmask: 0xffffffff, pe: '' } });
    expect(await client.tableFromProc(async () => (reads++, bytes(HEADER)))).toBeUndefined();
    expect(reads).toBe(0);
    client.close();
  });

  it('a table of more than maxServices services is dumped whole, the file never read', async () => {
    const client = await setup();
    let reads = 0;
    const dumped = plainTable(await client.table());
    const out = await client.tableFromProc(async () => (reads++, bytes(procText(dumped))), { maxServices: 3 });
    expect(reads).toBe(0);
    expect(plainTable(out!)).toEqual(dumped);
    // plain entries from the dumps, not the file's column views
    expect(out!.every((e) => Object.getPrototypeOf(e) === Object.prototype)).toBe(true);
    await client.tableFromProc(async () => (reads++, bytes(procText(dumped))), { maxServices: 4 });
    expect(reads).toBe(1);
  });

  it('with tunnelDetails, services with a tunnel destination take their destinations from a dump', async () => {
    const client = await setup();
    const dumped = await client.table();
    const v6 = dumped.findIndex((e) => e.service.key.af === 10);
    const plain = await client.tableFromProc(async () => bytes(procText(dumped)));
    expect(plain![v6]!.destinations[0]!.tunnelType).toBe('ipip'); // the file has no tunnel details
    const full = await client.tableFromProc(async () => bytes(procText(dumped)), { tunnelDetails: true });
    expect(plainTable(full!)).toEqual(dumped.map((e, i) => (i === v6 ? e : { service: e.service, destinations: plain![i]!.destinations })));
    expect(full![v6]!.destinations[0]).toMatchObject({ tunnelType: 'gue', tunnelPort: 6080, checksum: 'csum' });
    client.close();
  });

  it('with tunnelDetails, a dump that differs from the file starts the fetch again', async () => {
    const client = await setup();
    const dumped = await client.table();
    const v6 = dumped.findIndex((e) => e.service.key.af === 10);
    const extra = dumped.map((e, i) => (i === v6 ? { ...e, destinations: [...e.destinations, { ...e.destinations[0]!, port: 54 }] } : e));
    const seen = client.changesSeen;
    let reads = 0;
    const out = await client.tableFromProc(async () => bytes(procText(reads++ === 0 ? extra : dumped)), { tunnelDetails: true });
    expect(reads).toBe(2);
    expect(client.changesSeen).toBe(seen + 1);
    expect(out![v6]).toEqual(dumped[v6]);
    client.close();
  });
});
