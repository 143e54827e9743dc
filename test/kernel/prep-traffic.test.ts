// Real-server and director preparation proven by real traffic: for NAT, DR, TUN (ipip, gue, gre,
// gre with checksums), TUN ipip and gue over IPv6, and DR over IPv6, our ipvsadm loads the table, `director up` / `realserver up` prepare the hosts,
// and 20 requests from a client namespace must all be answered, spread as the scheduler says.
// Negative controls: unprepared DR real servers answer ARP for the VIP, unprepared TUN ones drop
// the tunnel; `up` twice changes nothing; `down` restores every sysctl to its value from before.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { directorUp, readTable, realserverArgs } from '../../src/lab/guest-lab.js';
import { demoRules, planLab } from '../../src/lab/lab-plan.js';
import type { LabMode, LabPlan, LabServer } from '../../src/lab/lab-plan.js';
import { BRIDGE, buildWorld, ipvsadmIn, sh } from '../../src/lab/world.js';
import type { World } from '../../src/lab/world.js';
import type { TunnelType } from '../../src/ipvs/vocabulary.js';
import { assertInGuest, resetIpvs } from './support/guest.js';
import { clearIpvsConnections } from './support/nat-lab.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const COUNT = 20;
let world: World | undefined;

/** Values a real server starts with, none of them what preparation wants (so restoring shows). */
const HOSTILE: Readonly<Record<string, number>> = {
  'net.ipv4.conf.all.arp_ignore': 0,
  'net.ipv4.conf.all.arp_announce': 1,
  'net.ipv4.conf.lo.arp_ignore': 0,
  'net.ipv4.conf.lo.arp_announce': 0,
  'net.ipv4.conf.all.rp_filter': 1,
  'net.ipv4.conf.default.rp_filter': 2,
};
const DIRECTOR_KEYS = ['net.ipv4.ip_forward', 'net.ipv4.conf.all.send_redirects', `net.ipv4.conf.${BRIDGE}.send_redirects`, 'net.ipv6.conf.all.forwarding'];

function sysctlsIn(ns: string | undefined, keys: readonly string[]): Record<string, string> {
  const prefix = ns ? `ip netns exec ${ns} ` : '';
  return Object.fromEntries(keys.map((k) => [k, sh(`${prefix}sysctl -n ${k} 2>/dev/null || echo missing`).stdout.trim()]));
}

async function setUp(mode: LabMode, o: { tunType?: TunnelType; ipv6?: boolean } = {}): Promise<{ plan: LabPlan; w: World }> {
  return setUpRules(demoRules({ mode, ...o }));
}

