// ansible-playbook as the Ansible tests run it: the JSON callback, fast settings, nothing written
// outside the test's folder, and its document read into each task's result per host.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** What a task gave on one host (the fields the tests read). */
export interface HostResult {
  readonly changed?: boolean;
  readonly failed?: boolean;
  readonly skipped?: boolean;
  readonly rc?: number;
  readonly msg?: unknown;
  readonly stdout?: string;
  readonly stderr?: string;
}

export interface PlaybookRun {
  readonly code: number | null;
  readonly stderr: string;
  /** each task's result per host, by the task's name without the role's prefix */
  readonly tasks: Map<string, Record<string, HostResult>>;
  readonly stats: Record<string, { changed: number; failures: number; ok: number; skipped: number }>;
}

const env = (dir: string): NodeJS.ProcessEnv => ({
  ...process.env,
  // ansible refuses to start without a UTF-8 locale
  LC_ALL: 'C.UTF-8',
  ANSIBLE_STDOUT_CALLBACK: 'json',
  ANSIBLE_NOCOWS: '1',
  ANSIBLE_RETRY_FILES_ENABLED: '0',
  ANSIBLE_PIPELINING: '1',
  ANSIBLE_HOME: join(dir, 'home'),
  ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
  ANSIBLE_REMOTE_TMP: join(dir, 'tmp'),
});

/** Throws, naming the package, unless ansible-playbook runs here. */
export function assertAnsiblePlaybook(): void {
  if (spawnSync('ansible-playbook', ['--version'], { env: env('/tmp') }).status !== 0) {
    throw new Error('ansible-playbook not found or not working: install the package ansible-core (apt-get install -y ansible-core)');
  }
}

/** `ansible-playbook -i INVENTORY [extra] PLAYBOOK`, its state kept in `dir`. */
export function runPlaybook(playbook: string, inventory: string, dir: string, extra: readonly string[], timeoutMs: number): PlaybookRun {
  const r = spawnSync('ansible-playbook', ['-i', inventory, ...extra, playbook], { env: env(dir), encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw new Error(`ansible-playbook could not run (package ansible-core): ${r.error.message}`);
  let doc: { plays: { tasks: { task: { name: string }; hosts: Record<string, HostResult> }[] }[]; stats: PlaybookRun['stats'] };
  try {
    doc = JSON.parse(r.stdout) as typeof doc;
  } catch {
    throw new Error(`ansible-playbook printed no JSON (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const tasks = new Map(doc.plays.flatMap((p) => p.tasks).map((t) => [t.task.name.replace(/^[\w-]+ : /, ''), t.hosts] as const));
  return { code: r.status, stderr: r.stderr, tasks, stats: doc.stats };
}

/** One task's results per host; throws, listing the tasks, when the run has none of that name. */
export function taskResults(run: PlaybookRun, name: string): Record<string, HostResult> {
  const t = run.tasks.get(name);
  if (!t) throw new Error(`no task "${name}" in the run; tasks: ${[...run.tasks.keys()].join(', ')}`);
  return t;
}
