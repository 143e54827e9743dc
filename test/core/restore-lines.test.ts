// The restore tokenizer against ipvsadm 1.31's argv, observed in the user-mode kernel with a
// preloaded poptGetContext that logged each line's argv.
import { describe, expect, it } from 'vitest';
import { decodeRaw } from '../../src/app/raw-text.js';
import { MAX_PIECE_BYTES, lineArgv, tokenizeRestore } from '../../src/core/restore-lines.js';

const argvs = (text: string): string[][] => tokenizeRestore(text).map((l) => [...l.argv]);
const numbers = (text: string): number[] => tokenizeRestore(text).map((l) => l.number);
/** 000000000,000000001,... cut to n characters: every piece boundary is visible in the text */
const counted = (n: number): string =>
  Array.from({ length: Math.ceil(n / 10) + 1 }, (_, i) => `${String(i).padStart(9, '0')},`).join('').slice(0, n);

describe('lines', () => {
  it('splits CRLF input into the same argv as LF input', () => {
    expect(argvs('-A -t 192.0.2.1:80 -s rr\r\n-a -t 192.0.2.1:80 -r 198.51.100.1\r\n')).toEqual([
      ['-A', '-t', '192.0.2.1:80', '-s', 'rr'],
      ['-a', '-t', '192.0.2.1:80', '-r', '198.51.100.1'],
    ]);
  });

  it('a bare CR separates words, not lines (1.31: `invalid option -A`)', () => {
    expect(argvs('-A -t 192.0.2.1:80 -s rr\r-A -t 192.0.2.2:80\r')).toEqual([
      ['-A', '-t', '192.0.2.1:80', '-s', 'rr', '-A', '-t', '192.0.2.2:80'],
    ]);
  });

  it('tabs separate words; vertical tab and form feed do not', () => {
    expect(argvs('\t-A\t-t\t192.0.2.1:80\t-s\trr\t\n')).toEqual([['-A', '-t', '192.0.2.1:80', '-s', 'rr']]);
    expect(argvs('-A -t 192.0.2.1:80\v-s rr\n-A\f-t 192.0.2.2:80\n')).toEqual([
      ['-A', '-t', '192.0.2.1:80\v-s', 'rr'],
      ['-A\f-t', '192.0.2.2:80'],
    ]);
  });

  it('skips empty and blank lines but counts them in line numbers', () => {
    const text = '\n  \t\r\n-A -t 192.0.2.1:80\n\nipvsadm\n-A -t 192.0.2.2:80\n';
    expect(argvs(text)).toEqual([
      ['-A', '-t', '192.0.2.1:80'],
      ['-A', '-t', '192.0.2.2:80'],
    ]);
    expect(numbers(text)).toEqual([3, 6]);
  });

  it('runs a last line without newline, also when it ends in blanks (the deliberate fix)', () => {
    expect(argvs('-A -t 192.0.2.1:80\n-A -t 192.0.2.2:80')).toEqual([
      ['-A', '-t', '192.0.2.1:80'],
      ['-A', '-t', '192.0.2.2:80'],
    ]);
    expect(argvs('-A -t 192.0.2.1:80\n-A -t 192.0.2.2:80 \t')).toEqual([
      ['-A', '-t', '192.0.2.1:80'],
      ['-A', '-t', '192.0.2.2:80'],
    ]);
    expect(argvs('-A -t 192.0.2.2:80\r')).toEqual([['-A', '-t', '192.0.2.2:80']]);
  });

  it('has no line for empty input or newlines only', () => {
    expect(argvs('')).toEqual([]);
    expect(argvs('\n\n\n')).toEqual([]);
  });

  it('# is not special', () => {
    expect(argvs('# a comment\n-A -t 192.0.2.1:80 # x\n')).toEqual([
      ['#', 'a', 'comment'],
      ['-A', '-t', '192.0.2.1:80', '#', 'x'],
    ]);
  });
});

describe('the word ipvsadm', () => {
  it('is dropped wherever it stands; words that only contain it are kept', () => {
    expect(lineArgv('ipvsadm -A ipvsadm -t 192.0.2.1:80 ipvsadm')).toEqual(['-A', '-t', '192.0.2.1:80']);
    expect(lineArgv('ipvsadm\0x ipvsadm -A -t 192.0.2.1:80 ipvsadmx')).toEqual(['-A', '-t', '192.0.2.1:80', 'ipvsadmx']);
    expect(lineArgv('IPVSADM -A')).toEqual(['IPVSADM', '-A']);
  });

  it('is dropped when it is a piece of a long word', () => {
    expect(lineArgv(`-A -t 192.0.2.1:80 ${'x'.repeat(4096)}ipvsadm`)).toEqual(['-A', '-t', '192.0.2.1:80', 'x'.repeat(4096)]);
  });
});

describe('NUL bytes', () => {
  it('end their argument; the rest of the line goes on', () => {
    expect(lineArgv('-A -t 192.0.2.1:80 -s rr\0 -p 100')).toEqual(['-A', '-t', '192.0.2.1:80', '-s', 'rr', '-p', '100']);
    expect(lineArgv('-A -t 192.0.2.1:80\0-s\0rr')).toEqual(['-A', '-t', '192.0.2.1:80']);
    expect(lineArgv('-A -t 192.0.2.1:80 -s r\0r')).toEqual(['-A', '-t', '192.0.2.1:80', '-s', 'r']);
  });

  it('leave an empty argument when they start a word', () => {
    expect(lineArgv('-A \0 -t \0x 192.0.2.1:80\0zz')).toEqual(['-A', '', '-t', '', '192.0.2.1:80']);
    expect(argvs('\0\0\0\n')).toEqual([['']]);
  });
});

describe('long words', () => {
  it(`are cut into pieces of ${MAX_PIECE_BYTES} bytes, as 1.31 does`, () => {
    const line = (n: number): string => `-A -t 192.0.2.1:80 -s rr ${counted(n)}`;
    const tail = (n: number): number[] => lineArgv(line(n)).slice(5).map((a) => a.length);
    expect(tail(4095)).toEqual([4095]);
    expect(tail(4096)).toEqual([4096]);
    expect(tail(4097)).toEqual([4096, 1]);
    expect(tail(8191)).toEqual([4096, 4095]);
    expect(tail(8192)).toEqual([4096, 4096]);
    expect(tail(8193)).toEqual([4096, 4096, 1]);
    expect(tail(10000)).toEqual([4096, 4096, 1808]);
    expect(tail(12289)).toEqual([4096, 4096, 4096, 1]);
    const [, second] = lineArgv(line(8193)).slice(5);
    expect(second?.slice(0, 10)).toBe('409,000000');
  });

  it('count bytes, not characters: a UTF-8 character cut in two stays the same bytes', () => {
    const word = decodeRaw(Buffer.concat([Buffer.from('x'.repeat(4095)), Buffer.from('\u00e9yz', 'utf8')]));
    const [first, second] = lineArgv(word);
    expect(Buffer.byteLength(first!.slice(0, 4095))).toBe(4095);
    expect(first!.charCodeAt(4095)).toBe(0xdcc3);
    expect(second).toBe('\udca9yz');
  });

  it('count the bytes after a NUL inside a piece', () => {
    expect(lineArgv(`abc\0${'x'.repeat(4096)}`)).toEqual(['abc', 'xxxx']);
  });

  it('a 1 MB word becomes 256 pieces', () => {
    const argv = lineArgv(`-A ${'x'.repeat(1 << 20)}`);
    expect(argv.length).toBe(257);
    expect(argv.slice(1).every((a) => a.length === 4096)).toBe(true);
  });
});
