// The rows of `-L -n -c` written as bytes: the kernel's usual IPv4 line of /proc/net/ip_vs_conn
// read from its characters and printed without a string per field, so that a table of 500,000
// connections costs no allocation per row; chunks come out as text of about 1 MB.

/** Bytes per chunk, and room always left for one row (pieces are at most 255 characters). */
const CHUNK = 1 << 20;
const ROOM = 1024;
const SPACE = 0x20;

// Token bounds of the piece being read (a row has at most 11 tokens that matter).
const tokenStart = new Int32Array(12);
const tokenEnd = new Int32Array(12);
/** Hex digit values by character code, -1 for any other character. */
const HEX = Int8Array.from({ length: 128 }, (_, c) => {
  const d = String.fromCharCode(c);
  return /[0-9a-fA-F]/.test(d) ? parseInt(d, 16) : -1;
});

/**
 * Splits the piece on spaces into at most 12 tokens (their count; 12 means 12 or more); -1 when it
 * holds any other white space or a character outside printable ASCII (the slow path decides then).
 */
function tokenize(text: string, start: number, end: number): number {
  let n = 0;
  let inToken = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === SPACE || (c === 0x0a && i === end - 1)) {
      if (inToken) tokenEnd[n++] = i;
      inToken = false;
      if (n === 12) return n;
    } else if (c < 0x21 || c > 0x7e) return -1;
    else if (!inToken) {
      tokenStart[n] = i;
      inToken = true;
    }
  }
  if (inToken) tokenEnd[n++] = end;
  return n;
}

/** The value of token `t` as exactly `digits` digits of `base` (16 or 10), or -1. */
function tokenValue(text: string, t: number, digits: number, base: number): number {
  if (tokenEnd[t]! - tokenStart[t]! !== digits) return -1;
  let v = 0;
  for (let i = tokenStart[t]!; i < tokenEnd[t]!; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? HEX[c]! : -1;
    if (d < 0 || d >= base) return -1;
    v = v * base + d;
  }
  return v;
}

/** Text and rows into one byte buffer, cut into chunks of text. */
export class RowWriter {
  private buf = Buffer.allocUnsafe(CHUNK + ROOM);
  private pos = 0;
  private readonly chunks: string[] = [];

  /** Text whose characters are all below U+0100 (a latin-1 read of the file, our own rows). */
  text(t: string): void {
    if (this.pos + t.length > this.buf.length) this.cut(t.length);
    this.pos += this.buf.write(t, this.pos, 'latin1');
    if (this.pos >= CHUNK) this.cut(0);
  }

  /**
   * Writes the numeric row of a piece in the kernel's IPv4 layout (8-digit hex addresses, 4-digit
   * hex ports, 1 to 9 digits of expiry, pe fields only when not shown) and says true; false, and
   * nothing written, for any other piece.
   */
  numericIPv4Row(text: string, start: number, end: number, persistentConn: boolean): boolean {
    const n = tokenize(text, start, end);
    if (n < 9 || (persistentConn && n >= 11)) return false;
    const client = tokenValue(text, 1, 8, 16);
    const virtual = tokenValue(text, 3, 8, 16);
    const dest = tokenValue(text, 5, 8, 16);
    const ports = tokenValue(text, 2, 4, 16) | tokenValue(text, 4, 4, 16) | tokenValue(text, 6, 4, 16);
    const expiresDigits = tokenEnd[8]! - tokenStart[8]!;
    const expires = expiresDigits <= 9 ? tokenValue(text, 8, expiresDigits, 10) : -1;
    if (client < 0 || virtual < 0 || dest < 0 || ports < 0 || expires < 0) return false;
    let p = this.token(text, 0, this.pos, 3);
    const e0 = p;
    p = this.two(Math.floor(expires / 60), p);
    this.buf[p++] = 0x3a;
    p = this.pad(this.two(expires % 60, p), e0, 6);
    p = this.token(text, 7, p, 11);
    p = this.pad(this.addrPort(client, tokenValue(text, 2, 4, 16), p), p, 18);
    p = this.pad(this.addrPort(virtual, tokenValue(text, 4, 4, 16), p), p, 18);
    p = this.addrPort(dest, tokenValue(text, 6, 4, 16), p);
    this.buf[p++] = 0x0a;
    this.pos = p;
    if (p >= CHUNK) this.cut(0);
    return true;
  }

  /** The chunks written, the last one included. */
  finish(): string[] {
    if (this.pos > 0) this.cut(0);
    return this.chunks;
  }

  private cut(need: number): void {
    if (this.pos > 0) this.chunks.push(this.buf.toString('latin1', 0, this.pos));
    this.pos = 0;
    if (need + ROOM > this.buf.length) this.buf = Buffer.allocUnsafe(need + ROOM);
  }

  /** Token `t` at `p`, padded with spaces to `width`, then one space; the position after. */
  private token(text: string, t: number, p: number, width: number): number {
    const begin = p;
    for (let i = tokenStart[t]!; i < tokenEnd[t]!; i++) this.buf[p++] = text.charCodeAt(i);
    return this.pad(p, begin, width);
  }

  /** Spaces from `end` until `width` bytes from `begin`, then one more; the position after. */
  private pad(end: number, begin: number, width: number): number {
    let p = end;
    while (p - begin < width) this.buf[p++] = SPACE;
    this.buf[p++] = SPACE;
    return p;
  }

  /** `n` in decimal with at least two digits at `p`; the position after. */
  private two(n: number, p: number): number {
    if (n < 10) this.buf[p++] = 0x30;
    return this.decimal(n, p);
  }

  private decimal(n: number, p: number): number {
    if (n >= 10) p = this.decimal(Math.floor(n / 10), p);
    this.buf[p] = 0x30 + (n % 10);
    return p + 1;
  }

  /** `a.b.c.d:port` at `p`; the position after. */
  private addrPort(v: number, port: number, p: number): number {
    for (let shift = 24; shift >= 0; shift -= 8) {
      p = this.decimal((v >>> shift) & 0xff, p);
      this.buf[p++] = shift ? 0x2e : 0x3a;
    }
    return this.decimal(port, p);
  }
}
