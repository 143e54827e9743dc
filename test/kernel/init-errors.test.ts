// IPVS unavailable: run as a non-root user, and with the ip_vs modules unloaded, ours must fail
// exactly as ipvsadm 1.31 does (same stderr, exit 2) — and -h/-v must still work (a fix).
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { assertInGuest, sh } from './support/guest.js';

assertInGuest();

const OURS = `${process.cwd()}/bin/ipvsadm.js`;
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];

function spawn(argv: readonly string[]): { stdout: string; stderr: string; code: number } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

/** Runs ipvsadm and ours with the same argv through `prefix` (both named `ipvsadm` in argv0). */
function both(prefix: readonly string[], args: readonly string[]) {
  const c = spawn([...prefix, 'bash', '-c', 'exec -a ipvsadm /usr/sbin/ipvsadm "$@"', 'ipvsadm', ...args]);
  const ours = spawn([...prefix, 'bash', '-c', `exec -a ipvsadm node ${OURS} "$@"`, 'ipvsadm', ...args]);
  return { c, ours };
}

describe('without root', () => {
  for (const args of [['-Ln'], ['-A', '-t', '192.0.2.1:80'], ['-A', '-t', '192.0.2.1:80', '-w', '3']]) {
    it(`ipvsadm ${args.join(' ')}`, () => {
      const { c, ours } = both(AS_NOBODY, args);
      expect(c.stderr).toContain("Can't initialize ipvs: Permission denied (you must be root)");
      expect(ours).toEqual(c);
    });
  }
  it('-h and -v work without root (deliberate fix)', () => {
    const h = spawn([...AS_NOBODY, 'node', OURS, '-h']);
    const v = spawn([...AS_NOBODY, 'node', OURS, '-v']);
    expect([h.code, v.code]).toEqual([0, 0]);
    expect(h.stdout).toContain('--add-service');
    expect(v.stdout).toMatch(/^ipvsadm-ts \d+\.\d+\.\d+ /);
  });
});

describe('without the ip_vs module', () => {
  const IPVS_MODULES = 'ip_vs_pe_sip ip_vs_ftp ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh ip_vs';
  afterAll(() => {
    const root = `${tmpdir()}/init-errors-modroot`;
    sh(`mkdir -p ${root}/lib && ln -sfn /usr/lib/uml/modules ${root}/lib/modules && for m in ${IPVS_MODULES.split(' ').reverse().join(' ')}; do modprobe -d ${root} $m; done`, { check: false });
    const after = spawn(['ipvsadm', '-Ln']);
    if (after.code !== 0) throw new Error(`could not reload ip_vs: ${after.stderr}`);
  });
  it('ipvsadm -Ln and ours fail alike, exit 2', () => {
    // services left by an earlier file would pin their scheduler modules: flush first
    const unloaded = sh(`ipvsadm -C; for m in ${IPVS_MODULES}; do rmmod $m 2>/dev/null; done; test ! -d /sys/module/ip_vs`, { check: false });
    expect(unloaded.code, 'ip_vs modules still loaded').toBe(0);
    // As on a machine without the module: the guest's MODPROBE_OPTIONS would let both tools'
    // `modprobe -- ip_vs` find the user-mode kernel's modules and load it right back.
    for (const args of [['-Ln'], ['-C'], ['-A', '-t', '192.0.2.1:80', '-s', 'nosuch']]) {
      const { c, ours } = both(['env', '-u', 'MODPROBE_OPTIONS'], args);
      expect(c.code).toBe(2);
      expect(c.stderr).toContain("Can't initialize ipvs: Protocol not available");
      expect(ours).toEqual(c);
    }
  });
});
