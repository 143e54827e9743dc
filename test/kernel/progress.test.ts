// Progress lines as an operator meets them, in a real pseudo-terminal (script(1)) and the real
// kernel: `ipvsadm -R` of 6,000 lines and `ipvsadm apply` of the same file draw one redrawn line
// on the terminal and take it away at the end; with stderr not a terminal, -R's stderr is empty
// and the table the same as the C ipvsadm's restore of the file. (6,000 changes take the guest far
// longer than the 100 ms before the first line.)
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInGuest, C_IPVSADM, resetIpvs, runC, sh } from './support/guest.js';

assertInGuest();

const OURS = `node ${fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url))}`;
const FILE = join(tmpdir(), `progress-${process.pid}.rules`);

/** 3,000 services with a real server each: 6,000 lines. */
const LINES = Array.from({ length: 3000 }, (_, i) => {
  const vip = `192.0.2.${1 + (i % 250)}:${1000 + Math.floor(i / 250)}`;
  return [`-A -t ${vip} -s rr`, `-a -t ${vip} -r 198.51.100.${1 + (i % 200)}:8080 -m -w 1`];
}).flat();

/** `command` in a pseudo-terminal; what the terminal showed (stdout and stderr both). */
function inTerminal(command: string): string {
  const r = sh(`script -qec ${JSON.stringify(command)} /dev/null < /dev/null`, { check: false });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  expect(sh('command -v script', { check: false }).code, 'script(1) is missing: apt-get install -y bsdutils').toBe(0);
  writeFileSync(FILE, `${LINES.join('\n')}\n`);
});

afterAll(() => resetIpvs());

describe('progress on a terminal', () => {
  it('-R: "restore: N/6,000 lines" redrawn on the terminal, taken away at the end; none into a file, the table as 1.31 restores it', () => {
    resetIpvs();
    sh(`${C_IPVSADM} -R < ${FILE}`);
    const c = runC(['-Sn']).stdout;
    resetIpvs();
    const shown = inTerminal(`${OURS} -R < ${FILE}`);
    expect(shown).toMatch(/^(\rrestore: [\d,]+\/6,000 lines\x1b\[K)+\r\x1b\[K$/);
    expect(runC(['-Sn']).stdout).toBe(c);
    resetIpvs();
    const piped = sh(`${OURS} -R < ${FILE} 2> ${FILE}.err; cat ${FILE}.err`);
    expect(piped.stdout).toBe('');
    expect(runC(['-Sn']).stdout).toBe(c);
  });

  it('apply, NO_COLOR=1 (no colour, progress all the same): "apply: N/6,000 changes" before the plan, the line taken away first', () => {
    resetIpvs();
    const shown = inTerminal(`NO_COLOR=1 ${OURS} apply ${FILE}`).replace(/\r\n/g, '\n');
    const outcome = shown.indexOf('+ service ');
    expect(outcome).toBeGreaterThan(0);
    const before = shown.slice(0, outcome);
    expect(before).toMatch(/\rapply: [\d,]+\/6,000 changes\x1b\[K/);
    expect(before.endsWith('\r\x1b[K')).toBe(true);
    expect(shown.slice(outcome)).not.toMatch(/[\r\x1b]/);
    expect(shown).toMatch(/apply: 6000 changes made; the kernel matches .*\n$/);
  });
});
