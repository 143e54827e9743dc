// The JSON save both ways: what saveJson writes validates against the shipped schema and reads
// back (readJsonSave) into exactly the settings it was made from (property test over every kind
// of service and real server); a listing document reads back the same; every bad field is named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6 } from '../../src/ipvs/constants.js';
import { decodeChecksum, decodeServiceFlags } from '../../src/ipvs/value-codec.js';
import { FORWARDING_METHODS, TUNNEL_TYPES } from '../../src/ipvs/vocabulary.js';
import { ipv4 } from '../../src/ipvs/address.js';
import type { Address } from '../../src/ipvs/address.js';
import type { DaemonConfig, Destination, Service, ServiceWithDestinations } from '../../src/ipvs/model.js';
import { ZERO_STATS } from '../../src/ipvs/model.js';
import { isJsonSave, readJsonSave, SaveFormatError } from '../../src/save/json-read.js';
import type { SavedTable } from '../../src/save/json-read.js';
import { saveJson } from '../../src/save/json-write.js';
import { listingJson } from '../../src/table/json.js';
import { sortDestinations, sortServices } from '../../src/table/sort.js';
import { dest, entry, fwm, svc } from '../support/format-fixtures.js';
import { fuzzParameters } from '../support/fuzz.js';
import { validJson } from '../support/json-schema.js';

const TIMEOUTS = { tcp: 900, tcpFin: 120, udp: 300 };

/** In the listing's order, as the save writes it (so services[i] below is TABLE[i]). */
const TABLE: ServiceWithDestinations[] = [
  entry(fwm(0xffffffff, { ipv6: true, scheduler: 'rr', persistent: true, timeout: 60, netmask: 64 }), dest('2001:db8::5', 0, { weight: 0 })),
  entry(
    svc(6, '192.0.2.7', 80, { scheduler: 'sh', schedFlags: [1, 2, 3] }),
    dest('198.51.100.7', 80, { forwarding: 'tunnel', tunnelType: 'gue', tunnelPort: 6080, checksum: 'remcsum' }),
    dest('198.51.100.8', 80, { forwarding: 'tunnel', tunnelType: 'gre', checksum: 'csum' }),
    dest('198.51.100.9', 80, { forwarding: 'local' }),
  ),
  entry(svc(17, '192.0.2.4', 5060, { persistent: true, onePacket: true, timeout: 100, netmask: 0xffffff00, pe: 'sip' })),
  entry(svc(132, '192.0.2.5', 9999, { scheduler: 'dh' }), dest('198.51.100.12', 9999, { forwarding: 'masq', weight: 2147483647 })),
  entry(
    svc(6, '2001:db8::1', 80, { scheduler: 'mh', persistent: true, schedFlags: [2], timeout: 30, netmask: 96 }),
    dest('2001:db8::2', 8080, { forwarding: 'masq', uThreshold: 100, lThreshold: 10 }),
    dest('198.51.100.6', 80, { forwarding: 'tunnel', tunnelType: 'ipip' }),
  ),
  entry(fwm(16, { scheduler: 'mh', schedFlags: [3] })),
];

const DAEMONS: DaemonConfig[] = [
  { state: 'master', mcastIfn: 'eth0', syncId: 7, syncMaxlen: 1472, mcastGroup: ipv4([224, 0, 0, 81]), mcastPort: 8848, mcastTtl: 1 },
  { state: 'backup', mcastIfn: 'eth1', syncId: 9 },
];

/** What a restore should give back of a table: each service's settings and its real servers'. */
function settingsOf(table: readonly ServiceWithDestinations[]): unknown[] {
  return sortServices(table).map(({ service, destinations }) => {
    const { stats: _s, ...config } = service;
    const dests = sortDestinations(destinations).map(({ stats: _d, activeConns: _a, inactConns: _i, persistConns: _p, ...d }) => d);
    return { service: config, destinations: dests };
  });
}

const restored = (saved: SavedTable): unknown[] => saved.services.map(({ service, destinations }) => ({ service, destinations }));

