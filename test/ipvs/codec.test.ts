// IPVS codec against bytes built independently (test/support/bytes.ts): request nests for
// services, destinations, timeouts and daemons, and decoding of kernel-shaped replies (as Linux 6.1 sends them to ipvsadm 1.31).
import { describe, expect, it } from 'vitest';
import { AttributeSet, AttributeWriter } from '../../src/netlink/attributes.js';
import { MalformedMessageError } from '../../src/netlink/errors.js';
import * as C from '../../src/ipvs/constants.js';
import {
  decodeDaemons, decodeDestination, decodeInfo, decodeService, decodeTimeouts,
  putDaemonNest, putDestNest, putServiceKeyNest, putServiceNest, putTimeouts,
} from '../../src/ipvs/codec.js';
import { ipv4, parseIPv6 } from '../../src/ipvs/address.js';
import type { DestinationConfig, ServiceConfig } from '../../src/ipvs/model.js';
import { IPVS, attr, be16, be32, cat, hex, nest, nestPlain, str, u16, u32, u64, u8 } from '../support/bytes.js';
import { statsNest } from '../support/fake-ipvs.js';
import { endianness } from 'node:os';

const { CMD_ATTR, SVC, DEST, DAEMON, STATS, INFO } = IPVS;
const LE = endianness() === 'LE';
const enc = (put: (w: AttributeWriter) => void): Buffer => {
  const w = new AttributeWriter();
  put(w);
  return Buffer.from(w.finish());
};
const reply = (...attrs: Buffer[]): AttributeSet => new AttributeSet(cat(...attrs), 'reply', C.CmdAttr);
const V4 = ipv4([192, 0, 2, 1]);
const V4_WIRE = Buffer.from([192, 0, 2, 1, ...Array<number>(12).fill(0)]);
const V6 = parseIPv6('2001:db8::1')!;
const V6_WIRE = Buffer.from(V6.bytes);
const tcp80 = { kind: 'addr', af: 2, protocol: 6, addr: V4, port: 80 } as const;

describe('constants mirror uapi/linux/ip_vs.h', () => {
  it('command and attribute ids', () => {
    expect(C.Cmd).toEqual(IPVS.CMD);
    expect(C.CmdAttr).toEqual(IPVS.CMD_ATTR);
    expect(C.SvcAttr).toEqual(IPVS.SVC);
    expect(C.DestAttr).toEqual(IPVS.DEST);
    expect(C.DaemonAttr).toEqual(IPVS.DAEMON);
    expect(C.StatsAttr).toEqual(IPVS.STATS);
    expect(C.InfoAttr).toEqual(IPVS.INFO);
  });
  it('flags, methods and numbers', () => {
    expect(C.SvcFlag).toEqual({ PERSISTENT: 1, HASHED: 2, ONEPACKET: 4, SCHED1: 8, SCHED2: 0x10, SCHED3: 0x20 });
    expect(C.FwdMethod).toEqual({ MASQ: 0, LOCALNODE: 1, TUNNEL: 2, DROUTE: 3, BYPASS: 4 });
    expect([C.TunType, C.TunFlag, C.DaemonState]).toEqual([{ IPIP: 0, GUE: 1, GRE: 2 }, { NOCSUM: 0, CSUM: 1, REMCSUM: 2 }, { NONE: 0, MASTER: 1, BACKUP: 2 }]);
    expect([C.AF_INET, C.AF_INET6, C.IPPROTO_TCP, C.IPPROTO_UDP, C.IPPROTO_SCTP]).toEqual([2, 10, 6, 17, 132]);
    expect([C.IPVS_GENL_NAME, C.IPVS_GENL_VERSION]).toEqual(['IPVS', 1]);
  });
});

