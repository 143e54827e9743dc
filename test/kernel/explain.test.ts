// Explanations in the kernel: with IPVSADM_EXPLAIN=1 our stderr is 1.31's, then one line naming
// the likely cause; without it (stderr not a terminal), stdout, stderr and status are 1.31's
// byte for byte. Real processes (bin/ipvsadm.js), compared with the C tool's.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInGuest, resetIpvs, runC } from './support/guest.js';

assertInGuest();

const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));

function ours(args: readonly string[], explain: boolean): { stdout: string; stderr: string; code: number | null } {
  const env = { ...process.env, IPVSADM_EXPLAIN: explain ? '1' : '0' };
  const r = spawnSync('node', [BIN, ...args], { encoding: 'utf8', env });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

beforeAll(() => {
  resetIpvs();
  runC(['-A', '-t', '192.0.2.70:80']);
});

afterAll(() => resetIpvs());

describe('explanations of refused commands', () => {
  it.each([
    ['-A -t 192.0.2.71:80 -s nosuchsched', 'scheduler nosuchsched is not available: this kernel has no module ip_vs_nosuchsched'],
    ['-a -t 192.0.2.70:80 -r 224.0.0.1 -m', 'real server 224.0.0.1 is not a unicast address'],
    ['--start-daemon master --mcast-interface nosuchdev0', 'interface nosuchdev0 does not exist in this network namespace'],
    ['-a -t 192.0.2.70:80 -r 198.51.100.1 -m -x 5 -y 10', 'the lower threshold -y 10 is above the upper threshold -x 5; give -x 10 or more'],
    ['-a -t 192.0.2.70:80 -r 198.51.100.1 -m -y 10', 'the lower threshold -y 10 is above the upper threshold (none given: -x 0 means no upper threshold); give -x 10 or more'],
  ])('%s', (line, cause) => {
    const args = line.split(' ');
    const c = runC(args);
    expect(c.code).not.toBe(0);
    expect(ours(args, false)).toEqual({ stdout: c.stdout, stderr: c.stderr, code: c.code });
    expect(ours(args, true)).toEqual({ stdout: c.stdout, stderr: `${c.stderr}ipvsadm: likely cause: ${cause}\n`, code: c.code });
  });
});
