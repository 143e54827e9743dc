// `-L -n -c` prints the kernel's usual IPv4 lines straight from their characters
// (connectionChunks' numeric path): every piece must come out as parsing it into an entry and
// printing that entry does (parseConnectionLine + formatConnectionRow), odd pieces included.
import { describe, expect, it } from 'vitest';
import { connectionChunks, connectionTitle, formatConnectionRow } from '../../../src/cli/format/connections.js';
import { RowWriter } from '../../../src/cli/format/conn-rows.js';
import type { ConnectionListOptions } from '../../../src/cli/format/connections.js';
import { fgetsChunks, forEachFgetsPiece, parseConnectionLine } from '../../../src/table/connections.js';
import { noNames } from '../../support/names-table.js';

const HEADER = 'Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n';
const hex = (n: number, digits: number) => n.toString(16).toUpperCase().padStart(digits, '0');

/** The reference: each fgets() piece after the first parsed into an entry, then printed. */
function reference(text: string, o: ConnectionListOptions): string {
  const rows = fgetsChunks(text).slice(1).flatMap((p) => {
    const c = parseConnectionLine(p);
    return c ? [formatConnectionRow(c, o, noNames)] : [];
  });
  return [connectionTitle(o), ...rows].join('\n') + '\n';
}

/** Lines in the kernel's IPv4 layout, with a deterministic spread of values. */
function kernelLines(n: number): string[] {
  const states = ['ESTABLISHED', 'FIN_WAIT', 'TIME_WAIT', 'CLOSE_WAIT', 'SYN_RECV', 'UDP', 'NONE'];
  return Array.from({ length: n }, (_, i) => {
    const x = Math.imul(i + 1, 2654435761) >>> 0;
    const proto = ['TCP', 'UDP', 'SCTP'][i % 3]!;
    const expires = [0, 59, 60, 7199, 900, 2678399, 123456789][i % 7]!;
    const row = `${proto.padEnd(3)} ${hex(x, 8)} ${hex(x & 0xffff, 4)} ${hex(0xc0000200 + (i % 256), 8)} ${hex(i % 3 ? 80 : 443, 4)} ${hex((0xc6336400 + i) >>> 0, 8)} ${hex(65535 - (i % 7), 4)} ${states[i % states.length]!.padEnd(11)} ${String(expires).padStart(7)}`;
    return i % 11 === 5 ? `${row} sip ${'d'.repeat(i % 40)}` : row;
  });
}

/** The row the fast path writes for one piece, or undefined when it leaves the piece alone. */
function numericIPv4Row(text: string, start: number, end: number, persistentConn: boolean): string | undefined {
  const w = new RowWriter();
  return w.numericIPv4Row(text, start, end, persistentConn) ? w.finish().join('').replace(/\n$/, '') : undefined;
}

const OPTIONS: ConnectionListOptions[] = [
  { numeric: true, persistentConn: false },
  { numeric: true, persistentConn: true },
];

describe('connectionChunks (numeric)', () => {
  it.each(OPTIONS)('prints 20,000 kernel lines as the reference does (%o)', (o) => {
    const text = HEADER + kernelLines(20000).join('\n') + '\n';
    const chunks = connectionChunks(text, o, noNames)!;
    expect(chunks.length).toBeGreaterThan(1); // cut in chunks of about 1 MB
    expect(chunks.join('')).toBe(reference(text, o));
    // the kernel's lines take the fast path (with pe fields too, unless they are shown)
    expect(kernelLines(100).filter((l) => !(o.persistentConn && l.includes(' sip '))).every((l) => numericIPv4Row(`${l}\n`, 0, l.length + 1, o.persistentConn) !== undefined)).toBe(true);
    expect(chunks.join('').split('\n')[2]).toMatch(/^TCP 00:00  ESTABLISHED \d+\.\d+\.\d+\.\d+:\d+ +192\.0\.2\.0:443 +198\.51\.100\.0:65535$/);
  });

  it.each(OPTIONS)('odd pieces: left to the slow path, skipped or printed as it does (%o)', (o) => {
    const good = 'TCP C0000201 979E C0000201 0050 C6336402 1F90 SYN_RECV         45';
    const odd = [
      good.replace('979E', '79E'), // short port: the slow path takes it
      good.replace('C0000201 979E', 'C000201 979E'), // short address
      good.replace(' 45', ' 1234567890'), // 10 digits of expiry
      good.replace(' 45', ' 4x5'), // not a number: skipped
      good.replace('C6336402', 'ZZ336402'), // not hex: skipped
      good.replace(' ', '\t'), // a tab between tokens
      good.replace('SYN_RECV', 'SYN\u00a0RECV'), // latin-1 no-break space
      `${good} sip data extra more`, // pe name, data and more tokens
      `${good} sip`, // ten tokens: no pe
      `  ${good}  `, // leading and trailing spaces
      good.slice(0, 40), // too few tokens
      '',
      `${good} ${'x'.repeat(300)}`, // longer than one fgets() piece
      'TCP 2001:0db8:0000:0000:0000:0000:0000:0001 A48A 2001:0db8:0000:0000:0000:0000:0000:0001 0050 C6336401 0050 SYN_RECV 53',
    ];
    const text = HEADER + odd.join('\n') + '\n' + good; // the last line without a newline
    expect(connectionChunks(text, o, noNames)!.join('')).toBe(reference(text, o));
  });

  it('the fast path declines what it cannot print exactly', () => {
    const row = (line: string, pc = false) => numericIPv4Row(line, 0, line.length, pc);
    expect(row('TCP C0000201 979E C0000201 0050 C6336402 1F90 SYN_RECV 45\n')).toBe('TCP 00:45  SYN_RECV    192.0.2.1:38814    192.0.2.1:80       198.51.100.2:8080');
    expect(row('TCP C0000201 979E C0000201 0050 C6336402 1F90 SYN_RECV 45 sip data', true)).toBeUndefined();
    expect(row('TCP C0000201 979E C0000201 0050 C6336402 1F90 SYN_RECV\t45')).toBeUndefined();
    expect(row('TCP C0000201 979E C0000201 0050 C6336402 1F90 SYN_RECV 45\n\n')).toBeUndefined();
  });

  it('the title only for a file with just the header; undefined for an empty file', () => {
    const o = OPTIONS[0]!;
    expect(connectionChunks(HEADER, o, noNames)).toEqual([`${connectionTitle(o)}\n`]);
    expect(connectionChunks('', o, noNames)).toBeUndefined();
  });

  it('visits the same pieces as fgetsChunks, a header longer than one piece included', () => {
    const text = `${'h'.repeat(300)}\nabc\n${'y'.repeat(600)}\nlast`;
    const pieces: string[] = [];
    forEachFgetsPiece(text, (s, e) => pieces.push(text.slice(s, e)));
    expect(pieces).toEqual(fgetsChunks(text));
    expect(pieces.map((p) => p.length)).toEqual([255, 46, 4, 255, 255, 91, 4]);
  });
});
