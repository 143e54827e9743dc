// `ipvsadm lab --rules FILE` run inside the kernel it would boot (IPVSADM_TS_GUEST=1 runs the lab
// right here): a table mixing NAT and DR services, a UDP service and an fwmark service (skipped),
// loaded by our -R; every request answered and spread as the schedulers say; director restored.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runOurs } from './support/ours.js';
import { assertInGuest, resetIpvs } from './support/guest.js';
import { clearIpvsConnections } from './support/nat-lab.js';

assertInGuest();

const RULES = [
  '-A -t 192.0.2.10:80 -s wrr',
  '-a -t 192.0.2.10:80 -r 198.51.100.1:8080 -m -w 1',
  '-a -t 192.0.2.10:80 -r 198.51.100.2:8080 -m -w 3',
  '-A -u 192.0.2.10:53 -s rr',
  '-a -u 192.0.2.10:53 -r 198.51.100.1:5353 -m',
  '-a -u 192.0.2.10:53 -r 198.51.100.2:5353 -m',
  '-A -t 192.0.2.20:443 -s rr',
  '-a -t 192.0.2.20:443 -r 198.51.100.3 -g',
  '-a -t 192.0.2.20:443 -r 198.51.100.4 -g',
  '-A -f 7 -s rr',
  '',
].join('\n');

afterAll(async () => {
  // Connection entries outlive their services for minutes; later files list -c.
  await clearIpvsConnections();
  resetIpvs();
});

it('ipvsadm lab --rules FILE: NAT wrr 2:6, UDP rr 4:4, DR rr 4:4, fwmark skipped; all answered', { timeout: 300_000 }, async () => {
  resetIpvs();
  const file = join(tmpdir(), 'lab-rules.txt');
  writeFileSync(file, RULES);
  const forwardBefore = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
  const r = await runOurs(['lab', '--rules', file, '--requests', '8']);
  console.log(r.stdout);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('lab: skipped fwmark 7: the lab client cannot mark packets\n');
  const report = r.stdout.slice(r.stdout.indexOf('traffic: '));
  const rows = (svc: string): string[] => {
    const block = report.slice(report.indexOf(svc)).split('\n').slice(1);
    return block.slice(0, block.findIndex((l) => !l.startsWith('    '))).map((l) => l.trim().replace(/\s+/g, ' '));
  };
  expect(rows('TCP 192.0.2.10:80  wrr')).toEqual(['rs1 198.51.100.1 nat weight 1 2 answered', 'rs2 198.51.100.2 nat weight 3 6 answered']);
  expect(rows('UDP 192.0.2.10:53  rr')).toEqual(['rs1 198.51.100.1 nat weight 1 4 answered', 'rs2 198.51.100.2 nat weight 1 4 answered']);
  expect(rows('TCP 192.0.2.20:443  rr')).toEqual(['rs3 198.51.100.3 dr weight 1 4 answered', 'rs4 198.51.100.4 dr weight 1 4 answered']);
  expect(report).toContain('all 24 requests answered\n');
  expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(forwardBefore);
});
