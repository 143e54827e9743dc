// Netlink message framing: encode one request, split a received datagram into messages, and
// decode NLMSG_ERROR (errno + extended ack). Pure bytes; no I/O.
//
//   0               4       6       8               12              16
//   +---------------+-------+-------+---------------+---------------+
//   | nlmsg_len     | type  | flags | seq           | pid (port)    |   struct nlmsghdr
//   +-------+-------+-------+-------+---------------+---------------+
//   | cmd   | ver   | reserved      | attributes (struct nlattr TLVs, 4-byte aligned) ...
//   +-------+-------+---------------+------------------------------------------------
//     struct genlmsghdr (generic netlink only)
import { ExtAckAttr, Flag, GENL_HDRLEN, MsgType, NLMSG_HDRLEN } from './constants.js';
import { HOST_LE, align4, view } from './endian.js';
import { AttributeSet } from './attributes.js';
import { MalformedMessageError } from './errors.js';
import type { ExtAck } from './errors.js';

export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** everything after the 16-byte header */
  readonly payload: Uint8Array;
}

export interface OutgoingMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid?: number;
  /** bytes before the payload (a generic netlink header shared by many messages) */
  readonly head?: Uint8Array | undefined;
  readonly payload: Uint8Array;
}

/** Messages back to back, each padded to 4 bytes, in one buffer (one sendmsg's worth). */
export function encodeMessages(msgs: readonly OutgoingMessage[]): Uint8Array {
  let total = 0;
  for (const m of msgs) total += align4(NLMSG_HDRLEN + (m.head?.length ?? 0) + m.payload.length);
  const out = new Uint8Array(total);
  const dv = view(out);
  let at = 0;
  for (const m of msgs) {
    const headLen = m.head?.length ?? 0;
    const len = NLMSG_HDRLEN + headLen + m.payload.length;
    dv.setUint32(at, len, HOST_LE);
    dv.setUint16(at + 4, m.type, HOST_LE);
    dv.setUint16(at + 6, m.flags, HOST_LE);
    dv.setUint32(at + 8, m.seq >>> 0, HOST_LE);
    dv.setUint32(at + 12, (m.pid ?? 0) >>> 0, HOST_LE);
    if (m.head) out.set(m.head, at + NLMSG_HDRLEN);
    out.set(m.payload, at + NLMSG_HDRLEN + headLen);
    at += align4(len);
  }
  return out;
}

const GENL_HEADERS = new Map<number, Uint8Array>();

/** The genlmsghdr of `cmd` and `version` (reserved zero): one shared array each, never changed. */
export function genlHeader(cmd: number, version: number): Uint8Array {
  const key = (cmd & 0xff) | ((version & 0xff) << 8);
  let head = GENL_HEADERS.get(key);
  if (!head) GENL_HEADERS.set(key, (head = Uint8Array.of(cmd, version, 0, 0)));
  return head;
}

export interface GenlPayload {
  readonly cmd: number;
  readonly version: number;
  readonly attrs: Uint8Array;
}

export function decodeGenlPayload(payload: Uint8Array, where: string): GenlPayload {
  if (payload.length < GENL_HDRLEN) {
    throw new MalformedMessageError(where, `generic netlink header needs ${GENL_HDRLEN} bytes, got ${payload.length}`);
  }
  return { cmd: payload[0]!, version: payload[1]!, attrs: payload.subarray(GENL_HDRLEN) };
}

/**
 * Visits each message of a datagram: its header fields and where its payload is
 * ([start, end) of `datagram`); throws MalformedMessageError at a length that does not fit.
 */
export function walkMessages(
  datagram: Uint8Array,
  dv: DataView,
  visit: (type: number, flags: number, seq: number, pid: number, start: number, end: number) => void,
): void {
  let off = 0;
  while (off + NLMSG_HDRLEN <= datagram.length) {
    const len = dv.getUint32(off, HOST_LE);
    if (len < NLMSG_HDRLEN || off + len > datagram.length) {
      throw new MalformedMessageError('nlmsghdr', `message at offset ${off} claims ${len} bytes, ${datagram.length - off} received`);
    }
    visit(dv.getUint16(off + 4, HOST_LE), dv.getUint16(off + 6, HOST_LE), dv.getUint32(off + 8, HOST_LE), dv.getUint32(off + 12, HOST_LE), off + NLMSG_HDRLEN, off + len);
    off += align4(len);
  }
  if (off < datagram.length) {
    throw new MalformedMessageError('nlmsghdr', `${datagram.length - off} stray bytes after the last message`);
  }
}

export interface DecodedError {
  /** 0 for an ACK, else a positive errno */
  readonly errno: number;
  /** the header of the request this answers */
  readonly request: { readonly type: number; readonly flags: number; readonly seq: number };
  readonly extack: ExtAck;
}

/**
 * struct nlmsgerr: s32 error, then the request's nlmsghdr (and, unless NLM_F_CAPPED, its
 * payload), then extended-ack TLVs when NLM_F_ACK_TLVS is set.
 */
export function decodeError(msg: NetlinkMessage): DecodedError {
  const p = msg.payload;
  if (p.length < 4 + NLMSG_HDRLEN) {
    throw new MalformedMessageError('nlmsgerr', `needs ${4 + NLMSG_HDRLEN} bytes, got ${p.length}`);
  }
  const dv = view(p);
  const error = dv.getInt32(0, HOST_LE);
  const origLen = dv.getUint32(4, HOST_LE);
  const request = { type: dv.getUint16(8, HOST_LE), flags: dv.getUint16(10, HOST_LE), seq: dv.getUint32(12, HOST_LE) };
  let extack: ExtAck = {};
  if (msg.flags & Flag.ACK_TLVS) {
    const tlvStart = 4 + (msg.flags & Flag.CAPPED ? NLMSG_HDRLEN : align4(origLen));
    if (tlvStart <= p.length) {
      const tlv = new AttributeSet(p.subarray(tlvStart), 'nlmsgerr extack', ExtAckAttr);
      extack = {
        ...(tlv.has(ExtAckAttr.MSG) ? { message: tlv.string(ExtAckAttr.MSG) } : {}),
        ...(tlv.has(ExtAckAttr.OFFS) ? { offset: tlv.u32(ExtAckAttr.OFFS) } : {}),
        ...(tlv.has(ExtAckAttr.MISS_TYPE) ? { missingType: tlv.u32(ExtAckAttr.MISS_TYPE) } : {}),
      };
    }
  }
  return { errno: error === 0 ? 0 : -error, request, extack }; // never -0 for an ACK
}

/** The int error code carried by NLMSG_DONE (0 when absent). */
export function decodeDone(msg: NetlinkMessage): number {
  const error = msg.payload.length >= 4 ? view(msg.payload).getInt32(0, HOST_LE) : 0;
  return error === 0 ? 0 : -error; // never -0
}

export const isError = (m: NetlinkMessage): boolean => m.type === MsgType.ERROR;
export const isDone = (m: NetlinkMessage): boolean => m.type === MsgType.DONE;
