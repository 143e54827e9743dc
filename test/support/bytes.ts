// Independent netlink byte builder (and a tiny reader) for test expectations and the fake kernel.
// Written from the kernel headers, importing nothing from src/, so it cannot share an encoder bug.
// Also the damage done to such bytes when fuzzing decoders (mutate, mutationArb).
import { endianness } from 'node:os';
import fc from 'fast-check';

const LE = endianness() === 'LE';

/** nlmsghdr types and NLM_F_* flags, spelled out from uapi/linux/netlink.h. */
export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3, OVERRUN: 4 } as const;
export const NLM_F = { REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, DUMP: 0x300, CAPPED: 0x100, ACK_TLVS: 0x200 } as const;
export const NLA_F_NESTED = 0x8000;
/** genetlink controller: GENL_ID_CTRL, CTRL_CMD_*, CTRL_ATTR_* */
export const CTRL = { ID: 0x10, CMD_NEWFAMILY: 1, CMD_GETFAMILY: 3, FAMILY_ID: 1, FAMILY_NAME: 2, VERSION: 3, HDRSIZE: 4, MAXATTR: 5 } as const;

// ---- scalars ----------------------------------------------------------------------------------

export const u8 = (v: number): Buffer => Buffer.from([v & 0xff]);
export function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  if (LE) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
}
export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  if (LE) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
}
export function i32(v: number): Buffer {
  const b = Buffer.alloc(4);
  if (LE) b.writeInt32LE(v);
  else b.writeInt32BE(v);
  return b;
}
export function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  if (LE) b.writeBigUInt64LE(v);
  else b.writeBigUInt64BE(v);
  return b;
}
export function be16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}
export function be32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}
/** A C string: UTF-8 text plus the terminating NUL. */
export const str = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]);
/** Hex with optional whitespace: hex('0c00 0100') */
export function hex(s: string): Buffer {
  const clean = s.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`bad hex literal: ${s}`);
  return Buffer.from(clean, 'hex');
}
export const cat = (...parts: readonly Uint8Array[]): Buffer => Buffer.concat(parts);
export const pad4 = (b: Uint8Array): Buffer => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);

// ---- attributes and messages --------------------------------------------------------------------

/** struct nlattr { u16 nla_len (header + payload, unpadded); u16 nla_type } + payload + padding */
export function attr(type: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const hdr = Buffer.alloc(4);
  const len = 4 + payload.length;
  if (LE) {
    hdr.writeUInt16LE(len, 0);
    hdr.writeUInt16LE(type, 2);
  } else {
    hdr.writeUInt16BE(len, 0);
    hdr.writeUInt16BE(type, 2);
  }
  return pad4(Buffer.concat([hdr, payload]));
}
/** A nested attribute as requests carry it (NLA_F_NESTED set, as libnl does). */
export const nest = (type: number, ...children: readonly Uint8Array[]): Buffer => attr(type | NLA_F_NESTED, cat(...children));
/** A nested attribute as kernel replies carry it (no NLA_F_NESTED). */
export const nestPlain = (type: number, ...children: readonly Uint8Array[]): Buffer => attr(type, cat(...children));

/** struct genlmsghdr { u8 cmd; u8 version; u16 reserved } + attributes */
export const genl = (cmd: number, version: number, ...attrs: readonly Uint8Array[]): Buffer =>
  cat(Buffer.from([cmd, version, 0, 0]), ...attrs);

export interface Header {
  readonly type: number;
  readonly flags?: number;
  readonly seq?: number;
  readonly pid?: number;
}

/** struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid } + payload, padded to 4. */
export function nlmsg(h: Header, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  return pad4(cat(u32(16 + payload.length), u16(h.type), u16(h.flags ?? 0), u32(h.seq ?? 0), u32(h.pid ?? 0), payload));
}

export interface ErrOptions {
  /** the request being answered (its full bytes; only the header is echoed when capped) */
  readonly request: Uint8Array;
  readonly errno: number;
  readonly seq?: number;
  readonly pid?: number;
  /** default: capped for errno 0 (as the kernel does), full echo otherwise */
  readonly capped?: boolean;
  readonly extack?: { readonly msg?: string; readonly offset?: number; readonly missType?: number };
}