async function setUpRules(rules: string): Promise<{ plan: LabPlan; w: World }> {
  resetIpvs();
  await load(rules);
  const plan = planLab(await readTable());
  world = buildWorld(plan);
  for (const s of plan.servers) {
    sh(`ip netns exec ${s.name} sysctl -qw ${Object.entries(HOSTILE).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  await world.startServers(600);
  return { plan, w: world };
}

async function load(rules: string): Promise<void> {
  const restored = await runOurs(['-R'], { stdin: rules });
  expect(restored).toEqual({ stdout: '', stderr: '', code: 0 });
}

/**
 * After requests that were meant to fail: their connection entries (SYN_RECV, minutes to live)
 * would take a later request that reuses a source port to the same real server without
 * scheduling it, and the rr spread would be off by one. Flush them, and load the table again.
 */
async function forgetFailedRequests(rules: string): Promise<void> {
  await clearIpvsConnections();
  await load(rules);
}

function up(s: LabServer): string {
  const r = ipvsadmIn(s.name, realserverArgs(s, 'up'));
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Sends COUNT requests per service; checks all were answered, and returns the spread. */
function traffic(plan: LabPlan, w: World): Record<string, Record<string, number>> {
  const answers = w.send(plan.services.map((s) => s.target), COUNT);
  console.log(`  ${plan.servers.map((s) => `${s.name}=${s.addr} (${s.mode}${s.mode === 'tun' ? ` ${s.tunType}` : ''})`).join(', ')}: ${JSON.stringify(answers)}`);
  for (const tally of Object.values(answers)) expect(tally['(failed)'] ?? 0).toBe(0);
  return answers;
}

/** up → traffic (spread) → up again (no-op) → down (every sysctl back, VIPs gone). */
async function provePreparation(plan: LabPlan, w: World, expected: Record<string, Record<string, number>>): Promise<void> {
  const directorBefore = sysctlsIn(undefined, DIRECTOR_KEYS);
  const before = new Map(plan.servers.map((s) => [s.name, sysctlsIn(s.name, [...Object.keys(HOSTILE), 'net.ipv4.conf.tunl0.rp_filter'])]));
  // NAT real servers need nothing: only the director is prepared for them.
  const prepared = plan.servers.filter((s) => s.prepareAs !== undefined);
  await directorUp(plan, () => undefined);
  for (const s of prepared) expect(up(s)).toMatch(/changes? applied/);
  expect(traffic(plan, w)).toEqual(expected);
  for (const s of prepared) expect(up(s)).toMatch(/nothing to do, already prepared/);
  for (const s of prepared) {
    const r = ipvsadmIn(s.name, ['realserver', 'down']);
    expect(r.code, r.stderr).toBe(0);
    const after = sysctlsIn(s.name, [...Object.keys(HOSTILE), 'net.ipv4.conf.tunl0.rp_filter']);
    // tunl0 appears with the ipip module: compare it only where it existed before up.
    if (before.get(s.name)!['net.ipv4.conf.tunl0.rp_filter'] === 'missing') delete after['net.ipv4.conf.tunl0.rp_filter'];
    const want = { ...before.get(s.name)! };
    if (want['net.ipv4.conf.tunl0.rp_filter'] === 'missing') delete want['net.ipv4.conf.tunl0.rp_filter'];
    expect(after, `${s.name} sysctls after down`).toEqual(want);
    for (const vip of s.vips) expect(sh(`ip -n ${s.name} -o addr show`).stdout).not.toContain(` ${vip}/`);
  }
  const down = await runOurs(['director', 'down']);
  expect(down.code, down.stderr).toBe(0);
  expect(sysctlsIn(undefined, DIRECTOR_KEYS)).toEqual(directorBefore);
}

const spread = (plan: LabPlan, perService: (names: string[]) => Record<string, number>): Record<string, Record<string, number>> =>
  Object.fromEntries(plan.services.map((s) => [`${s.target.proto}:${s.target.host.includes(':') ? `[${s.target.host}]` : s.target.host}:${s.target.port}`, perService(Object.keys(s.weights))]));

afterEach(async () => {
  await world?.teardown();
  world = undefined;
  await runOurs(['director', 'down']);
  // Connection entries outlive their services for minutes; later files list -c.
  await clearIpvsConnections();
  // Namespaces are deleted without `down` (the DR case leaves its real servers up): the next
  // case's namespaces get their inodes, and `up` there sets those records aside.
});
afterAll(() => resetIpvs());

// Each case boots several node processes in the slow guest, and negative controls wait out
// request timeouts: well over the suite's 120 s default when the machine is busy.
describe('preparation proven by traffic (20 requests per service)', { timeout: 300_000 }, () => {
  it('NAT: wrr 1:3 over TCP gives 5:15, rr over UDP 10:10; director up sets ip_forward and stops redirects', async () => {
    const { plan, w } = await setUp('nat');
    expect(sysctlsIn(undefined, ['net.ipv4.ip_forward'])).toEqual({ 'net.ipv4.ip_forward': '0' });
    await provePreparation(plan, w, {
      'tcp:192.0.2.100:80': { rs1: 5, rs2: 15 },
      'udp:192.0.2.100:53': { rs1: 10, rs2: 10 },
    });
  });

  it('DR: rr 10:10; unprepared real servers answer ARP for the VIP, prepared ones do not', async () => {
    const { plan, w } = await setUp('dr');
    await directorUp(plan, () => undefined);
    const director = w.macOf('director');
    // What a hand-made setup without the sysctls does: the VIP on lo answers ARP on eth0.
    for (const s of plan.servers) sh(`ip -n ${s.name} addr add 192.0.2.100/32 dev lo`);
    const unprepared = w.arpResponders('192.0.2.100');
    console.log(`  ARP for the VIP without realserver up: ${unprepared.join(' ')} (director ${director})`);
    expect(unprepared).toEqual([director, ...plan.servers.map((s) => w.macOf(s.name))].sort());
    for (const s of plan.servers) sh(`ip -n ${s.name} addr del 192.0.2.100/32 dev lo`);
    await runOurs(['director', 'down']);
    await provePreparation(plan, w, spread(plan, (names) => Object.fromEntries(names.map((n) => [n, 10]))));
    // provePreparation took everything down again; up once more to look at ARP while prepared.
    await directorUp(plan, () => undefined);
    for (const s of plan.servers) up(s);
    const prepared = w.arpResponders('192.0.2.100');
    console.log(`  ARP for the VIP with realserver up: ${prepared.join(' ')}`);
    expect(prepared).toEqual([director]);
  });

  for (const tunType of ['ipip', 'gue', 'gre'] as const) {
    it(`TUN ${tunType}: rr 10:10${tunType === 'ipip' ? '; without realserver up the tunnel traffic is dropped' : ''}`, async () => {
      const { plan, w } = await setUp('tun', { tunType });
      if (tunType === 'ipip') {
        await directorUp(plan, () => undefined);
        const lost = w.send(plan.services.map((s) => s.target), 2);
        expect(Object.values(lost)).toEqual([{ '(failed)': 2 }]);
        await runOurs(['director', 'down']);
        await forgetFailedRequests(demoRules({ mode: 'tun', tunType }));
      }
      await provePreparation(plan, w, spread(plan, (names) => Object.fromEntries(names.map((n) => [n, 10]))));
    });
  }

  it('TUN gre with checksums (--tun-csum): the fallback gre0 drops them, the device up creates takes them; down deletes it', async () => {
    const rules = demoRules({ mode: 'tun', tunType: 'gre' }).replace(/--tun-type gre/g, '--tun-type gre --tun-csum');
    const { plan, w } = await setUpRules(rules);
    expect(plan.servers.map((s) => s.tunCsum)).toEqual([true, true]);
    // Prepared as for plain GRE (VIP on gre0), the checksummed packets are dropped.
    await directorUp(plan, () => undefined);
    for (const s of plan.servers) expect(ipvsadmIn(s.name, realserverArgs({ ...s, tunCsum: false })).code).toBe(0);
    expect(Object.values(w.send(plan.services.map((s) => s.target), 2))).toEqual([{ '(failed)': 2 }]);
    for (const s of plan.servers) expect(ipvsadmIn(s.name, ['realserver', 'down']).code).toBe(0);
    await runOurs(['director', 'down']);
    await forgetFailedRequests(rules);
    await provePreparation(plan, w, spread(plan, (names) => Object.fromEntries(names.map((n) => [n, 10]))));
    for (const s of plan.servers) expect(sh(`ip -n ${s.name} -o link show`).stdout).not.toContain('lvsgre');
  });

  for (const tunType of ['ipip', 'gue'] as const) {
    it(`TUN ${tunType} over IPv6 (ip6tnl0)${tunType === 'ipip' ? '; a director VIP that is not deprecated becomes the tunnel source and breaks it' : ''}`, async () => {
      const { plan, w } = await setUp('tun', { tunType, ipv6: true });
      if (tunType === 'ipip') {
        // The VIP as a hand-made setup adds it: source selection then prefers it (longer prefix
        // shared with the real servers) for the tunnel packets, which the real servers drop.
        for (const s of plan.servers) expect(ipvsadmIn(s.name, realserverArgs(s)).code).toBe(0);
        sh(`ip addr add 2001:db8::100/128 dev ${BRIDGE} nodad`);
        expect(Object.values(w.send(plan.services.map((s) => s.target), 2))).toEqual([{ '(failed)': 2 }]);
        sh(`ip addr del 2001:db8::100/128 dev ${BRIDGE}`);
        for (const s of plan.servers) expect(ipvsadmIn(s.name, ['realserver', 'down']).code).toBe(0);
        await forgetFailedRequests(demoRules({ mode: 'tun', tunType, ipv6: true }));
      }
      await provePreparation(plan, w, spread(plan, (names) => Object.fromEntries(names.map((n) => [n, 10]))));
    });
  }

  it('DR over IPv6: rr 10:10 (VIP /128 nodad on lo)', async () => {
    const { plan, w } = await setUp('dr', { ipv6: true });
    expect(plan.vips).toEqual(['2001:db8::100']);
    await provePreparation(plan, w, spread(plan, (names) => Object.fromEntries(names.map((n) => [n, 10]))));
  });
});