describe('request nests', () => {
  it('service key: AF, PROTOCOL, 16-byte ADDR, big-endian PORT, in a NLA_F_NESTED nest', () => {
    expect(enc((w) => putServiceKeyNest(w, tcp80))).toEqual(
      nest(CMD_ATTR.SERVICE, attr(SVC.AF, u16(2)), attr(SVC.PROTOCOL, u16(6)), attr(SVC.ADDR, V4_WIRE), attr(SVC.PORT, be16(80))),
    );
  });

  it('service key: AF + FWMARK only for a firewall-mark service', () => {
    expect(enc((w) => putServiceKeyNest(w, { kind: 'fwmark', af: 10, fwmark: 0xfffffffe }))).toEqual(
      nest(CMD_ATTR.SERVICE, attr(SVC.AF, u16(10)), attr(SVC.FWMARK, u32(0xfffffffe))),
    );
  });

  it('full IPv4 service, as ipvsadm 1.31 sent it (-s rr -p 120 -M 255.255.255.0 -b flag-1 --pe sip)', () => {
    const svc: ServiceConfig = { key: tcp80, scheduler: 'rr', persistent: true, onePacket: false, schedFlags: [1], unnamedFlags: 0, timeout: 120, netmask: 0xffffff00, pe: 'sip' };
    const expected = nest(
      CMD_ATTR.SERVICE,
      attr(SVC.AF, u16(2)), attr(SVC.PROTOCOL, u16(6)), attr(SVC.ADDR, V4_WIRE), attr(SVC.PORT, hex('0050')),
      attr(SVC.SCHED_NAME, str('rr')), attr(SVC.PE_NAME, str('sip')),
      attr(SVC.FLAGS, cat(u32(9), u32(0xffffffff))), attr(SVC.TIMEOUT, u32(120)),
      attr(SVC.NETMASK, hex('ffffff00')), // the mask bytes in network order, whatever the host
    );
    const got = enc((w) => putServiceNest(w, svc));
    expect(got).toEqual(expected);
    if (LE) expect(got.includes(hex('0c00 0700 09000000 ffffffff'))).toBe(true); // FLAGS {value, mask} as 1.31 sends it
  });

  it('full IPv6 service: NETMASK is the prefix length as a host-order u32; no PE_NAME when unset; empty scheduler is one NUL', () => {
    const svc: ServiceConfig = { key: { kind: 'addr', af: 10, protocol: 17, addr: V6, port: 53 }, scheduler: '', persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 0, netmask: 64, pe: '' };
    expect(enc((w) => putServiceNest(w, svc))).toEqual(
      nest(
        CMD_ATTR.SERVICE,
        attr(SVC.AF, u16(10)), attr(SVC.PROTOCOL, u16(17)), attr(SVC.ADDR, V6_WIRE), attr(SVC.PORT, be16(53)),
        attr(SVC.SCHED_NAME, hex('00')), attr(SVC.FLAGS, cat(u32(0), u32(0xffffffff))), attr(SVC.TIMEOUT, u32(0)), attr(SVC.NETMASK, u32(64)),
      ),
    );
  });

  it.each([
    [2, be32(0xffffffff)],
    [10, u32(128)],
  ] as const)('full fwmark service (af %i): FWMARK instead of PROTOCOL/ADDR/PORT, NETMASK by family', (af, netmask) => {
    const svc: ServiceConfig = { key: { kind: 'fwmark', af, fwmark: 7 }, scheduler: 'wlc', persistent: true, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 360, netmask: af === 2 ? 0xffffffff : 128, pe: '' };
    expect(enc((w) => putServiceNest(w, svc))).toEqual(
      nest(
        CMD_ATTR.SERVICE,
        attr(SVC.AF, u16(af)), attr(SVC.FWMARK, u32(7)), attr(SVC.SCHED_NAME, str('wlc')),
        attr(SVC.FLAGS, cat(u32(1), u32(0xffffffff))), attr(SVC.TIMEOUT, u32(360)), attr(SVC.NETMASK, netmask),
      ),
    );
  });

  const dest = (over: Partial<DestinationConfig> = {}): DestinationConfig => ({
    addr: ipv4([10, 0, 0, 2]), port: 8080, forwarding: 'masq', weight: 5, uThreshold: 100, lThreshold: 10, tunnelType: 'gue', tunnelPort: 6080, checksum: 'csum', ...over,
  });

  it('destination: every attribute, in ipvsadm order, even for delete', () => {
    expect(enc((w) => putDestNest(w, dest()))).toEqual(
      nest(
        CMD_ATTR.DEST,
        attr(DEST.ADDR_FAMILY, u16(2)), attr(DEST.ADDR, Buffer.from([10, 0, 0, 2, ...Array<number>(12).fill(0)])), attr(DEST.PORT, be16(8080)),
        attr(DEST.FWD_METHOD, u32(0)), attr(DEST.WEIGHT, u32(5)), attr(DEST.TUN_TYPE, u8(1)), attr(DEST.TUN_PORT, be16(6080)),
        attr(DEST.TUN_FLAGS, u16(1)), attr(DEST.U_THRESH, u32(100)), attr(DEST.L_THRESH, u32(10)),
      ),
    );
  });

  it('destination: IPv6 address fills ADDR, weight up to 2^31-1', () => {
    const got = enc((w) => putDestNest(w, dest({ addr: V6, forwarding: 'tunnel', weight: 0x7fffffff })));
    expect(got.includes(attr(DEST.ADDR, V6_WIRE))).toBe(true);
    expect(got.includes(attr(DEST.ADDR_FAMILY, u16(10)))).toBe(true);
    expect(got.includes(attr(DEST.WEIGHT, u32(0x7fffffff)))).toBe(true);
  });

  it('timeouts: three top-level u32s', () => {
    expect(enc((w) => putTimeouts(w, { tcp: 900, tcpFin: 0, udp: 45 }))).toEqual(
      cat(attr(CMD_ATTR.TIMEOUT_TCP, u32(900)), attr(CMD_ATTR.TIMEOUT_TCP_FIN, u32(0)), attr(CMD_ATTR.TIMEOUT_UDP, u32(45))),
    );
  });

  it('daemon with an IPv4 group: optional parts in order, group as 4 bytes, port in host order', () => {
    const d = { state: 'master' as const, mcastIfn: 'eth0', syncId: 9, syncMaxlen: 1400, mcastPort: 8848, mcastTtl: 2, mcastGroup: ipv4([224, 0, 0, 81]) };
    expect(enc((w) => putDaemonNest(w, d))).toEqual(
      nest(
        CMD_ATTR.DAEMON,
        attr(DAEMON.STATE, u32(1)), attr(DAEMON.MCAST_IFN, str('eth0')), attr(DAEMON.SYNC_ID, u32(9)), attr(DAEMON.SYNC_MAXLEN, u16(1400)),
        attr(DAEMON.MCAST_PORT, u16(8848)), attr(DAEMON.MCAST_TTL, u8(2)), attr(DAEMON.MCAST_GROUP, Buffer.from([224, 0, 0, 81])),
      ),
    );
  });

  it('daemon with an IPv6 group, and the bare stop form', () => {
    const g = parseIPv6('ff02::81')!;
    expect(enc((w) => putDaemonNest(w, { state: 'backup' as const, mcastIfn: 'lo', syncId: 0, mcastGroup: g }))).toEqual(
      nest(CMD_ATTR.DAEMON, attr(DAEMON.STATE, u32(2)), attr(DAEMON.MCAST_IFN, str('lo')), attr(DAEMON.SYNC_ID, u32(0)), attr(DAEMON.MCAST_GROUP6, Buffer.from(g.bytes))),
    );
    expect(enc((w) => putDaemonNest(w, { state: 'master' as const, mcastIfn: '', syncId: 3 }))).toEqual(
      nest(CMD_ATTR.DAEMON, attr(DAEMON.STATE, u32(1)), attr(DAEMON.MCAST_IFN, str('')), attr(DAEMON.SYNC_ID, u32(3))),
    );
  });
});