describe('saveJson', () => {
  it('writes a document of kind "save" that the shipped schema accepts, numeric, without counters', () => {
    const doc = validJson(saveJson({ services: TABLE, timeouts: { tcp: 901, tcpFin: 121, udp: 301 }, daemons: DAEMONS }));
    expect(doc).toMatchObject({ format: 'ipvsadm-ts', version: 1, kind: 'save', timeouts: { tcp: 901, tcpFin: 121, udp: 301 } });
    expect(doc['daemons']).toEqual([
      { state: 'master', interface: 'eth0', syncId: 7, syncMaxlen: 1472, group: '224.0.0.81', port: 8848, ttl: 1 },
      { state: 'backup', interface: 'eth1', syncId: 9 },
    ]);
    const text = JSON.stringify(doc);
    for (const word of ['stats', 'rates', 'Connections', 'hostname', '"flags"']) expect(text).not.toContain(word);
  });

  it('keeps every scheduler flag bit, mh and sh SCHED3 as flag-3 (1.31 text has no word for it)', () => {
    const doc = validJson(saveJson({ services: TABLE, timeouts: TIMEOUTS, daemons: [] }));
    const flags = (doc['services'] as { schedulerFlags: string[] }[]).map((s) => s.schedulerFlags);
    expect(flags).toContainEqual(['flag-3']);
    expect(flags).toContainEqual(['sh-fallback', 'sh-port', 'flag-3']);
  });

  it('reads back into the settings it was written from, timeouts and daemons too', () => {
    const saved = readJsonSave(saveJson({ services: TABLE, timeouts: { tcp: 1, tcpFin: 0, udp: 2678400 }, daemons: DAEMONS }));
    expect(restored(saved)).toEqual(settingsOf(TABLE));
    expect(saved.timeouts).toEqual({ tcp: 1, tcpFin: 0, udp: 2678400 });
    expect(saved.daemons).toEqual(DAEMONS);
    expect(saved.services.map((s) => s.at)).toEqual(TABLE.map((_, i) => `services[${i}]`));
  });

  it('reads a save that starts with a byte order mark and ends with CRLF lines', () => {
    const text = `\uFEFF${saveJson({ services: TABLE, timeouts: TIMEOUTS, daemons: [] }).replaceAll('\n', '\r\n')}`;
    expect(restored(readJsonSave(text))).toEqual(settingsOf(TABLE));
  });

  it('a -L --json table document reads back the same services (no timeouts, no daemons)', () => {
    const listing = listingJson({ info: { version: 0x10201, connTabSize: 4096 }, services: TABLE }, { nosort: false }, undefined);
    const saved = readJsonSave(listing);
    expect(restored(saved)).toEqual(settingsOf(TABLE));
    expect(saved).toMatchObject({ daemons: [] });
    expect(saved.timeouts).toBeUndefined();
  });
});

const u8 = fc.integer({ min: 0, max: 255 });
const v4 = fc.tuple(u8, u8, u8, u8).map((b) => ipv4(b));
const v6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes): Address => ({ af: AF_INET6, bytes }));
const port = fc.integer({ min: 0, max: 65535 });
const schedulers = fc.constantFrom('rr', 'wlc', 'sh', 'mh', 'lblc');

const serviceArb: fc.Arbitrary<Service> = fc
  .record({
    af: fc.constantFrom(AF_INET, AF_INET6),
    fwmark: fc.option(fc.integer({ min: 1, max: 0xffffffff }), { nil: undefined }),
    protocol: fc.constantFrom(6, 17, 132),
    a4: v4,
    a6: v6,
    port,
    scheduler: schedulers,
    sched: fc.integer({ min: 0, max: 7 }),
    persistent: fc.boolean(),
    onePacket: fc.boolean(),
    timeout: fc.integer({ min: 1, max: 2678400 }),
    mask4: fc.integer({ min: 0, max: 0xffffffff }),
    prefix: fc.integer({ min: 1, max: 128 }),
    pe: fc.constantFrom('', 'sip'),
  })
  .map((r) => {
    const addr = r.af === AF_INET ? r.a4 : r.a6;
    const key = r.fwmark !== undefined ? ({ kind: 'fwmark', af: r.af, fwmark: r.fwmark } as const) : ({ kind: 'addr', af: r.af, protocol: r.protocol, addr, port: r.port } as const);
    const flags = decodeServiceFlags((r.persistent ? 1 : 0) | (r.onePacket ? 4 : 0) | (r.sched * 8));
    const netmask = r.persistent ? (r.af === AF_INET ? r.mask4 : r.prefix) : r.af === AF_INET ? 0xffffffff : 128;
    return { key, scheduler: r.scheduler, ...flags, timeout: r.persistent ? r.timeout : 0, netmask, pe: r.pe, stats: ZERO_STATS };
  });

const destArb: fc.Arbitrary<Destination> = fc
  .record({
    addr: fc.oneof(v4, v6),
    port,
    method: fc.constantFrom(...FORWARDING_METHODS),
    weight: fc.integer({ min: 0, max: 2147483647 }),
    u: fc.integer({ min: 0, max: 2147483647 }),
    l: fc.integer({ min: 0, max: 2147483647 }),
    tunType: fc.constantFrom(...TUNNEL_TYPES),
    tunPort: fc.integer({ min: 1, max: 65535 }),
    tunFlags: fc.integer({ min: 0, max: 3 }).map(decodeChecksum),
  })
  .map((r) => {
    const tunnel = r.method === 'tunnel';
    const tunnelType = tunnel ? r.tunType : 'ipip';
    return {
      addr: r.addr,
      port: r.port,
      forwarding: r.method,
      weight: r.weight,
      uThreshold: r.u,
      lThreshold: r.l,
      tunnelType,
      tunnelPort: tunnel && tunnelType === 'gue' ? r.tunPort : 0,
      checksum: tunnel && tunnelType !== 'ipip' ? r.tunFlags : 'nocsum',
      activeConns: 0,
      inactConns: 0,
      persistConns: 0,
      stats: ZERO_STATS,
    };
  });

