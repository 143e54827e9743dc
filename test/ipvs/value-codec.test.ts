// The codes behind the typed values, against the kernel's (uapi ip_vs.h): each decoded and
// encoded back, codes without a name kept as numbers, HASHED (the kernel's own bit) dropped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checksumComputed,
  decodeChecksum,
  decodeDaemonRoles,
  decodeServiceFlags,
  encodeChecksum,
  encodeDaemonRole,
  encodeSchedFlag,
  encodeServiceFlags,
} from '../../src/ipvs/value-codec.js';

describe('service flags', () => {
  it('PERSISTENT 0x1, ONEPACKET 0x4, SCHED1..3 0x8..0x20; HASHED 0x2 dropped; other bits kept', () => {
    expect(decodeServiceFlags(0x1 | 0x2 | 0x4 | 0x10 | 0x100)).toEqual({ persistent: true, onePacket: true, schedFlags: [2], unnamedFlags: 0x100 });
    expect(decodeServiceFlags(0)).toEqual({ persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0 });
    expect(([1, 2, 3] as const).map(encodeSchedFlag)).toEqual([0x8, 0x10, 0x20]);
  });

  it('encode(decode(bits)) is bits without HASHED, for every 32-bit value', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => encodeServiceFlags(decodeServiceFlags(bits)) === (bits & ~0x2) >>> 0));
  });
});

describe('checksum mode and daemon role', () => {
  it('checksum NOCSUM 0, CSUM 1, REMCSUM 2; 3 (both asked) stays 3 and still asks for a checksum', () => {
    expect([0, 1, 2, 3].map(decodeChecksum)).toEqual(['nocsum', 'csum', 'remcsum', 3]);
    expect(([0, 1, 2, 3] as const).map((c) => encodeChecksum(decodeChecksum(c)))).toEqual([0, 1, 2, 3]);
    expect([0, 1, 2, 3].map((c) => checksumComputed(decodeChecksum(c)))).toEqual([false, true, false, true]);
  });

  it('roles MASTER 1, BACKUP 2: a state holding both is both, one holding none is none', () => {
    expect([0, 1, 2, 3, 4].map(decodeDaemonRoles)).toEqual([[], ['master'], ['backup'], ['master', 'backup'], []]);
    expect([encodeDaemonRole('master'), encodeDaemonRole('backup')]).toEqual([1, 2]);
  });
});
