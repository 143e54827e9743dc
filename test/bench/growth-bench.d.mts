// Types of test/bench/growth-bench.mjs (plain JavaScript, run in the guest without a build).
import type { Mismatch } from './same-work.mjs';
export declare function growthCases(t: unknown, n: number, dests: number, floor?: string): { timings: Record<string, { ms: number }>; mismatches: Mismatch[] };
