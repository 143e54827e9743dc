// rtnetlink (NETLINK_ROUTE) for links and addresses: the codec (struct ifinfomsg/ifaddrmsg +
// attributes) and a small client over src/netlink's NetlinkConnection. Constants from
// uapi/linux/rtnetlink.h, if_link.h, if_addr.h and if.h (Linux 6.1), kernel names in comments.
import { AttributeSet, AttributeWriter } from '../netlink/attributes.js';
import { NetlinkConnection } from '../netlink/connection.js';
import { AF_INET, AF_INET6 } from '../netlink/constants.js';
import type { Request } from '../netlink/connection.js';
import { HOST_LE, view } from '../netlink/endian.js';
import { MalformedMessageError, NetlinkError } from '../netlink/errors.js';
import type { NetlinkMessage } from '../netlink/message.js';
import type { TransportFactory } from '../netlink/transport.js';
import { decodeNeighbour, decodeRoute, neighboursRequest, RouteMsg, routeGetRequest } from './route.js';
import type { Neighbour, RouteDecision } from './route.js';

export const NETLINK_ROUTE = 0; // NETLINK_ROUTE

export const RtmType = {
  NEWLINK: 16, // RTM_NEWLINK
  DELLINK: 17, // RTM_DELLINK
  GETLINK: 18, // RTM_GETLINK
  NEWADDR: 20, // RTM_NEWADDR
  DELADDR: 21, // RTM_DELADDR
  GETADDR: 22, // RTM_GETADDR
} as const;

/** NLM_F_* modifiers of NEW requests (uapi/linux/netlink.h) */
export const NewFlag = {
  EXCL: 0x200, // NLM_F_EXCL
  CREATE: 0x400, // NLM_F_CREATE
} as const;

export const IflaAttr = { IFNAME: 3, LINKINFO: 18, IFALIAS: 20 } as const; // IFLA_IFNAME (string), IFLA_LINKINFO (nested), IFLA_IFALIAS (string)
/** IFALIASZ: an alias holds at most 255 bytes */
export const IFALIAS_MAX = 255;
export const IflaInfo = { KIND: 1, DATA: 2 } as const; // IFLA_INFO_KIND (string), IFLA_INFO_DATA (nested)
/** IFLA_GRE_* (if_tunnel.h): the same numbers for gre and ip6gre links */
export const IflaGre = { IFLAGS: 2, LOCAL: 6 } as const; // IFLA_GRE_IFLAGS (be16), IFLA_GRE_LOCAL (in_addr / in6_addr)
/** GRE_CSUM as it travels: __cpu_to_be16(0x8000) */
const GRE_CSUM_BE = Uint8Array.of(0x80, 0x00);
export const IfaAttr = {
  ADDRESS: 1, // IFA_ADDRESS (prefix address; the peer on point-to-point links)
  LOCAL: 2, // IFA_LOCAL (the local address; IPv6 sends it only with a peer)
  CACHEINFO: 6, // IFA_CACHEINFO (struct ifa_cacheinfo: u32 prefered, valid, cstamp, tstamp)
  FLAGS: 8, // IFA_FLAGS (u32, supersedes ifa_flags)
} as const;
/** INFINITY_LIFE_TIME: a valid lifetime that never ends */
const FOREVER = 0xffffffff;
export const IFF_UP = 0x1; // IFF_UP
export const IFF_RUNNING = 0x40; // IFF_RUNNING (operationally up: the carrier is there)
export const IFF_MULTICAST = 0x1000; // IFF_MULTICAST
export const IFA_F_NODAD = 0x02; // IFA_F_NODAD
export const IFA_F_DEPRECATED = 0x20; // IFA_F_DEPRECATED
export const RT_SCOPE_UNIVERSE = 0; // RT_SCOPE_UNIVERSE
const AF_UNSPEC = 0;
const ENODEV = 19;

const IFINFOMSG_LEN = 16; // u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change
const IFADDRMSG_LEN = 8; // u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index

export interface Link {
  readonly index: number;
  readonly name: string;
  readonly flags: number;
  /** IFLA_IFALIAS (`ip link set DEV alias TEXT`); the kernel sends it only when set */
  readonly alias?: string;
}

export interface IfAddress {
  /** AF_INET (2) or AF_INET6 (10) */
  readonly family: number;
  readonly prefix: number;
  readonly flags: number;
  readonly scope: number;
  readonly index: number;
  /** 4 or 16 bytes, network order */
  readonly local: Uint8Array;
  /**
   * add only: the preferred lifetime in seconds (valid forever). 0 makes an IPv6 address
   * deprecated: it still receives, but source address selection (RFC 6724 rule 3) avoids it.
   */
  readonly preferredLft?: number;
}

export function encodeIfinfomsg(m: { index: number; flags?: number; change?: number }, attrs: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(IFINFOMSG_LEN + attrs.length);
  const dv = view(out);
  dv.setUint8(0, AF_UNSPEC);
  dv.setInt32(4, m.index, HOST_LE);
  dv.setUint32(8, (m.flags ?? 0) >>> 0, HOST_LE);
  dv.setUint32(12, (m.change ?? 0) >>> 0, HOST_LE);
  out.set(attrs, IFINFOMSG_LEN);
  return out;
}

