// rtnl.ts: requests encoded byte for byte against test/support/bytes.ts, hand-built RTM_NEWLINK and
// RTM_NEWADDR payloads decoded, and RtnlClient over a small fake NETLINK_ROUTE kernel.
import { endianness } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MalformedMessageError, NetlinkError } from '../../src/netlink/errors.js';
import type { Request } from '../../src/netlink/connection.js';
import {
  IFA_F_NODAD, IFF_UP, RtmType, RtnlClient, addAddressRequest, decodeAddress, decodeLink, deleteAddressRequest, dumpAddressesRequest,
  dumpLinksRequest, encodeIfaddrmsg, encodeIfinfomsg, getLinkRequest, setLinkRequest, createGreRequest, deleteLinkRequest,
  setAliasRequest,
} from '../../src/rtnl/client.js';
import { NLM_F, attr, cat, done, i32, nest, nlmsg, nlmsgerr, parseMessages, str, u16, u32, u8 } from '../support/bytes.js';
import type { ParsedMessage } from '../support/bytes.js';
import { ManualTransport } from '../support/fake-kernel.js';

// Ids written out from uapi/linux/rtnetlink.h, if_link.h, if_addr.h (not imported from src).
const RTM = { NEWLINK: 16, DELLINK: 17, GETLINK: 18, NEWADDR: 20, DELADDR: 21, GETADDR: 22 };
const IFLA_LINKINFO = 18;
const IFLA_INFO = { KIND: 1, DATA: 2 };
const IFLA_GRE = { IFLAGS: 2, LOCAL: 6 };
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_IFALIAS = 20;
const IFA = { ADDRESS: 1, LOCAL: 2, LABEL: 3, FLAGS: 8 };
const V4 = [192, 0, 2, 1];
const V6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

/** struct ifinfomsg: family, pad, type, index, flags, change */
const ifinfomsg = (index: number, flags = 0, change = 0, type = 0): Buffer => cat(u8(0), u8(0), u16(type), i32(index), u32(flags), u32(change));
/** struct ifaddrmsg: family, prefixlen, flags, scope, index */
const ifaddrmsg = (family: number, prefix: number, flags: number, scope: number, index: number): Buffer => cat(u8(family), u8(prefix), u8(flags), u8(scope), u32(index));
const plain = (r: Request): { type: number; flags: number | undefined; payload: string } => ({ type: r.type, flags: r.flags, payload: Buffer.from(r.payload).toString('hex') });
const want = (type: number, flags: number | undefined, payload: Buffer): ReturnType<typeof plain> => ({ type, flags, payload: payload.toString('hex') });

