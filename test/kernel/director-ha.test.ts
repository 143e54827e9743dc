// `ipvsadm director up|check|down --ha ...` against the real kernel in a fresh namespace: the
// net.ipv4.vs sysctls exist with the format the code expects (sync_threshold is two integers), the
// sync daemons run as planned (seen by the C `ipvsadm -L --daemon`), check passes, and down puts
// every sysctl back exactly and stops only the daemons up started; --conn-reuse-mode is set and
// checked with its reason; a second up with another --ha preset or sync role is refused (exit 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipvsadmIn, sh } from '../../src/lab/world.js';
import { assertInGuest, createNetns, deleteNetns } from './support/guest.js';

assertInGuest();

const KEYS = ['sync_version', 'sync_threshold', 'sync_refresh_period', 'sloppy_tcp', 'sloppy_sctp', 'expire_nodest_conn', 'expire_quiescent_template', 'conn_reuse_mode', 'backup_only'];
const PAIR = '--mode dr --ha pair --mcast-interface eth0 --syncid 7';

let ns: string;

/** The vs sysctls as sysctl(8) prints them (`name = value`, tabs kept). */
function vsSysctls(): string {
  return sh(`ip netns exec ${ns} sysctl ${KEYS.map((k) => `net.ipv4.vs.${k}`).join(' ')}`).stdout;
}

/** The C tool's view of the daemons (1.31 prints one line per daemon, nothing when none runs). */
function daemons(): string {
  return sh(`ip netns exec ${ns} ipvsadm -L --daemon`).stdout;
}

function run(args: string): { code: number; stdout: string; stderr: string } {
  return ipvsadmIn(ns, ['director', ...args.split(' ')]);
}

beforeAll(() => {
  ns = createNetns('ha');
  // a veth (multicast-capable, unlike dummy) with an address the sync master can send from
  sh(`ip -n ${ns} link add eth0 type veth peer name eth0p && ip -n ${ns} link set eth0 up && ip -n ${ns} link set eth0p up && ip -n ${ns} addr add 192.0.2.10/24 dev eth0`);
});
afterAll(() => deleteNetns(ns));

