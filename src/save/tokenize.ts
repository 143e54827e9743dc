// Splits restore input (ipvsadm -R) into per-line argv, as ipvsadm 1.31 reads it: words split
// on space/tab/CR, the word `ipvsadm` dropped anywhere, blank lines skipped, `#` not special.
// Deliberate fix: a last line without newline is kept even when it ends in blanks (1.31 lost it).

export interface RestoreLine {
  /** 1-based line number in the input */
  readonly number: number;
  readonly argv: readonly string[];
}

export function tokenizeRestore(text: string): RestoreLine[] {
  const out: RestoreLine[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, i) => {
    const argv = line.split(/[ \t\r]+/).filter((w) => w.length > 0 && w !== 'ipvsadm');
    if (argv.length > 0) out.push({ number: i + 1, argv });
  });
  return out;
}
