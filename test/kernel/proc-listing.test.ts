// The default listing and -S take destinations from /proc/net/ip_vs. Linux 6.1 leaves services
// out of that file while another network namespace has IPVS services (its position count
// runs over the other namespace's entries between reads): measured here, and our -Ln and -Sn
// must still match ipvsadm 1.31 byte for byte, the services the file misses being dumped.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { assertInGuest, createNetns, deleteNetns, resetIpvs, runC, sh } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const SERVICES = 1500;

/** Restore lines: SERVICES services on `net`, two real servers each (one a tunnel when `tun`). */
function rules(net: string, tun: boolean): string {
  const lines: string[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const vip = `${net}.${1 + (i % 250)}:${1000 + Math.floor(i / 250)}`;
    lines.push(`-A -t ${vip} -s ${i % 3 ? 'wlc' : 'rr'}`);
    lines.push(`-a -t ${vip} -r 198.51.100.${1 + (i % 200)}:80 -m -w ${1 + (i % 5)}`);
    lines.push(`-a -t ${vip} -r 203.0.113.${1 + (i % 200)}:80 ${tun && i % 7 === 0 ? '-i' : '-g'} -w 1`);
  }
  return `${lines.join('\n')}\n`;
}

let other: string | undefined;
afterAll(() => {
  if (other) deleteNetns(other);
  resetIpvs();
});
beforeEach(() => {
  sh('ip link set lo up');
  resetIpvs();
});

describe('listings while another network namespace has IPVS services', () => {
  it('/proc/net/ip_vs then lists only some services; -Ln and -Sn still match 1.31', async () => {
    other = createNetns('procother');
    expect(runC(['-R'], { netns: other, stdin: rules('192.0.2', false) }).code).toBe(0);
    expect(runC(['-R'], { stdin: rules('203.0.113', true) }).code).toBe(0);

    // the kernel's part: this namespace's file misses services (read the way ipvsadm's users do)
    const listed = sh('grep -c "^TCP" /proc/net/ip_vs', { check: false }).stdout.trim();
    expect(Number(listed)).toBeGreaterThan(0);
    expect(Number(listed)).toBeLessThan(SERVICES);

    for (const args of [['-Ln'], ['-Sn'], ['-L', '-n', '--tun-info']]) {
      const c = runC(args);
      const ours = await runOurs(args);
      expect(c.code, args.join(' ')).toBe(0);
      expect(c.stdout.split('\n').length, args.join(' ')).toBeGreaterThan(3 * SERVICES);
      expect({ stdout: ours.stdout, stderr: ours.stderr, code: ours.code }, args.join(' ')).toEqual({ stdout: c.stdout, stderr: c.stderr, code: c.code });
    }
  });
});
