// The lossless JSON save, in the kernel: a table of every kind built by the C ipvsadm, non-default
// timeouts and both sync daemons → our `-S --json` → flush and reset → our restore → the C
// tool's -Sn, -Ln --thresholds, -Ln --tun-info, -L --timeout and -L --daemon are what they were.
// Also through the installed programs (ipvsadm-save --json > file; ipvsadm-restore < file), and
// a bad document leaves the kernel as it was.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validJson } from '../support/json-schema.js';
import { EVERY_KIND } from './support/every-kind.js';
import { assertInGuest, resetIpvs, runC, sh } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const BIN = fileURLToPath(new URL('../../bin/', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'json-save-'));

/** Everything the C tool shows of the table, the timeouts and the daemons. */
function cViews(): Record<string, string> {
  const views: Record<string, string> = {};
  for (const args of [['-Sn'], ['-Ln', '--thresholds'], ['-Ln', '--tun-info'], ['-Ln', '--persistent-conn'], ['-L', '--timeout'], ['-L', '--daemon']]) {
    const r = runC(args);
    expect({ stderr: r.stderr, code: r.code }, args.join(' ')).toEqual({ stderr: '', code: 0 });
    views[args.join(' ')] = r.stdout;
  }
  return views;
}

/** Flush, default timeouts, no daemons: as the C tool leaves it. */
function flushAndReset(): void {
  for (const args of [['-C'], ['--set', '900', '120', '300'], ['--stop-daemon', 'master'], ['--stop-daemon', 'backup']]) runC(args);
  expect(runC(['-Sn']).stdout).toBe('');
  expect(runC(['-L', '--daemon']).stdout).toBe('');
}

function build(): void {
  resetIpvs();
  for (const line of [...EVERY_KIND, '-A -t 192.0.2.9:80 -s mh -b flag-3', '--set 901 121 301']) {
    const r = runC(line.split(' '));
    if (r.code !== 0) throw new Error(`ipvsadm ${line}: ${r.stderr}`);
  }
  runC('--start-daemon master --mcast-interface dummy0 --syncid 3'.split(' '));
  runC('--start-daemon backup --mcast-interface dummy0 --syncid 7 --sync-maxlen 1000 --mcast-group 239.1.2.3 --mcast-port 9000 --mcast-ttl 5'.split(' '));
}

let before: Record<string, string>;

beforeAll(() => {
  sh('ip link add dummy0 type dummy 2>/dev/null; ip link set dummy0 up');
  build();
  before = cViews();
}, 60_000);

afterAll(() => {
  resetIpvs();
  for (const state of ['master', 'backup']) runC(['--stop-daemon', state]);
  runC(['--set', '900', '120', '300']);
  sh('ip link del dummy0', { check: false });
  rmSync(DIR, { recursive: true, force: true });
});

describe('JSON save → flush and reset → restore, against ipvsadm 1.31', () => {
  it('ipvsadm -S --json then ipvsadm -R: every view of the C tool as before', async () => {
    expect(before['-L --timeout']).toBe('Timeout (tcp tcpfin udp): 901 121 301\n');
    expect(before['-L --daemon']).toMatch(/^master sync daemon \(mcast=dummy0, syncid=3, .*\nbackup sync daemon \(mcast=dummy0, syncid=7, maxlen=\d+, group=239\.1\.2\.3, port=9000, ttl=5\)\n$/);
    const save = await runOurs(['-S', '--json']);
    expect({ stderr: save.stderr, code: save.code }).toEqual({ stderr: '', code: 0 });
    const doc = validJson(save.stdout);
    expect((doc['services'] as unknown[]).length).toBe(8);
    flushAndReset();
    expect(await runOurs(['-R'], { stdin: save.stdout })).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(cViews()).toEqual(before);
    // saved again, the same document
    expect((await runOurs(['-S', '--json'])).stdout).toBe(save.stdout);
  });

  it('the C tool text save loses what the JSON save keeps (thresholds, timeouts, daemons)', async () => {
    const text = runC(['-Sn']).stdout;
    flushAndReset();
    expect(runC(['-R'], { stdin: text }).code).toBe(0);
    const views = cViews();
    expect(views['-Ln --thresholds']).not.toBe(before['-Ln --thresholds']);
    expect(views['-L --timeout']).not.toBe(before['-L --timeout']);
    expect(views['-L --daemon']).toBe('');
    build();
  });

  it('bin/ipvsadm-save --json > file; bin/ipvsadm-restore < file: the same, from a table left in place', () => {
    const file = join(DIR, 'table.json');
    const save = spawnSync('bash', ['-c', `node ${BIN}ipvsadm-save.js --json > ${file}`], { encoding: 'utf8' });
    expect({ stderr: save.stderr, code: save.status }).toEqual({ stderr: '', code: 0 });
    validJson(readFileSync(file, 'utf8'));
    // ipvsadm-restore flushes the services itself; the daemons running as saved are left alone
    runC(['-A', '-t', '203.0.113.1:80']);
    const restore = spawnSync('bash', ['-c', `node ${BIN}ipvsadm-restore.js < ${file}`], { encoding: 'utf8' });
    expect({ stdout: restore.stdout, stderr: restore.stderr, code: restore.status }).toEqual({ stdout: '', stderr: '', code: 0 });
    expect(cViews()).toEqual(before);
  });

  it('a damaged document: status 2, the problem named, nothing changed (ipvsadm-restore does not flush)', async () => {
    const save = (await runOurs(['-S', '--json'])).stdout;
    const damaged = save.replace('"weight": 3', '"weight": -3');
    expect(damaged).not.toBe(save);
    const file = join(DIR, 'damaged.json');
    writeFileSync(file, damaged);
    const r = spawnSync('bash', ['-c', `node ${BIN}ipvsadm-restore.js < ${file}`], { encoding: 'utf8' });
    expect({ stdout: r.stdout, code: r.status }).toEqual({ stdout: '', code: 2 });
    expect(r.stderr).toMatch(/^ipvsadm: restore: services\[\d+\]\.destinations\[\d+\]\.weight: must be an integer from 0 to 2147483647\nipvsadm: restore: nothing was changed\n$/);
    expect(await runOurs(['-R'], { stdin: damaged })).toMatchObject({ stdout: '', code: 2 });
    expect(cViews()).toEqual(before);
  });
});
