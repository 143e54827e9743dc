// The lab's traffic targets: `tcp|udp:ADDR:PORT` (IPv6 in brackets) parsed and formatted, both ways.
import { describe, expect, it } from 'vitest';
import { formatTarget, parseTarget } from '../../src/lab/target.js';

describe('parseTarget', () => {
  it.each([
    ['tcp:192.0.2.1:80', { proto: 'tcp', host: '192.0.2.1', port: 80 }],
    ['udp:198.51.100.2:5353', { proto: 'udp', host: '198.51.100.2', port: 5353 }],
    ['tcp:[2001:db8::1]:443', { proto: 'tcp', host: '2001:db8::1', port: 443 }],
    ['udp:[::1]:53', { proto: 'udp', host: '::1', port: 53 }],
    ['tcp:[::ffff:192.0.2.1]:80', { proto: 'tcp', host: '::ffff:192.0.2.1', port: 80 }],
    ['tcp:[2001:DB8::A]:8080', { proto: 'tcp', host: '2001:DB8::A', port: 8080 }],
    ['tcp:192.0.2.1:65535', { proto: 'tcp', host: '192.0.2.1', port: 65535 }],
  ])('%s', (text, target) => {
    expect(parseTarget(text)).toEqual(target);
  });

  it.each([
    '',
    'tcp',
    'tcp:192.0.2.1',
    'tcp:192.0.2.1:',
    'sctp:192.0.2.1:80',
    'TCP:192.0.2.1:80',
    'tcp://192.0.2.1:80',
    'tcp:2001:db8::1:80',
    'tcp:[2001:db8::1:80',
    'tcp:[]:80',
    'tcp:host.example:80',
    'tcp:192.0.2.1:http',
    'tcp:192.0.2.1:123456',
    'tcp:192.0.2.1:80 ',
  ])('refuses %j naming the expected form', (text) => {
    expect(() => parseTarget(text)).toThrow(new Error(`bad target ${text} (expected tcp|udp:ADDR:PORT)`));
  });

  it('refuses ports outside 1..65535; the address itself is left to the sockets', () => {
    expect(() => parseTarget('tcp:1.2:99999')).toThrow('bad target tcp:1.2:99999 (expected tcp|udp:ADDR:PORT)');
    expect(() => parseTarget('tcp:192.0.2.1:0')).toThrow('bad target tcp:192.0.2.1:0 (expected tcp|udp:ADDR:PORT)');
    expect(parseTarget('tcp:1.2:65535')).toEqual({ proto: 'tcp', host: '1.2', port: 65535 });
  });
});

describe('formatTarget', () => {
  it('writes IPv4 hosts bare and IPv6 hosts in brackets', () => {
    expect(formatTarget({ proto: 'tcp', host: '192.0.2.1', port: 80 })).toBe('tcp:192.0.2.1:80');
    expect(formatTarget({ proto: 'udp', host: '2001:db8::100', port: 53 })).toBe('udp:[2001:db8::100]:53');
  });

  it.each(['tcp:192.0.2.1:80', 'udp:[2001:db8::1]:53', 'udp:[::]:1'])('%s survives parse then format', (text) => {
    expect(formatTarget(parseTarget(text))).toBe(text);
  });
});