const ten = (f: (i: number) => bigint): bigint[] => Array.from({ length: 10 }, (_, i) => f(i));
const statsObj = (v: readonly bigint[]) => ({
  conns: v[0], inpkts: v[1], outpkts: v[2], inbytes: v[3], outbytes: v[4], cps: v[5], inpps: v[6], outpps: v[7], inbps: v[8], outbps: v[9],
});
const BIG = ten((i) => (1n << 40n) + BigInt(i));
const svcAttrs = (over: { stats?: Buffer[]; flags?: Buffer; drop?: number; extra?: Buffer[]; swap?: readonly [number, Buffer] } = {}): Buffer[] =>
  [
    attr(SVC.AF, u16(2)), attr(SVC.PROTOCOL, u16(6)), attr(SVC.ADDR, V4_WIRE), attr(SVC.PORT, be16(80)), attr(SVC.SCHED_NAME, str('wlc')),
    attr(SVC.FLAGS, over.flags ?? cat(u32(0x0b), u32(0xffffffff))), attr(SVC.TIMEOUT, u32(300)), attr(SVC.NETMASK, be32(0xffffff00)),
  ]
    .map((a, i) => (over.swap && i === over.swap[0] ? over.swap[1] : a))
    .filter((_, i) => i !== over.drop)
    .concat(over.stats ?? [], over.extra ?? []);

