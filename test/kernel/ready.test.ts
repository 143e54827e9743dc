// `ipvsadm director ready` in the kernel, in a fresh namespace: ready with a table like its rules
// file, not ready (status 1, the reason named) when every weight is 0, when the table is flushed,
// when a pair's sync daemon is missing or its interface down; --watch runs the hooks at each
// change, and the time from the change to the hook is printed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipvsadmIn } from '../../src/lab/world.js';
import { assertInGuest, createNetns, deleteNetns, inNetns, sh } from './support/guest.js';

assertInGuest();

const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'ready-kernel-'));
const RULES = ['-A -t 192.0.2.80:80 -s mh -b mh-port', '-a -t 192.0.2.80:80 -r 198.51.100.1:80 -g -w 1', '-a -t 192.0.2.80:80 -r 198.51.100.2:80 -g -w 1', '-A -u 192.0.2.80:53 -s rr', '-a -u 192.0.2.80:53 -r 198.51.100.1:53 -g -w 1'];
const FILE = join(DIR, 'rules.txt');
let ns: string;

const c = (args: string): void => void inNetns(ns, `ipvsadm ${args}`);
const ready = (args: string[] = []): { code: number; stdout: string; stderr: string } => ipvsadmIn(ns, ['director', 'ready', ...args]);
const zeroWeights = (w: number): void => ['198.51.100.1:80', '198.51.100.2:80'].forEach((r) => c(`-e -t 192.0.2.80:80 -r ${r} -g -w ${w}`));

beforeAll(() => {
  ns = createNetns('rdy');
  sh(`ip -n ${ns} link set lo up && ip -n ${ns} link add eth0 type veth peer name eth0p && ip -n ${ns} link set eth0 up && ip -n ${ns} link set eth0p up && ip -n ${ns} addr add 192.0.2.10/24 dev eth0`);
  writeFileSync(FILE, `${RULES.join('\n')}\n`);
  inNetns(ns, 'ipvsadm -R', { stdin: `${RULES.join('\n')}\n` });
});
afterAll(() => {
  deleteNetns(ns);
  rmSync(DIR, { recursive: true, force: true });
});

describe('director ready in the kernel', () => {
  it('is ready with the table of its rules file, and says why not when weights are 0 or the table is flushed', () => {
    expect(ready(['--rules', FILE])).toEqual({ code: 0, stdout: 'ready: 2 services, each with a real server of weight above 0\n', stderr: '' });
    zeroWeights(0);
    expect(ready(['--rules', FILE, '--ignore-weights'])).toEqual({ code: 1, stdout: 'not ready:\n  tcp 192.0.2.80:80: every real server at weight 0 (2)\n', stderr: '' });
    expect(ready(['--rules', FILE]).stdout).toContain('  tcp 192.0.2.80:80: real server 198.51.100.1:80: weight not as in');
    zeroWeights(1);
    c('-C');
    const flushed = ready(['--rules', FILE, '--json']);
    expect(flushed.code).toBe(1);
    expect(JSON.parse(flushed.stdout).reasons).toEqual(['no virtual service in the table', `tcp 192.0.2.80:80: in ${FILE}, not in the table`, `udp 192.0.2.80:53: in ${FILE}, not in the table`]);
    inNetns(ns, 'ipvsadm -R', { stdin: `${RULES.join('\n')}\n` });
    expect(ready(['--rules', FILE]).code).toBe(0);
  });

  it('a pair needs both sync daemons running on an interface that is up', () => {
    expect(ready(['--ha', 'pair']).stdout).toBe('not ready:\n  sync daemon master not running\n  sync daemon backup not running\n');
    c('--start-daemon master --mcast-interface eth0 --syncid 7');
    c('--start-daemon backup --mcast-interface eth0 --syncid 7');
    expect(ready(['--ha', 'pair']).code).toBe(0);
    sh(`ip -n ${ns} link set eth0 down`);
    expect(ready(['--ha', 'pair'])).toEqual({ code: 1, stdout: 'not ready:\n  sync daemon master: interface eth0 is down\n  sync daemon backup: interface eth0 is down\n', stderr: '' });
    sh(`ip -n ${ns} link set eth0 up`);
    c('--stop-daemon master');
    c('--stop-daemon backup');
  });

  it('--watch runs --on-unready when the weights go to 0 and --on-ready when they come back; SIGTERM ends it (0)', async () => {
    const log = join(DIR, 'hooks.log');
    const hook = (word: string): string => `echo ${word} $(date +%s%N) >> ${log}`;
    const args = ['netns', 'exec', ns, process.execPath, BIN, 'director', 'ready', '--rules', FILE, '--ignore-weights', '--watch', '0.5', '--on-ready', hook('ready'), '--on-unready', hook('unready')];
    const watcher = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    watcher.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    watcher.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    const ended = new Promise<number | null>((resolve) => watcher.once('exit', resolve));
    const lines = async (n: number): Promise<string[]> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const got = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
        if (got.length >= n || Date.now() > deadline) return got;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    expect((await lines(1))[0]).toMatch(/^ready \d+$/);
    const zeroedNs = BigInt(sh('date +%s%N').stdout.trim());
    zeroWeights(0);
    const [, unready] = await lines(2);
    expect(unready).toMatch(/^unready \d+$/);
    console.log(`director ready --watch 0.5: --on-unready ran ${Number((BigInt(unready!.split(' ')[1]!) - zeroedNs) / 1_000_000n)} ms after the weights went to 0`);
    zeroWeights(1);
    expect((await lines(3))[2]).toMatch(/^ready \d+$/);
    watcher.kill('SIGTERM');
    expect(await ended).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/^\S+Z ready: 2 services, each with a real server of weight above 0\n\S+Z not ready: tcp 192\.0\.2\.80:80: every real server at weight 0 \(2\)\n\S+Z ready: 2 services/);
  }, 90_000);
});
