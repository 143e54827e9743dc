// Splits restore input (ipvsadm -R) into per-line argv exactly as ipvsadm 1.31 reads it (observed
// with 1.31's argv; see test/kernel/restore-hostile.test.ts): lines at `\n`,
// words at space, tab or CR, every word cut into pieces of 4096 bytes, each piece ending at its
// first NUL (so it may be empty), pieces equal to `ipvsadm` dropped, lines left empty skipped.
// Deliberate fix: a last line without newline is kept even when it ends in blanks (1.31 lost it).
import { decodeRaw, encodeRaw } from '../app/raw-text.js';

/** ipvsadm 1.31 hands on at most this many bytes of a word as one argument, the rest as more. */
export const MAX_PIECE_BYTES = 4096;
/** Text of at most this many UTF-16 units is at most MAX_PIECE_BYTES bytes (3 bytes per unit). */
const SURELY_SHORT = Math.floor(MAX_PIECE_BYTES / 3);
const WORD_SEPARATORS = /[ \t\r]+/;

export interface RestoreLine {
  /** 1-based line number in the input */
  readonly number: number;
  readonly argv: readonly string[];
}

/** A word's pieces of at most MAX_PIECE_BYTES bytes, counted in the input's bytes (raw-text.ts). */
function pieces(word: string): string[] {
  if (word.length <= SURELY_SHORT) return [word];
  const bytes = encodeRaw(word);
  if (bytes.length <= MAX_PIECE_BYTES) return [word];
  const out: string[] = [];
  for (let at = 0; at < bytes.length; at += MAX_PIECE_BYTES) {
    out.push(decodeRaw(bytes.subarray(at, at + MAX_PIECE_BYTES)));
  }
  return out;
}

/** An argument as the C string ipvsadm passes on: up to its first NUL. */
const uptoNul = (piece: string): string => {
  const nul = piece.indexOf('\0');
  return nul < 0 ? piece : piece.slice(0, nul);
};

export function lineArgv(line: string): string[] {
  const argv: string[] = [];
  for (const word of line.split(WORD_SEPARATORS)) {
    if (word.length === 0) continue;
    for (const piece of pieces(word)) {
      const arg = uptoNul(piece);
      if (arg !== 'ipvsadm') argv.push(arg);
    }
  }
  return argv;
}

/** The input's non-empty lines, one at a time (a large input is never held as argv all at once). */
export function* restoreLines(text: string): Generator<RestoreLine> {
  let start = 0;
  for (let number = 1; start < text.length; number++) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const argv = lineArgv(text.slice(start, end));
    if (argv.length > 0) yield { number, argv };
    start = end + 1;
  }
}

export function tokenizeRestore(text: string): RestoreLine[] {
  return [...restoreLines(text)];
}
