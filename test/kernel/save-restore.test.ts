// Save/restore round trips in the real kernel for every kind of service and destination: each tool
// alone, across tools (C -Sn → ours -R, ours -Sn → C -R), and the ipvsadm-save | ipvsadm-restore
// scripts in all four combinations of ipvsadm 1.31's and ours.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { withDeliberateFixes } from './differential-cases.js';
import { assertInGuest, resetIpvs, runC, sh } from './support/guest.js';
import type { RunResult } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

/** Every kind of service and destination the tools can create (documentation addresses only). */
const TABLE = [
  '-A -t 192.0.2.1:80 -s rr',
  '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1',
  '-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 0',
  '-a -t 192.0.2.1:80 -r 198.51.100.3 -g -w 2147483647',
  '-a -t 192.0.2.1:80 -r 198.51.100.4 -i -w 65535',
  '-A -t 192.0.2.6:80 -s wlc',
  '-a -t 192.0.2.6:80 -r 198.51.100.7 -i --tun-type gue --tun-port 6080 --tun-nocsum',
  '-a -t 192.0.2.6:80 -r 198.51.100.8 -i --tun-type gue --tun-port 6081 --tun-csum',
  '-a -t 192.0.2.6:80 -r 198.51.100.9 -i --tun-type gue --tun-port 65535 --tun-remcsum',
  '-a -t 192.0.2.6:80 -r 198.51.100.10 -i --tun-type gre --tun-nocsum',
  '-a -t 192.0.2.6:80 -r 198.51.100.11 -i --tun-type gre --tun-csum',
  '-a -t 192.0.2.6:80 -r 198.51.100.12 -i --tun-type ipip',
  '-a -t 192.0.2.6:80 -r 198.51.100.13 -i --tun-type gue --tun-port 1',
  '-a -t 192.0.2.6:80 -r 198.51.100.14 -i --tun-type gre',
  '-A -t 192.0.2.2:443 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port',
  '-A -t 192.0.2.3:0 -s lc -p',
  '-A -t 192.0.2.4:8443 -s mh -p 1 -M 255.255.0.0 -b mh-fallback',
  '-A -t 192.0.2.7:80 -s nq -b flag-1,flag-2,flag-3',
  '-A -t 192.0.2.8:80 -s sh -b sh-port',
  '-A -u 192.0.2.1:53 -s wrr -o',
  '-a -u 192.0.2.1:53 -r 198.51.100.5:5353 -m -w 5 -x 100 -y 50',
  '-A -u 192.0.2.4:5060 -s lc -p 100 --pe sip',
  '-a -u 192.0.2.4:5060 -r 198.51.100.6 -m',
  '-A -u 192.0.2.4:5061 -s rr --pe sip',
  '-A -u 192.0.2.5:5062 -s sed -p 2678400 -M 255.255.255.128 --pe sip -o',
  '-A --sctp-service 192.0.2.5:9999 -s dh',
  '-a --sctp-service 192.0.2.5:9999 -r 198.51.100.12 -m',
  '-a --sctp-service 192.0.2.5:9999 -r 198.51.100.13:9998 -i',
  '-A -t [2001:db8::1]:80 -s mh -p 30 -M 96 -b mh-fallback,mh-port',
  '-a -t [2001:db8::1]:80 -r [2001:db8::2]:8080 -m -w 3',
  '-a -t [2001:db8::1]:80 -r 2001:db8::3 -g',
  '-a -t [2001:db8::1]:80 -r 2001:db8::4 -i',
  '-a -t [2001:db8::1]:80 -r 2001:db8::5 -i --tun-type gue --tun-port 6080 --tun-csum',
  '-a -t [2001:db8::1]:80 -r 2001:db8::6 -i --tun-type gre --tun-csum',
  '-a -t [2001:db8::1]:80 -r 198.51.100.6 -i',
  '-A -u [2001:db8::1]:53 -s lblc',
  '-a -u [2001:db8::1]:53 -r [2001:db8::7]:53 -m -w 0',
  '-A --sctp-service [2001:db8::1]:9999 -s lblcr',
  '-A -t [2001:db8:ffff::1]:443 -s fo -p 60 -M 64',
  '-A -f 1 -s ovf',
  '-a -f 1 -r 198.51.100.5 -m',
  '-a -f 1 -r 198.51.100.6:8080 -g',
  '-A -f 2 -6 -s rr -p 60 -M 64',
  '-a -f 2 -6 -r 2001:db8::5 -g',
  '-A -f 3 -s wrr -o',
  '-A -f 16 -s mh -b mh-port',
  '-A -f 2147483647 -s wlc',
  '-A -f 2147483648 -s rr',
  '-a -f 2147483648 -r 198.51.100.9 -m',
  '-A -f 4294967295 -s fo -p 10',
];
/** 1.31 saves these fwmarks negative (`-f -1`), which no -R accepts: the deliberate fix. */
const isLargeMark = (line: string): boolean => /^-[Aa] -f (2147483648|4294967295)\b/.test(line);
const SMALL_TABLE = TABLE.filter((l) => !isLargeMark(l));

