// `ipvsadm doctor` in the kernel: IPVS, every scheduler, the sip engine and the tunnel modules
// found (loaded or loadable by modprobe); a NAT service with ip_forward off fails (exit 1) until
// it is on; a process named keepalived is seen as another manager. JSON of the shipped schema.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validJson } from '../support/json-schema.js';
import { assertInGuest, resetIpvs, runC, sh } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

interface Check {
  check: string;
  verdict: string;
  detail: string;
  fix?: string;
}

let forward = '';
beforeAll(() => {
  resetIpvs();
  forward = sh('sysctl -n net.ipv4.ip_forward').stdout.trim();
});

afterAll(() => {
  sh(`sysctl -qw net.ipv4.ip_forward=${forward}`);
  resetIpvs();
});

async function doctor(): Promise<{ code: number; checks: Map<string, Check> }> {
  const r = await runOurs(['doctor', '--json']);
  expect(r.stderr).toBe('');
  const checks = validJson(r.stdout)['checks'] as Check[];
  return { code: r.code, checks: new Map(checks.map((c) => [c.check, c])) };
}

describe('ipvsadm doctor', () => {
  it('finds IPVS, every scheduler, sip and the tunnel modules of this kernel', async () => {
    const { code, checks } = await doctor();
    expect(code).toBe(0);
    expect(checks.get('ipvs')).toMatchObject({ verdict: 'ok', detail: 'IPVS answers: 0 services, 0 real servers' });
    for (const s of ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh']) expect(checks.get(`scheduler ${s}`)?.verdict, s).toBe('ok');
    for (const c of ['persistence engine sip', 'tunnel ipip', 'tunnel gue', 'tunnel gre']) expect(checks.get(c)?.verdict, c).toBe('ok');
  });

  it('a NAT service with ip_forward off fails until it is on; keepalived running is another manager', async () => {
    for (const line of ['-A -t 192.0.2.60:80 -s rr', '-a -t 192.0.2.60:80 -r 198.51.100.1:8080 -m']) runC(line.split(' '));
    sh('sysctl -qw net.ipv4.ip_forward=0');
    const off = await doctor();
    expect(off.code).toBe(1);
    expect(off.checks.get('net.ipv4.ip_forward')).toMatchObject({ verdict: 'fail', fix: 'sysctl -w net.ipv4.ip_forward=1 (or: ipvsadm director up --mode nat)' });
    sh('sysctl -qw net.ipv4.ip_forward=1');
    // a process whose name (comm, from the program file's name) is keepalived
    const dir = mkdtempSync(join(tmpdir(), 'doctor-'));
    copyFileSync('/bin/sleep', join(dir, 'keepalived'));
    const keepalived = spawn(join(dir, 'keepalived'), ['60'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const on = await doctor();
      expect(on.code).toBe(0);
      expect(on.checks.get('net.ipv4.ip_forward')?.verdict).toBe('ok');
      expect(on.checks.get('other managers')).toMatchObject({ verdict: 'warn', detail: 'running: keepalived; they change the table too' });
    } finally {
      keepalived.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
