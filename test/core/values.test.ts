// Value parsers of ipvsadm's options (1.31's ranges, messages and address rules).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  atoi,
  parseDaemonState,
  parseFwmark,
  parseHostPort,
  parseInetAton,
  parseMcastGroup,
  parseNetmask,
  parsePersistence,
  parseSchedFlags,
  parseTimeout,
  parseTunType,
  stringToNumber,
  truncateBytes,
} from '../../src/core/values.js';
import { formatAddress } from '../../src/ipvs/address.js';
import { FixedNames } from '../support/fixed-names.js';

/** The message and exit status of the UsageError `fn` throws. */
function failure(fn: () => unknown): { message: string; exit: number } {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return { message: e.message, exit: e.exitCode };
    throw e;
  }
  throw new Error('expected a UsageError');
}

async function failureOf(p: Promise<unknown>): Promise<{ message: string; exit: number }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UsageError) return { message: e.message, exit: e.exitCode };
    throw e;
  }
  throw new Error('expected a UsageError');
}

describe('stringToNumber (strtol base 10, whole text, range)', () => {
  it.each([
    ['7', 7],
    [' 7', 7],
    ['\t\n7', 7],
    ['+85', 85],
    ['087', 87],
    ['-0', 0],
    ['0', 0],
    ['65535', 65535],
  ])('%j → %d', (text, value) => {
    expect(stringToNumber(text, 0, 65535)).toBe(value);
  });

  it.each(['', ' ', '+', '-', '7 ', '7x', '0x10', '1e3', '65536', '-1', '1.5', '٣', '99999999999999999999999'])(
    '%j is refused for 0..65535',
    (text) => {
      expect(stringToNumber(text, 0, 65535)).toBeUndefined();
    },
  );

  it('keeps the lower bound', () => {
    expect(stringToNumber('0', 1, 10)).toBeUndefined();
    expect(stringToNumber('-3', -5, 10)).toBe(-3);
  });

  it('agrees with strtol read through BigInt for any text and range (property)', () => {
    /** the reference: C strtol base 10 with end == text end, then the range check */
    const reference = (text: string, min: number, max: number): number | undefined => {
      const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
      if (!m) return undefined;
      const v = m[1] === '-' ? -BigInt(m[2]!) : BigInt(m[2]!);
      return v < BigInt(min) || v > BigInt(max) ? undefined : Number(v);
    };
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 12 });
    const text = fc.oneof(digits, fc.string({ unit: fc.constantFrom(...'0123456789 +-x\t.'), maxLength: 12 }), fc.string({ maxLength: 12 }));
    const bound = fc.oneof(fc.integer({ min: -10, max: 10 }), fc.constantFrom(0, 1, 65535, 65536, 0xffffffff, 999999999, 1000000000));
    fc.assert(
      fc.property(text, bound, bound, (t, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        expect(stringToNumber(t, min, max)).toBe(reference(t, min, max));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('atoi', () => {
  it.each([
    ['64', 64],
    ['64abc', 64],
    ['abc', 0],
    ['', 0],
    ['  -12x', -12],
    ['+128', 128],
    ['4294967360', 64],
    ['99999999999999999999', -1],
  ])('%j → %d', (text, value) => {
    expect(atoi(text)).toBe(value);
  });
});

describe('parseInetAton (glibc inet_aton forms)', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['192.0.2', '192.0.0.2'],
    ['192.2', '192.0.0.2'],
    ['3221225985', '192.0.2.1'],
    ['0xc0000201', '192.0.2.1'],
    ['0XC0000201', '192.0.2.1'],
    ['0300.0.2.1', '192.0.2.1'],
    ['0300.0x0.02.01', '192.0.2.1'],
    ['255.255.255', '255.255.0.255'],
    ['24', '0.0.0.24'],
    ['0', '0.0.0.0'],
    ['1.2.65535', '1.2.255.255'],
    ['1.16777215', '1.255.255.255'],
    ['4294967295', '255.255.255.255'],
    ['192.0.2.1 trailing words', '192.0.2.1'],
    ['192.0.2.1\tx', '192.0.2.1'],
  ])('%j → %s', (text, expected) => {
    const addr = parseInetAton(text);
    expect(addr && formatAddress(addr)).toBe(expected);
  });

  it.each([
    '',
    'x',
    '192.0.2.256',
    '192.0.2.1.5',
    '192.0.2.',
    '.1',
    '1..2',
    '08',
    '09.1.1.1',
    '0x',
    '0xg',
    '1.2.65536',
    '1.16777216',
    '4294967296',
    '256.1',
    '+1.2.3.4',
    ' 1.2.3.4',
    '1.2.3.4x',
    '1.2.3.4:80',
    '::1',
  ])('%j is refused', (text) => {
    expect(parseInetAton(text)).toBeUndefined();
  });
});

describe('parseInetAton, decimal quads (the fast path) and their leading-zero forms', () => {
  it('any a.b.c.d in plain decimal is those four bytes; with a leading zero a part is octal (or refused)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.nat(3), (parts, k) => {
        expect(formatAddress(parseInetAton(parts.join('.'))!)).toBe(parts.join('.'));
        const padded = parts.map((p, i) => (i === k ? `0${p}` : String(p))).join('.');
        const octal = /^[0-7]+$/.test(String(parts[k])) ? parseInt(String(parts[k]), 8) : undefined;
        const got = parseInetAton(padded);
        if (octal === undefined) expect(got).toBeUndefined();
        else expect(got && formatAddress(got)).toBe(parts.map((p, i) => (i === k ? octal : p)).join('.'));
      }),
    );
  });

  it('parts above 255 and five parts are refused on either path', () => {
    for (const text of ['256.0.0.1', '1.2.3.999', '1.2.3.4.5', '1.2.3.04.5']) expect(parseInetAton(text)).toBeUndefined();
  });
});

