// An active-active fleet in the kernel: a router learns the VIP from 3 DR directors by BGP (BIRD 2,
// the generated configurations) and spreads 40 long-lived echo connections by an L4-hash ECMP route.
// The directors reach one `mh -b mh-port` file through different histories (`compare` prints the
// kernel order that differs, until `apply --canonical-order` makes it one); with the settings of
// `director up --ha ecmp`, a director stopped (BIRD, or its link only) loses no connection without
// any sync daemon, while with `rr` the flows that move break. The health gate (`director ready
// --watch 1` toggling BIRD's VIP protocol) withdraws the route of a director whose table is emptied
// or whose real servers are all at weight 0, and announces it again.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet } from '../../src/lab/ha/ecmp.js';
import type { Fleet } from '../../src/lab/ha/ecmp.js';
import { ECHO_PORT, failoverUnderLoad, formatFigures, startEchoServers } from '../../src/lab/ha/ecmp-run.js';
import type { FailoverFigures } from '../../src/lab/ha/ecmp-run.js';
import { ROUTER_NS } from '../../src/lab/ha/ecmp-net.js';
import type { FleetNode } from '../../src/lab/ha/ecmp-net.js';
import { startReadyGate } from '../../src/lab/ha/ready-gate.js';
import type { ReadyGate } from '../../src/lab/ha/ready-gate.js';
import type { EchoServer } from '../../src/lab/hold-control.js';
import { ipvsadmIn } from '../../src/lab/world.js';
import { assertInGuest, runC } from './support/guest.js';

assertInGuest();

let fleet: Fleet;
let echo: EchoServer[] = [];
const dir = mkdtempSync(join(tmpdir(), 'ha-ecmp-'));
const log = (t: string): boolean => process.stdout.write(t);

beforeAll(async () => {
  fleet = await buildFleet({ directors: 3, servers: 3 });
  echo = await startEchoServers(fleet);
  log(`router's BIRD configuration:\n${fleet.birdConfig(ROUTER_NS)}\n${fleet.layout.directors[0]!.name}'s BIRD configuration:\n${fleet.birdConfig(fleet.layout.directors[0]!.name)}\n`);
}, 180_000);

afterAll(async () => {
  for (const e of echo) await e.stop();
  await fleet?.teardown();
});

const service = `${'192.0.2.10'}:${ECHO_PORT}`;
const serverArgs = (s: FleetNode): string[] => ['-a', '-t', service, '-r', `${s.addr}:${ECHO_PORT}`, '-g', '-w', '1'];

/** A rules file: the service with `sched` and every real server, in the layout's order. */
function rulesFile(name: string, sched: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, [['-A', '-t', service, ...sched], ...fleet.layout.servers.map(serverArgs)].map((l) => l.join(' ')).join('\n') + '\n');
  return file;
}

function c(d: FleetNode, args: string[], stdin?: string): void {
  const r = runC(args, { netns: d.name, ...(stdin === undefined ? {} : { stdin }) });
  if (r.code !== 0) throw new Error(`ipvsadm ${args.join(' ')} in ${d.name}: ${r.stderr}`);
}