/** NLMSG_ERROR: s32 -errno, the request's nlmsghdr (+ payload unless capped), extack TLVs. */
export function nlmsgerr(o: ErrOptions): Buffer {
  const capped = o.capped ?? o.errno === 0;
  const echo = capped ? o.request.subarray(0, 16) : o.request.subarray(0, readU32(o.request, 0));
  const tlvs: Buffer[] = [];
  if (o.extack?.msg !== undefined) tlvs.push(attr(1, str(o.extack.msg)));
  if (o.extack?.offset !== undefined) tlvs.push(attr(2, u32(o.extack.offset)));
  if (o.extack?.missType !== undefined) tlvs.push(attr(5, u32(o.extack.missType)));
  const flags = (capped ? NLM_F.CAPPED : 0) | (tlvs.length ? NLM_F.ACK_TLVS : 0);
  const seq = o.seq ?? readU32(o.request, 8);
  const pid = o.pid ?? readU32(o.request, 12);
  return nlmsg({ type: NLMSG.ERROR, flags, seq, pid }, cat(i32(-o.errno), pad4(echo), ...tlvs));
}

/** NLMSG_DONE of a dump: NLM_F_MULTI and an int (0 or -errno). */
export const done = (seq: number, pid: number, errno = 0): Buffer =>
  nlmsg({ type: NLMSG.DONE, flags: NLM_F.MULTI, seq, pid }, i32(-errno));

// ---- reader (for the fake kernel and for checking requests) -------------------------------------

function readU32(b: Uint8Array, off: number): number {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return LE ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
}
function readU16(b: Uint8Array, off: number): number {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return LE ? buf.readUInt16LE(off) : buf.readUInt16BE(off);
}
export const readHostU16 = (b: Uint8Array): number => readU16(b, 0);
export const readHostU32 = (b: Uint8Array): number => readU32(b, 0);

export interface ParsedMessage {
  readonly len: number;
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  readonly payload: Buffer;
  /** the whole message, header included */
  readonly raw: Buffer;
}

/** Splits sent bytes into messages; throws on any length that does not add up. */
export function parseMessages(bytes: Uint8Array): ParsedMessage[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ParsedMessage[] = [];
  let off = 0;
  while (off < b.length) {
    if (off + 16 > b.length) throw new Error(`parseMessages: ${b.length - off} stray bytes`);
    const len = readU32(b, off);
    if (len < 16 || off + len > b.length) throw new Error(`parseMessages: bad nlmsg_len ${len} at ${off}`);
    out.push({
      len,
      type: readU16(b, off + 4),
      flags: readU16(b, off + 6),
      seq: readU32(b, off + 8),
      pid: readU32(b, off + 12),
      payload: b.subarray(off + 16, off + len),
      raw: b.subarray(off, off + len),
    });
    off += (len + 3) & ~3;
  }
  return out;
}

export interface ParsedAttr {
  /** type with NLA_F_NESTED cleared */
  readonly type: number;
  readonly nested: boolean;
  readonly payload: Buffer;
}

export function parseAttrs(bytes: Uint8Array): ParsedAttr[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ParsedAttr[] = [];
  let off = 0;
  while (off + 4 <= b.length) {
    const len = readU16(b, off);
    const type = readU16(b, off + 2);
    if (len < 4 || off + len > b.length) throw new Error(`parseAttrs: bad nla_len ${len} at ${off}`);
    out.push({ type: type & 0x3fff, nested: (type & NLA_F_NESTED) !== 0, payload: b.subarray(off + 4, off + len) });
    off += (len + 3) & ~3;
  }
  return out;
}

/** Attributes by type (the last one wins, like nla_parse). */
export const attrMap = (bytes: Uint8Array): Map<number, ParsedAttr> => new Map(parseAttrs(bytes).map((a) => [a.type, a]));

/** The C string in an attribute payload (up to the first NUL). */
export function cstr(p: Uint8Array): string {
  const b = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
}

