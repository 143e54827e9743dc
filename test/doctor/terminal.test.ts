// `ipvsadm doctor` as a user runs it (the built bin/, this host's kernel, whatever IPVS it has):
// in a real pseudo-terminal (script(1)) it prints the same words as into a pipe, coloured unless
// NO_COLOR is set non-empty; modprobe's own lines never reach the terminal (its reason is in the
// ipvs check); into a full disk it says so in one line.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));

// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-9;]*m/g;

function sh(command: string, env: Record<string, string | undefined> = {}): { stdout: string; stderr: string; status: number | null } {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf8', env: merged as NodeJS.ProcessEnv, timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** doctor in a pseudo-terminal (stdout and stderr both the terminal); its text with the terminal's CR LF as LF. */
function inTerminal(env: Record<string, string | undefined>): { text: string; status: number | null } {
  const r = sh(`script -qec ${JSON.stringify(`node ${BIN} doctor`)} /dev/null`, env);
  return { text: r.stdout.replace(/\r\n/g, '\n'), status: r.status };
}

describe('ipvsadm doctor in a real terminal and in a pipe (built)', () => {
  it('script(1) is installed (util-linux: bsdutils)', () => {
    expect(sh('command -v script').status, 'script(1) is missing: apt-get install -y bsdutils').toBe(0);
  });

  it('the same text in a pipe and on a terminal; colour on the terminal only, and not with NO_COLOR=1', () => {
    const pipe = sh(`node ${BIN} doctor | cat`, { NO_COLOR: undefined });
    expect(pipe.stderr).toBe('');
    expect(pipe.stdout.split('\n')[0]).toBe(`${'verdict'.padEnd(8)}${'check'.padEnd(25)}detail`);
    expect(pipe.stdout).not.toMatch(ESCAPES);
    expect(pipe.stdout).not.toContain('modprobe: ');
    const tty = inTerminal({ NO_COLOR: undefined });
    expect(tty.text).toMatch(ESCAPES);
    expect(tty.text.replace(ESCAPES, '')).toBe(pipe.stdout);
    const noColor = inTerminal({ NO_COLOR: '1' });
    expect(noColor.text).toBe(pipe.stdout);
    // set but empty is not set (no-color.org)
    expect(inTerminal({ NO_COLOR: '' }).text).toMatch(ESCAPES);
    expect(tty.status).toBe(noColor.status);
  });

  it('--json is JSON on a terminal too; into a full disk, one line and a failure status', () => {
    const doc = JSON.parse(sh(`script -qec ${JSON.stringify(`node ${BIN} doctor --json`)} /dev/null`).stdout.replace(/\r\n/g, '\n')) as { kind: string };
    expect(doc.kind).toBe('doctor');
    const full = sh(`node ${BIN} doctor > /dev/full`);
    expect(full.stderr).toBe('ipvsadm: write error: No space left on device\n');
    expect(full.status).not.toBe(0);
  });
});
