// exposition.ts: every family with HELP and TYPE, counters exact past 2^53, labels escaped, the
// global counters of /proc/net/ip_vs_stats read from their hex. Prometheus's own checker runs
// on it in the kernel suite (test/kernel/metrics.test.ts).
import { describe, expect, it } from 'vitest';
import { exposition, parseGlobalStats } from '../../src/metrics/exposition.js';
import { parseListen } from '../../src/metrics/cli.js';
import { parseConnectionFile } from '../../src/table/connections.js';
import type { Snapshot } from '../../src/ipvs/model.js';
import { dest, entry, fwm, svc } from '../support/format-fixtures.js';

const SNAP: Snapshot = {
  info: { version: 0x10201, connTabSize: 4096 },
  timeouts: { tcp: 900, tcpFin: 120, udp: 300 },
  daemons: [],
  services: [
    entry(
      svc(6, '192.0.2.1', 80, { scheduler: 'wrr', stats: { conns: 12n, inbytes: 2n ** 60n + 1n, outpkts: 7n, cps: 3n } }),
      dest('198.51.100.1', 8080, { forwarding: 'masq', weight: 3, uThreshold: 100, activeConns: 2, inactConns: 5, stats: { conns: 9n } }),
      dest('198.51.100.2', 80, { forwarding: 'tunnel', tunnelType: 'gue', weight: 0 }),
    ),
    entry(svc(17, '2001:db8::1', 53)),
    entry(fwm(7)),
  ],
};
const GLOBAL = { conns: 21n, inpkts: 100n, outpkts: 90n, inbytes: 5000n, outbytes: 4000n, cps: 1n, inpps: 2n, outpps: 3n, inbps: 4n, outbps: 5n };

describe('exposition', () => {
  const text = exposition(SNAP, GLOBAL);
  const sample = (prefix: string): string | undefined => text.split('\n').find((l) => l.startsWith(prefix));

  it('counters and gauges with their labels, exact', () => {
    expect(sample('ipvs_service_bytes_total{service="tcp 192.0.2.1:80"')).toBe(
      'ipvs_service_bytes_total{service="tcp 192.0.2.1:80",protocol="tcp",address="192.0.2.1",port="80",fwmark="",family="inet",scheduler="wrr",direction="in"} 1152921504606846977',
    );
    expect(sample('ipvs_destination_active_connections{service="tcp 192.0.2.1:80"')).toBe(
      'ipvs_destination_active_connections{service="tcp 192.0.2.1:80",protocol="tcp",address="192.0.2.1",port="80",fwmark="",family="inet",server_address="198.51.100.1",server_port="8080",forwarding="masq",tunnel=""} 2',
    );
    expect(sample('ipvs_destination_weight{service="tcp 192.0.2.1:80"')).toMatch(/server_address="198\.51\.100\.1".* 3$/);
    expect(text).toContain('forwarding="tunnel",tunnel="gue"} 0\n');
    expect(sample('ipvs_service_connections_total{service="udp [2001:db8::1]:53"')).toMatch(/family="inet6".* 0$/);
    expect(sample('ipvs_service_connections_total{service="fwmark 7 inet"')).toMatch(/protocol="fwmark",address="",port="",fwmark="7"/);
    expect(sample('ipvs_connections_total')).toBe('ipvs_connections_total 21');
    expect(sample('ipvs_timeout_seconds{protocol="tcpfin"}')).toBe('ipvs_timeout_seconds{protocol="tcpfin"} 120');
    expect(sample('ipvs_destinations ')).toBe('ipvs_destinations 2');
  });

  it('every family once, with HELP and TYPE before its samples', () => {
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    const names = types.map((l) => l.split(' ')[2]);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(text).toContain(`# HELP ${name} `);
    expect(names).toContain('ipvs_destination_persistent_connections');
  });

  it('without the global file, no global families', () => {
    expect(exposition(SNAP, undefined)).not.toContain('ipvs_connections_total ');
  });
});