const rules = (lines: readonly string[]): string => `${lines.join('\n')}\n`;
const ok = (r: RunResult, what: string): RunResult => {
  expect(r, what).toMatchObject({ stderr: '', code: 0 });
  return r;
};

type Tool = 'c' | 'ours';
const run = (tool: Tool, args: string[], stdin?: string): Promise<RunResult> | RunResult =>
  tool === 'c' ? runC(args, stdin === undefined ? {} : { stdin }) : runOurs(args, stdin === undefined ? {} : { stdin });

/** Loads rules with the C ipvsadm (the reference table) and checks that every line was taken. */
function load(lines: readonly string[]): void {
  ok(runC(['-R'], { stdin: rules(lines) }), 'loading the table');
  const saved = runC(['-Sn']).stdout.trimEnd().split('\n');
  expect(saved.length, 'one saved line per rule').toBe(lines.length);
}

/** The table as both tools see it; ours must list and save it as 1.31 does (fwmarks fixed). */
async function snapshot(): Promise<{ save: string; list: string }> {
  const cSave = ok(runC(['-Sn']), 'C -Sn').stdout;
  const cList = ok(runC(['-Ln']), 'C -Ln').stdout;
  expect(ok(await runOurs(['-Sn']), 'ours -Sn').stdout, 'ours -Sn vs C -Sn').toBe(withDeliberateFixes(cSave));
  expect(ok(await runOurs(['-Ln']), 'ours -Ln').stdout, 'ours -Ln vs C -Ln').toBe(cList);
  return { save: withDeliberateFixes(cSave), list: cList };
}

/**
 * A listing or save as its service blocks (service line + its destination lines), sorted. With
 * fwmarks >= 2^31 in the table, 1.31's sort compares wrapped u32 differences (not a total order),
 * so the printed order of services follows the kernel's dump order, which a restore changes; both
 * tools print the same order for the same kernel state (snapshot() checks that). Comparing blocks
 * checks everything else.
 */
function blocks(text: string): string[] {
  const header: string[] = [];
  const out: string[] = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    if (/^(-A |TCP |UDP |SCTP |FWM )/.test(line)) out.push(line);
    else if (out.length === 0) header.push(line);
    else out[out.length - 1] += `\n${line}`;
  }
  return [...header, ...out.sort()];
}
const sameTable = (a: { save: string; list: string }): { save: string[]; list: string[] } => ({ save: blocks(a.save), list: blocks(a.list) });

const serviceCount = (listing: string): number => listing.split('\n').filter((l) => /^(TCP|UDP|SCTP|FWM) /.test(l)).length;

beforeEach(() => resetIpvs());
afterAll(() => resetIpvs());

describe('save → flush → restore → save, each tool alone', () => {
  for (const tool of ['c', 'ours'] as const) {
    it(`${tool === 'c' ? 'ipvsadm 1.31' : 'ours'}: the second save is the first`, async () => {
      // 1.31 cannot restore its own `-f -1` (next test); ours round-trips every fwmark.
      const table = tool === 'c' ? SMALL_TABLE : TABLE;
      load(table);
      const before = await snapshot();
      const saved = ok(await run(tool, ['-Sn']), 'save').stdout;
      expect(saved.trimEnd().split('\n')).toHaveLength(table.length);
      ok(await run(tool, ['-C']), 'flush');
      expect(serviceCount(runC(['-Ln']).stdout)).toBe(0);
      expect(await run(tool, ['-R'], saved)).toEqual({ stdout: '', stderr: '', code: 0 });
      expect(blocks(ok(await run(tool, ['-Sn']), 'second save').stdout)).toEqual(blocks(saved));
      expect(sameTable(await snapshot())).toEqual(sameTable(before));
    });
  }

  it('ipvsadm 1.31 cannot restore its own save of fwmarks >= 2^31; ours -R fails on it alike', async () => {
    load(TABLE);
    const cSaved = runC(['-Sn']).stdout;
    expect(cSaved).toMatch(/^-A -f -1 -s fo -p 10$/m);
    expect(cSaved).toMatch(/^-A -f -2147483648 -s rr$/m);
    const outcome = async (tool: Tool): Promise<{ result: RunResult; list: string }> => {
      resetIpvs();
      return { result: await run(tool, ['-R'], cSaved), list: runC(['-Ln']).stdout };
    };
    const byC = await outcome('c');
    expect(byC.result.code).not.toBe(0);
    expect(byC.result.stderr).not.toBe('');
    // `-f -1` sorts first and its error ends the whole restore: nothing is restored.
    expect(serviceCount(byC.list)).toBe(0);
    expect(await outcome('ours')).toEqual(byC);
  });
});

