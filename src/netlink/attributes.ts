// Netlink attribute (struct nlattr TLV) encoding and length-checked decoding. Pure bytes; no I/O.
// Values are host order unless a `be` method is used; every attribute is padded to 4 bytes.
import { NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK } from './constants.js';
import { HOST_LE, align4, view } from './endian.js';
import { MalformedMessageError } from './errors.js';

/** Builds a run of attributes into one growable buffer; nested() patches lengths afterwards. */
export class AttributeWriter {
  private buf = new Uint8Array(256);
  /** a view of buf, made again only when buf grows (a restore writes 50,000 messages) */
  private dv = view(this.buf);
  private len = 0;

  private reserve(n: number): number {
    const need = this.len + align4(n);
    if (need > this.buf.length) {
      const next = new Uint8Array(Math.max(need, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
      this.dv = view(next);
    }
    const at = this.len;
    this.len = need;
    this.buf.fill(0, at, need);
    return at;
  }

  private header(type: number, payloadLen: number): number {
    checkLength(type, NLA_HDRLEN + payloadLen);
    const at = this.reserve(NLA_HDRLEN + payloadLen);
    this.dv.setUint16(at, NLA_HDRLEN + payloadLen, HOST_LE);
    this.dv.setUint16(at + 2, type, HOST_LE);
    return at + NLA_HDRLEN;
  }

  u8(type: number, value: number): this {
    this.dv.setUint8(this.header(type, 1), value);
    return this;
  }
  u16(type: number, value: number): this {
    const at = this.header(type, 2);
    this.dv.setUint16(at, value, HOST_LE);
    return this;
  }
  /** u16 in network byte order (ports) */
  be16(type: number, value: number): this {
    const at = this.header(type, 2);
    this.dv.setUint16(at, value, false);
    return this;
  }
  u32(type: number, value: number): this {
    const at = this.header(type, 4);
    this.dv.setUint32(at, value >>> 0, HOST_LE);
    return this;
  }
  /** u32 in network byte order (IPv4 netmask) */
  be32(type: number, value: number): this {
    const at = this.header(type, 4);
    this.dv.setUint32(at, value >>> 0, false);
    return this;
  }
  u64(type: number, value: bigint): this {
    const at = this.header(type, 8);
    this.dv.setBigUint64(at, value, HOST_LE);
    return this;
  }
  bytes(type: number, value: Uint8Array): this {
    const at = this.header(type, value.length);
    this.buf.set(value, at);
    return this;
  }
  /** The first `count` bytes of `value` in a zero-filled field of `size` bytes (no copy made first). */
  padded(type: number, value: Uint8Array, count: number, size: number): this {
    if (count > size || count > value.length) throw new RangeError(`attribute ${type}: ${count} bytes of ${value.length} do not fit ${size}`);
    const at = this.header(type, size);
    for (let i = 0; i < count; i++) this.buf[at + i] = value[i]!;
    return this;
  }
  /** NUL-terminated string (NLA_NUL_STRING / NLA_STRING as libnl sends it) */
  string(type: number, value: string): this {
    const enc = Buffer.from(value, 'utf8');
    const at = this.header(type, enc.length + 1);
    this.buf.set(enc, at);
    return this;
  }
  /** A nested attribute; the type is sent with NLA_F_NESTED like libnl does. */
  nested(type: number, build: (w: this) => void): this {
    const start = this.len;
    this.header(type | NLA_F_NESTED, 0);
    build(this);
    checkLength(type, this.len - start);
    this.dv.setUint16(start, this.len - start, HOST_LE);
    return this;
  }

  get length(): number {
    return this.len;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** nla_len is a u16: a longer attribute would wrap into a corrupt message, so refuse it. */
function checkLength(type: number, len: number): void {
  if (len > NLA_MAX_LEN) throw new RangeError(`attribute ${type & NLA_TYPE_MASK} is ${len} bytes; nla_len holds at most ${NLA_MAX_LEN}`);
}
const NLA_MAX_LEN = 0xffff;

export interface RawAttribute {
  /** type with NLA_F_NESTED / NLA_F_NET_BYTEORDER masked off */
  readonly type: number;
  readonly nested: boolean;
  readonly payload: Uint8Array;
}

/** Splits a run of attributes, checking every length against the buffer. */
export function splitAttributes(bytes: Uint8Array, where: string): RawAttribute[] {
  const out: RawAttribute[] = [];
  const dv = view(bytes);
  let off = 0;
  while (off + NLA_HDRLEN <= bytes.length) {
    const len = dv.getUint16(off, HOST_LE);
    const rawType = dv.getUint16(off + 2, HOST_LE);
    if (len < NLA_HDRLEN || off + len > bytes.length) {
      throw new MalformedMessageError(where, `attribute at offset ${off} has length ${len}, ${bytes.length - off} bytes left`);
    }
    out.push({
      type: rawType & NLA_TYPE_MASK,
      nested: (rawType & NLA_F_NESTED) !== 0,
      payload: bytes.subarray(off + NLA_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

/**
 * Typed, length-checked access to one level of attributes. The last occurrence of a type wins
 * (as nla_parse does); all attributes, known or not, stay available through `all`.
 */
export class AttributeSet {
  readonly all: readonly RawAttribute[];
  private readonly byType = new Map<number, Uint8Array>();

  constructor(
    bytes: Uint8Array,
    readonly where: string,
    private readonly names: Readonly<Record<string, number>> = {},
  ) {
    this.all = splitAttributes(bytes, where);
    for (const a of this.all) this.byType.set(a.type, a.payload);
  }

  private name(type: number): string {
    const found = Object.entries(this.names).find(([, v]) => v === type);
    return found ? found[0] : `attribute ${type}`;
  }

  private sized(type: number, size: number): DataView | undefined {
    const p = this.byType.get(type);
    if (p === undefined) return undefined;
    if (p.length !== size) {
      throw new MalformedMessageError(this.where, `${this.name(type)}: expected ${size} bytes, got ${p.length}`);
    }
    return view(p);
  }

  has(type: number): boolean {
    return this.byType.has(type);
  }
  raw(type: number): Uint8Array | undefined {
    return this.byType.get(type);
  }
  u8(type: number): number | undefined {
    return this.sized(type, 1)?.getUint8(0);
  }
  u16(type: number): number | undefined {
    return this.sized(type, 2)?.getUint16(0, HOST_LE);
  }
  be16(type: number): number | undefined {
    return this.sized(type, 2)?.getUint16(0, false);
  }
  u32(type: number): number | undefined {
    return this.sized(type, 4)?.getUint32(0, HOST_LE);
  }
  be32(type: number): number | undefined {
    return this.sized(type, 4)?.getUint32(0, false);
  }
  u64(type: number): bigint | undefined {
    return this.sized(type, 8)?.getBigUint64(0, HOST_LE);
  }
  bytes(type: number, size: number): Uint8Array | undefined {
    return this.sized(type, size) && this.byType.get(type);
  }
  /** A NUL-terminated string; the text stops at the first NUL. */
  string(type: number): string | undefined {
    const p = this.byType.get(type);
    if (p === undefined) return undefined;
    const nul = p.indexOf(0);
    return Buffer.from(p.buffer, p.byteOffset, nul < 0 ? p.length : nul).toString('utf8');
  }
  nested(type: number, names: Readonly<Record<string, number>> = {}): AttributeSet | undefined {
    const p = this.byType.get(type);
    return p === undefined ? undefined : new AttributeSet(p, `${this.where}.${this.name(type)}`, names);
  }

  /** Like the typed getters, but a missing attribute is an error that names it. */
  required<T>(type: number, get: (this: AttributeSet, type: number) => T | undefined): T {
    const v = get.call(this, type);
    if (v === undefined) throw new MalformedMessageError(this.where, `${this.name(type)} is missing`);
    return v;
  }
}