describe('parseHostPort', () => {
  const names = new FixedNames();

  it('answers numeric addresses at once and only a host name with a promise', () => {
    expect(parseHostPort('192.0.2.1:80', 6, names)).toMatchObject({ port: 80 });
    expect(parseHostPort('[2001:db8::1]:80', 6, names)).toMatchObject({ port: 80 });
    expect(parseHostPort('192.0.2.1:80x', 6, names)).toBeUndefined();
    expect(parseHostPort('rs1.example.org:80', 6, names)).toBeInstanceOf(Promise);
  });

  const show = async (text: string, protocol = 6): Promise<string | undefined> => {
    const hp = await parseHostPort(text, protocol, names);
    return hp && `${hp.af}|${formatAddress(hp.addr)}|${hp.port ?? '-'}`;
  };

  it.each([
    ['192.0.2.1:80', '2|192.0.2.1|80'],
    ['192.0.2.1', '2|192.0.2.1|-'],
    ['3221225985:80', '2|192.0.2.1|80'],
    ['192.0.2:80', '2|192.0.0.2|80'],
    ['0xc0000201:80', '2|192.0.2.1|80'],
    ['0300.0.2.1:80', '2|192.0.2.1|80'],
    ['192.0.2.1:0', '2|192.0.2.1|0'],
    ['192.0.2.1:65535', '2|192.0.2.1|65535'],
    ['192.0.2.1: 80', '2|192.0.2.1|80'],
    ['192.0.2.1:+85', '2|192.0.2.1|85'],
    ['192.0.2.1:http', '2|192.0.2.1|80'],
    ['192.0.2.1:www', '2|192.0.2.1|80'],
    ['192.0.2.1:http-alt', '2|192.0.2.1|8080'],
    ['vip1.example.org:http', '2|192.0.2.1|80'],
    ['localhost', '2|127.0.0.1|-'],
    ['[2001:db8::1]:80', '10|2001:db8::1|80'],
    ['[2001:db8::1]:http', '10|2001:db8::1|80'],
    ['2001:db8::1', '10|2001:db8::1|-'],
    ['2001:db8::1:80', '10|2001:db8::1:80|-'],
    ['::', '10|::|-'],
    ['[::ffff:192.0.2.7]:80', '10|::ffff:192.0.2.7|80'],
    ['[192.0.2.1]:80', '2|192.0.2.1|-'],
    ['[1.2.3.4:99]:80', '2|1.2.3.4|99'],
    ['[vip1.example.org]:80', '2|192.0.2.1|-'],
  ])('%j', async (text, expected) => {
    expect(await show(text)).toBe(expected);
  });

  it.each([
    '',
    '80',
    '3221225985',
    '[2001:db8::1]',
    '[2001:db8::1',
    '[2001:db8::1]80',
    '[2001:db8::1]:',
    '192.0.2.1:',
    '192.0.2.1:65536',
    '192.0.2.1:-1',
    '192.0.2.1:nosuchservice',
    ':80',
    'unknown.example.org:80',
    'v6only.example.org:80',
    '[]:80',
    '192.0.2.1:mdns',
  ])('%j is refused (tcp)', async (text) => {
    expect(await show(text)).toBeUndefined();
  });

  it('looks service names up for the protocol given', async () => {
    expect(await show('192.0.2.1:http', 17)).toBeUndefined();
    expect(await show('192.0.2.1:domain', 17)).toBe('2|192.0.2.1|53');
    expect(await show('192.0.2.1:mdns', 17)).toBe('2|192.0.2.1|5353');
    expect(await show('192.0.2.1:http', 132)).toBeUndefined();
  });

  it('resolves no port name without a protocol (-r before -t)', async () => {
    const fresh = new FixedNames();
    expect(await parseHostPort('198.51.100.25:http', 0, fresh)).toBeUndefined();
    expect(fresh.calls).toEqual([]);
  });

  it('asks the resolver only when inet_aton fails', async () => {
    const fresh = new FixedNames();
    await parseHostPort('192.0.2', 6, fresh);
    await parseHostPort('[2001:db8::1]:80', 6, fresh);
    await parseHostPort('rs1.example.org:8080', 6, fresh);
    expect(fresh.calls).toEqual(['host:rs1.example.org']);
  });
});