describe('decodeService', () => {
  it('decodes a Linux 6.1 reply: HASHED masked off, STATS64 (with PAD) preferred over STATS', () => {
    const s = decodeService(reply(nestPlain(CMD_ATTR.SERVICE, ...svcAttrs({ stats: [statsNest(SVC.STATS, ten(() => 1n), false), statsNest(SVC.STATS64, BIG, true)] }))));
    expect(s).toEqual({ key: tcp80, scheduler: 'wlc', persistent: true, onePacket: false, schedFlags: [1], unnamedFlags: 0, timeout: 300, netmask: 0xffffff00, pe: '', stats: statsObj(BIG) });
  });

  it('decodes STATS alone: u32 counters, u64 byte counters', () => {
    const raw = nestPlain(
      SVC.STATS,
      ...ten((i) => BigInt(i + 1)).map((v, i) => (i === 3 || i === 4 ? attr(i + 1, u64(v << 33n)) : attr(i + 1, u32(Number(v))))),
    );
    const s = decodeService(reply(nestPlain(CMD_ATTR.SERVICE, ...svcAttrs({ stats: [raw] }))));
    expect(s.stats).toEqual(statsObj(ten((i) => (i === 3 || i === 4 ? BigInt(i + 1) << 33n : BigInt(i + 1)))));
  });

  it('no counters at all is all zeros; effective flags are flags & mask; unknown attributes are ignored', () => {
    const s = decodeService(reply(nestPlain(CMD_ATTR.SERVICE, ...svcAttrs({ flags: cat(u32(0x3d), u32(0x05)), extra: [attr(40, u32(1))] }))));
    expect(s.stats).toEqual(statsObj(ten(() => 0n)));
    expect(s).toMatchObject({ persistent: true, onePacket: true, schedFlags: [], unnamedFlags: 0 });
  });

  it('a fwmark service comes back without PROTOCOL/ADDR/PORT; IPv6 NETMASK is a host-order prefix length; PE_NAME read', () => {
    const s = decodeService(reply(nestPlain(
      CMD_ATTR.SERVICE,
      attr(SVC.AF, u16(10)), attr(SVC.FWMARK, u32(0x80000000)), attr(SVC.SCHED_NAME, str('sh')), attr(SVC.PE_NAME, str('sip')),
      attr(SVC.FLAGS, cat(u32(3), u32(0xffffffff))), attr(SVC.TIMEOUT, u32(360)), attr(SVC.NETMASK, u32(96)),
    )));
    expect(s).toMatchObject({ key: { kind: 'fwmark', af: 10, fwmark: 0x80000000 }, scheduler: 'sh', pe: 'sip', persistent: true, netmask: 96 });
  });

  it.each([
    [4, 'SCHED_NAME is missing'],
    [5, 'FLAGS is missing'],
    [6, 'TIMEOUT is missing'],
    [7, 'NETMASK is missing'],
    [0, 'AF is missing'],
    [3, 'PORT is missing'],
    [1, 'PROTOCOL is missing'],
  ])('a missing required attribute (#%i) is a MalformedMessageError naming it', (drop, message) => {
    const run = (): unknown => decodeService(reply(nestPlain(CMD_ATTR.SERVICE, ...svcAttrs({ drop }))));
    expect(run).toThrow(MalformedMessageError);
    expect(run).toThrow(`malformed netlink message in reply.SERVICE: ${message}`);
  });

  it.each([
    [3, attr(SVC.PORT, u32(80)), 'PORT: expected 2 bytes, got 4'],
    [2, attr(SVC.ADDR, Buffer.from([192, 0, 2, 1])), 'ADDR: expected 16 bytes, got 4'],
    [5, attr(SVC.FLAGS, u32(1)), 'FLAGS: expected 8 bytes, got 4'],
    [0, attr(SVC.AF, u32(2)), 'AF: expected 2 bytes, got 4'],
  ] as const)('a wrong attribute length (#%i) is an error naming it', (at, bad, message) => {
    expect(() => decodeService(reply(nestPlain(CMD_ATTR.SERVICE, ...svcAttrs({ swap: [at, bad] }))))).toThrow(`in reply.SERVICE: ${message}`);
  });

  it('a wrong counter length inside STATS64 names the counter and the nest', () => {
    const bad = nestPlain(SVC.STATS64, attr(STATS.CONNS, u32(1)));
    expect(() => decodeService(reply(nestPlain(CMD_ATTR.SERVICE, ...svcAttrs({ stats: [bad] }))))).toThrow('in reply.SERVICE.STATS64: CONNS: expected 8 bytes, got 4');
  });

  it('an unknown family, or no SERVICE nest, is malformed', () => {
    expect(() => decodeService(reply(nestPlain(CMD_ATTR.SERVICE, ...svcAttrs({ swap: [0, attr(SVC.AF, u16(7))] }))))).toThrow('unknown address family 7');
    expect(() => decodeService(reply(attr(CMD_ATTR.TIMEOUT_TCP, u32(1))))).toThrow('IPVS_CMD_ATTR_SERVICE is missing');
  });
});