describe('encoding', () => {
  it('struct ifinfomsg and ifaddrmsg', () => {
    expect(Buffer.from(encodeIfinfomsg({ index: 7, flags: IFF_UP, change: 0xffffffff }))).toEqual(ifinfomsg(7, 1, 0xffffffff));
    expect(Buffer.from(encodeIfinfomsg({ index: 3 }, Buffer.from([1, 2, 3, 4])))).toEqual(cat(ifinfomsg(3), Buffer.from([1, 2, 3, 4])));
    expect(Buffer.from(encodeIfaddrmsg({ family: 10, prefix: 128, flags: 0x102, scope: 254, index: 9 }))).toEqual(ifaddrmsg(10, 128, 0x02, 254, 9));
  });

  it('RTM_GETLINK by name, and the link dump', () => {
    expect(plain(getLinkRequest('tunl0'))).toEqual(want(RTM.GETLINK, undefined, cat(ifinfomsg(0), attr(IFLA_IFNAME, str('tunl0')))));
    expect(plain(dumpLinksRequest())).toEqual(want(RTM.GETLINK, undefined, ifinfomsg(0)));
  });

  it('RTM_NEWLINK with only IFF_UP in the change mask (ip link set DEV up/down)', () => {
    expect(plain(setLinkRequest(5, true))).toEqual(want(RTM.NEWLINK, undefined, ifinfomsg(5, 1, 1)));
    expect(plain(setLinkRequest(5, false))).toEqual(want(RTM.NEWLINK, undefined, ifinfomsg(5, 0, 1)));
  });

  it('RTM_GETADDR dump for every family', () => {
    expect(plain(dumpAddressesRequest())).toEqual(want(RTM.GETADDR, undefined, Buffer.alloc(8)));
  });

  it('RTM_NEWADDR IPv4 /32: CREATE|EXCL, IFA_LOCAL and IFA_ADDRESS', () => {
    const r = addAddressRequest({ family: 2, prefix: 32, flags: 0, scope: 0, index: 1, local: Uint8Array.from(V4) });
    expect(plain(r)).toEqual(want(RTM.NEWADDR, 0x400 | 0x200, cat(ifaddrmsg(2, 32, 0, 0, 1), attr(IFA.LOCAL, Buffer.from(V4)), attr(IFA.ADDRESS, Buffer.from(V4)))));
    // the same, spelled out for a little-endian host
    if (endianness() === 'LE') expect(Buffer.from(r.payload).toString('hex')).toBe('02200000' + '01000000' + '08000200c0000201' + '08000100c0000201');
  });

  it('RTM_NEWADDR IPv6 /128 nodad (ifa_flags 0x02)', () => {
    const r = addAddressRequest({ family: 10, prefix: 128, flags: IFA_F_NODAD, scope: 0, index: 4, local: Uint8Array.from(V6) });
    expect(IFA_F_NODAD).toBe(0x02);
    expect(plain(r)).toEqual(want(RTM.NEWADDR, 0x600, cat(ifaddrmsg(10, 128, 0x02, 0, 4), attr(IFA.LOCAL, Buffer.from(V6)), attr(IFA.ADDRESS, Buffer.from(V6)))));
  });

  it('RTM_DELADDR: no flags, ifa_flags and scope zero whatever the address had', () => {
    const r = deleteAddressRequest({ family: 10, prefix: 128, flags: IFA_F_NODAD, scope: 200, index: 4, local: Uint8Array.from(V6) });
    expect(plain(r)).toEqual(want(RTM.DELADDR, undefined, cat(ifaddrmsg(10, 128, 0, 0, 4), attr(IFA.LOCAL, Buffer.from(V6)), attr(IFA.ADDRESS, Buffer.from(V6)))));
  });

  it('message type constants', () => {
    expect(RtmType).toEqual(RTM);
  });

  it('`ip link add lvsgre type gre local 192.0.2.1 icsum`: NEWLINK CREATE|EXCL, IFLA_LINKINFO {kind, data {iflags GRE_CSUM (be16), local}}', () => {
    const r = createGreRequest({ name: 'lvsgre', type: 'gre', local: Uint8Array.from(V4) });
    const linkinfo = nest(IFLA_LINKINFO, attr(IFLA_INFO.KIND, str('gre')), nest(IFLA_INFO.DATA, attr(IFLA_GRE.IFLAGS, Buffer.from([0x80, 0x00])), attr(IFLA_GRE.LOCAL, Buffer.from(V4))));
    expect(plain(r)).toEqual(want(RTM.NEWLINK, 0x400 | 0x200, cat(ifinfomsg(0), attr(IFLA_IFNAME, str('lvsgre')), linkinfo)));
  });

  it('ip6gre carries a 16-byte local address', () => {
    const r = createGreRequest({ name: 'lvsgre6', type: 'ip6gre', local: Uint8Array.from(V6) });
    const linkinfo = nest(IFLA_LINKINFO, attr(IFLA_INFO.KIND, str('ip6gre')), nest(IFLA_INFO.DATA, attr(IFLA_GRE.IFLAGS, Buffer.from([0x80, 0x00])), attr(IFLA_GRE.LOCAL, Buffer.from(V6))));
    expect(plain(r)).toEqual(want(RTM.NEWLINK, 0x400 | 0x200, cat(ifinfomsg(0), attr(IFLA_IFNAME, str('lvsgre6')), linkinfo)));
  });

  it('an address added with a preferred lifetime carries IFA_CACHEINFO {prefered, valid forever, 0, 0}; a delete never does', () => {
    const a = { family: 10, prefix: 128, flags: 0x02, scope: 0, index: 1, local: Uint8Array.from(V6), preferredLft: 0 };
    const info = cat(u32(0), u32(0xffffffff), u32(0), u32(0));
    const body = cat(attr(IFA.LOCAL, Buffer.from(V6)), attr(IFA.ADDRESS, Buffer.from(V6)));
    expect(plain(addAddressRequest(a))).toEqual(want(RTM.NEWADDR, 0x400 | 0x200, cat(ifaddrmsg(10, 128, 0x02, 0, 1), body, attr(6, info))));
    expect(plain(deleteAddressRequest(a))).toEqual(want(RTM.DELADDR, undefined, cat(ifaddrmsg(10, 128, 0, 0, 1), body)));
  });

  it('`ip link set lo alias TEXT`: NEWLINK on the index with IFLA_IFALIAS, no NUL (as iproute2 sends it); empty removes', () => {
    expect(plain(setAliasRequest(1, 'ipvsadm-ts marker x'))).toEqual(want(RTM.NEWLINK, undefined, cat(ifinfomsg(1), attr(IFLA_IFALIAS, Buffer.from('ipvsadm-ts marker x')))));
    expect(plain(setAliasRequest(1, ''))).toEqual(want(RTM.NEWLINK, undefined, cat(ifinfomsg(1), attr(IFLA_IFALIAS, Buffer.alloc(0)))));
    // IFALIASZ is 256 with the NUL: 255 bytes fit, 256 are refused before anything is sent
    expect(() => setAliasRequest(1, 'a'.repeat(255))).not.toThrow();
    expect(() => setAliasRequest(1, 'a'.repeat(256))).toThrow(RangeError);
  });

  it('DELLINK by index', () => {
    expect(plain(deleteLinkRequest(7))).toEqual(want(RTM.DELLINK, undefined, ifinfomsg(7)));
  });
});

