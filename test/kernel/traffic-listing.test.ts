// Listings of real traffic: TCP/UDP NAT services (one persistent, one SIP with pe data) carry real
// connections through the director; ours must print every counter listing byte for byte as
// ipvsadm 1.31 does on the same kernel state (read C, ours, C; the C reads must agree).
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertInGuest, resetIpvs, runC, sh } from './support/guest.js';
import { clearIpvsConnections, createNatLab, LAB_PORTS } from './support/nat-lab.js';
import type { LabProcess, NatLab } from './support/nat-lab.js';
import { runOurs } from './support/ours.js';
import { validJson } from '../support/json-schema.js';
import { quietConnectionSecond, settledAttempts, settledListing } from './support/settled-listing.js';

assertInGuest();

const WEB = '192.0.2.10';
const STICKY = '192.0.2.11';
const SIP = '192.0.2.12';
const CALL_IDS = ['a84b4c76e66710@pc33.example.net', 'f81d4fae-7dec-11d0@client.example.net', 'call-3@client.example.net'];
const HOSTS = [
  '127.0.0.1 localhost',
  `${WEB} vip-web.example.org`,
  `${STICKY} vip-sticky.example.org`,
  `${SIP} vip-sip.example.org`,
  '198.51.100.1 rs1.example.org',
  '198.51.100.2 rs2.example.org',
  '203.0.113.10 client1.example.net',
];
/** Connection states need ~12 s after traffic to settle (short CLOSE states). */
const SETTLE_MS = 12_500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let lab: NatLab | undefined;
let hostsMounted = false;
const background: LabProcess[] = [];
const seen: string[] = [];

function c(args: string): void {
  const r = runC(args.split(' '));
  if (r.code !== 0) throw new Error(`ipvsadm ${args}: ${r.stderr}`);
}

/** Numbers of the service (`svc`) and destination (`dst`) lines of a --stats/--rate listing. */
function counterRows(listing: string): { kind: 'svc' | 'dst'; name: string; values: number[] }[] {
  // Title and version lines end in letters or ')'; counter lines in a number.
  return listing
    .split('\n')
    .filter((l) => /\d\s*$/.test(l))
    .map((l) => {
      const words = l.trim().split(/\s+/);
      const values = words.slice(-5).map((w) => Number(w));
      return { kind: l.startsWith('  ->') ? ('dst' as const) : ('svc' as const), name: words.slice(0, -5).join(' '), values };
    });
}

/** Column sums over the dest lines, from word `first` on (after `->`, the address, ...). */
function columnSums(listing: string, first: number): number[] {
  const sums: number[] = [];
  for (const l of listing.split('\n').filter((x) => x.startsWith('  -> ') && /\d\s*$/.test(x))) {
    l.trim().split(/\s+/).slice(first).forEach((w, i) => (sums[i] = (sums[i] ?? 0) + Number(w)));
  }
  return sums;
}

/** The numbers of each line of a listing after the name (services) or the address (destinations). */
function numberRows(listing: string, destSkip: number): string[] {
  return listing
    .split('\n')
    .filter((l) => /^(TCP|UDP|  -> )/.test(l) && /\d\s*$/.test(l))
    .map((l) => {
      const words = l.trim().split(/\s+/);
      return l.startsWith('  -> ') ? `-> ${words[1]} ${words.slice(destSkip).join(' ')}` : `${words[0]} ${words[1]} ${words.slice(-5).join(' ')}`;
    });
}

interface Endpoint {
  address: string;
  port: number;
}

interface JsonDest {
  address: string;
  port: number;
  forwarding: string;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  activeConnections: number;
  inactiveConnections: number;
  persistentConnections: number;
  stats: Record<string, number>;
  rates: Record<string, number>;
}
interface JsonService {
  protocol: string;
  address: string;
  port: number;
  stats: Record<string, number>;
  rates: Record<string, number>;
  destinations: JsonDest[];
}

