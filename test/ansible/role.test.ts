// The shipped Ansible role (src/ansible) run by ansible-playbook on this host against a stand-in
// ipvsadm that answers as `ipvsadm apply --json` does (its documents made by apply's own
// applyJson, its statuses APPLY_EXIT's): each status and outcome gives the task result the role
// promises (changed exactly when applied or, with --check, pending; failed with apply's message
// on 1, 3, 4, 5 and on 1.31's usage error), the command line it builds, and the file it installs.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_EXIT } from '../../src/app/exit-status.js';
import { applyJson, stepLine } from '../../src/apply/format.js';
import type { Outcome } from '../../src/apply/format.js';
import type { Plan } from '../../src/apply/plan.js';
import { assertAnsiblePlaybook, runPlaybook } from '../support/ansible-playbook.js';
import type { HostResult, PlaybookRun } from '../support/ansible-playbook.js';

const SITE = fileURLToPath(new URL('../../src/ansible/site.yml', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'ansible-role-'));
const RULES = join(DIR, 'ipvsadm.rules');
const FAKE = join(DIR, 'ipvsadm');
const RULES_TEXT = '-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 198.51.100.11:80 -g -w 1\n';
// director1 manages a namespace, director2 its own table
const NETNS: Record<string, string> = { director1: 'lb', director2: '' };
const HOSTS = Object.keys(NETNS);
const dest = (host: string): string => join(DIR, `${host}.installed`);
const APPLY = 'Apply the rules (ipvsadm apply; with --check, ipvsadm apply --dry-run)';

const field = (side: 'before' | 'after') => (nv: string) => ({ name: nv.split(':')[0]!, [side]: nv.split(':')[1]! });
const PLAN: Plan = {
  steps: [
    { action: 'change', object: 'real server', label: '198.51.100.11:80 of tcp 192.0.2.10:80', fields: [{ name: 'weight', before: '2', after: '1' }, { name: 'tunnel', before: 'gue' }], changes: [] },
    { action: 'add', object: 'service', label: 'tcp 192.0.2.10:80', fields: ['scheduler:mh', 'scheduler flags:mh-port', 'persistence:none', 'one-packet:no', 'pe:none'].map(field('after')), changes: [] },
    { action: 'remove', object: 'real server', label: '198.51.100.12:80 of tcp 192.0.2.10:80', fields: ['forwarding:route', 'weight:0', 'upper threshold:0', 'lower threshold:5'].map(field('before')), changes: [] },
  ],
  unmanaged: [],
  notes: ['a note of the plan'],
};

/** What the stand-in prints and how it exits. */
interface Answer {
  readonly status: number;
  readonly stdout?: string;
  readonly stderr?: string;
}
const answerJson = (status: number, outcome: Outcome): Answer => ({ status, stdout: applyJson(PLAN, outcome) });
const failed = (left: string[]): Outcome => ({ kind: 'failed', step: '~ real server 198.51.100.11:80 of tcp 192.0.2.10:80', reason: 'Connection timed out', rollback: { undone: 1, refused: [], left } });

interface Run extends PlaybookRun {
  /** per host: the stand-in's argv and standard input */
  readonly calls: Record<string, { argv: string[]; stdin: string } | undefined>;
}

/** One ansible-playbook run with the stand-in answering `answer` on every director. */
function play(answer: Answer, extra: readonly string[] = []): Run {
  for (const host of HOSTS) rmSync(join(DIR, `${host}.call`), { force: true });
  writeFileSync(join(DIR, 'status'), String(answer.status));
  writeFileSync(join(DIR, 'stdout'), answer.stdout ?? '');
  writeFileSync(join(DIR, 'stderr'), answer.stderr ?? '');
  const run = runPlaybook(SITE, join(DIR, 'hosts.ini'), DIR, extra, 120_000);
  const calls = Object.fromEntries(
    HOSTS.map((h) => {
      const file = join(DIR, `${h}.call`);
      if (!existsSync(file)) return [h, undefined];
      const [argv, stdin] = readFileSync(file, 'utf8').split('\0--stdin--\0');
      return [h, { argv: argv!.split('\0').filter((a) => a !== ''), stdin: stdin! }];
    }),
  );
  return { ...run, calls };
}

function task(run: Run, name: string, host: string): HostResult | undefined {
  return run.tasks.get(name)?.[host];
}

