// runChecks on given facts: IPVS reachable or not, schedulers and engines by module state (a
// missing one fails only when the table uses it), ip_forward for NAT real servers of either
// family, expire_quiescent_template for persistent services, other managers, empty services.
import { describe, expect, it } from 'vitest';
import { MODULES, runChecks } from '../../src/doctor/checks.js';
import type { DoctorFacts, ModuleState } from '../../src/doctor/checks.js';
import type { ServiceWithDestinations } from '../../src/ipvs/model.js';
import { dest, entry, svc } from '../support/format-fixtures.js';

const all = (state: ModuleState): Record<string, ModuleState> => Object.fromEntries(MODULES.map((m) => [m, state]));
const facts = (services: ServiceWithDestinations[], more: Partial<DoctorFacts> = {}): DoctorFacts => ({
  ipvs: { snapshot: { info: { version: 0x10201, connTabSize: 4096 }, services, timeouts: { tcp: 900, tcpFin: 120, udp: 300 }, daemons: [] } },
  modules: all('loaded'),
  sysctls: { 'net.ipv4.ip_forward': 1, 'net.ipv4.vs.expire_quiescent_template': 1 },
  processes: ['init', 'sshd'],
  ...more,
});
const verdictOf = (f: DoctorFacts, check: string): string | undefined => runChecks(f).find((c) => c.check === check)?.verdict;

describe('runChecks', () => {
  it('all well: every check ok or a note, none failing', () => {
    const checks = runChecks(facts([entry(svc(6, '192.0.2.1', 80), dest('198.51.100.1', 80, { forwarding: 'masq' }))]));
    expect(checks.filter((c) => c.verdict === 'fail' || c.verdict === 'warn')).toEqual([]);
    expect(checks.map((c) => c.check)).toEqual(expect.arrayContaining(['ipvs', 'scheduler mh', 'persistence engine sip', 'tunnel gue', 'net.ipv4.ip_forward', 'other managers']));
    expect(checks[0]!.detail).toBe('IPVS answers: 1 service, 1 real server');
    expect(runChecks(facts([]))[0]!.detail).toBe('IPVS answers: 0 services, 0 real servers');
  });

  it('IPVS unreachable: fails with the reason and a fix', () => {
    const [ipvs] = runChecks({ ...facts([]), ipvs: { error: 'Protocol not available' } });
    expect(ipvs).toEqual({ check: 'ipvs', verdict: 'fail', detail: 'IPVS cannot be reached: Protocol not available', fix: 'run as root (CAP_NET_ADMIN); modprobe ip_vs' });
  });

  it('a missing scheduler is a note, and a failure when the table uses it', () => {
    const modules = { ...all('loadable'), ip_vs_mh: 'missing' as const };
    expect(verdictOf(facts([], { modules }), 'scheduler mh')).toBe('info');
    expect(verdictOf(facts([entry(svc(6, '192.0.2.1', 80, { scheduler: 'mh' }))], { modules }), 'scheduler mh')).toBe('fail');
    expect(verdictOf(facts([], { modules }), 'scheduler rr')).toBe('ok');
  });

  it('NAT real servers need forwarding, per family', () => {
    const nat6 = entry(svc(6, '2001:db8::1', 80), dest('2001:db8::2', 80, { forwarding: 'masq' }));
    const f = facts([nat6], { sysctls: { 'net.ipv4.ip_forward': 0, 'net.ipv6.conf.all.forwarding': 0 } });
    expect(verdictOf(f, 'net.ipv6.conf.all.forwarding')).toBe('fail');
    expect(verdictOf(f, 'net.ipv4.ip_forward')).toBeUndefined();
    expect(runChecks(f).find((c) => c.check === 'net.ipv6.conf.all.forwarding')?.fix).toBe('sysctl -w net.ipv6.conf.all.forwarding=1 (or: ipvsadm director up --mode nat)');
  });

  it('persistent services want expire_quiescent_template; other managers and empty services are warned about', () => {
    const f = facts([entry(svc(6, '192.0.2.1', 80, { persistent: true, timeout: 300 }))], { sysctls: { 'net.ipv4.vs.expire_quiescent_template': 0 }, processes: ['keepalived', 'keepalived', 'bash'] });
    expect(verdictOf(f, 'net.ipv4.vs.expire_quiescent_template')).toBe('warn');
    expect(runChecks(f).find((c) => c.check === 'other managers')).toMatchObject({ verdict: 'warn', detail: 'running: keepalived; they change the table too' });
    expect(runChecks(f).find((c) => c.check === 'services without a real server')).toMatchObject({ verdict: 'warn', detail: 'tcp 192.0.2.1:80' });
  });
});
