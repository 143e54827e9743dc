// The shipped Ansible role (src/ansible: site.yml, roles/ipvsadm) run by ansible-playbook against two
// directors, two network namespaces reached through a local connection and `ipvsadm --netns`:
// a first run applies the file on both, a second changes nothing, --check after an edit reports the
// plan and changes nothing, and a file apply cannot use fails the play and reaches no director.
// The tables are read by the C ipvsadm and compared with one the C ipvsadm restored from the file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertAnsiblePlaybook, runPlaybook, taskResults } from '../support/ansible-playbook.js';
import type { PlaybookRun } from '../support/ansible-playbook.js';
import { assertInGuest, createNetns, deleteNetns, runC } from './support/guest.js';

assertInGuest();

const SITE = fileURLToPath(new URL('../../src/ansible/site.yml', import.meta.url));
const IPVSADM = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'ansible-'));
const RULES = join(DIR, 'ipvsadm.rules');
const HOSTS = ['director1', 'director2'] as const;
const dest = (host: string): string => join(DIR, `${host}.rules`);
/** a whole playbook run in the guest takes 30-60 s */
const RUN_TIMEOUT_MS = 170_000;

const FIRST = `# the fleet's table
-A -t 192.0.2.10:80 -s mh -b mh-port
-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 1
-a -t 192.0.2.10:80 -r 198.51.100.12:80 -g -w 1
-a -t 192.0.2.10:80 -r 198.51.100.13:80 -g -w 1
-A -u 192.0.2.10:53 -s rr
-a -u 192.0.2.10:53 -r 198.51.100.11:53 -g -w 1
`;
// a weight changed, a real server added, one removed
const EDITED = FIRST.replace('198.51.100.12:80 -g -w 1', '198.51.100.12:80 -g -w 3')
  .replace('-a -t 192.0.2.10:80 -r 198.51.100.13:80 -g -w 1\n', '')
  .concat('-a -u 192.0.2.10:53 -r 198.51.100.12:53 -g -w 2\n');
// a real server of a service the file does not define: apply checks the whole file first
const BAD = `${FIRST}-a -t 192.0.2.99:80 -r 198.51.100.11:80 -g -w 1\n`;

const netns: Record<string, string> = {};

const playbook = (extra: readonly string[] = []): PlaybookRun => runPlaybook(SITE, join(DIR, 'hosts.ini'), DIR, extra, RUN_TIMEOUT_MS);
const task = taskResults;

/** The C ipvsadm's save of a namespace's table, lines sorted (the kernel's order of real servers aside). */
const table = (ns: string): string => runC(['-Sn'], { netns: ns }).stdout.split('\n').sort().join('\n');

/** What the C ipvsadm makes of a rules file, restored into a namespace of its own. */
function reference(rules: string): string {
  const ns = createNetns('ansref');
  try {
    // 1.31's -R takes no comment lines
    const restored = runC(['-R'], { netns: ns, stdin: rules.replace(/^#.*\n/gm, '') });
    if (restored.code !== 0) throw new Error(`C ipvsadm -R refused the reference: ${restored.stderr}`);
    return table(ns);
  } finally {
    deleteNetns(ns);
  }
}

beforeAll(() => {
  assertAnsiblePlaybook();
  for (const host of HOSTS) netns[host] = createNetns('ansd');
  const lines = HOSTS.map((h) => `${h} ipvsadm_netns=${netns[h]} ipvsadm_rules_dest=${dest(h)}`);
  writeFileSync(
    join(DIR, 'hosts.ini'),
    `[directors]\n${lines.join('\n')}\n\n[directors:vars]\nansible_connection=local\nansible_python_interpreter=/usr/bin/python3\n` +
      `ipvsadm_path=${IPVSADM}\nipvsadm_rules_src=${RULES}\nipvsadm_apply_options=["--canonical-order"]\n`,
  );
}, 60_000);

afterAll(() => {
  for (const ns of Object.values(netns)) deleteNetns(ns);
  rmSync(DIR, { recursive: true, force: true });
});

const APPLY = 'Apply the rules (ipvsadm apply; with --check, ipvsadm apply --dry-run)';

describe('the Ansible role on two directors', () => {
  it('a first run applies the file on both (changed); the tables equal what the C ipvsadm restores from it', () => {
    writeFileSync(RULES, FIRST);
    const run = playbook();
    expect(run.code, run.stderr).toBe(0);
    const want = reference(FIRST);
    for (const host of HOSTS) {
      expect(task(run, APPLY)[host]).toMatchObject({ rc: 0, changed: true });
      expect(task(run, 'Install the rules file')[host]).toMatchObject({ changed: true });
      expect(run.stats[host]).toMatchObject({ failures: 0 });
      expect(table(netns[host]!), host).toBe(want);
      expect(readFileSync(dest(host), 'utf8')).toBe(FIRST);
    }
  }, RUN_TIMEOUT_MS);

  it('a second run changes nothing (ok on both)', () => {
    const before = HOSTS.map((h) => table(netns[h]!));
    const run = playbook();
    expect(run.code, run.stderr).toBe(0);
    for (const host of HOSTS) {
      expect(run.stats[host]).toMatchObject({ changed: 0, failures: 0 });
      expect(task(run, APPLY)[host]).toMatchObject({ rc: 0, changed: false });
      expect(task(run, 'Show the plan')[host]).toMatchObject({ skipped: true });
    }
    expect(HOSTS.map((h) => table(netns[h]!))).toEqual(before);
  }, RUN_TIMEOUT_MS);

  it('--check after an edit reports changed with the plan, and changes neither the tables nor the files', () => {
    const before = HOSTS.map((h) => table(netns[h]!));
    expect(before[0]).not.toBe(reference(EDITED));
    writeFileSync(RULES, EDITED);
    const run = playbook(['--check']);
    expect(run.code, run.stderr).toBe(0);
    for (const host of HOSTS) {
      expect(task(run, APPLY)[host]).toMatchObject({ rc: 2, changed: true });
      expect(task(run, 'Install the rules file')[host]).toMatchObject({ changed: true });
      const plan = JSON.stringify(task(run, 'Show the plan')[host]!.msg);
      for (const server of ['198.51.100.12:80', '198.51.100.13:80', '198.51.100.12:53']) expect(plan).toContain(server);
      expect(plan).not.toContain('198.51.100.11:80');
      expect(readFileSync(dest(host), 'utf8')).toBe(FIRST);
    }
    expect(HOSTS.map((h) => table(netns[h]!))).toEqual(before);
  }, RUN_TIMEOUT_MS);

  it('a file apply cannot use fails the play on both with apply\'s message; no table or file changes', () => {
    const before = HOSTS.map((h) => table(netns[h]!));
    writeFileSync(RULES, BAD);
    const run = playbook();
    expect(run.code).not.toBe(0);
    for (const host of HOSTS) {
      const apply = task(run, APPLY)[host]!;
      expect(apply.rc).toBe(1);
      expect(apply.stderr).toContain('192.0.2.99:80');
      const stop = task(run, 'Stop when apply failed')[host]!;
      expect(stop.failed).toBe(true);
      expect(stop.msg).toContain('exited 1');
      expect(stop.msg).toContain(apply.stderr!.trim());
      expect(run.stats[host]).toMatchObject({ failures: 1 });
      expect(readFileSync(dest(host), 'utf8')).toBe(FIRST);
    }
    expect(run.tasks.has('Install the rules file')).toBe(false);
    expect(HOSTS.map((h) => table(netns[h]!))).toEqual(before);
  }, RUN_TIMEOUT_MS);
});