export function encodeIfaddrmsg(m: Omit<IfAddress, 'local'>, attrs: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(IFADDRMSG_LEN + attrs.length);
  const dv = view(out);
  dv.setUint8(0, m.family);
  dv.setUint8(1, m.prefix);
  dv.setUint8(2, m.flags & 0xff);
  dv.setUint8(3, m.scope);
  dv.setUint32(4, m.index >>> 0, HOST_LE);
  out.set(attrs, IFADDRMSG_LEN);
  return out;
}

function fixedHeader(payload: Uint8Array, len: number, what: string): DataView {
  if (payload.length < len) throw new MalformedMessageError(what, `needs ${len} bytes, got ${payload.length}`);
  return view(payload);
}

export function decodeLink(payload: Uint8Array): Link {
  const dv = fixedHeader(payload, IFINFOMSG_LEN, 'ifinfomsg');
  const attrs = new AttributeSet(payload.subarray(IFINFOMSG_LEN), 'RTM_NEWLINK', IflaAttr);
  const alias = attrs.string(IflaAttr.IFALIAS);
  return { index: dv.getInt32(4, HOST_LE), flags: dv.getUint32(8, HOST_LE), name: attrs.required(IflaAttr.IFNAME, attrs.string), ...(alias ? { alias } : {}) };
}

/**
 * The local address is IFA_LOCAL when present, else IFA_ADDRESS (IPv6 without a peer sends only
 * IFA_ADDRESS). IFA_FLAGS, when present, holds all flags; ifa_flags only the low 8 bits.
 */
export function decodeAddress(payload: Uint8Array): IfAddress {
  const dv = fixedHeader(payload, IFADDRMSG_LEN, 'ifaddrmsg');
  const attrs = new AttributeSet(payload.subarray(IFADDRMSG_LEN), 'RTM_NEWADDR', IfaAttr);
  const family = dv.getUint8(0);
  const size = family === AF_INET6 ? 16 : 4;
  const local = attrs.bytes(IfaAttr.LOCAL, size) ?? attrs.required(IfaAttr.ADDRESS, (t) => attrs.bytes(t, size));
  return {
    family,
    prefix: dv.getUint8(1),
    flags: attrs.u32(IfaAttr.FLAGS) ?? dv.getUint8(2),
    scope: dv.getUint8(3),
    index: dv.getUint32(4, HOST_LE),
    local: Uint8Array.from(local),
  };
}

export const getLinkRequest = (name: string): Request => ({
  type: RtmType.GETLINK,
  payload: encodeIfinfomsg({ index: 0 }, new AttributeWriter().string(IflaAttr.IFNAME, name).finish()),
});

export const dumpLinksRequest = (): Request => ({ type: RtmType.GETLINK, payload: encodeIfinfomsg({ index: 0 }) });

/** RTM_NEWLINK on an existing index with only IFF_UP in the change mask: `ip link set DEV up|down`. */
export const setLinkRequest = (index: number, up: boolean): Request => ({
  type: RtmType.NEWLINK,
  payload: encodeIfinfomsg({ index, flags: up ? IFF_UP : 0, change: IFF_UP }),
});

/**
 * RTM_NEWLINK with IFLA_IFALIAS: `ip link set DEV alias TEXT`. Sent as iproute2 sends it, without
 * a NUL (the kernel stores nla_len bytes); an empty attribute removes the alias.
 */
export function setAliasRequest(index: number, alias: string): Request {
  const text = Buffer.from(alias, 'utf8');
  if (text.length > IFALIAS_MAX) throw new RangeError(`an interface alias holds at most ${IFALIAS_MAX} bytes`);
  return { type: RtmType.NEWLINK, payload: encodeIfinfomsg({ index }, new AttributeWriter().bytes(IflaAttr.IFALIAS, text).finish()) };
}

export interface GreTunnel {
  readonly name: string;
  readonly type: 'gre' | 'ip6gre';
  /** 4 or 16 bytes, network order */
  readonly local: Uint8Array;
}

/** `ip link add NAME type gre|ip6gre local ADDR icsum`: a device that takes GRE with checksums to ADDR. */
export function createGreRequest(t: GreTunnel): Request {
  const attrs = new AttributeWriter()
    .string(IflaAttr.IFNAME, t.name)
    .nested(IflaAttr.LINKINFO, (info) =>
      info.string(IflaInfo.KIND, t.type).nested(IflaInfo.DATA, (data) => data.bytes(IflaGre.IFLAGS, GRE_CSUM_BE).bytes(IflaGre.LOCAL, t.local)),
    )
    .finish();
  return { type: RtmType.NEWLINK, flags: NewFlag.CREATE | NewFlag.EXCL, payload: encodeIfinfomsg({ index: 0 }, attrs) };
}

