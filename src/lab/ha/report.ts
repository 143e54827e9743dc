// The VRRP pair's figures as one line each (the lab prints them, the kernel test logs them).
import type { GateTrip, PhaseFigures, SyncLag } from './failover.js';
import type { PairMode } from './pair-plan.js';

const sec = (ms: number): string => (ms / 1000).toFixed(1);

const reasons = (by: Readonly<Record<string, number>>): string => {
  const parts = Object.entries(by).map(([k, n]) => `${k} ${n}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
};

export function formatPhase(mode: PairMode, sync: string, p: PhaseFigures): string {
  const event = p.name === 'failover' ? `${p.from} failed` : `${p.to} restarted`;
  return (
    `vrrp ${mode} sync ${sync} ${p.name} ${p.from}->${p.to}: ${p.alive} of ${p.connections} held connections alive, ` +
    `${p.broken} broken${reasons(p.brokenBy)}; new requests refused for ${sec(p.refusedMs)} s; ` +
    `VIP on ${p.to} ${sec(p.vipMovedMs)} s after ${event}; longest echo wait ${sec(p.maxWaitMs)} s`
  );
}

export function formatSyncLag(mode: PairMode, lag: SyncLag): string {
  return `vrrp ${mode} sync lag: ${lag.listed} of ${lag.of} connections listed on the backup, median ${sec(lag.medianMs)} s, max ${sec(lag.maxMs)} s after established on the master`;
}

/** `gate` says how keepalived learns readiness, e.g. "vrrp_script every 2 s, fall 2". */
export function formatGate(mode: PairMode, how: GateTrip, movedMs: number, gate: string): string {
  const what = how === 'empty' ? 'table emptied' : 'every real server at weight 0';
  return `vrrp ${mode} health gate (${gate}): ${what} on d1 -> VIP on d2 after ${sec(movedMs)} s`;
}
