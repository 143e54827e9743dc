// spec.ts: --vip lists, interface names, ports, and argv values → PrepRequest/Spec, with the
// PrepUsageError for every wrong combination (table-driven).
import { describe, expect, it } from 'vitest';
import { PrepUsageError } from '../../src/prep/errors.js';
import type { Action, Side } from '../../src/prep/model.js';
import { DEFAULT_GUE_PORT, buildRequest, checkIfname, parsePort, parseVips, vipFromText } from '../../src/prep/spec.js';
import type { RawOptions } from '../../src/prep/spec.js';

const texts = (values: string[]): string[] => parseVips(values).map((v) => v.text);

describe('parseVips', () => {
  it('splits comma lists across several --vip values, trims, keeps first-mention order', () => {
    expect(texts(['192.0.2.1, 192.0.2.2', '2001:db8::1'])).toEqual(['192.0.2.1', '192.0.2.2', '2001:db8::1']);
  });

  it('gives family, canonical text and network-order bytes', () => {
    const [v4, v6] = parseVips(['192.0.2.10,2001:DB8:0:0::0:A']);
    expect(v4!.family).toBe(4);
    expect(v4!.text).toBe('192.0.2.10');
    expect([...v4!.address.bytes]).toEqual([192, 0, 2, 10]);
    expect(v6!.family).toBe(6);
    expect(v6!.text).toBe('2001:db8::a');
    expect([...v6!.address.bytes]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a]);
  });

  it('collapses duplicates, also when spelled differently', () => {
    expect(texts(['192.0.2.1,192.0.2.1', '2001:db8::1', '2001:DB8:0::1'])).toEqual(['192.0.2.1', '2001:db8::1']);
  });

  it('no values: no VIPs', () => {
    expect(parseVips([])).toEqual([]);
  });

  it.each([
    [['192.0.2.1,'], '--vip: empty address in the list'],
    [[' '], '--vip: empty address in the list'],
    [['192.0.2.1/32'], '--vip 192.0.2.1/32: a VIP is one address, without a prefix length (it becomes a /32 or /128 host route)'],
    [['2001:db8::1/128'], '--vip 2001:db8::1/128: a VIP is one address, without a prefix length (it becomes a /32 or /128 host route)'],
    [['vip.example'], '--vip vip.example: not an IPv4 or IPv6 address'],
    [['192.0.2.256'], '--vip 192.0.2.256: not an IPv4 or IPv6 address'],
    [['[2001:db8::1]'], '--vip [2001:db8::1]: not an IPv4 or IPv6 address'],
  ])('%j is refused: %s', (values, message) => {
    expect(() => parseVips(values)).toThrow(new PrepUsageError(message));
  });
});

describe('vipFromText', () => {
  it('parses recorded text back; undefined for anything else', () => {
    expect(vipFromText('::ffff:192.0.2.1')?.text).toBe('::ffff:192.0.2.1');
    expect(vipFromText('10.0.0.1')?.family).toBe(4);
    expect(vipFromText('fe80::1%eth0')).toBeUndefined();
    expect(vipFromText('')).toBeUndefined();
  });
});

describe('checkIfname', () => {
  it.each(['eth0', 'lo', 'a', 'abcdefghijklmno', 'eth0.100', 'br-lan', 'wlp3s0'])('accepts %s', (name) => {
    expect(checkIfname(name)).toBe(name);
  });

  it.each(['', '.', '..', 'abcdefghijklmnop', 'a/b', 'eth0:1', 'a b', 'tab\tx', 'ééééééééé'])('refuses %j', (name) => {
    expect(() => checkIfname(name)).toThrow(new PrepUsageError(`--dev ${JSON.stringify(name)}: not a valid interface name`));
  });
});

describe('parsePort', () => {
  it.each([['1', 1], ['6080', 6080], ['65535', 65535], ['00080', 80]])('%s → %d', (text, port) => {
    expect(parsePort(text)).toBe(port);
  });

  it.each(['0', '65536', '99999', '123456', '-1', '+80', '80a', '', ' 80', '0x50'])('refuses %j', (text) => {
    expect(() => parsePort(text)).toThrow(new PrepUsageError(`--tun-port ${text}: expected a port number 1..65535`));
  });
});

const V1 = '192.0.2.1';
const V6 = '2001:db8::1';

