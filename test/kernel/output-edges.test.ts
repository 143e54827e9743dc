// Output at the edges, as a shell user meets it, in the real kernel with a table large enough to
// overflow a pipe: `| head -1` (both tools die of a broken pipe: status 141, only the head shown,
// nothing on stderr), `> /dev/full` (1.31 exits 0 and loses the listing; ours says so and fails:
// a deliberate difference), and a restore killed halfway (no stack trace; applied lines form a
// prefix of the file). Our tool runs as a real process here (bin/), not in-process.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reliabilityTest } from '../support/reliability.js';
import { assertInGuest, C_IPVSADM, resetIpvs, runC, sh } from './support/guest.js';

assertInGuest();

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OURS = `node ${ROOT}bin/ipvsadm.js`;
const OURS_SAVE = `node ${ROOT}bin/ipvsadm-save.js`;
const C_SAVE = '/usr/sbin/ipvsadm-save';
const SERVICES = 1500;

/** `-A`/`-a` lines: `count` TCP services from 192.0.2.x / 203.0.113.x, two real servers each. */
function tableLines(count: number, firstPort: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const vip = `192.0.2.${1 + (i % 250)}:${firstPort + Math.floor(i / 250)}`;
    lines.push(`-A -t ${vip} -s wrr`);
    lines.push(`-a -t ${vip} -r 198.51.100.${1 + (i % 200)}:8080 -m -w 1`);
    lines.push(`-a -t ${vip} -r 203.0.113.${1 + (i % 200)}:8080 -m -w 2`);
  }
  return lines;
}

function writeTemp(name: string, text: string): string {
  const file = join(tmpdir(), `output-edges-${process.pid}-${name}`);
  writeFileSync(file, text);
  return file;
}

/** Runs `cmd` in bash; returns its stdout, stderr and the status of the pipeline's first command. */
function first(cmd: string): { stdout: string; stderr: string; status: number } {
  const r = sh(`${cmd}; echo "status=\${PIPESTATUS[0]}" >&2`, { check: false });
  const m = /status=(\d+)\n$/.exec(r.stderr);
  if (!m) throw new Error(`no status line in stderr of: ${cmd}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr.slice(0, m.index), status: Number(m[1]) };
}

describe('output edges (real processes, large table)', () => {
  beforeAll(() => {
    resetIpvs();
    const file = writeTemp('table', `${tableLines(SERVICES, 1000).join('\n')}\n`);
    const r = sh(`${C_IPVSADM} -R < ${file}`, { check: false });
    expect(r.code, r.stderr).toBe(0);
    const listed = runC(['-Ln']).stdout.split('\n').length - 1;
    expect(listed).toBe(3 + SERVICES * 3);
  }, 300_000);

  afterAll(() => resetIpvs());

  for (const [what, c, ours] of [
    ['-Ln', `${C_IPVSADM} -Ln`, `${OURS} -Ln`],
    ['-Sn', `${C_IPVSADM} -Sn`, `${OURS} -Sn`],
    ['-Ln --stats', `${C_IPVSADM} -Ln --stats`, `${OURS} -Ln --stats`],
    ['ipvsadm-save -n', `${C_SAVE} -n`, `${OURS_SAVE} -n`],
  ] as const) {
    it(`${what} | head -1: only the head, nothing on stderr, status 141, as 1.31`, () => {
      reliabilityTest({ area: 'output', item: 'broken pipes on large listings (kernel)' });
      const cr = first(`${c} | head -1`);
      const or = first(`${ours} | head -1`);
      expect(cr.status).toBe(141);
      expect(or).toEqual(cr);
      expect(or.stdout.split('\n')).toHaveLength(2);
    }, 120_000);
  }

  for (const what of ['-Ln', '-Sn', '-L -n --rate'] as const) {
    it(`${what} > /dev/full: one line naming the error, status 1 (1.31: status 0, output lost)`, () => {
      reliabilityTest({ area: 'output', item: 'full disks on listings (kernel)' });
      const cr = first(`${C_IPVSADM} ${what} > /dev/full`);
      expect(cr).toEqual({ stdout: '', stderr: '', status: 0 });
      const or = first(`${OURS} ${what} > /dev/full`);
      expect(or).toEqual({ stdout: '', stderr: 'ipvsadm: write error: No space left on device\n', status: 1 });
    }, 120_000);
  }

  it('ipvsadm-save > /dev/full fails instead of leaving an empty rules file with status 0', () => {
    reliabilityTest({ area: 'output', item: 'full disks on listings (kernel)' });
    const or = first(`${OURS_SAVE} -n > /dev/full`);
    expect(or).toEqual({ stdout: '', stderr: 'ipvsadm: write error: No space left on device\n', status: 1 });
  }, 120_000);

  it('a listing with stdout closed or stderr full still lists and exits 0', () => {
    const closed = first(`${OURS} -Ln >&-`);
    expect(closed).toEqual({ stdout: '', stderr: '', status: runC(['-Ln']).code });
    const errFull = sh(`${OURS} -Ln 2>/dev/full | wc -l`, { check: false });
    expect(errFull.stdout.trim()).toBe(String(3 + SERVICES * 3));
  }, 120_000);
});

describe('a restore killed halfway', () => {
  afterAll(() => resetIpvs());

  it('dies without a stack trace and leaves a prefix of the file applied', () => {
    reliabilityTest({ area: 'fault', item: 'restores killed halfway (kernel)' });
    resetIpvs();
    const lines = tableLines(10000, 2000);
    const file = writeTemp('kill', `${lines.join('\n')}\n`);
    // SIGTERM it as an init script's timeout would, as soon as its first service is in the kernel.
    const firstVip = /-t (\S+)/.exec(lines[0]!)![1]!;
    const r = sh(
      `${OURS} -R < ${file} 2>${file}.err & pid=$!; ` +
        `for i in $(seq 600); do ${C_IPVSADM} -Ln -t ${firstVip} >/dev/null 2>&1 && break; sleep 0.1; done; ` +
        `kill -TERM $pid; wait $pid; echo "status=$?"; cat ${file}.err`,
      { check: false },
    );
    const status = Number(/status=(\d+)/.exec(r.stdout)?.[1]);
    expect(status, `the restore finished before it was killed: make the file larger\n${r.stdout}`).toBe(143);
    expect(r.stdout.replace(/status=\d+\n/, '')).toBe('');
    const saved = runC(['-Sn']).stdout;
    const applied = new Set(saved.split('\n').filter(Boolean));
    // Every applied line is one of the file's; the applied services are the first N of the file.
    const services = lines.filter((l) => l.startsWith('-A '));
    const present = services.map((l) => applied.has(`${l}`));
    const n = present.indexOf(false) === -1 ? present.length : present.indexOf(false);
    expect(present.slice(n).some(Boolean), 'a service after the first missing one was applied').toBe(false);
    expect(n, 'nothing was applied before the kill').toBeGreaterThan(0);
    expect(n, 'everything was applied before the kill').toBeLessThan(services.length);
  }, 180_000);
});