/** Services with unique keys, each with real servers of unique address and port. */
const tableArb = fc.uniqueArray(
  fc.record({ service: serviceArb, destinations: fc.uniqueArray(destArb, { maxLength: 4, selector: (d) => `${d.addr.af}/${d.addr.bytes.join('.')}/${d.port}` }) }),
  { maxLength: 6, selector: ({ service: { key: k } }) => (k.kind === 'fwmark' ? `f${k.af}/${k.fwmark}` : `a${k.protocol}/${k.addr.bytes.join('.')}/${k.port}`) },
);

describe('save → read, any table', () => {
  it('gives back every setting of every service and real server; the schema accepts the save', () => {
    fc.assert(
      fc.property(tableArb, (table) => {
        const text = saveJson({ services: table, timeouts: TIMEOUTS, daemons: [] });
        validJson(text);
        expect(restored(readJsonSave(text))).toEqual(settingsOf(table));
      }),
      fuzzParameters(300),
    );
  });
});

describe('isJsonSave', () => {
  it.each([
    ['{}', true],
    [' \r\n\t{"format"', true],
    ['\uFEFF{', true],
    ['-A -t 192.0.2.1:80', false],
    ['', false],
    ['# {', false],
  ])('%j → %s', (text, json) => {
    expect(isJsonSave(text)).toBe(json);
  });
});

/** A valid save with `edit` applied to its parsed form, as text. */
function edited(edit: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(saveJson({ services: TABLE, timeouts: TIMEOUTS, daemons: DAEMONS })) as Record<string, any>;
  edit(doc);
  return JSON.stringify(doc, null, 2);
}

function problem(text: string): string {
  try {
    readJsonSave(text);
  } catch (e) {
    if (e instanceof SaveFormatError) return e.message;
    throw e;
  }
  throw new Error('read without a problem');
}

