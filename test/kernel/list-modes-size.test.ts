// Every list mode on a table of some size, against ipvsadm 1.31 byte for byte: persistent
// services (with netmasks and a persistence engine's absence), real servers with thresholds,
// and tunnels with their tunnel settings, so the modes that dump each service's real servers
// (counters, thresholds, persistent connections, tunnel info) and the ones served from
// /proc/net/ip_vs (-Ln, -Sn) all read the same table the C tool reads.
import { afterAll, describe, expect, it } from 'vitest';
import { assertInGuest, resetIpvs, runC, sh } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const SERVICES = 1200;

/** Restore lines: SERVICES persistent services, four real servers each, every 5th with a tunnel. */
function rules(): string {
  const lines: string[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const vip = `192.0.2.${1 + (i % 250)}:${1000 + Math.floor(i / 250)}`;
    const mask = i % 3 === 0 ? ' -M 255.255.255.0' : '';
    lines.push(`-A -t ${vip} -s ${i % 2 ? 'rr' : 'wlc'} -p ${60 + (i % 600)}${mask}`);
    for (let d = 0; d < 4; d++) {
      const method = d === 3 && i % 5 === 0 ? `-i --tun-type gue --tun-port ${6000 + (i % 100)}` : '-m';
      lines.push(`-a -t ${vip} -r 198.51.100.${1 + ((i + 7 * d) % 200)}:${8080 + d} ${method} -w ${1 + d} -x ${100 + d} -y ${d}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

afterAll(() => resetIpvs());

describe('list modes at size', () => {
  it(`${SERVICES} persistent services × 4 real servers: every mode prints what 1.31 prints`, async () => {
    sh('ip link set lo up');
    resetIpvs();
    expect(runC(['-R'], { stdin: rules() }).code).toBe(0);
    expect(Number(sh('grep -c persistent /proc/net/ip_vs').stdout.trim())).toBe(SERVICES);
    const modes = [['-Ln'], ['-Sn'], ['-Ln', '--stats'], ['-Ln', '--rate'], ['-Ln', '--stats', '--exact'], ['-Ln', '--thresholds'], ['-Ln', '--persistent-conn'], ['-Ln', '--tun-info']];
    for (const args of modes) {
      const c = runC(args);
      const ours = await runOurs(args);
      expect(c.code, args.join(' ')).toBe(0);
      expect(c.stdout.split('\n').length, args.join(' ')).toBeGreaterThan(4 * SERVICES);
      expect({ stdout: ours.stdout, stderr: ours.stderr, code: ours.code }, args.join(' ')).toEqual({ stdout: c.stdout, stderr: c.stderr, code: c.code });
    }
  });
});
