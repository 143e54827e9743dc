// The VRRP pair's failover scenario, shared by the lab and the kernel test: held echo connections and
// a loop of new requests through the VIP, the master failed and brought back, what survived, how
// long new requests were refused, how soon the backup listed each connection; and the health gate.
import { SYSTEM_CLOCK } from '../../core/clock.js';
import type { Outage } from '../echo-check.js';
import { startHold } from '../hold-control.js';
import type { HoldEvent, HoldRun, HoldSettings } from '../hold-control.js';
import type { DirectorName } from './pair-plan.js';
import type { VrrpPair } from './vrrp.js';

/** What one failover (or failback) did to the held connections and the new requests. */
export interface PhaseFigures {
  readonly name: 'failover' | 'failback';
  readonly from: DirectorName;
  readonly to: DirectorName;
  /** from the failure (or the restart) to the new holder seen with the VIP */
  readonly vipMovedMs: number;
  /** the longest period in which new requests failed, after the event */
  readonly refusedMs: number;
  readonly connections: number;
  readonly alive: number;
  /** broken during this phase */
  readonly broken: number;
  readonly brokenBy: Readonly<Record<string, number>>;
  /** the longest a line waited for its echo, over the whole run so far */
  readonly maxWaitMs: number;
}

export interface SyncLag {
  /** connections listed on the backup */
  readonly listed: number;
  readonly of: number;
  readonly medianMs: number;
  readonly maxMs: number;
}

export interface FailoverRun {
  readonly phases: readonly PhaseFigures[];
  readonly syncLag: SyncLag | undefined;
  readonly summary: HoldEvent;
}

export interface FailoverOptions {
  readonly connections: number;
  readonly failback: boolean;
  readonly measureSyncLag: boolean;
  readonly hold?: HoldSettings;
  /** how long after the VIP moved the connections must go on echoing */
  readonly settleMs?: number;
}

const HOLD_DEFAULTS: HoldSettings = { intervalMs: 100, stallMs: 15_000, requestIntervalMs: 200, requestTimeoutMs: 2000, reportMs: 250 };

/** Polls both directors' tables until every held connection is listed on the backup (or `timeoutMs`). */
async function measureSyncLag(pair: VrrpPair, hold: HoldRun, master: DirectorName, backup: DirectorName, timeoutMs: number): Promise<SyncLag> {
  const client = pair.plan.client.links['eth0']![1].split('/')[0]!;
  const onMaster = new Map<number, number>();
  const onBackup = new Map<number, number>();
  const deadline = SYSTEM_CLOCK.now() + timeoutMs;
  const see = (d: DirectorName, into: Map<number, number>, now: number): void => {
    for (const e of pair.conns(d)) if (e.client === client && e.state === 'ESTABLISHED' && !into.has(e.clientPort)) into.set(e.clientPort, now);
  };
  let ports: number[] = [];
  while (SYSTEM_CLOCK.now() < deadline) {
    const now = SYSTEM_CLOCK.now();
    see(master, onMaster, now);
    see(backup, onBackup, now);
    const est = hold.events.find((e) => e.event === 'established');
    ports = (est?.list ?? []).flatMap((c) => (c.port !== undefined && !c.broken ? [c.port] : []));
    if (est && ports.every((p) => onBackup.has(p))) break;
    await SYSTEM_CLOCK.sleep(20);
  }
  const lags = ports.filter((p) => onBackup.has(p) && onMaster.has(p)).map((p) => onBackup.get(p)! - onMaster.get(p)!).sort((a, b) => a - b);
  return { listed: lags.length, of: ports.length, medianMs: lags[Math.floor(lags.length / 2)] ?? NaN, maxMs: lags.at(-1) ?? NaN };
}

/** The longest period after `since` in which new requests failed (an outage still open counts until `now`). */
export function refusedSince(outages: readonly Outage[], since: number, now: number): number {
  return outages.reduce((m, o) => ((o.to ?? now) > since ? Math.max(m, (o.to ?? now) - Math.max(o.from, since)) : m), 0);
}

/**
 * Waits after `event` (which fails or restores a director and returns when it did) until `to` holds
 * the VIP, new requests are answered again and every live connection echoed within the last second
 * (or `settleMs` more passed), and returns the phase's figures.
 */