export const deleteLinkRequest = (index: number): Request => ({ type: RtmType.DELLINK, payload: encodeIfinfomsg({ index }) });

export const dumpAddressesRequest = (): Request => ({
  type: RtmType.GETADDR,
  payload: encodeIfaddrmsg({ family: AF_UNSPEC, prefix: 0, flags: 0, scope: 0, index: 0 }),
});

/** Both IFA_LOCAL and IFA_ADDRESS carry the address (no peer), as `ip addr add` sends them. */
function addressAttrs(a: IfAddress): Uint8Array {
  const w = new AttributeWriter().bytes(IfaAttr.LOCAL, a.local).bytes(IfaAttr.ADDRESS, a.local);
  if (a.preferredLft !== undefined) {
    const info = new Uint8Array(16);
    const dv = view(info);
    dv.setUint32(0, a.preferredLft >>> 0, HOST_LE);
    dv.setUint32(4, FOREVER, HOST_LE);
    w.bytes(IfaAttr.CACHEINFO, info);
  }
  return w.finish();
}

/** NLM_F_CREATE|NLM_F_EXCL: an address that exists already is EEXIST, never silently replaced. */
export const addAddressRequest = (a: IfAddress): Request => ({
  type: RtmType.NEWADDR,
  flags: NewFlag.CREATE | NewFlag.EXCL,
  payload: encodeIfaddrmsg(a, addressAttrs(a)),
});

export const deleteAddressRequest = (a: IfAddress): Request => ({
  type: RtmType.DELADDR,
  payload: encodeIfaddrmsg({ ...a, flags: 0, scope: 0 }, addressAttrs({ ...a, preferredLft: undefined })),
});

const isType = (type: number) => (m: NetlinkMessage) => m.type === type;

/** Links and addresses of the caller's network namespace. */
export class RtnlClient {
  private constructor(private readonly conn: NetlinkConnection) {}

  static async open(openTransport: TransportFactory): Promise<RtnlClient> {
    return new RtnlClient(new NetlinkConnection(await openTransport(NETLINK_ROUTE)));
  }

  async links(): Promise<Link[]> {
    return (await this.conn.dump(dumpLinksRequest())).filter(isType(RtmType.NEWLINK)).map((m) => decodeLink(m.payload));
  }

  /** The link named `name`, or undefined when there is none (ENODEV). */
  async link(name: string): Promise<Link | undefined> {
    try {
      const [reply] = (await this.conn.request(getLinkRequest(name))).filter(isType(RtmType.NEWLINK));
      if (!reply) throw new MalformedMessageError('RTM_GETLINK', 'no RTM_NEWLINK in the reply');
      return decodeLink(reply.payload);
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === ENODEV) return undefined;
      throw e;
    }
  }

  /** Sets (or with '' removes) the alias of the link at `index`. */
  async setAlias(index: number, alias: string): Promise<void> {
    await this.conn.request(setAliasRequest(index, alias));
  }

  async createGre(t: GreTunnel): Promise<void> {
    await this.conn.request(createGreRequest(t));
  }

  async deleteLink(index: number): Promise<void> {
    await this.conn.request(deleteLinkRequest(index));
  }

  async setLink(index: number, up: boolean): Promise<void> {
    await this.conn.request(setLinkRequest(index, up));
  }

  /** IPv4 and IPv6 only: an AF_UNSPEC dump also carries other families' addresses (phonet, MCTP: 1 byte). */
  async addresses(): Promise<IfAddress[]> {
    const inet = (m: NetlinkMessage): boolean => m.payload[0] === AF_INET || m.payload[0] === AF_INET6;
    return (await this.conn.dump(dumpAddressesRequest())).filter((m) => isType(RtmType.NEWADDR)(m) && inet(m)).map((m) => decodeAddress(m.payload));
  }

  /**
   * The kernel's route to `addr` (`ip route get`), or the errno's name when it has none
   * (ENETUNREACH, EHOSTUNREACH, EINVAL for an address it will not route to).
   */
  async routeTo(addr: Uint8Array): Promise<RouteDecision | { readonly error: string }> {
    try {
      const [reply] = (await this.conn.request(routeGetRequest(addr))).filter(isType(RouteMsg.NEWROUTE));
      if (!reply) throw new MalformedMessageError('RTM_GETROUTE', 'no RTM_NEWROUTE in the reply');
      return decodeRoute(reply.payload);
    } catch (e) {
      if (e instanceof NetlinkError) return { error: e.code };
      throw e;
    }
  }

  /** The neighbour (ARP and NDP) entries of both families. */
  async neighbours(): Promise<Neighbour[]> {
    return (await this.conn.dump(neighboursRequest())).filter(isType(RouteMsg.NEWNEIGH)).flatMap((m) => decodeNeighbour(m.payload) ?? []);
  }

  async addAddress(a: IfAddress): Promise<void> {
    await this.conn.request(addAddressRequest(a));
  }

  async deleteAddress(a: IfAddress): Promise<void> {
    await this.conn.request(deleteAddressRequest(a));
  }

  close(): void {
    this.conn.close();
  }
}