describe('decoding', () => {
  it('RTM_NEWLINK: index, flags, name; other attributes ignored', () => {
    const payload = cat(ifinfomsg(1, 0x10049, 0, 772), attr(IFLA_MTU, u32(65536)), attr(IFLA_IFNAME, str('lo')));
    expect(decodeLink(payload)).toEqual({ index: 1, flags: 0x10049, name: 'lo' });
  });

  it('RTM_NEWLINK with IFLA_IFALIAS (NUL-terminated, as the kernel puts it): the alias', () => {
    const payload = cat(ifinfomsg(1, 0x49), attr(IFLA_IFNAME, str('lo')), attr(IFLA_IFALIAS, str('ipvsadm-ts marker x')));
    expect(decodeLink(payload)).toEqual({ index: 1, flags: 0x49, name: 'lo', alias: 'ipvsadm-ts marker x' });
  });

  it('RTM_NEWLINK without a name, or too short, is malformed', () => {
    expect(() => decodeLink(ifinfomsg(2))).toThrow(new MalformedMessageError('RTM_NEWLINK', 'IFNAME is missing'));
    expect(() => decodeLink(Buffer.alloc(8))).toThrow(new MalformedMessageError('ifinfomsg', 'needs 16 bytes, got 8'));
  });

  it('RTM_NEWADDR IPv4: IFA_LOCAL wins over the peer in IFA_ADDRESS; IFA_FLAGS gives all flags', () => {
    const payload = cat(
      ifaddrmsg(2, 32, 0x80, 0, 3),
      attr(IFA.ADDRESS, Buffer.from([10, 0, 0, 2])),
      attr(IFA.LOCAL, Buffer.from([10, 0, 0, 1])),
      attr(IFA.LABEL, str('tunl0')),
      attr(IFA.FLAGS, u32(0x280)),
    );
    const a = decodeAddress(payload);
    expect({ ...a, local: [...a.local] }).toEqual({ family: 2, prefix: 32, flags: 0x280, scope: 0, index: 3, local: [10, 0, 0, 1] });
  });

  it('RTM_NEWADDR IPv6 with only IFA_ADDRESS and no IFA_FLAGS: ifa_flags', () => {
    const payload = cat(ifaddrmsg(10, 128, 0x02, 254, 1), attr(IFA.ADDRESS, Buffer.from(V6)));
    const a = decodeAddress(payload);
    expect({ ...a, local: [...a.local] }).toEqual({ family: 10, prefix: 128, flags: 0x02, scope: 254, index: 1, local: V6 });
    payload[payload.length - 1] = 9;
    expect(a.local[15]).toBe(1);
  });

  it('RTM_NEWADDR with a wrong address size or no address is malformed', () => {
    expect(() => decodeAddress(cat(ifaddrmsg(2, 32, 0, 0, 1), attr(IFA.LOCAL, Buffer.from(V6))))).toThrow(new MalformedMessageError('RTM_NEWADDR', 'LOCAL: expected 4 bytes, got 16'));
    expect(() => decodeAddress(ifaddrmsg(2, 32, 0, 0, 1))).toThrow(new MalformedMessageError('RTM_NEWADDR', 'ADDRESS is missing'));
    expect(() => decodeAddress(Buffer.alloc(4))).toThrow(new MalformedMessageError('ifaddrmsg', 'needs 8 bytes, got 4'));
  });
});

