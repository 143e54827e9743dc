// The system NameResolver over files written to a temp directory (DNS switched off through the
// nsswitch file, so no test touches the network), and its file parsers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostsNameOf, hostsUseDns, parseHostsFile, parseServicesFile, systemNameResolver } from '../../src/app/system-names.js';
import { parseIPv4, parseIPv6 } from '../../src/ipvs/address.js';

const SERVICES = [
  '# Network services, Internet style',
  'tcpmux\t\t1/tcp\t\t\t\t# TCP port service multiplexer',
  'domain\t\t53/tcp\t\t\t\t# Domain Name Server',
  'domain\t\t53/udp',
  'http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP',
  'www-dup\t\t80/tcp',
  'mdns\t\t5353/udp\t\t\t# Multicast DNS',
  'http-alt\t8080/tcp\twebcache\t# WWW caching service',
  'broken\t\tnoport',
  'huge\t\t70000/tcp',
  '   ',
].join('\n');

const HOSTS = [
  '127.0.0.1\tlocalhost',
  '127.0.0.1\tsecond-name',
  '192.0.2.1 vip1.example.org vip1 # the VIP',
  '# 198.51.100.1 commented.example.org',
  '::1 localhost ip6-localhost',
  '2001:db8::1 vip6.example.org',
  'not-an-address bogus.example.org',
  '198.51.100.9',
].join('\n');

describe('parseServicesFile', () => {
  const t = parseServicesFile(SERVICES);
  it('indexes names and aliases per protocol, first line winning', () => {
    expect(t.byName.get('tcp/http')).toBe(80);
    expect(t.byName.get('tcp/www')).toBe(80);
    expect(t.byName.get('udp/http')).toBeUndefined();
    expect(t.byName.get('udp/domain')).toBe(53);
    expect(t.byName.get('tcp/webcache')).toBe(8080);
    expect(t.byPort.get('tcp/80')).toBe('http');
    expect(t.byPort.get('udp/5353')).toBe('mdns');
    expect(t.byPort.get('tcp/5353')).toBeUndefined();
  });
  it('skips malformed lines', () => {
    expect(t.byName.has('tcp/broken')).toBe(false);
    expect(t.byName.has('tcp/huge')).toBe(false);
  });
});

describe('parseHostsFile and hostsNameOf', () => {
  const entries = parseHostsFile(HOSTS);
  it('gives the first name of the first matching line', () => {
    expect(hostsNameOf(entries, parseIPv4('127.0.0.1')!)).toBe('localhost');
    expect(hostsNameOf(entries, parseIPv4('192.0.2.1')!)).toBe('vip1.example.org');
    expect(hostsNameOf(entries, parseIPv6('::1')!)).toBe('localhost');
    expect(hostsNameOf(entries, parseIPv6('2001:db8:0::1')!)).toBe('vip6.example.org');
  });
  it('ignores comments, lines without a name and bad addresses', () => {
    expect(hostsNameOf(entries, parseIPv4('198.51.100.1')!)).toBeUndefined();
    expect(hostsNameOf(entries, parseIPv4('198.51.100.9')!)).toBeUndefined();
    expect(entries).toHaveLength(5);
  });
});

describe('hostsUseDns', () => {
  it.each([
    ['hosts:          files dns', true],
    ['passwd: files\nhosts: files mdns4_minimal [NOTFOUND=return] dns myhostname', true],
    ['hosts: files', false],
    ['hosts:files myhostname', false],
    ['passwd: files', true],
    [undefined, true],
  ])('%j → %s', (text, expected) => {
    expect(hostsUseDns(text)).toBe(expected);
  });
});

describe('systemNameResolver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipvsadm-names-'));
  writeFileSync(join(dir, 'services'), SERVICES);
  writeFileSync(join(dir, 'hosts'), HOSTS);
  writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: files\n');
  const names = systemNameResolver({
    servicesPath: join(dir, 'services'),
    hostsPath: join(dir, 'hosts'),
    nsswitchPath: join(dir, 'nsswitch.conf'),
    reverseTimeoutMs: 50,
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('looks ports up both ways', () => {
    expect(names.portByName('http', 'tcp')).toBe(80);
    expect(names.portByName('http', 'udp')).toBeUndefined();
    expect(names.portByName('domain', 'udp')).toBe(53);
    expect(names.nameByPort(8080, 'tcp')).toBe('http-alt');
    expect(names.nameByPort(8080, 'udp')).toBeUndefined();
  });

  it('reverse-resolves from the hosts file only when nsswitch has no dns', async () => {
    expect(await names.nameByAddress(parseIPv4('192.0.2.1')!)).toBe('vip1.example.org');
    expect(await names.nameByAddress(parseIPv6('2001:db8::1')!)).toBe('vip6.example.org');
    const start = Date.now();
    expect(await names.nameByAddress(parseIPv4('203.0.113.77')!)).toBeUndefined();
    expect(Date.now() - start).toBeLessThan(40);
  });

  it('resolves host names to IPv4 only', async () => {
    expect(await names.hostByName('')).toBeUndefined();
    expect(await names.hostByName('localhost')).toEqual(parseIPv4('127.0.0.1'));
  });

  it('treats missing files as empty', async () => {
    const none = systemNameResolver({ servicesPath: join(dir, 'x'), hostsPath: join(dir, 'x'), nsswitchPath: join(dir, 'nsswitch.conf') });
    expect(none.portByName('http', 'tcp')).toBeUndefined();
    expect(await none.nameByAddress(parseIPv4('192.0.2.1')!)).toBeUndefined();
  });
});
