// doctor's text: the table without rules in 79 columns (written out by hand), colour that adds
// escape sequences and nothing else; and the command: JSON only with --json, the same words
// whether stdout is a terminal, NO_COLOR or not.
import { describe, expect, it } from 'vitest';
import { DOCTOR_EXIT } from '../../src/app/exit-status.js';
import type { Check } from '../../src/doctor/checks.js';
import { doctorText } from '../../src/doctor/format.js';
import { TEXT_WIDTH } from '../../src/app/text-table.js';
import { dispatch } from '../../src/entry/command-table.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { fakeTableFrom } from '../support/fake-table.js';

// eslint-disable-next-line no-control-regex
const plain = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

const CHECKS: Check[] = [
  {
    check: 'ipvs',
    verdict: 'fail',
    detail: 'IPVS cannot be reached: Protocol not available (modprobe ip_vs: Module ip_vs not found in directory /lib/modules/6.18.44-fc-v1300)',
    fix: 'use a kernel built with IP_VS',
  },
  { check: 'scheduler rr', verdict: 'ok', detail: 'loaded' },
  { check: 'net.ipv4.vs.expire_quiescent_template', verdict: 'warn', detail: '0: persistent clients stay', fix: 'sysctl -w net.ipv4.vs.expire_quiescent_template=1' },
];

describe('doctorText', () => {
  it('a table without rules: verdict, check, detail and fix wrapped to 79 columns, then the counts', () => {
    expect(doctorText(CHECKS, { color: false })).toBe(
      [
        'verdict check                    detail',
        'fail    ipvs                     IPVS cannot be reached: Protocol not available',
        '                                 (modprobe ip_vs: Module ip_vs not found in',
        '                                 directory /lib/modules/6.18.44-fc-v1300)',
        '                                 fix: use a kernel built with IP_VS',
        'ok      scheduler rr             loaded',
        'warn    net.ipv4.vs.expire_      0: persistent clients stay',
        '        quiescent_template       fix: sysctl -w',
        '                                 net.ipv4.vs.expire_quiescent_template=1',
        '1 fail, 1 warn, 0 info, 1 ok',
        '',
      ].join('\n'),
    );
  });

  it('colour adds escape sequences only (no red head, no rules); every line fits', () => {
    const coloured = doctorText(CHECKS, { color: true });
    expect(coloured).not.toBe(doctorText(CHECKS, { color: false }));
    expect(plain(coloured)).toBe(doctorText(CHECKS, { color: false }));
    expect(coloured).toContain('\x1b[31m\x1b[1mfail\x1b[22m\x1b[39m');
    expect(coloured).not.toContain('\x1b[31mverdict');
    expect(coloured).not.toMatch(/[─│┌┼]/);
    for (const line of plain(coloured).split('\n')) expect(line.length).toBeLessThanOrEqual(TEXT_WIDTH);
  });
});

describe('ipvsadm doctor (fake kernel, this host otherwise)', () => {
  const run = async (argv: string[], terminal: { color: boolean; stdoutTerminal: boolean }): Promise<{ out: string; err: string; code: number }> => {
    const model = await fakeTableFrom(['-A -t 192.0.2.1:80 -s rr']);
    const io = fakeKernelIo({ model }, terminal);
    const code = await dispatch(argv, io);
    return { out: io.out(), err: io.err(), code };
  };

  it('the table whatever stdout is: a terminal, a terminal with NO_COLOR, a pipe; only escapes differ', async () => {
    const tty = await run(['doctor'], { color: true, stdoutTerminal: true });
    const noColor = await run(['doctor'], { color: false, stdoutTerminal: true });
    const pipe = await run(['doctor'], { color: false, stdoutTerminal: false });
    expect(pipe.out.split('\n')[0]).toBe(`${'verdict'.padEnd(8)}${'check'.padEnd(25)}detail`);
    expect(pipe.out).toMatch(/\nwarn {4}services without a real  tcp 192\.0\.2\.1:80\n {8}server {19}fix: add real servers, or weights above 0\n/);
    expect(noColor.out).toBe(pipe.out);
    expect(tty.out).not.toBe(pipe.out);
    expect(plain(tty.out)).toBe(pipe.out);
    expect([tty.err, noColor.err, pipe.err]).toEqual(['', '', '']);
    expect(pipe.code).toBe(tty.code);
  });

  it('JSON only with --json, terminal or not', async () => {
    for (const terminal of [{ color: true, stdoutTerminal: true }, { color: false, stdoutTerminal: false }]) {
      const r = await run(['doctor', '--json'], terminal);
      const doc = JSON.parse(r.out) as { kind: string; checks: Check[] };
      expect(doc.kind).toBe('doctor');
      expect(doc.checks.find((c) => c.check === 'services without a real server')).toMatchObject({ verdict: 'warn', detail: 'tcp 192.0.2.1:80' });
      expect([DOCTOR_EXIT.OK, DOCTOR_EXIT.PROBLEMS]).toContain(r.code);
    }
  });
});