beforeAll(() => {
  assertAnsiblePlaybook();
  mkdirSync(join(DIR, 'tmp'));
  writeFileSync(RULES, RULES_TEXT);
  // records argv (NUL-separated) and stdin under the director's name (the one with --netns is
  // director1), then answers as told
  writeFileSync(
    FAKE,
    `#!/bin/bash\nd=${DIR}\nif [ "$1" = --netns ]; then host=director1; else host=director2; fi\n` +
      `{ printf '%s\\0' "$@"; printf -- '\\0--stdin--\\0'; cat; } > "$d/$host.call"\n` +
      `cat "$d/stdout"; cat "$d/stderr" >&2; exit "$(cat "$d/status")"\n`,
  );
  chmodSync(FAKE, 0o755);
  const lines = HOSTS.map((h) => `${h} ipvsadm_netns=${NETNS[h]} ipvsadm_rules_dest=${dest(h)}`);
  writeFileSync(
    join(DIR, 'hosts.ini'),
    `[directors]\n${lines.join('\n')}\n\n[directors:vars]\nansible_connection=local\nansible_python_interpreter=/usr/bin/python3\n` +
      `ipvsadm_path=${FAKE}\nipvsadm_rules_src=${RULES}\nipvsadm_apply_options=["--canonical-order", "--scope", "192.0.2.0/24"]\n`,
  );
}, 60_000);

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe('the Ansible role against each answer of ipvsadm apply', () => {
  it('applied (0): changed; apply gets the file on stdin, --netns only where set, the extra options; the plan is shown; the file installed', () => {
    const run = play(answerJson(APPLY_EXIT.OK, { kind: 'applied', steps: 1 }));
    expect(run.code, run.stderr).toBe(0);
    expect(run.calls['director1']).toEqual({ argv: ['--netns', 'lb', 'apply', '--json', '--canonical-order', '--scope', '192.0.2.0/24', '-'], stdin: RULES_TEXT });
    expect(run.calls['director2']?.argv).toEqual(['apply', '--json', '--canonical-order', '--scope', '192.0.2.0/24', '-']);
    for (const host of HOSTS) {
      expect(task(run, APPLY, host)).toMatchObject({ rc: 0, changed: true });
      // the plan in apply's own words (its text output's step lines)
      expect(task(run, 'Show the plan', host)?.msg).toEqual([...PLAN.steps.map(stepLine), 'note: a note of the plan']);
      expect(readFileSync(dest(host), 'utf8')).toBe(RULES_TEXT);
    }
  }, 130_000);

  it('unchanged (0): ok, nothing changed, no plan shown', () => {
    const run = play(answerJson(APPLY_EXIT.OK, { kind: 'unchanged' }));
    expect(run.code, run.stderr).toBe(0);
    for (const host of HOSTS) {
      expect(run.stats[host]).toMatchObject({ changed: 0, failures: 0 });
      expect(task(run, 'Show the plan', host)).toMatchObject({ skipped: true });
    }
  }, 130_000);

  it('--check: a dry run; pending (2) is changed, nothing to change (0) is ok; no file is written', () => {
    for (const host of HOSTS) rmSync(dest(host), { force: true });
    const pending = play(answerJson(APPLY_EXIT.PENDING, { kind: 'pending' }), ['--check']);
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.calls['director1']?.argv).toEqual(['--netns', 'lb', 'apply', '--json', '--dry-run', '--canonical-order', '--scope', '192.0.2.0/24', '-']);
    const none = play(answerJson(APPLY_EXIT.OK, { kind: 'unchanged' }), ['--check']);
    expect(none.code, none.stderr).toBe(0);
    for (const host of HOSTS) {
      expect(task(pending, APPLY, host)).toMatchObject({ rc: 2, changed: true });
      expect(task(pending, 'Show the plan', host)?.msg).toHaveLength(4);
      expect(task(pending, 'Install the rules file', host)).toMatchObject({ changed: true });
      expect(task(none, APPLY, host)).toMatchObject({ rc: 0, changed: false });
      expect(existsSync(dest(host))).toBe(false);
    }
  }, 130_000);

  const failures: [string, Answer, string[]][] = [
    ['1 (a bad file)', { status: APPLY_EXIT.INVALID, stderr: 'ipvsadm apply: <stdin>:2: -a: no service tcp 192.0.2.10:80 in the file\n' }, ['exited 1', 'nothing was changed', '<stdin>:2: -a: no service tcp 192.0.2.10:80 in the file']],
    ['3 (rolled back)', answerJson(APPLY_EXIT.ROLLED_BACK, failed([])), ['exited 3', 'rolled back', '~ real server 198.51.100.11:80 of tcp 192.0.2.10:80: Connection timed out']],
    ['4 (rollback incomplete)', answerJson(APPLY_EXIT.ROLLBACK_INCOMPLETE, failed(['~ real server 198.51.100.11:80 of tcp 192.0.2.10:80: weight 2 → 1'])), ['exited 4', 'Connection timed out', 'left after the rollback: ~ real server 198.51.100.11:80 of tcp 192.0.2.10:80: weight 2 → 1']],
    ['5 (busy)', { status: APPLY_EXIT.BUSY, stderr: 'ipvsadm apply: the table is being changed by ipvsadm drain (pid 77); nothing was changed\n' }, ['exited 5', 'another apply or a drain', 'by ipvsadm drain (pid 77)']],
    ["2 of 1.31's usage error (no apply in 1.31), even with --check", { status: 2, stderr: 'unexpected argument apply\n' }, ['exited 2', 'usage error', 'unexpected argument apply']],
  ];
  for (const [name, answer, words] of failures) {
    it(`${name}: the play fails on every director with apply's message; the file is not installed`, () => {
      for (const host of HOSTS) writeFileSync(dest(host), 'before\n');
      const run = play(answer, answer.status === 2 ? ['--check'] : []);
      expect(run.code).not.toBe(0);
      for (const host of HOSTS) {
        expect(task(run, APPLY, host)).toMatchObject({ rc: answer.status, changed: false });
        const stop = task(run, 'Stop when apply failed', host);
        expect(stop?.failed).toBe(true);
        for (const w of words) expect(stop?.msg).toContain(w);
        expect(run.stats[host]).toMatchObject({ failures: 1 });
        expect(readFileSync(dest(host), 'utf8')).toBe('before\n');
      }
      expect(run.tasks.has('Install the rules file')).toBe(false);
    }, 130_000);
  }
});