async function phase(pair: VrrpPair, hold: HoldRun, names: Pick<PhaseFigures, 'name' | 'from' | 'to'>, event: () => Promise<number> | number, settleMs: number, timeoutMs: number): Promise<PhaseFigures> {
  const before = hold.latest()!;
  const at = await event();
  const moved = await pair.waitForHolder(names.to, timeoutMs);
  const answered = await hold.waitFor((e) => e.event === 'progress' && e.t > moved && !e.refusing, 30_000, 'new requests were not answered again');
  const settled = await hold.waitFor((e) => e.event === 'progress' && e.t > answered.t && (e.stalestEchoMs < 1000 || e.t > answered.t + settleMs), settleMs + 30_000);
  const after = await hold.waitFor((e) => e.event === 'progress' && e.t > settled.t + 1000, 10_000);
  const brokenBy: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.brokenBy)) brokenBy[k] = v - (before.brokenBy[k as keyof typeof before.brokenBy] ?? 0);
  return {
    ...names,
    vipMovedMs: moved - at,
    refusedMs: refusedSince(after.outages, at, after.t),
    connections: after.connections,
    alive: after.alive,
    broken: after.broken - before.broken,
    brokenBy: Object.fromEntries(Object.entries(brokenBy).filter(([, v]) => v > 0)),
    maxWaitMs: after.maxWaitMs,
  };
}

/** Holds connections through the VIP, fails d1 (the master), and with `failback` brings it back. */
export async function runFailover(pair: VrrpPair, o: FailoverOptions, log: (line: string) => void = () => undefined): Promise<FailoverRun> {
  const hold = startHold(pair.plan.client.ns, pair.plan.vip, { ...HOLD_DEFAULTS, ...o.hold, connections: o.connections });
  try {
    const lag = o.measureSyncLag ? measureSyncLag(pair, hold, 'd1', 'd2', 20_000) : undefined;
    const est = await hold.waitFor((e) => e.event === 'established', 60_000);
    log(`held: ${est.established} of ${est.connections} connections established (${Object.entries(est.servers).map(([s, n]) => `${s} ${n}`).join(', ')})`);
    if (est.established !== o.connections) throw new Error(`lab: only ${est.established} of ${o.connections} connections were established`);
    const syncLag = await lag;
    const steady = SYSTEM_CLOCK.now() + 500;
    await hold.waitFor((e) => e.event === 'progress' && e.t > steady, 10_000);
    const settle = o.settleMs ?? 3000;
    const phases = [await phase(pair, hold, { name: 'failover', from: 'd1', to: 'd2' }, () => pair.fail('d1'), settle, 60_000)];
    if (o.failback) phases.push(await phase(pair, hold, { name: 'failback', from: 'd2', to: 'd1' }, () => pair.restore('d1'), settle, 90_000));
    return { phases, syncLag, summary: await hold.stop() };
  } catch (e) {
    await hold.stop().catch(() => undefined);
    throw e;
  }
}

/** How the health gate is tripped on the master. */
export type GateTrip = 'empty' | 'weight0';

/** Trips the gate on d1 (holding the VIP) and measures until d2 holds it; then puts d1's table back by apply. */
export async function runGate(pair: VrrpPair, how: GateTrip): Promise<{ movedMs: number; reasons: string }> {
  const at = SYSTEM_CLOCK.now();
  if (how === 'empty') pair.ipvsadm('d1', ['-C']);
  else {
    // an edit names the forwarding method again, or 1.31's -e sets the default (DR)
    const method = pair.plan.mode === 'nat' ? '-m' : '-g';
    for (const s of pair.plan.servers) pair.ipvsadm('d1', ['-e', '-t', `${pair.plan.vip.host}:${pair.plan.vip.port}`, '-r', `${s.addr}:${pair.plan.vip.port}`, method, '-w', '0']);
  }
  const moved = await pair.waitForHolder('d2', 60_000);
  const ready = pair.ipvsadm('d1', ['director', 'ready', '--rules', pair.rulesFile, '--ha', 'pair']);
  const back = pair.ipvsadm('d1', ['apply', pair.rulesFile]);
  if (back.code !== 0) throw new Error(`lab: apply on d1 failed:\n${back.stdout}${back.stderr}`);
  return { movedMs: moved - at, reasons: `exit ${ready.code}: ${ready.stdout.trim()}` };
}
