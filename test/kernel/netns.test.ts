// `--netns NAME|PATH` in the kernel: our commands run in another namespace (changes, listings
// that read /proc/net/ip_vs, saves, restores, the scripts, apply, drain, realserver and director
// check, top, doctor, metrics) and
// give what `ip netns exec NAME` gives — of the C tool for 1.31's commands, of ours for our own —
// while the root namespace's own table stays as it was. `compare` across two namespaces (two
// directors) that reached the same table through different histories, and the mh table it
// computes checked against the kernel's choice of real server for connections from 16 sources.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maglevClientSlot, maglevTable } from '../../src/table/maglev.js';
import { parseIPv4 } from '../../src/ipvs/address.js';
import type { Address } from '../../src/ipvs/address.js';
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

describe('compare: two namespaces as two directors', () => {
  const MH = '192.0.2.10:80';
  const RR = '192.0.2.11:80';
  const FILE = [`-A -t ${MH} -s mh`, ...[11, 12, 13].map((n) => `-a -t ${MH} -r 198.51.100.${n}:80 -g -w 1`), `-A -t ${RR} -s rr`, ...[11, 12].map((n) => `-a -t ${RR} -r 198.51.100.${n}:80 -g -w 1`)];
  let one = '';
  let two = '';
  const v4 = (text: string): Address => parseIPv4(text)!;
  const listingOf = (netns: string, name: string): string => {
    const listing = ours(['-L', '-n', '--nosort', '--json'], { netns });
    expect(listing).toMatchObject({ code: 0, stderr: '' });
    const file = join(DIR, name);
    writeFileSync(file, listing.stdout);
    return file;
  };

  beforeAll(() => {
    one = createNetns('cmp');
    two = createNetns('cmp');
    for (const netns of [one, two]) {
      sh(`ip link add d0 type dummy && ip link set d0 up && ip route add 198.51.100.0/24 dev d0 && ip route add 192.0.2.0/24 dev d0`, { netns });
      expect(runC(['-R'], { netns, stdin: FILE.join('\n') + '\n' }).code).toBe(0);
    }
    // the second director: the first real server of each service removed and added again
    for (const service of [MH, RR]) {
      expect(runC(['-d', '-t', service, '-r', '198.51.100.11:80'], { netns: two }).code).toBe(0);
      expect(runC(['-a', '-t', service, '-r', '198.51.100.11:80', '-g', '-w', '1'], { netns: two }).code).toBe(0);
    }
  }, 60_000);

  afterAll(() => {
    deleteNetns(one);
    deleteNetns(two);
  });

  it('reports the kernel order of the mh service and its table share, nothing for rr (exit 1)', () => {
    expect(runC(['-Sn'], { netns: one }).stdout).toBe(runC(['-Sn'], { netns: two }).stdout);
    const run = ours(['compare', '--json', 'kernel', listingOf(two, 'two.json')], { netns: one });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: '' });
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ same: false, orderCompared: true, servicesCompared: 2, a: { order: 'kernel' }, b: { order: 'listing' } });
    expect(doc.differences.map((d: { service: string }) => d.service)).toEqual([`tcp ${MH}`]);
    const [mh] = doc.differences;
    // the kernel puts a new real server at the head of its list
    expect(mh.order).toMatchObject({ scheduler: 'mh', a: ['198.51.100.13:80', '198.51.100.12:80', '198.51.100.11:80'], b: ['198.51.100.11:80', '198.51.100.13:80', '198.51.100.12:80'] });
    expect(mh.order.slots.moved).toBeGreaterThan(0);
    console.log(`compare: mh, 3 real servers, one removed and re-added: ${mh.order.slots.moved} of ${mh.order.slots.size} slots map to another real server`);
  });

  it('finds two tables the same (exit 0): the kernel and its own --nosort listing, and the other one\'s save (no order)', () => {
    const itself = ours(['compare', 'kernel', listingOf(one, 'one.json')], { netns: one });
    expect(itself).toMatchObject({ code: 0, stderr: '' });
    expect(itself.stdout).toContain('same: 2 services\n');
    const saveFile = join(DIR, 'two.rules');
    writeFileSync(saveFile, runC(['-Sn'], { netns: two }).stdout);
    const saved = ours(['compare', 'kernel', saveFile], { netns: one });
    expect(saved).toMatchObject({ code: 0, stderr: '' });
    expect(saved.stdout).toContain('note: real-server order not compared');
  });

  it('names a weight that differs (exit 1)', () => {
    expect(runC(['-e', '-t', RR, '-r', '198.51.100.12:80', '-g', '-w', '3'], { netns: two }).code).toBe(0);
    const saveFile = join(DIR, 'two-weight.rules');
    writeFileSync(saveFile, runC(['-Sn'], { netns: two }).stdout);
    const run = ours(['compare', 'kernel', saveFile], { netns: one });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: '' });
    expect(run.stdout).toContain(`service tcp ${RR}:\n  real server 198.51.100.12:80: weight 1 → 3\n`);
    expect(run.stdout).toContain('differ: 1 of 2 services\n');
  });

  it('computes the mh table the kernel uses: connections from 16 sources reach the real server it names', () => {
    const sources = Array.from({ length: 16 }, (_, i) => `10.1.0.${i + 1}`);
    sh(sources.map((a) => `ip addr add ${a}/24 dev d0`).join(' && '), { netns: one });
    const connect = `import socket, time\nsocks = []\nfor a in ${JSON.stringify(sources)}:\n  s = socket.socket(); s.setblocking(False); s.bind((a, 0)); s.connect_ex(('192.0.2.10', 80)); socks.append(s)\ntime.sleep(0.5)\n`;
    sh('python3 -', { netns: one, stdin: connect });
    const chosen = new Map<string, string>();
    for (const line of runC(['-Lnc'], { netns: one }).stdout.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[4] === MH) chosen.set(f[3]!.split(':')[0]!, f[5]!);
    }
    expect(chosen.size).toBe(16);
    // the kernel's order in this namespace: the file's, newest first
    const servers = ['198.51.100.13', '198.51.100.12', '198.51.100.11'].map((a) => ({ addr: v4(a), port: 80, weight: 1 }));
    const table = maglevTable(servers);
    for (const [source, server] of chosen) expect(server, source).toBe(`${['198.51.100.13', '198.51.100.12', '198.51.100.11'][table[maglevClientSlot(v4(source), 0)]!]}:80`);
    expect(new Set(chosen.values()).size).toBeGreaterThan(1);
  });
});
