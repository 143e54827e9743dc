// A VRRP pair of directors in the kernel, DR and NAT (src/lab/ha): keepalived moves the VIP (NAT: the
// real servers' gateway too), both tables come from one file by `apply`, `director up --ha pair` starts
// the sync daemons. 20 held echo connections survive the master's crash and its return; with sync off
// they break; a master whose table is emptied (or all at weight 0) gives the VIP up through the gate.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFailover, runGate } from '../../src/lab/ha/failover.js';
import { planPair, vrrpNode } from '../../src/lab/ha/pair-plan.js';
import type { PairMode } from '../../src/lab/ha/pair-plan.js';
import { formatGate, formatPhase, formatSyncLag } from '../../src/lab/ha/report.js';
import { buildPair, scriptGate, WATCH_SECONDS } from '../../src/lab/ha/vrrp.js';
import { keepalivedConf } from '../../src/lab/ha/keepalived.js';
import type { VrrpPair } from '../../src/lab/ha/vrrp.js';
import { assertInGuest } from './support/guest.js';
import { runOurs } from './support/ours.js';

assertInGuest();

const CONNECTIONS = 20;

// The gate is `director ready --watch` writing keepalived's track_file (a node start every second, as a
// vrrp_script would need, is more than the sandbox kernel can do on a loaded machine). DR trips it
// by an emptied table, NAT by weights 0.
const cases: readonly { mode: PairMode; trip: 'empty' | 'weight0' }[] = [
  { mode: 'dr', trip: 'empty' },
  { mode: 'nat', trip: 'weight0' },
];

const GATE_TEXT = `track_file written by director ready --watch ${WATCH_SECONDS}`;

describe.each(cases)('VRRP pair, $mode', ({ mode, trip }) => {
  let pair: VrrpPair | undefined;

  beforeAll(async () => {
    pair = await buildPair(planPair(mode), { sync: 'both', gate: 'file' });
    await pair.elect();
  }, 120_000);
  afterAll(async () => {
    await pair?.teardown();
  }, 60_000);

  it('keepalived accepts both generated configurations, and the vrrp_script form of the gate; d1 holds the VIP', () => {
    const scriptForm = join(pair!.dir, 'script-gate.conf');
    writeFileSync(scriptForm, keepalivedConf(vrrpNode(pair!.plan, 'd1', scriptGate(pair!.rulesFile, 'both'))));
    for (const [d, file] of [['d1', join(pair!.dir, 'keepalived-d1.conf')], ['d2', join(pair!.dir, 'keepalived-d2.conf')], ['d1', scriptForm]] as const) {
      const t = spawnSync('ip', ['netns', 'exec', pair!.plan.directors[d].ns, 'keepalived', '-t', '-f', file], { encoding: 'utf8' });
      expect(t.status, `${t.stdout}${t.stderr}`).toBe(0);
      console.log(`keepalived.conf of ${d} (${mode}):\n${readFileSync(file, 'utf8')}`);
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

  it(`health gate: ${trip === 'empty' ? 'an emptied table' : 'every real server at weight 0'} on the master moves the VIP`, { timeout: 120_000 }, async () => {
    expect(pair!.holder()).toBe('d1');
    const gate = await runGate(pair!, trip);
    console.log(formatGate(mode, trip, gate.movedMs, GATE_TEXT));
    console.log(`vrrp ${mode} health gate: director ready on d1 said ${gate.reasons}`);
    expect(gate.reasons).toMatch(/^exit 1: not ready:\n/);
    expect(gate.reasons).toContain(trip === 'empty' ? 'no virtual service' : 'every real server at weight 0');
    // one watch interval, the check itself, and keepalived's hand-over (FAULT, priority 0, the backup's skew time)
    expect(gate.movedMs).toBeLessThan((WATCH_SECONDS + 5) * 1000);
  });

  it(`sync off: the master's crash breaks held connections`, { timeout: 240_000 }, async () => {
    await pair!.restart({ sync: 'none', gate: 'file' });
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
    expect(r.stdout).toContain('  track_file ipvs_ready {\n');
    expect(r.stdout).toMatch(/^ {2}ipvsadm director ready --rules \S+ --ha pair --sync both --quiet --watch 1 --on-ready 'echo 0 > \S+' --on-unready 'echo 1 > \S+'$/m);
    // the lab leaves no namespace behind
    expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout).not.toMatch(/^lab-/m);
  });
});
