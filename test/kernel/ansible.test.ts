// The shipped Ansible role (src/ansible: site.yml, roles/ipvsadm) run by ansible-playbook against two
// directors, two network namespaces reached through a local connection and `ipvsadm --netns`:
// a first run applies the file on both, a second changes nothing, --check after an edit reports the
// plan and changes nothing, and a file apply cannot use fails the play and reaches no director.
// The tables are read by the C ipvsadm and compared with one the C ipvsadm restored from the file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface HostResult {
  readonly changed?: boolean;
  readonly failed?: boolean;
  readonly skipped?: boolean;
  readonly rc?: number;
  readonly msg?: unknown;
  readonly stdout?: string;
  readonly stderr?: string;
}
interface Play {
  readonly code: number | null;
  readonly stderr: string;
  /** each task's result per host, by the task's name (without the role's prefix) */
  readonly tasks: Map<string, Record<string, HostResult>>;
  readonly stats: Record<string, { changed: number; failures: number; ok: number; skipped: number }>;
}

/** ansible-playbook with the JSON callback, fast settings, and nothing written outside DIR. */
function playbook(extra: readonly string[] = []): Play {
  const env = {
    ...process.env,
    LC_ALL: 'C.UTF-8',
    ANSIBLE_STDOUT_CALLBACK: 'json',
    ANSIBLE_NOCOWS: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_PIPELINING: '1',
    ANSIBLE_HOME: join(DIR, 'home'),
    ANSIBLE_LOCAL_TEMP: join(DIR, 'tmp'),
    ANSIBLE_REMOTE_TMP: join(DIR, 'tmp'),
  };
  const r = spawnSync('ansible-playbook', ['-i', join(DIR, 'hosts.ini'), ...extra, SITE], { env, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  if (r.error) throw new Error(`ansible-playbook could not run (package ansible-core): ${r.error.message}`);
  let doc: { plays: { tasks: { task: { name: string }; hosts: Record<string, HostResult> }[] }[]; stats: Play['stats'] };
  try {
    doc = JSON.parse(r.stdout) as typeof doc;
  } catch {
    throw new Error(`ansible-playbook printed no JSON (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const tasks = new Map(doc.plays.flatMap((p) => p.tasks).map((t) => [t.task.name.replace(/^ipvsadm : /, ''), t.hosts] as const));
  return { code: r.status, stderr: r.stderr, tasks, stats: doc.stats };
}

/** The result of one task on every director (a task the play never reached has none). */
function task(play: Play, name: string): Record<string, HostResult> {
  const t = play.tasks.get(name);
  if (!t) throw new Error(`no task "${name}" in the run; tasks: ${[...play.tasks.keys()].join(', ')}`);
  return t;
}

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
  if (spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } }).status !== 0) {
    throw new Error('ansible-playbook not found or not working: install the package ansible-core');
  }
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
