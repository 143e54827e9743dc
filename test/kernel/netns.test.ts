// `--netns NAME|PATH` in the kernel: our commands run in another namespace (changes, listings
// that read /proc/net/ip_vs, saves, restores, the scripts, apply, drain, realserver and director
// check, top, doctor, metrics) and
// give what `ip netns exec NAME` gives — of the C tool for 1.31's commands, of ours for our own —
// while the root namespace's own table stays as it was.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInGuest, createNetns, deleteNetns, resetIpvs, runC, sh } from './support/guest.js';

assertInGuest();

const BIN = fileURLToPath(new URL('../../bin/', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'netns-'));
let ns = '';

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** A program of ours as a process (bin/NAME.js), with --netns first. */
function ours(args: readonly string[], opts: { stdin?: string; program?: string; netns?: string | null } = {}): Run {
  const where = opts.netns === null ? [] : ['--netns', opts.netns ?? ns];
  const r = spawnSync('node', [`${BIN}${opts.program ?? 'ipvsadm'}.js`, ...where, ...args], { input: opts.stdin ?? '', encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

/** The same program run by `ip netns exec` inside the namespace. */
function oursInside(args: readonly string[]): Run {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'node', `${BIN}ipvsadm.js`, ...args], { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

const cIn = (args: readonly string[], stdin?: string): Run => runC(args, { netns: ns, ...(stdin !== undefined ? { stdin } : {}) });
const ROOT_TABLE = '-A -t 203.0.113.7:80 -s rr\n';

beforeAll(() => {
  resetIpvs();
  runC(['-R'], { stdin: ROOT_TABLE });
  ns = createNetns('nso');
  sh(`ip -n ${ns} link add d0 type dummy && ip -n ${ns} link set d0 up`);
}, 60_000);

afterAll(() => {
  deleteNetns(ns);
  resetIpvs();
  rmSync(DIR, { recursive: true, force: true });
});

describe('--netns', () => {
  it('changes land in that namespace only; listings there are 1.31\'s byte for byte', () => {
    for (const line of ['-A -t 192.0.2.1:80 -s wrr', '-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 3', '-A -u 192.0.2.2:53 -s rr', '--set 901 121 301']) {
      expect(ours(line.split(' ')), line).toEqual({ stdout: '', stderr: '', code: 0 });
    }
    for (const args of [['-Ln'], ['-Sn'], ['-L', '-n', '--stats', '--exact'], ['-L', '--timeout'], ['-Ln', '-t', '192.0.2.9:80']]) {
      expect(ours(args), args.join(' ')).toEqual(cIn(args));
    }
    expect(runC(['-Sn']).stdout).toBe(ROOT_TABLE);
    // a path works as a name does, and --netns=VALUE as --netns VALUE
    expect(ours(['--netns=/run/netns/' + ns, '-Sn'], { netns: null })).toEqual(cIn(['-Sn']));
  });

  it('-R, ipvsadm-save and ipvsadm-restore', () => {
    const rules = '-A -t 192.0.2.3:443 -s lc\n-a -t 192.0.2.3:443 -r 198.51.100.3 -g\n';
    expect(ours(['-C'])).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(cIn(['-Sn']).stdout).toBe('');
    expect(ours(['-R'], { stdin: rules })).toEqual({ stdout: '', stderr: '', code: 0 });
    const restored = cIn(['-Sn']);
    expect(restored.stdout).toContain('-A -t 192.0.2.3:443 -s lc\n');
    expect(ours(['-n'], { program: 'ipvsadm-save' })).toEqual(restored);
    // ipvsadm-restore flushes first: the namespace then holds exactly the rules again
    expect(ours([], { program: 'ipvsadm-restore', stdin: rules })).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(cIn(['-Sn'])).toEqual(restored);
    expect(runC(['-Sn']).stdout).toBe(ROOT_TABLE);
  });

  it('our own commands: apply, drain, the JSON listing, realserver and director check, top, doctor and metrics there, as `ip netns exec` runs them', () => {
    const file = join(DIR, 'wanted.rules');
    writeFileSync(file, '-A -t 192.0.2.3:443 -s lc\n-a -t 192.0.2.3:443 -r 198.51.100.3 -g -w 2\n-a -t 192.0.2.3:443 -r 198.51.100.4 -g\n');
    const applied = ours(['apply', file]);
    expect({ stderr: applied.stderr, code: applied.code }).toEqual({ stderr: '', code: 0 });
    expect(ours(['apply', '--dry-run', file])).toEqual(oursInside(['apply', '--dry-run', file]));
    expect(ours(['drain', '-t', '192.0.2.3:443', '-r', '198.51.100.4'])).toMatchObject({ code: 0, stderr: '' });
    expect(cIn(['-Sn']).stdout).toContain('-a -t 192.0.2.3:443 -r 198.51.100.4:443 -g -w 0\n');
    expect(ours(['-Ln', '--json'])).toEqual(oursInside(['-Ln', '--json']));
    const check = ['realserver', 'check', '--mode', 'dr', '--vip', '192.0.2.3', '--dev', 'd0'];
    expect(ours(check)).toEqual(oursInside(check));
    // top's plain block (its clock aside)
    const top = ['top', '-n', '-x', '--count', '1'];
    const untimed = (r: Run): Run => ({ ...r, stdout: r.stdout.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/, 'TIME') });
    const shown = untimed(ours(top));
    expect(shown).toEqual(untimed(oursInside(top)));
    expect(shown.stdout).toContain('\nTCP 192.0.2.3:443 ');
    expect(shown.stdout).not.toContain('203.0.113.7');
    // director check, doctor and metrics see that namespace's devices, sysctls and table
    const director = ['director', 'check', '--mode', 'dr', '--vip', '192.0.2.3', '--dev', 'd0', '--json'];
    expect(ours(director)).toEqual(oursInside(director));
    const doctor = ours(['doctor', '--json']);
    expect(doctor).toEqual(oursInside(['doctor', '--json']));
    expect(doctor.stdout).toContain('IPVS answers: 1 service, 2 real servers');
    const metrics = ours(['metrics']);
    expect(metrics).toEqual(oursInside(['metrics']));
    expect(metrics.stdout).toContain('ipvs_services 1\n');
    expect(runC(['-Sn']).stdout).toBe(ROOT_TABLE);
  });

  it('a namespace that is not there: status 2, one line, nothing run; 1.31 does not know the option', () => {
    expect(ours(['-C'], { netns: 'no-such-ns' })).toEqual({ stdout: '', stderr: 'ipvsadm: --netns no-such-ns: no such network namespace (/run/netns/no-such-ns)\n', code: 2 });
    expect(ours(['-C', '--netns'], { netns: null })).toEqual({ stdout: '', stderr: 'ipvsadm: --netns: expected a namespace name (under /run/netns) or a path\n', code: 2 });
    expect(runC(['-Ln', '--netns', ns])).toMatchObject({ stdout: '', code: 255, stderr: expect.stringContaining('--netns') });
    expect(runC(['-Sn']).stdout).toBe(ROOT_TABLE);
  });
});