/** IPVS ids copied from uapi/linux/ip_vs.h, kept apart from src/ipvs/constants.ts. */
export const IPVS = {
  CMD: { NEW_SERVICE: 1, SET_SERVICE: 2, DEL_SERVICE: 3, GET_SERVICE: 4, NEW_DEST: 5, SET_DEST: 6, DEL_DEST: 7, GET_DEST: 8, NEW_DAEMON: 9, DEL_DAEMON: 10, GET_DAEMON: 11, SET_CONFIG: 12, GET_CONFIG: 13, SET_INFO: 14, GET_INFO: 15, ZERO: 16, FLUSH: 17 },
  CMD_ATTR: { SERVICE: 1, DEST: 2, DAEMON: 3, TIMEOUT_TCP: 4, TIMEOUT_TCP_FIN: 5, TIMEOUT_UDP: 6 },
  SVC: { AF: 1, PROTOCOL: 2, ADDR: 3, PORT: 4, FWMARK: 5, SCHED_NAME: 6, FLAGS: 7, TIMEOUT: 8, NETMASK: 9, STATS: 10, PE_NAME: 11, STATS64: 12 },
  DEST: { ADDR: 1, PORT: 2, FWD_METHOD: 3, WEIGHT: 4, U_THRESH: 5, L_THRESH: 6, ACTIVE_CONNS: 7, INACT_CONNS: 8, PERSIST_CONNS: 9, STATS: 10, ADDR_FAMILY: 11, STATS64: 12, TUN_TYPE: 13, TUN_PORT: 14, TUN_FLAGS: 15 },
  DAEMON: { STATE: 1, MCAST_IFN: 2, SYNC_ID: 3, SYNC_MAXLEN: 4, MCAST_GROUP: 5, MCAST_GROUP6: 6, MCAST_PORT: 7, MCAST_TTL: 8 },
  STATS: { CONNS: 1, INPKTS: 2, OUTPKTS: 3, INBYTES: 4, OUTBYTES: 5, CPS: 6, INPPS: 7, OUTPPS: 8, INBPS: 9, OUTBPS: 10, PAD: 11 },
  INFO: { VERSION: 1, CONN_TAB_SIZE: 2 },
} as const;

// ---- mutations (fuzzing decoders with damaged real replies) ------------------------------------

/** One way to damage a well-formed message; offsets wrap around the input's length. */
export type Mutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'flip'; readonly at: number; readonly mask: number }
  | { readonly kind: 'u16'; readonly at: number; readonly value: number }
  | { readonly kind: 'u32'; readonly at: number; readonly value: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'cut'; readonly at: number; readonly length: number };

/** A damaged copy of `b` (length fields are u16/u32 at any offset, in host order). */
export function mutate(b: Uint8Array, m: Mutation): Buffer {
  const src = Buffer.from(b);
  if (src.length === 0) return m.kind === 'insert' ? Buffer.from(m.bytes) : src;
  const at = m.at % src.length;
  switch (m.kind) {
    case 'truncate':
      return src.subarray(0, at);
    case 'flip':
      src[at] = src[at]! ^ (m.mask & 0xff || 1);
      return src;
    case 'u16':
    case 'u32': {
      const value = m.kind === 'u16' ? u16(m.value & 0xffff) : u32(m.value);
      value.copy(src, at, 0, Math.min(value.length, src.length - at));
      return src;
    }
    case 'insert':
      return cat(src.subarray(0, at), m.bytes, src.subarray(at));
    case 'cut':
      return cat(src.subarray(0, at), src.subarray(at + m.length));
  }
}

/** Random damage for bytes up to `maxOffset` long: wrong lengths, flipped bits, bytes in or out. */
export function mutationArb(maxOffset: number): fc.Arbitrary<Mutation> {
  const at = fc.nat({ max: maxOffset });
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('flip' as const), at, mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('u16' as const), at, value: fc.oneof(fc.constantFrom(0, 1, 3, 4, 5, 8, 15, 16, 17, 0x7fff, 0x8001, 0xffff), fc.nat({ max: 0xffff })) }),
    fc.record({ kind: fc.constant('u32' as const), at, value: fc.oneof(fc.constantFrom(0, 2, 10, 15, 16, 17, 0x7fffffff, 0x80000000, 0xfffffffd, 0xffffffff), fc.nat()) }),
    fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }) }),
    fc.record({ kind: fc.constant('cut' as const), at, length: fc.integer({ min: 1, max: 24 }) }),
  );
}