const destAttrs = (over: { family?: number; addr?: Buffer; drop?: number; stats?: Buffer[] } = {}): Buffer[] =>
  [
    attr(DEST.ADDR, over.addr ?? Buffer.from([10, 0, 0, 2, ...Array<number>(12).fill(0)])), attr(DEST.PORT, be16(8080)), attr(DEST.FWD_METHOD, u32(3)),
    attr(DEST.WEIGHT, u32(7)), attr(DEST.TUN_TYPE, u8(2)), attr(DEST.TUN_PORT, be16(5555)), attr(DEST.TUN_FLAGS, u16(2)), attr(DEST.U_THRESH, u32(50)),
    attr(DEST.L_THRESH, u32(5)), attr(DEST.ACTIVE_CONNS, u32(11)), attr(DEST.INACT_CONNS, u32(12)), attr(DEST.PERSIST_CONNS, u32(13)),
  ]
    .filter((_, i) => i !== over.drop)
    .concat(over.family === undefined ? [] : [attr(DEST.ADDR_FAMILY, u16(over.family))], over.stats ?? []);

describe('decodeDestination', () => {
  it('decodes a Linux 6.1 reply, keeping 64-bit counters whole', () => {
    const d = decodeDestination(reply(nestPlain(CMD_ATTR.DEST, ...destAttrs({ family: 2, stats: [statsNest(DEST.STATS, BIG, false), statsNest(DEST.STATS64, BIG, true)] }))), 2);
    expect(d).toEqual({
      addr: ipv4([10, 0, 0, 2]), port: 8080, forwarding: 'route', weight: 7, uThreshold: 50, lThreshold: 5, tunnelType: 'gre', tunnelPort: 5555, checksum: 'remcsum',
      activeConns: 11, inactConns: 12, persistConns: 13, stats: statsObj(BIG),
    });
  });

  it('without ADDR_FAMILY (before Linux 3.18) the service family applies', () => {
    expect(decodeDestination(reply(nestPlain(CMD_ATTR.DEST, ...destAttrs())), 2).addr).toEqual(ipv4([10, 0, 0, 2]));
    expect(decodeDestination(reply(nestPlain(CMD_ATTR.DEST, ...destAttrs({ addr: V6_WIRE }))), 10).addr).toEqual(V6);
  });

  it('the forwarding method is FWD_METHOD & IP_VS_CONN_F_FWD_MASK (7)', () => {
    const attrs = destAttrs().map((a, i) => (i === 2 ? attr(DEST.FWD_METHOD, u32(0x0102)) : a));
    expect(decodeDestination(reply(nestPlain(CMD_ATTR.DEST, ...attrs)), 2).forwarding).toBe('tunnel');
  });

  it('ADDR_FAMILY wins over the service family (an IPv6 tunnel dest of an IPv4 service)', () => {
    expect(decodeDestination(reply(nestPlain(CMD_ATTR.DEST, ...destAttrs({ addr: V6_WIRE, family: 10 }))), 2).addr).toEqual(V6);
  });

  it('TUN_* are optional (0), the rest is required and named when missing', () => {
    const noTun = destAttrs().filter((_, i) => i < 4 || i > 6);
    expect(decodeDestination(reply(nestPlain(CMD_ATTR.DEST, ...noTun)), 2)).toMatchObject({ tunnelType: 'ipip', tunnelPort: 0, checksum: 'nocsum' });
    expect(() => decodeDestination(reply(nestPlain(CMD_ATTR.DEST, ...destAttrs({ drop: 9 }))), 2)).toThrow('in reply.DEST: ACTIVE_CONNS is missing');
    expect(() => decodeDestination(reply(nestPlain(CMD_ATTR.DEST, ...destAttrs({ drop: 0 }))), 2)).toThrow('ADDR is missing');
    expect(() => decodeDestination(reply(attr(9, u32(0))), 2)).toThrow('IPVS_CMD_ATTR_DEST is missing');
  });
});

