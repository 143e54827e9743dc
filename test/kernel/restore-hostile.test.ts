// Hostile restore input, ipvsadm 1.31 against ours in the real kernel: NUL bytes, words longer
// than 4096 bytes, 1 MB lines, CR, CRLF, tabs, invalid UTF-8, 100,000 lines, unreadable stdin.
// Each input goes through `ipvsadm -R` of both tools; stdout, stderr (as bytes) and the exit status
// must match separately, and so must the table left behind (listed by the C tool's -Sn).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRaw, encodeRaw } from '../../src/app/raw-text.js';
import { reliabilityCases, reliabilityTest } from '../support/reliability.js';
import { C_IPVSADM, assertInGuest, resetIpvs, runC } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Cases whose stdout, stderr, exit status and table must equal those of 1.31 run here on the same input. */
const COMPARED = { area: 'input', item: 'hostile restore inputs compared with 1.31 run on the same input' } as const;
/** Cases where we differ from 1.31 on purpose: 1.31 is run and checked, ours is checked against the output we state. */
const DELIBERATE = { area: 'input', item: 'hostile restore inputs where we differ from 1.31 on purpose (our stated output)' } as const;

interface ByteResult {
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly code: number;
}

/** Runs a program with `input` on stdin (or stdin from `stdinFile`), output kept as bytes. */
function spawnBytes(file: string, args: readonly string[], input: Buffer | { file: string }, argv0?: string): ByteResult {
  const fromFile = !Buffer.isBuffer(input);
  const r = spawnSync(fromFile ? 'bash' : file, fromFile ? ['-c', `exec "$0" "$@" < "${input.file}"`, file, ...args] : args, {
    ...(fromFile ? {} : { input }),
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
    cwd: REPO,
    ...(argv0 === undefined || fromFile ? {} : { argv0 }),
  });
  if (r.error) throw new Error(`cannot run ${file}: ${r.error.message}`, { cause: r.error });
  if (r.status === null) throw new Error(`${file} was killed by ${r.signal ?? 'a signal'}`);
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

const cRestore = (input: Buffer): ByteResult => spawnBytes(C_IPVSADM, ['-R'], input, 'ipvsadm');

/** Ours in-process, with stdin as process-io.ts decodes it and output as the writer encodes it. */
async function oursRestore(input: Buffer): Promise<ByteResult> {
  const r = await runOurs(['-R'], { stdin: decodeRaw(input) });
  return { stdout: encodeRaw(r.stdout), stderr: encodeRaw(r.stderr), code: r.code };
}

/** The table as the C tool saves it. */
const table = (): string => {
  const r = runC(['-Sn']);
  expect(r.code).toBe(0);
  return r.stdout;
};

/** latin1 maps each byte to one character: equal strings are equal bytes, and diffs stay readable. */
const shown = (b: Buffer): string => b.toString('latin1');

function expectSame(ours: ByteResult, c: ByteResult, what: string): void {
  expect(shown(ours.stdout), `${what}: stdout`).toBe(shown(c.stdout));
  expect(shown(ours.stderr), `${what}: stderr`).toBe(shown(c.stderr));
  expect(ours.code, `${what}: exit status`).toBe(c.code);
}

/** Ours from an empty table against 1.31's recorded run: the same output and the same table. */
async function compare(input: Buffer, c: CRun, what: string): Promise<void> {
  expect((await runOurs(['-C'])).code).toBe(0);
  const ours = await oursRestore(input);
  expectSame(ours, c, what);
  expect(table(), `${what}: table`).toBe(c.table);
}

interface CRun extends ByteResult {
  /** the table 1.31 left behind (-Sn) */
  readonly table: string;
}

/**
 * 1.31 on every input in one shell (spawning from node is slow in the user-mode kernel): each from
 * an empty table, its stdout, stderr, exit status and -Sn kept in files.
 */
function runAllC(inputs: readonly Buffer[]): CRun[] {
  const dir = mkdtempSync(join(tmpdir(), 'restore-hostile-'));
  try {
    inputs.forEach((input, i) => writeFileSync(join(dir, `in.${i}`), input));
    const script = inputs
      .map((_, i) => `ipvsadm -C; ipvsadm -R < in.${i} > out.${i} 2> err.${i}; echo $? > rc.${i}; ipvsadm -Sn > table.${i}`)
      .join('\n');
    const r = spawnSync('bash', ['-c', script], { cwd: dir, env: { ...process.env, PATH: `${dirname(C_IPVSADM)}:/usr/bin:/bin` }, timeout: 600_000 });
    if (r.status !== 0) throw new Error(`1.31 runs failed: ${r.stderr.toString()}`);
    const read = (name: string): Buffer => readFileSync(join(dir, name));
    return inputs.map((_, i) => ({
      stdout: read(`out.${i}`),
      stderr: read(`err.${i}`),
      code: Number(read(`rc.${i}`).toString().trim()),
      table: read(`table.${i}`).toString(),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
/** 000000000,000000001,... cut to n bytes: where 1.31 cuts a long word shows in its messages */
const counted = (n: number): string =>
  Array.from({ length: Math.ceil(n / 10) + 1 }, (_, i) => `${String(i).padStart(9, '0')},`).join('').slice(0, n);
const SVC = '-A -t 192.0.2.1:80';

/** name → input; every one observed with 1.31 in this kernel (the table of its results is in the report). */
const CASES: Readonly<Record<string, Buffer>> = {
  'NUL after a word: the line goes on': b(`${SVC} -s rr\0 -p 100\n-A -t 192.0.2.2:80\n`),
  'NUL inside a scheduler name': b(`${SVC} -s r\0r\n-A -t 192.0.2.2:80\n`),
  'NUL joining words': b(`${SVC}\0-s\0rr\n`),
  'NUL then more words': b(`${SVC} -s rr\0xyz zzz\n`),
  'NUL starting the line': b('\0-A -t 192.0.2.3:80\n-A -t 192.0.2.2:80\n'),
  'a line of NULs': b('\0\0\0\n-A -t 192.0.2.2:80\n'),
  'NUL words as empty arguments': b('-A \0 -t \0x 192.0.2.1:80\0zz\n'),
  'an empty first argument': b(`\0 ${SVC}\n`),
  'an empty scheduler': b(`${SVC} -s \0\n`),
  'NUL at the very end': b(`${SVC}\n-A -t 192.0.2.2:80\0`),
  'word of 4095 bytes': b(`${SVC} -s rr ${counted(4095)}\n`),
  'word of 4096 bytes': b(`${SVC} -s rr ${counted(4096)}\n`),
  'word of 4097 bytes': b(`${SVC} -s rr ${counted(4097)}\n`),
  'word of 10000 bytes': b(`${SVC} -s rr ${counted(10000)}\n`),
  'scheduler of 4097 bytes: the second piece is the unexpected argument': b(`${SVC} -s ${counted(4097)}\n`),
  'scheduler of 12289 bytes': b(`${SVC} -s ${counted(12289)}\n`),
  'a piece that is `ipvsadm`': b(`${SVC} ${'x'.repeat(4096)}ipvsadm\n`),
  'a NUL inside a long word': b(`${SVC} -s rr abc\0${'x'.repeat(4096)}\n`),
  'a UTF-8 character cut by the 4096-byte limit': b(`${SVC} -s rr ${'x'.repeat(4095)}\xc3\xa9yz\n`),
  'a long last word without newline': b(`${SVC}\n-A -t 192.0.2.2:80 -s ${'x'.repeat(4096)}`),
  '1 MB word': b(`${SVC} -s rr ${'x'.repeat(1 << 20)}\n`),
  '1 MB of blanks inside a line': b(`${SVC}${' '.repeat(1 << 20)}-s rr\n-A -t 192.0.2.2:80\n`),
  CRLF: b(`${SVC} -s rr\r\n-a -t 192.0.2.1:80 -r 198.51.100.1\r\n`),
  'bare CR between commands': b(`${SVC} -s rr\r-A -t 192.0.2.2:80\r`),
  'bare CR then CRLF': b(`${SVC} -s rr\r-a -t 192.0.2.1:80 -r 198.51.100.1\r\n`),
  'CR only between words': b('-A\r-t\r\r192.0.2.1:80\r\n'),
  'CR at the very end': b(`${SVC}\n-A -t 192.0.2.2:80\r`),
  tabs: b(`\t-A\t-t\t192.0.2.1:80\t-s\trr\t\n\t\n-a -t 192.0.2.1:80\t-r 198.51.100.1\n`),
  'vertical tab and form feed are not blanks': b(`${SVC}\v-s rr\n-A\f-t 192.0.2.2:80\n`),
  'invalid UTF-8 echoed in unexpected argument': b(`${SVC} -s rr h\xff\xfeo\xc3\n`),
  'invalid UTF-8 in an unknown option': b(`${SVC} --\xff\xe9x\n-A -t 192.0.2.2:80\n`),
  'invalid UTF-8 in a host name': b('-A -t h\xff\xfeost:80\n'),
  'invalid UTF-8 in a scheduler': b(`${SVC} -s r\xffr\n`),
  'invalid UTF-8 in a scheduler flag': b(`${SVC} -s sh -b sh-port,\xff\xfe\n`),
  'valid UTF-8 echoed': b(`${SVC} -s rr h\xc3\xa9llo\n`),
  'invalid UTF-8 first': b(`\xff${SVC}\n`),
  'last line without newline': b(`${SVC}\n-A -t 192.0.2.2:80`),
  'empty input': b(''),
  'newlines only': b('\n\n\n'),
  'ipvsadm words': b(`ipvsadm -A ipvsadm -t 192.0.2.1:80 ipvsadm\nipvsadm\n`),
  '`ipvsadm` ended by NUL, and ipvsadmx': b(`ipvsadm\0x ipvsadm ${SVC} ipvsadmx\n`),
};

/** 100,000 lines: 1,000 services and 1,000 destinations among blank, CR and `ipvsadm` lines. */
function hundredThousandLines(): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const vip = `10.0.${i >> 8}.${i & 255}:80`;
    lines.push(`-A -t ${vip} -s rr`, `-a -t ${vip} -r 198.51.100.1 -m`);
    for (let k = 0; k < 98; k++) lines.push(['', ' ', '\t\r', 'ipvsadm', ' ipvsadm\r'][k % 5]!);
  }
  lines.push('-A -t 10.0.0.0:80 -s rr'); // the last line fails in the kernel: status 255
  return b(`${lines.join('\n')}\n`);
}
const BIG = '100,000 lines: 1,000 services and 1,000 destinations among blank, CR and `ipvsadm` lines';
const ALL: ReadonlyArray<readonly [string, Buffer]> = [...Object.entries(CASES), [BIG, hundredThousandLines()]];

const cRuns = new Map<string, CRun>();
beforeAll(() => {
  resetIpvs();
  runAllC(ALL.map(([, input]) => input)).forEach((r, i) => cRuns.set(ALL[i]![0], r));
}, 600_000);
/** Empties the table with the C tool (one process; resetIpvs once before all is enough here). */
const flush = (): void => void expect(runC(['-C']).code).toBe(0);

describe('hostile restore input: ipvsadm -R of 1.31 and ours', () => {
  for (const [name, input] of ALL) {
    it(name, async () => {
      reliabilityTest(COMPARED);
      const c = cRuns.get(name)!;
      await compare(input, c, name);
      if (name === BIG) {
        expect(c.code).toBe(255);
        expect(c.table.split('\n').filter((l) => l.startsWith('-a ')).length).toBe(1000);
      }
    }, 120_000);
  }

  it('a last line ending in blanks is run (deliberate fix: 1.31 drops it)', async () => {
    reliabilityTest(DELIBERATE);
    flush();
    const input = b(`${SVC}\n-A -t 192.0.2.2:80 \t`);
    const c = cRestore(input);
    expect(table()).toBe('-A -t 192.0.2.1:80 -s wlc\n');
    flush();
    const ours = await oursRestore(input);
    expectSame(ours, c, 'last line ending in blanks');
    expect(table()).toBe('-A -t 192.0.2.1:80 -s wlc\n-A -t 192.0.2.2:80 -s wlc\n');
  });
});

describe('the process path: node bin/ipvsadm.js -R and bin/ipvsadm-restore.js', () => {
  const ours = (bin: string, input: Buffer | { file: string }): ByteResult => spawnBytes(process.execPath, [`bin/${bin}`, ...(bin === 'ipvsadm.js' ? ['-R'] : [])], input);

  it('NUL, CR, CRLF, tabs and a 10000-byte word through a real stdin', () => {
    reliabilityTest(COMPARED);
    flush();
    const input = Buffer.concat([CASES['NUL after a word: the line goes on']!, b('\t-a\t-t 192.0.2.1:80 -r 198.51.100.1\r\n'), CASES['word of 10000 bytes']!]);
    const c = cRestore(input);
    const tableC = table();
    flush();
    expectSame(ours('ipvsadm.js', input), c, 'spawned -R');
    expect(table()).toBe(tableC);
    expect(c.code).toBe(2);
  });

  it('invalid UTF-8 echoed byte for byte by a real process (stderr as bytes)', () => {
    const cases = reliabilityCases(COMPARED);
    for (const name of ['invalid UTF-8 echoed in unexpected argument', 'invalid UTF-8 in an unknown option'] as const) {
      cases.run(() => {
        flush();
        const input = CASES[name]!;
        const c = cRestore(input);
        const tableC = table();
        flush();
        expectSame(ours('ipvsadm.js', input), c, `spawned -R: ${name}`);
        expect(table()).toBe(tableC);
      });
    }
  });

  it('ipvsadm-restore: CRLF input with a # line, as the 1.31 script', () => {
    reliabilityTest(COMPARED);
    flush();
    const input = b(`# saved\r\n${SVC} -s rr\r\n#x\r\n-a -t 192.0.2.1:80 -r 198.51.100.1\r\n`);
    runC(['-A', '-t', '203.0.113.9:1']);
    const c = spawnBytes('/usr/sbin/ipvsadm-restore', [], input);
    const tableC = table();
    expect(tableC).toBe('-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 1\n');
    flush();
    runC(['-A', '-t', '203.0.113.9:1']);
    expectSame(ours('ipvsadm-restore.js', input), c, 'spawned ipvsadm-restore');
    expect(table()).toBe(tableC);
  });

  it('stdin a directory: 1.31 -R reads nothing and exits 0; ours says so and exits 1, the table untouched', () => {
    const cases = reliabilityCases(DELIBERATE);
    flush();
    runC(['-A', '-t', '203.0.113.9:1']);
    const c = spawnBytes(C_IPVSADM, ['-R'], { file: '/' });
    expect({ out: shown(c.stdout), err: shown(c.stderr), code: c.code }).toEqual({ out: '', err: '', code: 0 });
    for (const bin of ['ipvsadm.js', 'ipvsadm-restore.js']) {
      cases.run(() => {
        const r = ours(bin, { file: '/' });
        expect({ out: shown(r.stdout), err: shown(r.stderr), code: r.code }, bin).toEqual({ out: '', err: 'cannot read standard input: Is a directory\n', code: 1 });
        // 1.31's ipvsadm-restore flushes the table here (grep fails, the flush runs): ours keeps it
        expect(table(), bin).toBe('-A -t 203.0.113.9:1 -s wlc\n');
      });
    }
  });

  it('ipvsadm-restore with a NUL byte restores what -R does (deliberate fix: 1.31 flushes and restores nothing)', () => {
    reliabilityTest(DELIBERATE);
    const input = CASES['NUL after a word: the line goes on']!;
    flush();
    runC(['-A', '-t', '203.0.113.9:1']);
    const c = spawnBytes('/usr/sbin/ipvsadm-restore', [], input);
    // grep calls the input binary: the 1.31 script has flushed the table and restored nothing
    expect({ err: shown(c.stderr), code: c.code, table: table() }).toEqual({ err: 'grep: (standard input): binary file matches\n', code: 0, table: '' });
    const r = cRestore(input);
    const tableR = table();
    runC(['-A', '-t', '203.0.113.9:1']);
    const o = ours('ipvsadm-restore.js', input);
    expectSame(o, r, 'ipvsadm-restore with NUL against 1.31 -R');
    expect(table()).toBe(tableR);
    expect(tableR).toBe('-A -t 192.0.2.1:80 -s rr -p 100\n-A -t 192.0.2.2:80 -s wlc\n');
  });

  it('stdin closed: both tools read nothing and exit 0', () => {
    reliabilityTest(COMPARED);
    const c = spawnSync('bash', ['-c', `${C_IPVSADM} -R <&-; echo "rc=$?"`], { encoding: 'latin1', cwd: REPO });
    const o = spawnSync('bash', ['-c', `${process.execPath} bin/ipvsadm.js -R <&-; echo "rc=$?"`], { encoding: 'latin1', cwd: REPO });
    expect(c.stdout).toBe('rc=0\n');
    expect({ out: o.stdout, err: o.stderr }).toEqual({ out: c.stdout, err: c.stderr });
  });
});