describe('buildRequest: accepted', () => {
  it('realserver up dr: defaults tunType ipip and tunPort 6080, no dev', () => {
    const r = buildRequest('realserver', 'up', { mode: 'dr', vip: [V1] });
    expect(r.side).toBe('realserver');
    expect(r.action).toBe('up');
    expect(r.vips.map((v) => v.text)).toEqual([V1]);
    expect(r.spec).toEqual({ side: 'realserver', mode: 'dr', vips: r.vips, tunType: 'ipip', tunPort: 6080 });
    expect(DEFAULT_GUE_PORT).toBe(6080);
  });

  it('realserver tun gue with port and dev', () => {
    const r = buildRequest('realserver', 'up', { mode: 'tun', vip: [`${V1},${V6}`], dev: 'eth1', tunType: 'gue', tunPort: '5555' });
    expect(r.spec).toEqual({ side: 'realserver', mode: 'tun', vips: r.vips, tunType: 'gue', tunPort: 5555, dev: 'eth1' });
  });

  it.each(['ipip', 'gue', 'gre'] as const)('realserver tun --tun-type %s', (tunType) => {
    const r = buildRequest('realserver', 'check', { mode: 'tun', vip: [V1], tunType });
    expect(r.spec).toMatchObject({ mode: 'tun', tunType, tunPort: 6080 });
  });

  it.each(['nat', 'dr', 'tun'] as const)('director %s, VIPs optional', (mode) => {
    expect(buildRequest('director', 'up', { mode }).spec).toEqual({ side: 'director', mode, vips: [] });
  });

  it('director with dev and VIPs', () => {
    const r = buildRequest('director', 'up', { mode: 'nat', vip: [V1], dev: 'eth0' });
    expect(r.spec).toEqual({ side: 'director', mode: 'nat', vips: r.vips, dev: 'eth0' });
  });

  it('down without --mode leaves the spec to the state file but keeps the named VIPs', () => {
    const r = buildRequest('realserver', 'down', { vip: [V1] });
    expect(r.spec).toBeUndefined();
    expect(r.vips.map((v) => v.text)).toEqual([V1]);
    expect(buildRequest('director', 'down', {}).spec).toBeUndefined();
  });

  it('realserver down with --mode needs no VIP', () => {
    expect(buildRequest('realserver', 'down', { mode: 'dr' }).spec).toMatchObject({ mode: 'dr', vips: [] });
  });
});

describe('buildRequest: refused', () => {
  const cases: [Side, Action, RawOptions, string][] = [
    ['realserver', 'up', { vip: [V1] }, '--mode is required'],
    ['director', 'check', {}, '--mode is required'],
    ['realserver', 'down', { tunType: 'gue' }, '--tun-type, --tun-port, --tun-csum and --tun-local need --mode tun'],
    ['realserver', 'down', { tunPort: '6080' }, '--tun-type, --tun-port, --tun-csum and --tun-local need --mode tun'],
    ['realserver', 'down', { dev: 'eth0' }, '--dev needs --mode (without it, down takes everything from the state file)'],
    ['realserver', 'up', { mode: 'dr' }, '--vip is required'],
    ['realserver', 'check', { mode: 'tun' }, '--vip is required'],
    ['realserver', 'up', { mode: 'nat', vip: [V1] }, '--mode nat: expected one of dr, tun'],
    ['director', 'up', { mode: 'masq' }, '--mode masq: expected one of nat, dr, tun'],
    ['realserver', 'up', { mode: 'tun', vip: [V1], tunType: 'vxlan' }, '--tun-type vxlan: expected one of ipip, gue, gre'],
    ['realserver', 'up', { mode: 'dr', vip: [V1], tunType: 'ipip' }, '--tun-type and --tun-port apply to --mode tun only'],
    ['realserver', 'up', { mode: 'dr', vip: [V1], tunPort: '6080' }, '--tun-type and --tun-port apply to --mode tun only'],
    ['realserver', 'up', { mode: 'tun', vip: [V1], tunPort: '6080' }, '--tun-port applies to --tun-type gue only'],
    ['realserver', 'up', { mode: 'tun', vip: [V1], tunType: 'gre', tunPort: '6080' }, '--tun-port applies to --tun-type gue only'],
    ['realserver', 'up', { mode: 'tun', vip: [V1], tunType: 'gue', tunPort: '0' }, '--tun-port 0: expected a port number 1..65535'],
    ['director', 'up', { mode: 'tun', tunType: 'gue' }, '--tun-type and --tun-port are real-server options (the director sets them per real server with ipvsadm -a)'],
    ['director', 'up', { mode: 'nat', dev: 'bad/name' }, '--dev "bad/name": not a valid interface name'],
    ['realserver', 'up', { mode: 'dr', vip: ['192.0.2.1/24'] }, '--vip 192.0.2.1/24: a VIP is one address, without a prefix length (it becomes a /32 or /128 host route)'],
  ];

  it.each(cases)('%s %s %j: %s', (side, action, raw, message) => {
    let caught: unknown;
    try {
      buildRequest(side, action, raw);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PrepUsageError);
    expect((caught as Error).message).toBe(message);
  });
});
