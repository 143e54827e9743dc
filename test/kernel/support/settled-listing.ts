// Comparing listings of moving kernel state (stats folded every 2 s, rates re-estimated, -c expiry
// counting down each second): read with the C ipvsadm, then ours, then C again; when both C reads
// agree the state did not move in between, so ours must print exactly that.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { runC } from './guest.js';
import type { RunResult } from './guest.js';
import { runOurs } from './ours.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const same = (a: RunResult, b: RunResult): boolean => a.stdout === b.stdout && a.stderr === b.stderr && a.code === b.code;
const show = (label: string, r: RunResult): string => `--- ${label} [exit ${r.code}] ---\n${r.stdout}${r.stderr}`;
/** The estimator runs every 2 s: a bracket shorter than that spans at most one update. */
const MAX_BRACKET_MS = 1900;

/** Attempts needed per listing so far (for a test's summary of how much the state moved). */
export const settledAttempts = new Map<string, number>();

export interface SettledOptions {
  /** attempts before giving up (default 12) */
  readonly attempts?: number;
  /** awaited before each attempt, e.g. quietConnectionSecond() for -c listings */
  readonly before?: () => Promise<void>;
  /**
   * For -c listings, whose entries tick down independently: when the two C reads differ only
   * within lines (same stderr, status and line count), accept ours if every line of it is the
   * line C printed at that position in one of the two reads.
   */
  readonly linewise?: boolean;
}

/** Every line of ours is the same line of c1 or of c2 (a value C printed at one of the two moments). */
function linewiseBetween(c1: RunResult, ours: RunResult, c2: RunResult): boolean {
  if (c1.code !== c2.code || c1.stderr !== c2.stderr || ours.code !== c1.code || ours.stderr !== c1.stderr) return false;
  const [a, o, b] = [c1, ours, c2].map((r) => r.stdout.split('\n'));
  if (a!.length !== b!.length || o!.length !== a!.length) return false;
  return o!.every((line, i) => line === a![i] || line === b![i]);
}

/**
 * Returns the C ipvsadm's result for `args` once two C reads bracketing ours agree, after checking
 * that ours printed the same bytes (stdout, stderr, exit status). Throws with the last three
 * outputs when the state kept moving for every attempt.
 */
export async function settledListing(args: readonly string[], opts: SettledOptions = {}): Promise<RunResult> {
  const attempts = opts.attempts ?? 12;
  let last = '';
  for (let i = 0; i < attempts; i++) {
    await opts.before?.();
    const start = performance.now();
    const c1 = runC(args);
    const ours = await runOurs(args);
    const c2 = runC(args);
    const elapsed = performance.now() - start;
    if (same(c1, c2) && elapsed < MAX_BRACKET_MS) {
      settledAttempts.set(args.join(' '), i + 1);
      expect(ours, `ipvsadm ${args.join(' ')}: ours differs from two agreeing C reads`).toEqual({ ...c1 });
      return c1;
    }
    if (opts.linewise && elapsed < MAX_BRACKET_MS && linewiseBetween(c1, ours, c2)) {
      settledAttempts.set(args.join(' '), i + 1);
      return c1;
    }
    last = `${show('C', c1)}${show('ours', ours)}${show('C again', c2)}(bracket ${elapsed.toFixed(0)} ms)`;
    await sleep(150 + 100 * i);
  }
  throw new Error(`ipvsadm ${args.join(' ')}: state kept moving over ${attempts} attempts; last three outputs:\n${last}`);
}

/** The Expires column of /proc/net/ip_vs_conn (whole seconds left per entry). */
function expiries(): string {
  return readFileSync('/proc/net/ip_vs_conn', 'latin1')
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[8] ?? '')
    .join(' ');
}

/**
 * Waits for the start of the longest stretch of the second in which no connection's expiry
 * ticks: entries made in one burst tick together, so a listing read right after their tick has
 * most of a second before the next change. Samples for ~1.1 s, then sleeps to that point.
 */
export async function quietConnectionSecond(): Promise<void> {
  const changes: number[] = [];
  let prev = expiries();
  const start = performance.now();
  while (performance.now() - start < 1100) {
    await sleep(10);
    const now = expiries();
    if (now !== prev) changes.push(performance.now() % 1000);
    prev = now;
  }
  if (changes.length === 0) return;
  const phases = [...new Set(changes.map((p) => Math.round(p)))].sort((a, b) => a - b);
  let best = { start: phases[0] ?? 0, length: -1 };
  phases.forEach((p, i) => {
    const next = i + 1 < phases.length ? (phases[i + 1] ?? 0) : (phases[0] ?? 0) + 1000;
    if (next - p > best.length) best = { start: p, length: next - p };
  });
  const wait = (best.start + 15 - (performance.now() % 1000) + 2000) % 1000;
  await sleep(wait);
}