function apply(d: FleetNode, file: string, options: string[] = []): string {
  const r = ipvsadmIn(d.name, ['apply', ...options, file]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

/** The real servers of the service in the kernel's order, as 1.31 lists them with --nosort. */
function kernelOrder(d: FleetNode): string[] {
  return [...runC(['-Ln', '--nosort'], { netns: d.name }).stdout.matchAll(/^\s+-> ([0-9.]+:[0-9]+)/gm)].map((m) => m[1]!);
}

/** `ipvsadm compare kernel B` in `a`, B being `b`'s --nosort JSON listing; prints it. */
function compare(a: FleetNode, b: FleetNode): number {
  const listing = ipvsadmIn(b.name, ['-L', '-n', '--nosort', '--json']);
  expect(listing.code, listing.stderr).toBe(0);
  const file = join(dir, `${b.name}.json`);
  writeFileSync(file, listing.stdout);
  const r = ipvsadmIn(a.name, ['compare', 'kernel', file]);
  log(`ipvsadm compare (${a.name} kernel, ${b.name} listing): exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.code;
}

async function restart(f: FailoverFigures): Promise<void> {
  fleet.restartDirector(fleet.layout.directors.find((d) => d.name === f.stopped)!);
  await fleet.waitForNextHops(fleet.layout.directors.map((d) => d.addr));
}

describe('ECMP fleet over BGP', () => {
  it('mh: three directors reach one file through different histories; compare names the kernel order', () => {
    const [d1, d2, d3] = fleet.layout.directors as [FleetNode, FleetNode, FleetNode];
    const [r1, r2, r3] = fleet.layout.servers as [FleetNode, FleetNode, FleetNode];
    const file = rulesFile('mh.rules', ['-s', 'mh', '-b', 'mh-port']);
    apply(d1, file);
    // d2: built by hand, r1 removed and added again; d3: added in reverse order
    c(d2, ['-A', '-t', service, '-s', 'mh', '-b', 'mh-port']);
    for (const s of [r1, r2, r3]) c(d2, serverArgs(s));
    c(d2, ['-d', '-t', service, '-r', `${r1.addr}:${ECHO_PORT}`]);
    c(d2, serverArgs(r1));
    c(d3, ['-A', '-t', service, '-s', 'mh', '-b', 'mh-port']);
    for (const s of [r3, r2, r1]) c(d3, serverArgs(s));
    const orders = [d1, d2, d3].map(kernelOrder);
    log(`kernel order before apply: ${[d1, d2, d3].map((d, i) => `${d.name} ${orders[i]!.join(' ')}`).join('; ')}\n`);
    expect(new Set(orders.map((o) => o.join())).size).toBeGreaterThan(1);
    expect(compare(d1, d2)).toBe(orders[0]!.join() === orders[1]!.join() ? 0 : 1);
    for (const d of [d2, d3]) log(`${d.name}: ipvsadm apply ${file}\n${apply(d, file)}`);
    const after = [d1, d2, d3].map(kernelOrder);
    log(`kernel order after apply: ${[d1, d2, d3].map((d, i) => `${d.name} ${after[i]!.join(' ')}`).join('; ')}\n`);
    for (const [a, b, i] of [[d1, d2, 1], [d1, d3, 2]] as const) expect(compare(a, b)).toBe(after[0]!.join() === after[i]!.join() ? 0 : 1);
    // --canonical-order: one order whatever the history, so the same mh table on every director
    for (const d of [d1, d2, d3]) log(`${d.name}: ipvsadm apply --canonical-order ${file}\n${apply(d, file, ['--canonical-order'])}`);
    const canonical = [d1, d2, d3].map(kernelOrder);
    log(`kernel order after apply --canonical-order: ${[d1, d2, d3].map((d, i) => `${d.name} ${canonical[i]!.join(' ')}`).join('; ')}\n`);
    expect(new Set(canonical.map((o) => o.join())).size).toBe(1);
    for (const b of [d2, d3]) expect(compare(d1, b)).toBe(0);
  });

  it('mh: a stopped director loses no connection, with no sync daemon', async () => {
    for (const d of fleet.layout.directors) expect(runC(['-L', '--daemon'], { netns: d.name }).stdout).toBe('');
    const f = await failoverUnderLoad(fleet, { connections: 40 });
    log(formatFigures('mh', f));
    await restart(f);
    expect(f.summary.established).toBe(40);
    expect(Object.values(f.spread).filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(f.moved).toBeGreaterThan(0);
    expect(f.broken).toBe(0);
    expect(f.held).toBe(40);
  });

  it('mh: a director lost without notice (link down: the router waits for the BGP hold timer) loses no connection', async () => {
    const f = await failoverUnderLoad(fleet, { connections: 40, how: 'link' });
    log(formatFigures('mh, link down', f));
    await restart(f);
    expect(f.summary.established).toBe(40);
    expect(f.moved).toBeGreaterThan(0);
    expect(f.broken).toBe(0);
    expect(f.held).toBe(40);
  });

  it('rr: the same failure breaks flows that moved', async () => {
    const file = rulesFile('rr.rules', ['-s', 'rr']);
    // -C first: with expire_nodest_conn=1 the mh run's connection entries go with their real servers
    for (const d of fleet.layout.directors) {
      c(d, ['-C']);
      apply(d, file);
    }
    const f = await failoverUnderLoad(fleet, { connections: 40 });
    log(formatFigures('rr', f));
    await restart(f);
    expect(f.summary.established).toBe(40);
    expect(f.moved).toBeGreaterThan(0);
    expect(f.broken).toBeGreaterThan(0);
  });
});

/** The gate's interval, and what BGP and the slow guest may add to it before the route changes. */
const WATCH_S = 1;
const GATE_SLACK_MS = 6000;

/** Runs `change` and returns the ms until the router's next hops are `want`. */
async function timed(change: () => void, want: readonly FleetNode[]): Promise<number> {
  const started = Date.now();
  change();
  await fleet.waitForNextHops(want.map((d) => d.addr), 30_000);
  return Date.now() - started;
}

describe('the BGP health gate', () => {
  it('director ready --watch 1 withdraws a director emptied or at weight 0, and announces it again once restored', async () => {
    const all = fleet.layout.directors;
    const [, d2, d3] = all as [FleetNode, FleetNode, FleetNode];
    const file = rulesFile('gate.rules', ['-s', 'mh', '-b', 'mh-port']);
    for (const d of all) {
      c(d, ['-C']);
      apply(d, file);
    }
    const gates: ReadyGate[] = all.map((d) => startReadyGate(fleet, d, file, WATCH_S));
    try {
      for (const g of gates) await g.waitFor('Z ready:', 60_000);
      await fleet.waitForNextHops(all.map((d) => d.addr));
      const emptied = await timed(() => c(d2, ['-C']), all.filter((d) => d !== d2));
      log(`health gate: ${d2.name}'s table emptied; the router withdrew its next hop after ${emptied} ms (--watch ${WATCH_S})\n`);
      await gates[1]!.waitFor('Z not ready:', 10_000);
      const back = await timed(() => c(d2, ['-R'], readFileSync(file, 'utf8')), all);
      log(`health gate: ${d2.name} restored; the router has its next hop again after ${back} ms\n`);
      const weight = (w: number) => (): void => fleet.layout.servers.forEach((s) => c(d3, ['-e', ...serverArgs(s).slice(1, -1), String(w)]));
      const zero = await timed(weight(0), all.filter((d) => d !== d3));
      log(`health gate: ${d3.name}'s real servers at weight 0; the router withdrew its next hop after ${zero} ms\n`);
      const again = await timed(weight(1), all);
      log(`health gate: ${d3.name}'s weights back to 1; the router has its next hop again after ${again} ms\n`);
      for (const ms of [emptied, zero]) expect(ms).toBeLessThan(WATCH_S * 1000 + GATE_SLACK_MS);
    } finally {
      for (const g of gates) await g.stop();
      log(`gate of ${d2.name}:\n${gates[1]!.output()}`);
    }
  });
});