interface RouteAnswer {
  readonly type?: number;
  readonly payloads?: readonly Buffer[];
  readonly errno?: number;
}

/** Answers NETLINK_ROUTE requests: data messages, then DONE (dumps) or the ACK/error. */
class RouteKernel extends ManualTransport {
  readonly requests: ParsedMessage[] = [];
  constructor(private readonly answer: (m: ParsedMessage) => RouteAnswer) {
    super();
  }
  protected override handle(bytes: Buffer): void {
    const out: Buffer[] = [];
    for (const m of parseMessages(bytes)) {
      this.requests.push(m);
      const a = this.answer(m);
      const dump = (m.flags & NLM_F.DUMP) === NLM_F.DUMP;
      for (const p of a.payloads ?? []) out.push(nlmsg({ type: a.type ?? m.type, flags: dump ? NLM_F.MULTI : 0, seq: m.seq, pid: this.port }, p));
      out.push(dump && !a.errno ? done(m.seq, this.port) : nlmsgerr({ request: m.raw, errno: a.errno ?? 0, pid: this.port }));
    }
    setImmediate(() => this.deliver(...out));
  }
}

const open = async (answer: (m: ParsedMessage) => RouteAnswer): Promise<{ k: RouteKernel; c: RtnlClient }> => {
  const k = new RouteKernel(answer);
  let protocol = -1;
  const c = await RtnlClient.open(async (p) => ((protocol = p), k));
  expect(protocol).toBe(0);
  return { k, c };
};