describe('parseFwmark', () => {
  it.each([
    ['1', 1],
    ['4294967295', 4294967295],
    [' 7', 7],
    ['+7', 7],
  ])('%j → %d', (text, mark) => {
    expect(parseFwmark(text)).toBe(mark);
  });

  it.each(['0', '-1', 'abc', '1x', '4294967296', '', '-0', '0x10'])('%j is refused', (text) => {
    expect(failure(() => parseFwmark(text))).toEqual({ message: `invalid fwmark value \`${text}' specified`, exit: 2 });
  });
});

describe('timeouts', () => {
  it('defaults -p without a value to 360 seconds', () => {
    expect(parsePersistence(undefined)).toBe(360);
    expect(parsePersistence('300')).toBe(300);
    expect(parsePersistence('2678400')).toBe(2678400);
  });

  it.each(['', 'foo', '0', '2678401', '-5'])('-p %j is refused', (text) => {
    expect(failure(() => parsePersistence(text))).toEqual({ message: `invalid timeout value \`${text}' specified`, exit: 2 });
  });

  it('accepts 0 for --set', () => {
    expect(parseTimeout('0', 0)).toBe(0);
    expect(failure(() => parseTimeout('2678401', 0)).message).toBe("invalid timeout value `2678401' specified");
  });
});

describe('parseNetmask', () => {
  const names = new FixedNames();
  it.each([
    ['255.255.255.0', 2, 0xffffff00],
    ['255.255.255.255', 2, 0xffffffff],
    ['24', 2, 24],
    ['255.255.255', 2, 0xffff00ff],
    ['0', 2, 0],
    ['localhost', 2, 0x7f000001],
    ['64', 10, 64],
    ['64abc', 10, 64],
    ['128', 10, 128],
    ['1', 10, 1],
  ])('%j (af %d) → %d', async (text, af, value) => {
    expect(await parseNetmask(text, af, names)).toBe(value);
  });

  it.each([
    ['255.255.255.0', 10, 'illegal ipv6 netmask specified'],
    ['abc', 10, 'illegal ipv6 netmask specified'],
    ['0', 10, 'illegal ipv6 netmask specified'],
    ['129', 10, 'illegal ipv6 netmask specified'],
    ['nosuchhost', 2, 'illegal virtual server persistent mask specified'],
    ['', 2, 'illegal virtual server persistent mask specified'],
    ['v6only.example.org', 2, 'illegal virtual server persistent mask specified'],
  ])('%j (af %d) → %s', async (text, af, message) => {
    expect(await failureOf(parseNetmask(text, af, names))).toEqual({ message, exit: 2 });
  });
});