describe('parseGlobalStats', () => {
  it('reads the totals and the rates, hex', () => {
    const file = [
      '   Total Incoming Outgoing         Incoming         Outgoing',
      '   Conns  Packets  Packets            Bytes            Bytes',
      '      15       2A        0         1000000000000000        0',
      '',
      ' Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s',
      '       1        2        3                4                5',
      '',
    ].join('\n');
    expect(parseGlobalStats(file)).toEqual({ conns: 21n, inpkts: 42n, outpkts: 0n, inbytes: 2n ** 60n, outbytes: 0n, cps: 1n, inpps: 2n, outpps: 3n, inbps: 4n, outbps: 5n });
    expect(parseGlobalStats('')).toBeUndefined();
    expect(parseGlobalStats('1 2 3 4 5\n')).toBeUndefined();
  });
});

describe('parseListen', () => {
  it.each([
    ['9565', { host: '127.0.0.1', port: 9565 }],
    ['0.0.0.0:9100', { host: '0.0.0.0', port: 9100 }],
    ['[::1]:9100', { host: '::1', port: 9100 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
    ['0', undefined],
    ['70000', undefined],
    [':9100', undefined],
    ['a b:1', undefined],
  ])('%s', (text, expected) => {
    expect(parseListen(text)).toEqual(expected);
  });
});

describe('sync daemons and connection entries', () => {
  const conn = (proto: string, state: string, client: number): string =>
    `${proto} C0000201 ${client.toString(16).toUpperCase().padStart(4, '0')} C0000264 0050 C6336401 0050 ${state.padEnd(11)}      60`;
  const CONN_FILE = ['Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData', conn('TCP', 'ESTABLISHED', 40001), conn('TCP', 'ESTABLISHED', 40002), conn('TCP', 'TIME_WAIT', 40003), conn('UDP', 'UDP', 40004), conn('IP', 'NONE', 0), ''].join('\n');
  const daemons: Snapshot['daemons'] = [{ state: 'master', mcastIfn: 'eth0', syncId: 7 }];

  it('one running series per role and one info series per daemon, labels from the registry', () => {
    const text = exposition({ ...SNAP, daemons }, undefined);
    expect(text).toContain('# TYPE ipvs_sync_daemon_running gauge\nipvs_sync_daemon_running{state="master"} 1\nipvs_sync_daemon_running{state="backup"} 0\n');
    expect(text.split('\n').filter((l) => l.startsWith('ipvs_sync_daemon_info'))).toEqual(['ipvs_sync_daemon_info{state="master",interface="eth0",sync_id="7"} 1']);
    const both = exposition({ ...SNAP, daemons: [...daemons, { state: 'backup', mcastIfn: 'eth1', syncId: 9 }] }, undefined);
    expect(both).toContain('ipvs_sync_daemon_running{state="backup"} 1\n');
    expect(both).toContain('ipvs_sync_daemon_info{state="backup",interface="eth1",sync_id="9"} 1\n');
  });

  it('no daemon: both roles at 0 and no info series', () => {
    const text = exposition(SNAP, undefined);
    expect(text).toContain('ipvs_sync_daemon_running{state="master"} 0\nipvs_sync_daemon_running{state="backup"} 0\n');
    expect(text).not.toContain('ipvs_sync_daemon_info{');
  });

  it('counts the entries of /proc/net/ip_vs_conn by protocol and state', () => {
    const entries = parseConnectionFile(CONN_FILE)!;
    expect(entries).toHaveLength(5);
    const lines = exposition(SNAP, undefined, entries).split('\n').filter((l) => l.startsWith('ipvs_connection_entries'));
    expect(lines).toEqual([
      'ipvs_connection_entries{protocol="ip",state="NONE"} 1',
      'ipvs_connection_entries{protocol="tcp",state="ESTABLISHED"} 2',
      'ipvs_connection_entries{protocol="tcp",state="TIME_WAIT"} 1',
      'ipvs_connection_entries{protocol="udp",state="UDP"} 1',
    ]);
  });

  it('leaves the family out when the table could not be read, keeps it (empty) when it has no entry', () => {
    expect(exposition(SNAP, undefined)).not.toContain('ipvs_connection_entries');
    expect(exposition(SNAP, undefined, [])).toContain('# TYPE ipvs_connection_entries gauge\n');
  });
});