const STATS = ['connections', 'packetsIn', 'packetsOut', 'bytesIn', 'bytesOut'];
const RATES = ['connectionsPerSecond', 'packetsInPerSecond', 'packetsOutPerSecond', 'bytesInPerSecond', 'bytesOutPerSecond'];

/** Our --json document as the rows numberRows reads from 1.31's text of `mode`. */
function jsonRows(services: readonly JsonService[], mode: 'stats' | 'rate' | 'thresholds' | 'persistent-conn' | 'plain'): string[] {
  const rows: string[] = [];
  for (const s of services) {
    const name = `${s.protocol.toUpperCase()} ${s.address}:${s.port}`;
    if (mode === 'stats' || mode === 'rate') {
      const fields = mode === 'stats' ? STATS : RATES;
      const pick = (o: Record<string, number>): string => fields.map((f) => o[f]).join(' ');
      rows.push(`${name} ${pick(mode === 'stats' ? s.stats : s.rates)}`);
      for (const d of s.destinations) rows.push(`-> ${d.address}:${d.port} ${pick(mode === 'stats' ? d.stats : d.rates)}`);
      continue;
    }
    for (const d of s.destinations) {
      const values =
        mode === 'thresholds'
          ? [d.upperThreshold, d.lowerThreshold, d.activeConnections, d.inactiveConnections]
          : mode === 'persistent-conn'
            ? [d.weight, d.persistentConnections, d.activeConnections, d.inactiveConnections]
            : [d.weight, d.activeConnections, d.inactiveConnections];
      rows.push(`-> ${d.address}:${d.port} ${values.join(' ')}`);
    }
  }
  return rows;
}

/**
 * Ours `-Ln --json` between two agreeing C reads of `args` (the 1.31 text of one mode, with
 * --exact where it has counters): every value the text shows must be the JSON's.
 */
async function settledJson(args: readonly string[], mode: Parameters<typeof jsonRows>[1], destSkip: number): Promise<JsonService[]> {
  for (let i = 0; i < 12; i++) {
    const start = performance.now();
    const c1 = runC(args);
    const ours = await runOurs(['-Ln', '--json']);
    const c2 = runC(args);
    if (c1.stdout !== c2.stdout || performance.now() - start > 1900) continue;
    expect({ stderr: ours.stderr, code: ours.code }).toEqual({ stderr: '', code: 0 });
    const services = (validJson(ours.stdout) as unknown as { services: JsonService[] }).services;
    const want = numberRows(c1.stdout, destSkip).filter((r) => mode === 'stats' || mode === 'rate' || r.startsWith('->'));
    expect(jsonRows(services, mode), `ipvsadm ${args.join(' ')} against our --json`).toEqual(want);
    return services;
  }
  throw new Error(`ipvsadm ${args.join(' ')}: the state kept moving for 12 attempts`);
}

beforeAll(async () => {
  resetIpvs();
  const hosts = `${tmpdir()}/traffic-listing-hosts`;
  sh(`printf '%s\\n' ${HOSTS.map((h) => `'${h}'`).join(' ')} > ${hosts} && mount --bind ${hosts} /etc/hosts`);
  hostsMounted = true;
  lab = await createNatLab({ vips: [WEB, STICKY, SIP], servers: 2 });
  const [rs1, rs2] = lab.servers.map((s) => s.addr);
  c(`-A -t ${WEB}:80 -s wrr`);
  c(`-a -t ${WEB}:80 -r ${rs1}:${LAB_PORTS.http} -m -w 1 -x 100 -y 50`);
  c(`-a -t ${WEB}:80 -r ${rs2}:${LAB_PORTS.http} -m -w 3`);
  c(`-A -u ${WEB}:53 -s rr`);
  c(`-a -u ${WEB}:53 -r ${rs1}:${LAB_PORTS.udpEcho} -m`);
  c(`-a -u ${WEB}:53 -r ${rs2}:${LAB_PORTS.udpEcho} -m -w 2 -x 10`);
  c(`-A -t ${STICKY}:80 -s rr -p 300`);
  c(`-a -t ${STICKY}:80 -r ${rs1}:${LAB_PORTS.http} -m`);
  c(`-a -t ${STICKY}:80 -r ${rs2}:${LAB_PORTS.http} -m`);
  c(`-A -u ${SIP}:5060 -s rr -p 100 --pe sip`);
  c(`-a -u ${SIP}:5060 -r ${rs1}:${LAB_PORTS.sip} -m`);
  c(`-a -u ${SIP}:5060 -r ${rs2}:${LAB_PORTS.sip} -m`);
}, 60_000);