describe('across tools: the table one saves, the other restores', () => {
  it('C -Sn → ours -R', async () => {
    load(SMALL_TABLE);
    const before = await snapshot();
    const text = ok(runC(['-Sn']), 'C -Sn').stdout;
    ok(await runOurs(['-C']), 'ours -C');
    expect(await runOurs(['-R'], { stdin: text })).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('ours -Sn → C -R (fwmarks >= 2^31 included)', async () => {
    load(TABLE);
    const before = await snapshot();
    const text = ok(await runOurs(['-Sn']), 'ours -Sn').stdout;
    expect(text).toMatch(/^-A -f 4294967295 -s fo -p 10$/m);
    ok(runC(['-C']), 'C -C');
    expect(runC(['-R'], { stdin: text })).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(sameTable(await snapshot())).toEqual(sameTable(before));
  });
});

const BIN = (name: string): string => fileURLToPath(new URL(`../../bin/${name}.js`, import.meta.url));
const SCRIPTS: Record<Tool, { save: string; restore: string }> = {
  c: { save: '/usr/sbin/ipvsadm-save', restore: '/usr/sbin/ipvsadm-restore' },
  ours: { save: `${process.execPath} ${BIN('ipvsadm-save')}`, restore: `${process.execPath} ${BIN('ipvsadm-restore')}` },
};
const label = (t: Tool): string => (t === 'c' ? "1.31's" : 'our');

describe('ipvsadm-save -n | ipvsadm-restore', () => {
  for (const saver of ['c', 'ours'] as const) {
    for (const restorer of ['c', 'ours'] as const) {
      it(`${label(saver)} ipvsadm-save | ${label(restorer)} ipvsadm-restore: same table; # lines dropped, flushed first`, async () => {
        const table = saver === 'c' ? SMALL_TABLE : TABLE;
        load(table);
        const before = await snapshot();
        const file = join(tmpdir(), `save-${saver}-${restorer}.rules`);
        expect(sh(`${SCRIPTS[saver].save} -n > ${file}`, { check: false })).toEqual({ stdout: '', stderr: '', code: 0 });
        // A service that only the restore script's flush removes.
        ok(runC(['-A', '-t', '192.0.2.99:80']), 'stray service');
        const pipeline =
          `set -o pipefail; sed -e '1i # saved by ${saver}' -e '2a #comment between rules' -e '$a #' ${file} | ` +
          SCRIPTS[restorer].restore;
        expect(sh(pipeline, { check: false })).toEqual({ stdout: '', stderr: '', code: 0 });
        expect(sameTable(await snapshot())).toEqual(sameTable(before));
        expect(serviceCount(before.list)).toBe(table.filter((l) => l.startsWith('-A')).length);
      });
    }
  }

  it("1.31's save of fwmarks >= 2^31 fails the same way in both restore scripts", async () => {
    load(TABLE);
    const saved = sh(`${SCRIPTS.c.save} -n`).stdout;
    const outcome = (restorer: Tool): { result: RunResult; list: string } => {
      resetIpvs();
      return { result: sh(SCRIPTS[restorer].restore, { stdin: saved, check: false }), list: runC(['-Ln']).stdout };
    };
    const byC = outcome('c');
    expect(byC.result.code).not.toBe(0);
    expect(byC.result.stderr).not.toBe('');
    expect(outcome('ours')).toEqual(byC);
  });

  it('a bad line (indented comment) aborts both restore scripts with the same message and status', () => {
    const input = '-A -t 192.0.2.1:80 -s rr\n  # indented, so not dropped\n-A -t 192.0.2.2:80\n';
    const outcome = (restorer: Tool): { result: RunResult; list: string } => {
      resetIpvs();
      ok(runC(['-A', '-t', '192.0.2.99:80']), 'stray service');
      return { result: sh(SCRIPTS[restorer].restore, { stdin: input, check: false }), list: runC(['-Ln']).stdout };
    };
    const byC = outcome('c');
    expect(byC.result.code).toBe(255);
    expect(serviceCount(byC.list)).toBe(1);
    expect(outcome('ours')).toEqual(byC);
  });

  it('ipvsadm-save with a bad option exits 1 with a usage on stderr in both; other words are ignored', () => {
    load(SMALL_TABLE);
    for (const saver of ['c', 'ours'] as const) {
      const bad = sh(`${SCRIPTS[saver].save} -x`, { check: false });
      expect(bad.code, `${saver} ipvsadm-save -x`).toBe(1);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).not.toBe('');
    }
    const words = (saver: Tool): RunResult => sh(`${SCRIPTS[saver].save} numeric -n`, { check: false });
    expect(words('ours')).toEqual(words('c'));
    expect(words('c').stdout).toBe(runC(['-Sn']).stdout);
  });
});
