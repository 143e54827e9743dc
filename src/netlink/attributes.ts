// Netlink attribute (struct nlattr TLV) encoding and length-checked decoding. Pure bytes; no I/O.
// Values are host order unless a `be` method is used; every attribute is padded to 4 bytes.
import { NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK } from './constants.js';
import { HOST_LE, align4, view } from './endian.js';
import { MalformedMessageError } from './errors.js';

/** A fixed-size number an attribute carries: its payload size and how it is read and written. */
interface NumberCodec<T> {
  readonly size: number;
  get(dv: DataView, at: number): T;
  set(dv: DataView, at: number, value: T): void;
}

const U8: NumberCodec<number> = { size: 1, get: (dv, at) => dv.getUint8(at), set: (dv, at, v) => dv.setUint8(at, v) };
const U16: NumberCodec<number> = { size: 2, get: (dv, at) => dv.getUint16(at, HOST_LE), set: (dv, at, v) => dv.setUint16(at, v, HOST_LE) };
const BE16: NumberCodec<number> = { size: 2, get: (dv, at) => dv.getUint16(at, false), set: (dv, at, v) => dv.setUint16(at, v, false) };
const U32: NumberCodec<number> = { size: 4, get: (dv, at) => dv.getUint32(at, HOST_LE), set: (dv, at, v) => dv.setUint32(at, v >>> 0, HOST_LE) };
const BE32: NumberCodec<number> = { size: 4, get: (dv, at) => dv.getUint32(at, false), set: (dv, at, v) => dv.setUint32(at, v >>> 0, false) };
const U64: NumberCodec<bigint> = { size: 8, get: (dv, at) => dv.getBigUint64(at, HOST_LE), set: (dv, at, v) => dv.setBigUint64(at, v, HOST_LE) };

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

  u8(type: number, value: number): this { return this.number(U8, type, value); }
  u16(type: number, value: number): this { return this.number(U16, type, value); }
  /** u16 in network byte order (ports) */
  be16(type: number, value: number): this { return this.number(BE16, type, value); }
  u32(type: number, value: number): this { return this.number(U32, type, value); }
  /** u32 in network byte order (IPv4 netmask) */
  be32(type: number, value: number): this { return this.number(BE32, type, value); }
  u64(type: number, value: bigint): this { return this.number(U64, type, value); }
  private number<T>(codec: NumberCodec<T>, type: number, value: T): this {
    const at = this.header(type, codec.size); // first: it may grow buf and make dv again
    codec.set(this.dv, at, value);
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
  /** Empties the writer for the next run of attributes (its buffer is kept). */
  reset(): this {
    this.len = 0;
    return this;
  }
  /** The attributes written, copied out (the writer may be reset and reused). */
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

/**
 * Walks a run of attributes, checking every length against the buffer: `visit` gets each raw
 * nla_type (flags included) and its payload's offset and length. `where` is asked only for an error.
 */
function walkAttributes(
  dv: DataView,
  begin: number,
  end: number,
  where: () => string,
  visit: (rawType: number, start: number, length: number) => void,
): void {
  let off = begin;
  while (off + NLA_HDRLEN <= end) {
    const len = dv.getUint16(off, HOST_LE);
    if (len < NLA_HDRLEN || off + len > end) {
      throw new MalformedMessageError(where(), `attribute at offset ${off - begin} has length ${len}, ${end - off} bytes left`);
    }
    visit(dv.getUint16(off + 2, HOST_LE), off + NLA_HDRLEN, len - NLA_HDRLEN);
    off += align4(len);
  }
}

/** Splits a run of attributes, checking every length against the buffer. */
export function splitAttributes(bytes: Uint8Array, where: string): RawAttribute[] {
  const out: RawAttribute[] = [];
  walkAttributes(view(bytes), 0, bytes.length, () => where, (rawType, start, length) =>
    out.push({ type: rawType & NLA_TYPE_MASK, nested: (rawType & NLA_F_NESTED) !== 0, payload: bytes.subarray(start, start + length) }),
  );
  return out;
}

/**
 * Typed, length-checked access to one level of attributes. The last occurrence of a type wins
 * (as nla_parse does); all attributes, known or not, stay available through `all`. Reads go
 * straight to the bytes (a listing decodes hundreds of thousands of attributes): no object per
 * attribute, and the place named in errors is only spelled out when an error needs it.
 */
/** Strings up to this long are decoded by hand when they are ASCII. */
const SHORT_ASCII = 32;

export class AttributeSet {
  private readonly dv: DataView;
  /** where the attributes are in `buf`: [begin, end) (a nested set shares its parent's bytes) */
  private readonly begin: number;
  private readonly end: number;
  /** per attribute type: offset of its payload in `buf` (holes: absent) */
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];

  constructor(
    private readonly buf: Uint8Array,
    private readonly place: string | (() => string),
    private readonly names: Readonly<Record<string, number>> = {},
    within?: { readonly dv: DataView; readonly begin: number; readonly end: number },
  ) {
    this.dv = within?.dv ?? view(buf);
    this.begin = within?.begin ?? 0;
    this.end = within?.end ?? buf.length;
    walkAttributes(this.dv, this.begin, this.end, () => this.where, (rawType, start, length) => {
      const type = rawType & NLA_TYPE_MASK;
      this.starts[type] = start;
      this.lengths[type] = length;
    });
  }

  /** Where these attributes are, for error messages (`dump of command 1.SERVICE`). */
  get where(): string {
    return typeof this.place === 'string' ? this.place : this.place();
  }

  /** Every attribute in order, duplicates included. */
  get all(): readonly RawAttribute[] {
    return splitAttributes(this.buf.subarray(this.begin, this.end), this.where);
  }

  private name(type: number): string {
    const found = Object.entries(this.names).find(([, v]) => v === type);
    return found ? found[0] : `attribute ${type}`;
  }

  /** The payload offset of `type` after checking its length, or -1 when it is absent. */
  private sized(type: number, size: number): number {
    const at = this.starts[type];
    if (at === undefined) return -1;
    if (this.lengths[type] !== size) {
      throw new MalformedMessageError(this.where, `${this.name(type)}: expected ${size} bytes, got ${this.lengths[type]}`);
    }
    return at;
  }

  has(type: number): boolean {
    return this.starts[type] !== undefined;
  }
  /** Where `type`'s payload is, for readers that walk it in place: [at, end), or undefined. */
  span(type: number): { readonly dv: DataView; readonly at: number; readonly end: number } | undefined {
    const at = this.starts[type];
    return at === undefined ? undefined : { dv: this.dv, at, end: at + this.lengths[type]! };
  }
  raw(type: number): Uint8Array | undefined {
    const at = this.starts[type];
    return at === undefined ? undefined : this.buf.subarray(at, at + this.lengths[type]!);
  }
  u8(type: number): number | undefined { return this.number(U8, type); }
  u16(type: number): number | undefined { return this.number(U16, type); }
  be16(type: number): number | undefined { return this.number(BE16, type); }
  u32(type: number): number | undefined { return this.number(U32, type); }
  be32(type: number): number | undefined { return this.number(BE32, type); }
  u64(type: number): bigint | undefined { return this.number(U64, type); }
  private number<T>(codec: NumberCodec<T>, type: number): T | undefined {
    const at = this.sized(type, codec.size);
    return at < 0 ? undefined : codec.get(this.dv, at);
  }
  bytes(type: number, size: number): Uint8Array | undefined {
    const at = this.sized(type, size);
    return at < 0 ? undefined : this.buf.subarray(at, at + size);
  }
  /** bytes(type, 16), for required() (addresses travel in 16 bytes) */
  bytes16(type: number): Uint8Array | undefined {
    return this.bytes(type, 16);
  }
  /** Two host-order u32 in 8 bytes (a struct of two, such as ip_vs_flags) */
  u32Pair(type: number): [number, number] | undefined {
    const at = this.sized(type, 8);
    return at < 0 ? undefined : [this.dv.getUint32(at, HOST_LE), this.dv.getUint32(at + 4, HOST_LE)];
  }
  /** A NUL-terminated string (UTF-8); the text stops at the first NUL. */
  string(type: number): string | undefined {
    const at = this.starts[type];
    if (at === undefined) return undefined;
    const end = at + this.lengths[type]!;
    const nul = this.buf.indexOf(0, at);
    const stop = nul < 0 || nul > end ? end : nul;
    // Names (schedulers, pe) are short ASCII: made here, without a Buffer per string.
    if (stop - at <= SHORT_ASCII) {
      let text = '';
      let i = at;
      for (; i < stop && this.buf[i]! < 0x80; i++) text += String.fromCharCode(this.buf[i]!);
      if (i === stop) return text;
    }
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + at, stop - at).toString('utf8');
  }
  nested(type: number, names: Readonly<Record<string, number>> = {}): AttributeSet | undefined {
    const at = this.starts[type];
    if (at === undefined) return undefined;
    const within = { dv: this.dv, begin: at, end: at + this.lengths[type]! };
    return new AttributeSet(this.buf, () => `${this.where}.${this.name(type)}`, names, within);
  }

  /** Like the typed getters, but a missing attribute is an error that names it. */
  required<T>(type: number, get: (this: AttributeSet, type: number) => T | undefined): T {
    const v = get.call(this, type);
    if (v === undefined) throw new MalformedMessageError(this.where, `${this.name(type)} is missing`);
    return v;
  }
}
