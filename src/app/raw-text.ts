// Input bytes as text without losing a byte: valid UTF-8 decodes as usual, each byte that is not
// part of valid UTF-8 becomes the lone surrogate U+DC80+byte (Python's "surrogateescape"), and
// encodeRaw turns such text back into the same bytes. ipvsadm 1.31 echoes input bytes raw.

import { isAscii, isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xdc00;
/** An escaped byte: a low surrogate U+DC80..U+DCFF that does not follow a high surrogate. */
const ESCAPED_BYTE = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/** Length of the valid UTF-8 sequence starting at `i` (RFC 3629), or 0 when there is none. */
function sequenceLength(b: Uint8Array, i: number): number {
  const lead = b[i]!;
  if (lead < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const c = b[i + k];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const lo = lead === 0xe0 ? 0xa0 : 0x80;
    const hi = lead === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const lo = lead === 0xf0 ? 0x90 : 0x80;
    const hi = lead === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** Bytes → text; decodeRaw(encodeRaw(t)) === t for text it produced, encodeRaw(decodeRaw(b)) equals b. */
export function decodeRaw(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Nearly every input is ASCII (a copy makes the text) or at least valid UTF-8: then the
  // native checks and decoders do it all.
  if (isAscii(buf)) return buf.toString('latin1');
  if (isUtf8(buf)) return buf.toString('utf8');
  const parts: string[] = [];
  let runStart = 0;
  let i = 0;
  while (i < buf.length) {
    const n = sequenceLength(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > runStart) parts.push(buf.toString('utf8', runStart, i));
    parts.push(String.fromCharCode(ESCAPE_BASE + buf[i]!));
    i += 1;
    runStart = i;
  }
  if (runStart === 0) return buf.toString('utf8');
  if (buf.length > runStart) parts.push(buf.toString('utf8', runStart));
  return parts.join('');
}

/** Text → bytes: UTF-8, except that each escaped byte (see decodeRaw) is written as that byte. */
export function encodeRaw(text: string): Buffer {
  if (!ESCAPED_BYTE.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const escaped = unit >= 0xdc80 && unit <= 0xdcff && !isHighSurrogate(text.charCodeAt(i - 1));
    if (!escaped) continue;
    if (i > runStart) parts.push(Buffer.from(text.slice(runStart, i), 'utf8'));
    parts.push(Buffer.of(unit - ESCAPE_BASE));
    runStart = i + 1;
  }
  if (text.length > runStart) parts.push(Buffer.from(text.slice(runStart), 'utf8'));
  return Buffer.concat(parts);
}

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