afterAll(async () => {
  const problems: unknown[] = [];
  for (const p of background) await p.stop().catch((e: unknown) => problems.push(e));
  await lab?.teardown().catch((e: unknown) => problems.push(e));
  try {
    await clearIpvsConnections();
  } catch (e) {
    problems.push(e);
  }
  if (hostsMounted) sh('umount /etc/hosts', { check: false });
  resetIpvs();
  const tries = [...settledAttempts].map(([args, n]) => `${args}: ${n}`).join(', ');
  if (seen.length > 0) console.log(`traffic-listing counters seen:\n  ${seen.join('\n  ')}\n  attempts per listing: ${tries}`);
  if (problems.length > 0) throw new Error(`traffic-listing cleanup: ${problems.map(String).join('; ')}`);
}, 60_000);

describe('listings of real NAT traffic: ours vs ipvsadm 1.31 on the same kernel state', () => {
  it('carries TCP, UDP and SIP traffic through the director to both real servers', async () => {
    const l = lab!;
    const burst = l.client([
      `http ${WEB} 80 8`,
      `http ${STICKY} 80 4`,
      `udp ${WEB} 53 4 3`,
      `sip ${SIP} 5060 ${CALL_IDS.join(' ')}`,
    ]);
    // wrr 1:3 over 8 new connections; persistence keeps one client on one server; rr over sockets.
    expect(burst[`http ${WEB}:80`]).toEqual({ rs1: 2, rs2: 6 });
    expect(Object.values(burst[`http ${STICKY}:80`] ?? {})).toEqual([4]);
    expect(burst[`udp ${WEB}:53`]).toEqual({ rs1: 6, rs2: 6 });
    expect(Object.values(burst[`sip ${SIP}:5060`] ?? {}).reduce((a, b) => a + b, 0)).toBe(2 * CALL_IDS.length);
    // Established connections that stay open: ActiveConn, and PersistConn of the sticky service.
    background.push(await l.startClient([`hold ${WEB} 80 2 300`], { waitForLine: true }));
    background.push(await l.startClient([`hold ${STICKY} 80 1 300`], { waitForLine: true }));
    seen.push(`traffic: ${JSON.stringify(burst)}; 3 connections held open`);
    await sleep(SETTLE_MS);
  }, 60_000);

  it('-Ln --stats, --stats --exact, -L --stats and one service, with non-zero counters', async () => {
    const exact = (await settledListing(['-Ln', '--stats', '--exact'])).stdout;
    const rows = counterRows(exact);
    expect(rows.filter((r) => r.kind === 'svc')).toHaveLength(4);
    for (const r of rows.filter((x) => x.kind === 'svc')) expect(r.values.every((v) => v > 0), `${r.name}: ${r.values.join(' ')}`).toBe(true);
    seen.push(...rows.filter((r) => r.kind === 'svc').map((r) => `stats ${r.name}: conns/inpkts/outpkts/inbytes/outbytes ${r.values.join('/')}`));
    await settledListing(['-Ln', '--stats']);
    const named = (await settledListing(['-L', '--stats'])).stdout;
    expect(named).toContain('vip-web.example.org:http');
    expect(named).toContain('rs2.example.org:http-alt');
    const one = (await settledListing(['-Ln', '-t', `${WEB}:80`, '--stats'])).stdout;
    expect(counterRows(one).map((r) => r.values[0]! > 0)).toEqual([true, true, true]);
  });

  it('-Ln shows non-zero ActiveConn and InActConn; --persistent-conn non-zero PersistConn; --thresholds', async () => {
    const plain = (await settledListing(['-Ln'])).stdout;
    const [weights, active, inactive] = columnSums(plain, 3);
    expect(weights).toBeGreaterThan(0);
    expect(active).toBeGreaterThan(0);
    expect(inactive).toBeGreaterThan(0);
    const persist = (await settledListing(['-Ln', '--persistent-conn'])).stdout;
    const [, persistConns] = columnSums(persist, 2);
    expect(persistConns).toBeGreaterThan(0);
    const thresholds = (await settledListing(['-Ln', '--thresholds'])).stdout;
    expect(thresholds).toMatch(/-> 198\.51\.100\.1:8080 +100 +50 +\d+ +\d+ +$/m);
    seen.push(`-Ln: ActiveConn ${active}, InActConn ${inactive}; PersistConn ${persistConns}`);
  });

  it('-Ln --json: every counter, connection count, weight and threshold equals 1.31\'s --exact text', async () => {
    const stats = await settledJson(['-Ln', '--stats', '--exact'], 'stats', 2);
    expect(stats.length).toBe(4);
    expect(stats.every((s) => s.stats['connections']! > 0)).toBe(true);
    await settledJson(['-Ln', '--thresholds'], 'thresholds', 2);
    const persist = await settledJson(['-Ln', '--persistent-conn'], 'persistent-conn', 2);
    expect(persist.some((s) => s.destinations.some((d) => d.persistentConnections > 0))).toBe(true);
    const plain = await settledJson(['-Ln'], 'plain', 3);
    expect(plain.flatMap((s) => s.destinations.map((d) => d.forwarding))).toEqual(Array(8).fill('masq'));
    seen.push(`--json: ${stats.length} services, counters equal to --stats --exact, --thresholds, --persistent-conn and -Ln`);
  });

  it('-Lnc, -Lc and -Lnc --persistent-conn (connection table with SIP pe data)', async () => {
    const opts = { before: quietConnectionSecond, attempts: 15, linewise: true };
    const numeric = (await settledListing(['-Lnc'], opts)).stdout;
    for (const state of ['ESTABLISHED', 'TIME_WAIT', ' UDP ']) expect(numeric).toContain(state);
    const named = (await settledListing(['-Lc'], opts)).stdout;
    expect(named).toContain('client1.example.net:');
    expect(named).toContain('vip-sip.example.org:sip');
    const pe = (await settledListing(['-Lnc', '--persistent-conn'], opts)).stdout;
    const peRows = pe.split('\n').filter((l) => / sip {2,}\S/.test(l));
    expect(peRows.map((l) => l.trim().split(/\s+/).pop()).sort()).toEqual([...CALL_IDS].sort());
    seen.push(`-Lnc: ${numeric.trimEnd().split('\n').length - 2} entries, ${peRows.length} with pe sip data`);
  });

  it('-Lnc --json and -L --timeout --json: the entries and timeouts 1.31 lists', async () => {
    // Expiry counts down each second: compare everything else, between two agreeing C reads.
    const rows = (text: string): string[] =>
      text
        .split('\n')
        .slice(2)
        .filter(Boolean)
        .map((l) => {
          // pro expire state source virtual destination: all but the expiry, in our order
          const [pro, , state, source, virtual, destination] = l.trim().split(/\s+/);
          return [pro, source, virtual, destination, state].join(' ');
        })
        .sort();
    let compared = false;
    for (let i = 0; i < 12 && !compared; i++) {
      await quietConnectionSecond();
      const c1 = runC(['-Lnc']);
      const ours = await runOurs(['-Lnc', '--json']);
      const c2 = runC(['-Lnc']);
      if (rows(c1.stdout).join('\n') !== rows(c2.stdout).join('\n')) continue;
      const entries = validJson(ours.stdout)['connections'] as { protocol: string; client: Endpoint; virtual: Endpoint; destination: Endpoint; state: string }[];
      const text = (e: Endpoint): string => `${e.address}:${e.port}`;
      expect(entries.map((e) => [e.protocol.toUpperCase(), text(e.client), text(e.virtual), text(e.destination), e.state].join(' ')).sort()).toEqual(rows(c1.stdout));
      expect(entries.length).toBeGreaterThan(0);
      compared = true;
    }
    expect(compared, 'the connection table kept changing').toBe(true);
    const timeouts = validJson((await runOurs(['-L', '--timeout', '--json'])).stdout)['timeouts'] as Record<string, number>;
    expect(`Timeout (tcp tcpfin udp): ${timeouts['tcp']} ${timeouts['tcpFin']} ${timeouts['udp']}\n`).toBe(runC(['-L', '--timeout']).stdout);
  });

  it('-Ln --rate and --rate --exact under a steady load, with non-zero rates', async () => {
    const l = lab!;
    const load = await l.startClient([`load ${WEB} 80 53 40`]);
    background.push(load);
    // The estimator averages over 2 s steps: wait until a destination shows every rate non-zero.
    const allMoving = (): boolean => counterRows(runC(['-Ln', '--rate', '--exact']).stdout).some((r) => r.kind === 'dst' && r.values.every((v) => v > 0));
    for (let i = 0; i < 30 && !allMoving(); i++) await sleep(1000);
    await sleep(2000);
    const exact = (await settledListing(['-Ln', '--rate', '--exact'])).stdout;
    const rows = counterRows(exact);
    expect(rows.some((r) => r.kind === 'svc' && r.values[0]! > 0), exact).toBe(true);
    expect(rows.some((r) => r.kind === 'dst' && r.values.every((v) => v > 0)), exact).toBe(true);
    await settledListing(['-Ln', '--rate']);
    const rates = await settledJson(['-Ln', '--rate', '--exact'], 'rate', 2);
    expect(rates.some((svc) => svc.rates['connectionsPerSecond']! > 0)).toBe(true);
    seen.push(...rows.filter((r) => r.kind === 'svc').map((r) => `rate ${r.name}: cps/inpps/outpps/inbps/outbps ${r.values.join('/')}`));
    await load.stop();
  }, 90_000);

  it('-Z of one service, then -Z of all: --stats listings show the zeroed counters', async () => {
    // Packets reach the counters at the next 2 s estimator run: let the last ones land first.
    await sleep(4500);
    const z1 = await runOurs(['-Z', '-t', `${WEB}:80`]);
    expect(z1).toEqual({ stdout: '', stderr: '', code: 0 });
    const partly = counterRows((await settledListing(['-Ln', '--stats', '--exact'])).stdout);
    expect(partly.map((r) => r.name)).toContain(`TCP ${WEB}:80`);
    let service = '';
    for (const r of partly) {
      if (r.kind === 'svc') service = r.name;
      if (service === `TCP ${WEB}:80`) expect(r.values, r.name).toEqual([0, 0, 0, 0, 0]);
      else if (r.kind === 'svc') expect(r.values[0], r.name).toBeGreaterThan(0);
    }
    expect(await runOurs(['-Z'])).toEqual({ stdout: '', stderr: '', code: 0 });
    const zeroed = (await settledListing(['-Ln', '--stats'])).stdout;
    expect(counterRows(zeroed).every((r) => r.values.every((v) => v === 0)), zeroed).toBe(true);
    await settledListing(['-Ln', '--stats', '--exact']);
    seen.push(`-Z: ${counterRows(zeroed).length} rows zeroed`);
  }, 60_000);
});