describe('a document that cannot be restored: the first problem, by its path', () => {
  it.each<[string, string, string]>([
    ['not JSON', '{\n  "format": "ipvsadm-ts",\n  "version": 1,\n}', "not valid JSON: Expected double-quoted property name at line 4, column 1"],
    ['cut short', '{"format": "ipvsadm-ts"', 'not valid JSON: Expected \',\' or \'}\' after property value at line 1, column 24'],
    ['a NUL byte', '{"format": "ipvsadm-ts"\0}', "not valid JSON: Expected ',' or '}' after property value at line 1, column 24"],
    ['an array', '[]', 'must be an object'],
  ])('%s', (_name, text, message) => {
    expect(problem(text)).toBe(message);
  });

  const section = (s: number, d?: number) => (d === undefined ? `services[${s}]` : `services[${s}].destinations[${d}]`);
  it.each<[string, (doc: Record<string, any>) => void, string]>([
    ['another format', (d) => (d['format'] = 'keepalived'), 'format: must be "ipvsadm-ts" (a document of `ipvsadm -S --json` or `ipvsadm -L --json`)'],
    ['a newer version', (d) => (d['version'] = 2), 'version: 2 is newer than this ipvsadm reads (1)'],
    ['a timeouts listing', (d) => (d['kind'] = 'timeouts'), 'kind: must be "save" or "table" to restore (timeouts, daemons and connections documents are not tables)'],
    ['no services', (d) => delete d['services'], '"services" is missing'],
    ['a misspelt field', (d) => (d['services'][3]['destinations'][0]['wieght'] = 1), `${section(3, 0)}.wieght: is not a field this document has`],
    ['counters in a save', (d) => (d['services'][5]['stats'] = {}), `${section(5)}.stats: is not a field this document has`],
    ['an unknown protocol', (d) => (d['services'][4]['protocol'] = 'icmp'), `${section(4)}.protocol: must be one of "tcp", "udp", "sctp"`],
    ['an IPv6 address called inet', (d) => (d['services'][4]['family'] = 'inet'), `${section(4)}.address: is not an address of family "inet"`],
    ['a bad address', (d) => (d['services'][3]['destinations'][0]['address'] = '198.51.100.300'), `${section(3, 0)}.address: must be an IPv4 or IPv6 address`],
    ['port 65536', (d) => (d['services'][4]['port'] = 65536), `${section(4)}.port: must be an integer from 0 to 65535`],
    ['a fractional weight', (d) => (d['services'][3]['destinations'][0]['weight'] = 1.5), `${section(3, 0)}.weight: must be an integer from 0 to 2147483647`],
    ['a weight as text', (d) => (d['services'][3]['destinations'][0]['weight'] = '1'), `${section(3, 0)}.weight: must be an integer from 0 to 2147483647`],
    ['fwmark 0', (d) => (d['services'][5]['fwmark'] = 0), `${section(5)}.fwmark: must be an integer from 1 to 4294967295`],
    ['a long scheduler name', (d) => (d['services'][4]['scheduler'] = 'x'.repeat(16)), `${section(4)}.scheduler: must be a name of 1 to 15 bytes`],
    ['sh-port on rr', (d) => ((d['services'][3]['scheduler'] = 'rr'), (d['services'][3]['schedulerFlags'] = ['sh-port'])), `${section(3)}.schedulerFlags[0]: is not a flag of scheduler "rr"`],
    ['an unknown flag', (d) => (d['services'][3]['schedulerFlags'] = ['flag-4']), `${section(3)}.schedulerFlags[0]: is not a scheduler flag (flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback, mh-port)`],
    ['a persistence of 0 s', (d) => (d['services'][2]['persistence']['timeout'] = 0), `${section(2)}.persistence.timeout: must be an integer from 1 to 2678400`],
    ['an IPv4 prefix length', (d) => (d['services'][2]['persistence']['netmask'] = 24), `${section(2)}.persistence.netmask: must be a dotted IPv4 mask such as "255.255.255.0"`],
    ['a tunnel on a DR server', (d) => (d['services'][3]['destinations'][0]['tunnel'] = { type: 'ipip' }), `${section(3, 0)}.tunnel: must be null unless forwarding is "tunnel"`],
    ['a tunnel without a type', (d) => (d['services'][4]['destinations'][0]['tunnel'] = null), `${section(4, 0)}.tunnel: must say the tunnel type of a "tunnel" real server`],
    ['gue without a port', (d) => delete d['services'][1]['destinations'][0]['tunnel']['port'], `${section(1, 0)}.tunnel: "port" is missing`],
    ['a port on gre', (d) => (d['services'][1]['destinations'][1]['tunnel']['port'] = 1), `${section(1, 1)}.tunnel.port: is not a field this document has`],
    ['a bad checksum', (d) => (d['services'][1]['destinations'][1]['tunnel']['checksum'] = 'crc'), `${section(1, 1)}.tunnel.checksum: must be "nocsum", "csum", "remcsum" or the flag bits as a number`],
    ['a service twice', (d) => d['services'].push(d['services'][1]), `services[6]: the same service as services[1]`],
    ['a real server twice', (d) => d['services'][1]['destinations'].push(d['services'][1]['destinations'][2]), `${section(1, 3)}: the same real server as ${section(1, 2)}`],
    ['a third timeout missing', (d) => delete d['timeouts']['udp'], 'timeouts: "udp" is missing'],
    ['a daemon state twice', (d) => (d['daemons'][1]['state'] = 'master'), 'daemons[1]: the same daemon state as daemons[0]'],
    ['a long interface name', (d) => (d['daemons'][0]['interface'] = 'x'.repeat(16)), 'daemons[0].interface: must be a name of 1 to 15 bytes'],
    ['a unicast group', (d) => (d['daemons'][0]['group'] = '192.0.2.1'), 'daemons[0].group: must be a multicast address (224.0.0.0/4 or ff00::/8)'],
    ['sync id 256', (d) => (d['daemons'][0]['syncId'] = 256), 'daemons[0].syncId: must be an integer from 0 to 255'],
  ])('%s', (_name, edit, message) => {
    expect(problem(edited(edit))).toBe(message);
  });
});

it('TABLE is in the listing order', () => {
  expect(sortServices(TABLE)).toEqual(TABLE);
});

describe('every problem, one per item', () => {
  it('the first problem of each service, real server list, timeouts and daemons', () => {
    const text = edited((d) => {
      d['services'][0]['fwmark'] = 0;
      d['services'][3]['destinations'][0]['weight'] = -1;
      d['services'][3]['port'] = 70000;
      d['timeouts']['tcp'] = 'long';
      d['daemons'][1]['state'] = 'standby';
    });
    let error: unknown;
    try {
      readJsonSave(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SaveFormatError);
    expect((error as SaveFormatError).all.map((p) => p.message)).toEqual([
      'services[0].fwmark: must be an integer from 1 to 4294967295',
      'services[3].port: must be an integer from 0 to 65535',
      'timeouts.tcp: must be an integer from 0 to 2678400',
      'daemons[1].state: must be one of "master", "backup"',
    ]);
  });
});