describe('info, timeouts, daemons', () => {
  it('decodeInfo needs VERSION and CONN_TAB_SIZE', () => {
    expect(decodeInfo(new AttributeSet(cat(attr(INFO.VERSION, u32(0x10201)), attr(INFO.CONN_TAB_SIZE, u32(4096))), 'info', C.InfoAttr))).toEqual({ version: 0x10201, connTabSize: 4096 });
    expect(() => decodeInfo(new AttributeSet(attr(INFO.VERSION, u32(1)), 'info', C.InfoAttr))).toThrow('CONN_TAB_SIZE is missing');
  });

  it('decodeTimeouts: each one optional', () => {
    expect(decodeTimeouts(reply(attr(CMD_ATTR.TIMEOUT_TCP, u32(900)), attr(CMD_ATTR.TIMEOUT_UDP, u32(300))))).toEqual({ tcp: 900, tcpFin: 0, udp: 300 });
  });

  it('decodeDaemon: IPv4 or IPv6 group, optional parts only when present', () => {
    const base = [attr(DAEMON.STATE, u32(1)), attr(DAEMON.MCAST_IFN, str('eth0')), attr(DAEMON.SYNC_ID, u32(4))];
    expect(decodeDaemons(reply(nestPlain(CMD_ATTR.DAEMON, ...base)))).toEqual([{ state: 'master' as const, mcastIfn: 'eth0', syncId: 4 }]);
    const full = [...base, attr(DAEMON.SYNC_MAXLEN, u16(1472)), attr(DAEMON.MCAST_PORT, u16(8848)), attr(DAEMON.MCAST_TTL, u8(1)), attr(DAEMON.MCAST_GROUP, Buffer.from([224, 0, 0, 81]))];
    expect(decodeDaemons(reply(nestPlain(CMD_ATTR.DAEMON, ...full)))).toEqual([{ state: 'master' as const, mcastIfn: 'eth0', syncId: 4, syncMaxlen: 1472, mcastPort: 8848, mcastTtl: 1, mcastGroup: ipv4([224, 0, 0, 81]) }]);
    const g6 = parseIPv6('ff02::81')!;
    expect(decodeDaemons(reply(nestPlain(CMD_ATTR.DAEMON, ...base, attr(DAEMON.MCAST_GROUP6, Buffer.from(g6.bytes)))))[0]!.mcastGroup).toEqual(g6);
    expect(() => decodeDaemons(reply(nestPlain(CMD_ATTR.DAEMON, base[0]!, base[2]!)))).toThrow('MCAST_IFN is missing');
  });

  it('decodeDaemons: an entry holding both roles is two daemons, one holding none is none', () => {
    const rest = [attr(DAEMON.MCAST_IFN, str('eth1')), attr(DAEMON.SYNC_ID, u32(1))];
    expect(decodeDaemons(reply(nestPlain(CMD_ATTR.DAEMON, attr(DAEMON.STATE, u32(3)), ...rest)))).toEqual([
      { state: 'master', mcastIfn: 'eth1', syncId: 1 },
      { state: 'backup', mcastIfn: 'eth1', syncId: 1 },
    ]);
    expect(decodeDaemons(reply(nestPlain(CMD_ATTR.DAEMON, attr(DAEMON.STATE, u32(0)), ...rest)))).toEqual([]);
  });
});
