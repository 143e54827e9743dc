// The commands of the systemd units in the kernel (no systemd here: each Exec line is parsed out of
// the unit file and run as systemd would, the environment from a defaults file sourced by sh):
// ipvsadm.service's ExecStart gives the table 1.31's -R of the same file makes and starts the sync
// daemon that DAEMON/IFACE/SYNCID name on a real interface; a bad file on ExecReload fails with the
// reason on stderr and the table as it was; ExecStop stops the daemon and keeps the table.
// ipvsadm-metrics.service's command, as an unprivileged user holding only the unit's capability
// set, reads everything; without the capability, IPVS refuses it.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInGuest, createNetns, deleteNetns, resetIpvs, runC, sh } from './support/guest.js';

assertInGuest();

const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));
const unit = (name: string): string => readFileSync(new URL(`../../src/systemd/${name}`, import.meta.url), 'utf8');
const directive = (text: string, key: string): string => {
  const lines = text.split('\n').filter((l) => l.startsWith(`${key}=`));
  expect(lines, key).toHaveLength(1);
  return lines[0]!.slice(key.length + 1);
};
const RULES = '/tmp/ipvsadm-units-test.rules';
const DEFAULTS = '/tmp/ipvsadm-units-test.default';
const IFACE = 'lvssync0';
const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** An Exec line of ipvsadm.service run by bash with the defaults file's variables exported (EnvironmentFile=). */
function exec(key: 'ExecStart' | 'ExecReload' | 'ExecStop'): { stdout: string; stderr: string; code: number } {
  const line = directive(unit('ipvsadm.service'), key);
  expect(line.startsWith('/usr/local/bin/ipvsadm ')).toBe(true);
  const argv = line.split(/\s+/).slice(1).map((a) => (a === '/etc/ipvsadm.rules' ? RULES : a));
  return sh(`set -a; . ${DEFAULTS}; set +a; exec ${quote(process.execPath)} ${quote(BIN)} ${argv.map(quote).join(' ')}`, { check: false });
}

const TABLE = ['-A -t 192.0.2.10:80 -s wrr', '-a -t 192.0.2.10:80 -r 198.51.100.1:80 -m -w 2', '-a -t 192.0.2.10:80 -r 198.51.100.2:80 -g -w 1', '-A -f 7 -s rr', '-a -f 7 -r 203.0.113.5:0 -g -w 1', ''].join('\n');
let reference: string;

beforeAll(() => {
  sh(`ip link set lo up; ip link add ${IFACE} type dummy; ip link set ${IFACE} up multicast on`);
  resetIpvs();
  // the table ipvsadm 1.31 makes of the same file, in a namespace of its own
  const ns = createNetns('unitref');
  try {
    expect(runC(['-R'], { netns: ns, stdin: TABLE }).code).toBe(0);
    reference = runC(['-Sn'], { netns: ns }).stdout;
  } finally {
    deleteNetns(ns);
  }
}, 120_000);

afterAll(() => {
  resetIpvs();
  sh(`ip link del ${IFACE}`, { check: false });
  rmSync(RULES, { force: true });
  rmSync(DEFAULTS, { force: true });
});

describe('ipvsadm.service in the kernel', () => {
  it('ExecStart: the table of the rules file and the sync daemon of /etc/default/ipvsadm; ExecReload of a bad file changes nothing; ExecStop keeps the table', () => {
    writeFileSync(RULES, TABLE);
    writeFileSync(DEFAULTS, `# Debian's variables\nAUTO="true"\nDAEMON="master"\nIFACE="${IFACE}"\t\nSYNCID="9"\n`);
    const start = exec('ExecStart');
    expect({ code: start.code, stderr: start.stderr }).toEqual({ code: 0, stderr: '' });
    expect(runC(['-Sn']).stdout).toBe(reference);
    expect(runC(['-L', '--daemon']).stdout).toMatch(new RegExp(`^master sync daemon \\(mcast=${IFACE}, syncid=9`));

    writeFileSync(RULES, `${TABLE}-a -t 192.0.2.10:80 -r 198.51.100.3:80 -m -w 0x\n`);
    const reload = exec('ExecReload');
    expect(reload.code).toBe(1);
    expect(reload.stderr).toMatch(/^ipvsadm boot: \/tmp\/ipvsadm-units-test\.rules: line 6: .*\nipvsadm boot: nothing was changed\n$/);
    expect(runC(['-Sn']).stdout).toBe(reference);

    const stop = exec('ExecStop');
    expect({ code: stop.code, stderr: stop.stderr }).toEqual({ code: 0, stderr: '' });
    expect(runC(['-L', '--daemon']).stdout).toBe('');
    expect(runC(['-Sn']).stdout).toBe(reference);
  });
});

describe('ipvsadm-metrics.service in the kernel', () => {
  const metrics = unit('ipvsadm-metrics.service');
  /** The command as an unprivileged user (nobody) holding exactly `caps`, with no new privileges. */
  const asNobody = (caps: string): { stdout: string; stderr: string; code: number } => {
    const set = caps === '' ? '-all' : `-all,+${caps}`;
    const inherit = caps === '' ? '' : `--inh-caps +${caps} --ambient-caps +${caps}`;
    return sh(`setpriv --reuid 65534 --regid 65534 --clear-groups ${inherit} --bounding-set ${set} --no-new-privs ${quote(process.execPath)} ${quote(BIN)} metrics`, { check: false });
  };

  it("reads every service with the unit's one capability, and is refused without it", () => {
    expect(directive(metrics, 'AmbientCapabilities')).toBe('CAP_NET_ADMIN');
    expect(directive(metrics, 'CapabilityBoundingSet')).toBe('CAP_NET_ADMIN');
    expect(directive(metrics, 'DynamicUser')).toBe('yes');
    expect(directive(metrics, 'NoNewPrivileges')).toBe('yes');
    expect(directive(metrics, 'ExecStart')).toBe('/usr/local/bin/ipvsadm metrics $IPVSADM_METRICS_ARGS');
    resetIpvs();
    expect(runC(['-R'], { stdin: TABLE }).code).toBe(0);
    const granted = asNobody('net_admin');
    expect({ code: granted.code, stderr: granted.stderr }).toEqual({ code: 0, stderr: '' });
    expect(granted.stdout).toMatch(/^ipvs_service_connections_total\{[^}]*address="192\.0\.2\.10"[^}]*\} 0$/m);
    expect(granted.stdout).toMatch(/^ipvs_service_connections_total\{[^}]*fwmark="7"[^}]*\} 0$/m);
    const refused = asNobody('');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Permission denied');
  });
});