describe('parseSchedFlags', () => {
  it.each([
    ['flag-1', 'wlc', 0x08],
    ['flag-2', 'wlc', 0x10],
    ['flag-3', 'rr', 0x20],
    ['flag-1,flag-3', 'rr', 0x28],
    ['flag-1,', 'wlc', 0x08],
    [',flag-2', 'wlc', 0x10],
    ['flag-1,,flag-2', 'wlc', 0x18],
    ['sh-fallback,sh-port', 'sh', 0x18],
    ['mh-port', 'mh', 0x10],
    ['mh-fallback', 'mh', 0x08],
    ['flag-1', 'sh', 0x08],
    ['', 'wlc', 0],
  ])('%j with %s → %d', (text, scheduler, flags) => {
    expect(parseSchedFlags(text, scheduler)).toBe(flags);
  });

  it.each([
    ['foo', 'wlc', 'invalid scheduler flag `foo\''],
    ['flag-1,foo', 'wlc', 'invalid scheduler flag `foo\''],
    ['FLAG-1', 'wlc', 'invalid scheduler flag `FLAG-1\''],
    ['flag-1 ', 'wlc', 'invalid scheduler flag `flag-1 \''],
    ['sh-port', 'wlc', 'incompatible scheduler flag `sh-port\''],
    ['sh-fallback', 'mh', 'incompatible scheduler flag `sh-fallback\''],
    ['mh-port', 'sh', 'incompatible scheduler flag `mh-port\''],
    ['flag-1,mh-port', 'sh', 'incompatible scheduler flag `mh-port\''],
    // ipvsadm crashes here; we name the argument instead.
    [',', 'wlc', 'invalid scheduler flag `,\''],
    [',,', 'wlc', 'invalid scheduler flag `,,\''],
  ])('%j with %s → %s', (text, scheduler, message) => {
    expect(failure(() => parseSchedFlags(text, scheduler))).toEqual({ message, exit: 2 });
  });
});

describe('small value parsers', () => {
  it('parses multicast groups by family', () => {
    expect(formatAddress(parseMcastGroup('224.0.0.81'))).toBe('224.0.0.81');
    expect(formatAddress(parseMcastGroup('239.255.255.255'))).toBe('239.255.255.255');
    expect(formatAddress(parseMcastGroup('ff02::1:2'))).toBe('ff02::1:2');
    expect(failure(() => parseMcastGroup('192.0.2.1')).message).toBe("invalid IPv4 mcast-group `192.0.2.1'");
    expect(failure(() => parseMcastGroup('240.0.0.1')).message).toBe("invalid IPv4 mcast-group `240.0.0.1'");
    expect(failure(() => parseMcastGroup('239.1.2')).message).toBe("invalid IPv4 mcast-group `239.1.2'");
    expect(failure(() => parseMcastGroup('2001:db8::1')).message).toBe("invalid IPv6 mcast-group `2001:db8::1'");
    expect(failure(() => parseMcastGroup('ff02::g')).message).toBe("invalid IPv6 mcast-group `ff02::g'");
  });

  it('parses tunnel types by their exact names', () => {
    expect([parseTunType('ipip'), parseTunType('gue'), parseTunType('gre')]).toEqual([0, 1, 2]);
    for (const bad of ['GUE', 'ipip ', '', 'toString']) {
      expect(failure(() => parseTunType(bad))).toEqual({ message: 'illegal tunnel type specified', exit: 2 });
    }
  });

  it('parses daemon states with the two different messages', () => {
    expect(parseDaemonState('master', 'start')).toBe(1);
    expect(parseDaemonState('backup', 'stop')).toBe(2);
    expect(failure(() => parseDaemonState('Master', 'start')).message).toBe('illegal start-daemon parameter specified');
    expect(failure(() => parseDaemonState('both', 'stop')).message).toBe('illegal start_daemon specified');
  });

  it('truncates names by bytes', () => {
    expect(truncateBytes('averyveryverylongname', 15)).toBe('averyveryverylo');
    expect(truncateBytes('rr', 15)).toBe('rr');
    expect(truncateBytes('0123456789abcdefXYZ', 16)).toBe('0123456789abcdef');
  });
});