describe('RtnlClient', () => {
  it('links(): a dump (REQUEST|DUMP) decoded from RTM_NEWLINK replies', async () => {
    const { k, c } = await open(() => ({ type: RTM.NEWLINK, payloads: [cat(ifinfomsg(1, 0x49), attr(IFLA_IFNAME, str('lo'))), cat(ifinfomsg(4, 0), attr(IFLA_IFNAME, str('tunl0')))] }));
    expect(await c.links()).toEqual([{ index: 1, flags: 0x49, name: 'lo' }, { index: 4, flags: 0, name: 'tunl0' }]);
    expect(k.requests.map((m) => [m.type, m.flags, m.pid])).toEqual([[RTM.GETLINK, NLM_F.REQUEST | NLM_F.DUMP, k.port]]);
    expect(k.requests[0]!.payload).toEqual(ifinfomsg(0));
  });

  it('link(name): the one link; ENODEV is undefined; other errors reject', async () => {
    const { k, c } = await open((m) =>
      m.payload.includes(Buffer.from('eth9')) ? { errno: 19 } : m.payload.includes(Buffer.from('nope')) ? { errno: 1 } : { type: RTM.NEWLINK, payloads: [cat(ifinfomsg(2, 1), attr(IFLA_IFNAME, str('eth0')))] },
    );
    expect(await c.link('eth0')).toEqual({ index: 2, flags: 1, name: 'eth0' });
    expect(k.requests[0]!.flags).toBe(NLM_F.REQUEST | NLM_F.ACK);
    expect(k.requests[0]!.payload).toEqual(cat(ifinfomsg(0), attr(IFLA_IFNAME, str('eth0'))));
    expect(await c.link('eth9')).toBeUndefined();
    await expect(c.link('nope')).rejects.toMatchObject({ errno: 1 });
  });

  it('addresses(): a dump decoded from RTM_NEWADDR replies; other families (phonet, 1-byte address) skipped', async () => {
    const lo4 = cat(ifaddrmsg(2, 8, 0x80, 254, 1), attr(IFA.LOCAL, Buffer.from([127, 0, 0, 1])), attr(IFA.ADDRESS, Buffer.from([127, 0, 0, 1])));
    const phonet = cat(ifaddrmsg(35, 0, 0, 0, 7), attr(IFA.LOCAL, u8(0x6c)));
    const lo6 = cat(ifaddrmsg(10, 128, 0x80, 254, 1), attr(IFA.ADDRESS, Buffer.from([...Array(15).fill(0), 1])));
    const { k, c } = await open(() => ({ type: RTM.NEWADDR, payloads: [lo4, phonet, lo6] }));
    const list = await c.addresses();
    expect(list.map((a) => ({ ...a, local: [...a.local] }))).toEqual([
      { family: 2, prefix: 8, flags: 0x80, scope: 254, index: 1, local: [127, 0, 0, 1] },
      { family: 10, prefix: 128, flags: 0x80, scope: 254, index: 1, local: [...Array(15).fill(0), 1] },
    ]);
    expect(k.requests.map((m) => [m.type, m.flags])).toEqual([[RTM.GETADDR, NLM_F.REQUEST | NLM_F.DUMP]]);
  });

  it('setLink, addAddress, deleteAddress: flags on the wire; EEXIST rejects with a NetlinkError', async () => {
    const { k, c } = await open((m) => (m.type === RTM.NEWADDR && k.requests.length > 3 ? { errno: 17 } : {}));
    const a = { family: 2, prefix: 32, flags: 0, scope: 0, index: 1, local: Uint8Array.from(V4) };
    await c.setLink(3, true);
    await c.setAlias(1, 'm');
    await c.addAddress(a);
    await c.deleteAddress(a);
    const e = await c.addAddress(a).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e).toMatchObject({ errno: 17, code: 'EEXIST' });
    expect(k.requests.map((m) => [m.type, m.flags])).toEqual([
      [RTM.NEWLINK, NLM_F.REQUEST | NLM_F.ACK],
      [RTM.NEWLINK, NLM_F.REQUEST | NLM_F.ACK],
      [RTM.NEWADDR, NLM_F.REQUEST | NLM_F.ACK | 0x400 | 0x200],
      [RTM.DELADDR, NLM_F.REQUEST | NLM_F.ACK],
      [RTM.NEWADDR, NLM_F.REQUEST | NLM_F.ACK | 0x400 | 0x200],
    ]);
    expect(k.requests[0]!.payload).toEqual(ifinfomsg(3, 1, 1));
    expect(k.requests[1]!.payload).toEqual(cat(ifinfomsg(1), attr(IFLA_IFALIAS, Buffer.from('m'))));
    c.close();
    expect(k.closed).toBe(1);
  });
});
