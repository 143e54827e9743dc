// Restore's batches in the real kernel against ipvsadm 1.31 (one operation per socket) and
// against our own line-by-line path: inputs of a few hundred lines with failing lines placed at
// the edges and in the middle of our 64-request windows must give the same stdout, stderr, exit
// status and table (listed by the C tool's -Sn) all three ways.
import { afterAll, describe, expect, it } from 'vitest';
import { IpvsClient } from '../../src/ipvs/client.js';
import { openNativeTransport } from '../../src/netlink/native.js';
import { restore } from '../../src/cli/restore.js';
import { systemNameResolver } from '../../src/app/system-names.js';
import { reliabilityTest } from '../support/reliability.js';
import { assertInGuest, resetIpvs, runC } from './support/guest.js';
import type { RunResult } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

// Later files expect an empty table (init-errors unloads ip_vs, which services of rr would pin).
afterAll(() => resetIpvs());

/** Ours with every change sent alone (RestoreContext.maxQueued 1). */
async function oursLineByLine(input: string): Promise<RunResult> {
  const client = await IpvsClient.open(openNativeTransport);
  let stdout = '';
  let stderr = '';
  try {
    const code = await restore(input, {
      client,
      names: systemNameResolver(),
      argv0: 'ipvsadm',
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      maxQueued: 1,
    });
    return { stdout, stderr, code };
  } finally {
    client.close();
  }
}

const saved = (): string => {
  const r = runC(['-Sn']);
  expect(r.code).toBe(0);
  return r.stdout;
};

/** 300 services with a real server each; failing lines spliced in at window edges and middles. */
function input(lastFails: boolean): string {
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    const vip = `10.1.${i >> 8}.${i & 255}:80`;
    lines.push(`-A -t ${vip} -s rr`, `-a -t ${vip} -r 198.51.100.${(i % 200) + 1}:8080 -m -w ${i % 7}`);
  }
  const failing: [number, string][] = [
    [0, '-a -t 192.0.2.99:80 -r 198.51.100.1'], // Service not defined
    [63, '-A -t 10.1.0.0:80 -s rr'], // Service already exists
    [64, '-e -t 10.1.0.1:80 -r 198.51.100.77 -w 3'], // No such destination
    [65, '-d -t 10.1.0.2:80 -r 198.51.100.78'], // No such destination
    [127, '-A -t 10.1.0.5:80 -s nosuchsched'], // Scheduler not found
    [200, '-A -t 10.1.0.9:80 --bogus'], // option error: only its line
    [333, '-a -t 10.1.0.3:80 -r 198.51.100.4:8080 -m'], // Destination already exists
    [450, '-D -t 192.0.2.98:80'], // No such service
  ];
  for (const [at, line] of [...failing].reverse()) lines.splice(at, 0, line);
  lines.push(lastFails ? '-A -t 10.1.0.0:80 -s wrr' : '-E -t 10.1.0.0:80 -s wrr');
  return `${lines.join('\n')}\n`;
}

describe('restore batches against 1.31 and line by line', () => {
  for (const lastFails of [false, true]) {
    it(`failures inside and at the edges of windows, last line ${lastFails ? 'failing (255)' : 'good (0)'}`, async () => {
      reliabilityTest({ area: 'input', item: 'restores with failing lines across windows compared with 1.31' });
      const text = input(lastFails);
      resetIpvs();
      const c = runC(['-R'], { stdin: text });
      const cTable = saved();
      resetIpvs();
      const batched = await runOurs(['-R'], { stdin: text });
      expect(saved(), 'table after our batched restore').toBe(cTable);
      resetIpvs();
      const single = await oursLineByLine(text);
      expect(saved(), 'table after our line-by-line restore').toBe(cTable);
      for (const [what, r] of [['batched', batched], ['line by line', single]] as const) {
        expect(r.stdout, `${what}: stdout`).toBe(c.stdout);
        expect(r.stderr, `${what}: stderr`).toBe(c.stderr);
        expect(r.code, `${what}: exit status`).toBe(c.code);
      }
      expect(c.stderr.split('\n').filter(Boolean)).toHaveLength(lastFails ? 9 : 8);
      expect(c.code).toBe(lastFails ? 255 : 0);
    }, 300_000);
  }
});
