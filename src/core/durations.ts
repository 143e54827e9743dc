// The numbers our own commands take on their command lines: seconds (--timeout, --interval,
// --drain-wait), written as up to 7 digits and 3 decimals, read as milliseconds; and whole
// counts (--count, --poll). One reader for each, so every command accepts the same spellings.

/** SECONDS (`2`, `0.5`, `1.250`) as milliseconds inside [minMs, maxMs]; undefined otherwise. */
export function parseSeconds(text: string, minMs = 0, maxMs = Number.MAX_SAFE_INTEGER): number | undefined {
  if (!/^\d{1,7}(\.\d{1,3})?$/.test(text)) return undefined;
  const ms = Math.round(Number(text) * 1000);
  return ms >= minMs && ms <= maxMs ? ms : undefined;
}

/** A whole number (`5`, up to 9 digits) inside [min, max]; undefined otherwise. */
export function parseWhole(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}
