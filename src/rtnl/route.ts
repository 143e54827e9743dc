// rtnetlink routes and neighbours, read only: `ip route get ADDR` (RTM_GETROUTE for one
// destination: struct rtmsg + RTA_*) and the neighbour table (RTM_GETNEIGH dump: struct ndmsg +
// NDA_*). Numbers from uapi/linux/rtnetlink.h and neighbour.h (Linux 6.1), kernel names in comments.
import { AttributeSet, AttributeWriter } from '../netlink/attributes.js';
import { AF_INET6 } from '../netlink/constants.js';
import type { Request } from '../netlink/connection.js';
import { HOST_LE, view } from '../netlink/endian.js';
import { MalformedMessageError } from '../netlink/errors.js';

export const RouteMsg = {
  NEWROUTE: 24, // RTM_NEWROUTE
  GETROUTE: 26, // RTM_GETROUTE
  NEWNEIGH: 28, // RTM_NEWNEIGH
  GETNEIGH: 30, // RTM_GETNEIGH
} as const;

const RtaAttr = { DST: 1, OIF: 4, GATEWAY: 5, PREFSRC: 7 } as const; // RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PREFSRC
const NdaAttr = { DST: 1 } as const; // NDA_DST

/** rtm_type values (RTN_*) */
export const RouteType = { UNICAST: 1, LOCAL: 2, BROADCAST: 3, ANYCAST: 4, MULTICAST: 5, BLACKHOLE: 6, UNREACHABLE: 7, PROHIBIT: 8, THROW: 9 } as const;

/** A route type's name as `ip route` prints it (`broadcast`, `local`, ...); undefined for one it does not know. */
export function routeTypeName(type: number): string | undefined {
  const names = Object.keys(RouteType) as (keyof typeof RouteType)[];
  return names.find((n) => RouteType[n] === type)?.toLowerCase();
}

/** ndm_state bits (NUD_*) */
export const NeighState = { INCOMPLETE: 0x01, REACHABLE: 0x02, STALE: 0x04, DELAY: 0x08, PROBE: 0x10, FAILED: 0x20, NOARP: 0x40, PERMANENT: 0x80 } as const;

const RTMSG_LEN = 12; // u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags
const NDMSG_LEN = 12; // u8 family, pad1; u16 pad2; s32 ifindex; u16 state; u8 flags, type

/** What the kernel's routing decision for one destination says. */
export interface RouteDecision {
  /** RouteType.* */
  readonly type: number;
  /** the next hop when it is not the destination itself */
  readonly gateway?: Uint8Array;
  /** the outgoing interface's index */
  readonly oif?: number;
  /** the source address the director would use */
  readonly prefsrc?: Uint8Array;
}

export interface Neighbour {
  readonly family: number;
  readonly index: number;
  /** NeighState bits */
  readonly state: number;
  readonly dst: Uint8Array;
}

/** RTM_GETROUTE for `addr` (4 or 16 bytes): the route the kernel would use to send to it. */
export function routeGetRequest(addr: Uint8Array): Request {
  const attrs = new AttributeWriter().bytes(RtaAttr.DST, addr).finish();
  const payload = new Uint8Array(RTMSG_LEN + attrs.length);
  payload[0] = addr.length === 16 ? 10 : 2;
  payload[1] = addr.length * 8;
  payload.set(attrs, RTMSG_LEN);
  return { type: RouteMsg.GETROUTE, payload };
}

export function decodeRoute(payload: Uint8Array): RouteDecision {
  if (payload.length < RTMSG_LEN) throw new MalformedMessageError('rtmsg', `needs ${RTMSG_LEN} bytes, got ${payload.length}`);
  const size = payload[0] === AF_INET6 ? 16 : 4;
  const attrs = new AttributeSet(payload.subarray(RTMSG_LEN), 'RTM_NEWROUTE', RtaAttr);
  const gateway = attrs.bytes(RtaAttr.GATEWAY, size);
  const oif = attrs.u32(RtaAttr.OIF);
  const prefsrc = attrs.bytes(RtaAttr.PREFSRC, size);
  return {
    type: payload[7]!,
    ...(gateway ? { gateway: Uint8Array.from(gateway) } : {}),
    ...(oif !== undefined ? { oif } : {}),
    ...(prefsrc ? { prefsrc: Uint8Array.from(prefsrc) } : {}),
  };
}

/** RTM_GETNEIGH dump of both families. */
export const neighboursRequest = (): Request => ({ type: RouteMsg.GETNEIGH, payload: new Uint8Array(NDMSG_LEN) });

export function decodeNeighbour(payload: Uint8Array): Neighbour | undefined {
  if (payload.length < NDMSG_LEN) throw new MalformedMessageError('ndmsg', `needs ${NDMSG_LEN} bytes, got ${payload.length}`);
  const dv = view(payload);
  const family = payload[0]!;
  if (family !== 2 && family !== 10) return undefined;
  const dst = new AttributeSet(payload.subarray(NDMSG_LEN), 'RTM_NEWNEIGH', NdaAttr).bytes(NdaAttr.DST, family === AF_INET6 ? 16 : 4);
  if (!dst) return undefined;
  return { family, index: dv.getInt32(4, HOST_LE), state: dv.getUint16(8, HOST_LE), dst: Uint8Array.from(dst) };
}