describe('director --ha pair in the kernel', () => {
  it('the vs sysctls exist in a new namespace, sync_threshold as two integers', () => {
    // a plain director up makes sure ip_vs is loaded (its sysctls appear with the module)
    const up = run('up --mode dr');
    expect(up.code, up.stderr).toBe(0);
    if (!up.stdout.includes('nothing to do')) expect(run('down').code).toBe(0);
    const text = vsSysctls();
    for (const k of KEYS) expect(text).toMatch(new RegExp(`^net\\.ipv4\\.vs\\.${k} = -?[0-9]+`, 'm'));
    expect(text).toMatch(/^net\.ipv4\.vs\.sync_threshold = [0-9]+\t[0-9]+$/m);
  });

  it('up starts master and backup daemons and sets the sysctls; check passes; down restores everything', () => {
    const before = vsSysctls();
    expect(daemons()).toBe('');
    expect(run(`check ${PAIR}`).code).toBe(1);

    const dry = run(`up ${PAIR} --dry-run`);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('  start sync daemon master (syncid 7, eth0)\n');
    expect(vsSysctls()).toBe(before);
    expect(daemons()).toBe('');

    const up = run(`up ${PAIR}`);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('  set net.ipv4.vs.sync_threshold = 3 10 (was ');
    const seen = daemons();
    expect(seen).toMatch(/^master sync daemon \(mcast=eth0, syncid=7[,)]/m);
    expect(seen).toMatch(/^backup sync daemon \(mcast=eth0, syncid=7[,)]/m);
    const after = vsSysctls();
    expect(after).toContain('net.ipv4.vs.sync_version = 1\n');
    expect(after).toContain('net.ipv4.vs.sync_threshold = 3\t10\n');
    expect(after).toContain('net.ipv4.vs.expire_nodest_conn = 1\n');
    expect(after).toContain('net.ipv4.vs.expire_quiescent_template = 1\n');

    const check = run(`check ${PAIR} --json`);
    expect(check.code, check.stdout).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ side: 'director', ready: true });

    const down = run('down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('  stop sync daemon backup (syncid 7, eth0)\n');
    expect(daemons()).toBe('');
    expect(vsSysctls()).toBe(before);
  });

  it('a daemon that ran before up is left running by down', () => {
    sh(`ip netns exec ${ns} ipvsadm --start-daemon master --mcast-interface eth0 --syncid 7`);
    const before = daemons();
    const up = run(`up ${PAIR}`);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).not.toContain('start sync daemon master');
    expect(up.stdout).toContain('  start sync daemon backup (syncid 7, eth0)\n');
    expect(run('down').code).toBe(0);
    expect(daemons()).toBe(before);
    sh(`ip netns exec ${ns} ipvsadm --stop-daemon master`);
  });

  it('ecmp: sloppy_tcp on, no daemon; down restores', () => {
    const before = vsSysctls();
    const up = run('up --mode dr --ha ecmp');
    expect(up.code, up.stderr).toBe(0);
    expect(vsSysctls()).toContain('net.ipv4.vs.sloppy_tcp = 1\n');
    expect(daemons()).toBe('');
    expect(run('check --mode dr --ha ecmp').code).toBe(0);
    expect(run('down').code).toBe(0);
    expect(vsSysctls()).toBe(before);
  });

  it('--conn-reuse-mode: up sets it, check reports it (with its reason when it is not met), down restores it', () => {
    const before = vsSysctls();
    const args = '--mode dr --ha ecmp --conn-reuse-mode 2';
    const up = run(`up ${args}`);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/^ {2}set net\.ipv4\.vs\.conn_reuse_mode = 2 \(was \d\)$/m);
    expect(vsSysctls()).toContain('net.ipv4.vs.conn_reuse_mode = 2\n');
    expect(run(`check ${args}`).code).toBe(0);
    sh(`ip netns exec ${ns} sysctl -qw net.ipv4.vs.conn_reuse_mode=0`);
    const check = run(`check ${args}`);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/net\.ipv4\.vs\.conn_reuse_mode: .*with 0 it goes to the old entry's real server, even one gone or at weight 0 after a failover/);
    sh(`ip netns exec ${ns} sysctl -qw net.ipv4.vs.conn_reuse_mode=2`);
    expect(run('down').code).toBe(0);
    expect(vsSysctls()).toBe(before);
  });

  it('a second up with another --ha preset or sync role is refused (exit 2) and changes nothing; after down it is accepted', () => {
    const before = vsSysctls();
    const up = run(`up ${PAIR}`);
    expect(up.code, up.stderr).toBe(0);
    const [sysctls, running] = [vsSysctls(), daemons()];
    for (const [args, said] of [
      ['up --mode dr --ha ecmp', '--ha ecmp \\(sync none\\)'],
      [`up ${PAIR} --sync master`, '--ha pair \\(sync master\\)'],
    ] as const) {
      const second = run(args);
      expect({ code: second.code, stdout: second.stdout }).toEqual({ code: 2, stdout: '' });
      expect(second.stderr).toMatch(new RegExp(`^ipvsadm director up: this network namespace is already set up with --ha pair \\(sync both\\) \\(.+\\); an up with ${said} would stack the two settings: run \`ipvsadm director down\` first`));
      expect([vsSysctls(), daemons()]).toEqual([sysctls, running]);
    }
    expect(run(`up ${PAIR}`).code).toBe(0);
    expect(run('down').code).toBe(0);
    const ecmp = run('up --mode dr --ha ecmp');
    expect(ecmp.code, ecmp.stderr).toBe(0);
    expect(run('down').code).toBe(0);
    expect(vsSysctls()).toBe(before);
  });
});
