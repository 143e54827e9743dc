// A VRRP pair of directors in the kernel, DR and NAT (src/lab/ha): keepalived moves the VIP (NAT: the
// real servers' gateway too), both tables come from one file by `apply`, `director up --ha pair` starts
// the sync daemons. 20 held echo connections survive the master's crash and its return; with sync off
// they break; a master whose table is emptied (or all at weight 0) gives the VIP up through the gate.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFailover, runGate } from '../../src/lab/ha/failover.js';
import { planPair } from '../../src/lab/ha/pair-plan.js';
import type { PairMode } from '../../src/lab/ha/pair-plan.js';
import { formatGate, formatPhase, formatSyncLag } from '../../src/lab/ha/report.js';
import { buildPair, GATE_TIMING } from '../../src/lab/ha/vrrp.js';
import type { VrrpPair } from '../../src/lab/ha/vrrp.js';
import { assertInGuest } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const CONNECTIONS = 20;
const GATE = false; // DEV

const cases: readonly { mode: PairMode; trip: 'empty' | 'weight0' }[] = [
  { mode: 'dr', trip: 'empty' },
  { mode: 'nat', trip: 'weight0' },
];

describe.each(cases)('VRRP pair, $mode', ({ mode, trip }) => {
  let pair: VrrpPair | undefined;

  beforeAll(async () => {
    pair = await buildPair(planPair(mode), { sync: 'both', gate: GATE });
    await pair.elect();
  }, 120_000);
  afterAll(async () => {
    await pair?.teardown();
  }, 60_000);

  it('keepalived accepts both generated configurations; d1 holds the VIP', () => {
    for (const d of ['d1', 'd2'] as const) {
      const t = spawnSync('ip', ['netns', 'exec', pair!.plan.directors[d].ns, 'keepalived', '-t', '-f', join(pair!.dir, `keepalived-${d}.conf`)], { encoding: 'utf8' });
      expect(t.status, `${t.stdout}${t.stderr}`).toBe(0);
      console.log(`keepalived.conf of ${d} (${mode}):\n${pair!.conf(d)}`);
    }
    expect(pair!.holder()).toBe('d1');
  });

  it(`sync on: ${CONNECTIONS} held connections survive the master's crash and its return, none broken`, { timeout: 240_000 }, async () => {
    const run = await runFailover(pair!, { connections: CONNECTIONS, failback: true, measureSyncLag: true });
    for (const p of run.phases) console.log(formatPhase(mode, 'both', p));
    console.log(formatSyncLag(mode, run.syncLag!));
    expect(run.phases.map((p) => [p.name, p.alive, p.broken])).toEqual([
      ['failover', CONNECTIONS, 0],
      ['failback', CONNECTIONS, 0],
    ]);
    expect(run.summary).toMatchObject({ connections: CONNECTIONS, established: CONNECTIONS, alive: CONNECTIONS, broken: 0 });
    // every connection went on echoing to the end (lines after the failback)
    expect(run.summary.list!.every((c) => c.lastEchoAt! > run.summary.t - 2000)).toBe(true);
    // the failover was seen by new requests: the measure can fail
    expect(run.phases[0]!.refusedMs).toBeGreaterThan(0);
    expect(run.syncLag!.listed).toBe(CONNECTIONS);
  });

  it.skipIf(!GATE)(`health gate: ${trip === 'empty' ? 'an emptied table' : 'every real server at weight 0'} on the master moves the VIP`, { timeout: 120_000 }, async () => {
    expect(pair!.holder()).toBe('d1');
    const gate = await runGate(pair!, trip);
    console.log(formatGate(mode, trip, gate.movedMs, GATE_TIMING));
    console.log(`vrrp ${mode} health gate: director ready on d1 said ${gate.reasons}`);
    expect(gate.reasons).toMatch(/^exit 1: /);
    // fall × interval, plus one check's run time and keepalived's hand-over
    expect(gate.movedMs).toBeLessThan((GATE_TIMING.fall * GATE_TIMING.intervalSeconds + GATE_TIMING.timeoutSeconds + 3) * 1000);
  });

  it(`sync off: the master's crash breaks held connections`, { timeout: 240_000 }, async () => {
    await pair!.restart({ sync: 'none', gate: GATE });
    const run = await runFailover(pair!, { connections: CONNECTIONS, failback: false, measureSyncLag: false });
    const p = run.phases[0]!;
    console.log(formatPhase(mode, 'none', p));
    expect(p.broken).toBeGreaterThan(0);
  });
});

describe('ipvsadm lab --directors 2 --ha vrrp (run inside the kernel it would boot)', () => {
  it('DR: builds the pair, crashes and restores the master, all held connections survive: exit 0', { timeout: 240_000 }, async () => {
    const r = await runOurs(['lab', '--directors', '2', '--ha', 'vrrp', '--mode', 'dr', '--connections', '10']);
    console.log(r.stdout);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const line = (name: string): string => r.stdout.split('\n').find((l) => l.startsWith(`vrrp dr sync both ${name} `)) ?? '';
    expect(line('failover')).toMatch(/^vrrp dr sync both failover d1->d2: 10 of 10 held connections alive, 0 broken; new requests refused for [0-9.]+ s; /);
    expect(line('failback')).toMatch(/^vrrp dr sync both failback d2->d1: 10 of 10 held connections alive, 0 broken; /);
    expect(r.stdout).toMatch(/^vrrp dr sync lag: 10 of 10 connections listed on the backup/m);
    expect(r.stdout).toContain('all 10 held connections survived the failover and the failback\n');
    expect(r.stdout).toContain('    vrrp_script ipvs_ready {\n'.slice(4));
    // the lab leaves no namespace behind
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(/^lab-/m);
  });
});
