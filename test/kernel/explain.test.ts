// Explanations in the kernel: with IPVSADM_EXPLAIN=1 our stderr is 1.31's, then one line naming
// the likely cause; without it (stderr not a terminal), stdout, stderr and status are 1.31's
// byte for byte. Real processes (bin/ipvsadm.js), compared with the C tool's.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInGuest, resetIpvs, runC, sh } from './support/guest.js';

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
  runC(['-A', '-t', '[2001:db8::70]:80']);
  // a network of this host, whose broadcast address the kernel refuses as a real server
  sh('ip link add ex0 type dummy && ip addr add 203.0.113.1/24 dev ex0 && ip link set ex0 up');
});

afterAll(() => {
  sh('ip link del ex0', { check: false });
  resetIpvs();
});

/** 1.31 refuses `line`; ours prints the same, and with IPVSADM_EXPLAIN=1 one line more. */
function refusedAlike(line: string, cause: string): void {
  const args = line.split(' ');
  const c = runC(args);
  expect(c.code).not.toBe(0);
  expect(ours(args, false)).toEqual({ stdout: c.stdout, stderr: c.stderr, code: c.code });
  expect(ours(args, true)).toEqual({ stdout: c.stdout, stderr: `${c.stderr}ipvsadm: likely cause: ${cause}\n`, code: c.code });
}

describe('explanations of refused commands', () => {
  it.each([
    ['-A -t 192.0.2.71:80 -s nosuchsched', 'scheduler nosuchsched is not available: this kernel has no module ip_vs_nosuchsched'],
    ['-a -t 192.0.2.70:80 -r 224.0.0.1 -m', 'real server 224.0.0.1 is not a unicast address'],
    ['--start-daemon master --mcast-interface nosuchdev0', 'interface nosuchdev0 does not exist in this network namespace'],
    ['-a -t 192.0.2.70:80 -r 198.51.100.1 -m -x 5 -y 10', 'the lower threshold -y 10 is above the upper threshold -x 5; give -x 10 or more'],
    ['-a -t 192.0.2.70:80 -r 198.51.100.1 -m -y 10', 'the lower threshold -y 10 is above the upper threshold (none given: -x 0 means no upper threshold); give -x 10 or more'],
    ['-a -t [2001:db8::70]:80 -r [fe80::1]:80 -m', 'real server fe80::1 is a link-local address: IPVS takes IPv6 real servers by global address only'],
    ['-a -t 192.0.2.70:80 -r 203.0.113.255 -m', 'real server 203.0.113.255 is a broadcast address of a network on this host'],
  ])('%s', (line, cause) => refusedAlike(line, cause));

  it('a sync daemon and real servers of the other address family, which the kernel refuses together', () => {
    expect(runC(['--start-daemon', 'master', '--mcast-interface', 'lo']).code).toBe(0);
    refusedAlike(
      '-a -t 192.0.2.70:80 -r [2001:db8::5]:80 -i',
      'a sync daemon is running, and the kernel refuses real servers of the other address family than their service while one runs (their connections cannot be synced); stop it (--stop-daemon) first',
    );
    expect(runC(['--stop-daemon', 'master']).code).toBe(0);
    expect(runC(['-a', '-t', '192.0.2.70:80', '-r', '[2001:db8::5]:80', '-i']).code).toBe(0);
    refusedAlike('--start-daemon backup --mcast-interface lo', 'the kernel starts no sync daemon while real servers of the other address family than their service exist (2001:db8::5 of tcp 192.0.2.70:80): their connections cannot be synced');
    expect(runC(['-d', '-t', '192.0.2.70:80', '-r', '[2001:db8::5]:80']).code).toBe(0);
  });
});
