// The app boundary as a shell sees it (real processes, no kernel): a large output into `head`
// ends quietly with status 141, `> /dev/full` gives one line and status 1, a thrown error gives
// one line without a stack trace. Uses the build (dist/), as bin/*.js do.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reliabilityTest } from '../support/reliability.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUN_PROCESS = `${ROOT}dist/app/run-process.js`;

/** A node process whose entry prints `lines` lines of 100 bytes (or throws), through runProcess. */
function script(body: string): string {
  return `import { runProcess } from ${JSON.stringify(RUN_PROCESS)};\nawait runProcess('ipvsadm', async (io) => { ${body} });`;
}

function sh(command: string, env: Record<string, string> = {}): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const printMany = script(`for (let i = 0; i < 200000; i++) io.stdout('line ' + String(i).padStart(93, '.') + '\\n'); return 0;`);

describe('runProcess (built)', () => {
  it('is built (npm test builds before the unit suite)', () => {
    expect(existsSync(RUN_PROCESS)).toBe(true);
  });

  it('a broken pipe ends quietly with status 141 and only the head printed', () => {
    reliabilityTest({ area: 'output', item: 'broken pipes (process level, unit)' });
    const r = sh(`node --input-type=module -e "$S" | head -1; echo "status=\${PIPESTATUS[0]}" >&2`, { S: printMany });
    expect(r.stdout).toBe(`line ${'0'.padStart(93, '.')}\n`);
    expect(r.stderr).toBe('status=141\n');
  });

  it('a full disk is one line on stderr and status 1', () => {
    reliabilityTest({ area: 'output', item: 'full disks (process level, unit)' });
    const r = sh(`node --input-type=module -e "$S" > /dev/full`, { S: printMany });
    expect(r.stderr).toBe('ipvsadm: write error: No space left on device\n');
    expect(r.status).toBe(1);
  });

  it('keeps the command status when it already failed', () => {
    const r = sh(`node --input-type=module -e "$S" > /dev/full`, { S: script(`io.stdout('x\\n'); io.stderr('bad\\n'); return 255;`) });
    expect(r.stderr).toBe('bad\nipvsadm: write error: No space left on device\n');
    expect(r.status).toBe(255);
  });

  it('a thrown error is one line without a stack trace, status 70', () => {
    const r = sh(`node --input-type=module -e "$S"`, { S: script(`throw new Error('boom\\nsecond line');`) });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('ipvsadm: internal error (please report it): boom\n');
    expect(r.status).toBe(70);
  });

  it('passes output and status through unchanged otherwise', () => {
    const r = sh(`node --input-type=module -e "$S"`, { S: script(`io.stdout('out\\n'); io.stderr('err\\n'); return 2;`) });
    expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', status: 2 });
  });
});
