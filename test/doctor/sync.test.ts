// syncChecks on given facts: the daemons' roles (master alone warns), each daemon's interface
// (missing, down, not multicast, no carrier, well), sync IDs, the message version, and the
// sloppy settings services with mh need, through runChecks as doctor runs them.
import { describe, expect, it } from 'vitest';
import { MODULES, runChecks } from '../../src/doctor/checks.js';
import type { DoctorFacts } from '../../src/doctor/checks.js';
import { syncChecks } from '../../src/doctor/sync.js';
import type { LinkFacts } from '../../src/rtnl/link-facts.js';
import type { Check } from '../../src/doctor/verdict.js';
import type { DaemonConfig, ServiceWithDestinations, Snapshot } from '../../src/ipvs/model.js';
import { dest, entry, fwm, svc } from '../support/format-fixtures.js';

const snapshot = (daemons: DaemonConfig[], services: ServiceWithDestinations[] = []): Snapshot => ({ info: { version: 0x10201, connTabSize: 4096 }, services, timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, daemons });
const MASTER: DaemonConfig = { state: 'master', mcastIfn: 'eth0', syncId: 7 };
const BACKUP: DaemonConfig = { state: 'backup', mcastIfn: 'eth0', syncId: 7 };
const WELL: LinkFacts = { eth0: { up: true, running: true, multicast: true } };
const SYSCTLS = { 'net.ipv4.vs.sync_version': 1, 'net.ipv4.vs.sloppy_tcp': 0, 'net.ipv4.vs.sloppy_sctp': 0 };
const find = (checks: readonly Check[], name: string): Check | undefined => checks.find((c) => c.check === name);

describe('sync daemons', () => {
  it('a master alone warns that it comes back empty; master and backup are ok', () => {
    const alone = find(syncChecks(snapshot([MASTER]), WELL, SYSCTLS), 'sync daemons')!;
    expect(alone).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('master only') as string, fix: expect.stringContaining('--start-daemon backup') as string });
    expect(find(syncChecks(snapshot([MASTER, BACKUP]), WELL, SYSCTLS), 'sync daemons')!.verdict).toBe('ok');
    expect(find(syncChecks(snapshot([BACKUP]), WELL, SYSCTLS), 'sync daemons')!.verdict).toBe('info');
    expect(find(syncChecks(snapshot([]), WELL, SYSCTLS), 'sync daemons')!.detail).toMatch(/^none/);
  });

  it.each([
    [{}, 'fail', /no such interface/],
    [{ eth0: { up: false, running: false, multicast: true } }, 'fail', /^down/],
    [{ eth0: { up: true, running: true, multicast: false } }, 'fail', /not multicast-capable/],
    [{ eth0: { up: true, running: false, multicast: true } }, 'warn', /without carrier/],
    [WELL, 'ok', /multicast-capable/],
    [{ error: 'Operation not permitted' }, 'info', /cannot be read: Operation not permitted/],
  ] as const)('interface %j: %s', (links, verdict, detail) => {
    const check = find(syncChecks(snapshot([MASTER]), links, SYSCTLS), 'sync master interface eth0')!;
    expect(check.verdict).toBe(verdict);
    expect(check.detail).toMatch(detail);
  });

  it('sync IDs and the message version are told only when a daemon runs', () => {
    const checks = syncChecks(snapshot([MASTER, { ...BACKUP, syncId: 0 }]), WELL, SYSCTLS);
    expect(find(checks, 'sync id (master)')!.detail).toMatch(/^7: /);
    expect(find(checks, 'sync id (backup)')!.detail).toMatch(/^0: takes messages of every sync ID/);
    expect(find(checks, 'net.ipv4.vs.sync_version')!.verdict).toBe('ok');
    expect(find(syncChecks(snapshot([MASTER]), WELL, { 'net.ipv4.vs.sync_version': 0 }), 'net.ipv4.vs.sync_version')!.verdict).toBe('warn');
    expect(find(syncChecks(snapshot([MASTER, { ...BACKUP, syncId: 8 }]), WELL, SYSCTLS), 'sync id (master and backup)')!.detail).toMatch(/^master 7, backup 8/);
    const none = syncChecks(snapshot([]), WELL, SYSCTLS).map((c) => c.check);
    expect(none).toEqual(['sync daemons']);
  });
});

describe('sloppy settings and mh', () => {
  const mh = entry(svc(6, '192.0.2.1', 80, { scheduler: 'mh' }), dest('198.51.100.1', 80));
  it('an mh TCP service with sloppy_tcp 0 warns and says why; 1 is ok', () => {
    const warn = find(syncChecks(snapshot([], [mh]), undefined, SYSCTLS), 'net.ipv4.vs.sloppy_tcp')!;
    expect(warn.verdict).toBe('warn');
    expect(warn.detail).toMatch(/only on a SYN.*dropped/);
    expect(warn.fix).toBe('sysctl -w net.ipv4.vs.sloppy_tcp=1 on every director of the fleet');
    expect(find(syncChecks(snapshot([], [mh]), undefined, { 'net.ipv4.vs.sloppy_tcp': 1 }), 'net.ipv4.vs.sloppy_tcp')!.verdict).toBe('ok');
  });

  it('no mh service: no sloppy verdict; SCTP services ask sloppy_sctp, firewall marks sloppy_tcp', () => {
    const rr = entry(svc(6, '192.0.2.1', 80, { scheduler: 'rr' }));
    expect(syncChecks(snapshot([], [rr]), undefined, SYSCTLS).map((c) => c.check)).toEqual(['sync daemons']);
    const sctp = entry(svc(132, '192.0.2.1', 80, { scheduler: 'mh' }));
    expect(syncChecks(snapshot([], [sctp]), undefined, SYSCTLS).map((c) => c.check)).toEqual(['sync daemons', 'net.ipv4.vs.sloppy_sctp']);
    const mark = entry(fwm(3, { scheduler: 'mh' }));
    expect(syncChecks(snapshot([], [mark]), undefined, SYSCTLS).map((c) => c.check)).toEqual(['sync daemons', 'net.ipv4.vs.sloppy_tcp']);
  });

  it('runChecks includes them when IPVS answers', () => {
    const facts: DoctorFacts = { ipvs: { snapshot: snapshot([MASTER], [mh]) }, modules: Object.fromEntries(MODULES.map((m) => [m, 'loaded'])), sysctls: SYSCTLS, processes: [], links: WELL };
    const names = runChecks(facts).map((c) => c.check);
    expect(names).toEqual(expect.arrayContaining(['sync daemons', 'sync master interface eth0', 'net.ipv4.vs.sloppy_tcp']));
    expect(runChecks({ ...facts, ipvs: { error: 'x' } }).map((c) => c.check)).not.toContain('sync daemons');
  });
});
