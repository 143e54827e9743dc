// Types of test/bench/report.mjs (plain JavaScript, run by test/bench/bench.mjs without a build).
import type { Mismatch } from './same-work.mjs';

export interface Timing {
  readonly ms: number;
  readonly min: number;
  readonly max: number;
  readonly rssKiB: number;
}
export interface ToolRow {
  readonly procListed: number;
  readonly restore: Timing;
  readonly save: Timing;
  readonly list: Timing;
  readonly flush: Timing;
  /** the list modes (guest-bench.mjs LIST_MODES), where measured; the C tool has no `json` */
  readonly stats?: Timing;
  readonly rate?: Timing;
  readonly exact?: Timing;
  readonly thresholds?: Timing;
  readonly persistentConn?: Timing;
  readonly tunInfo?: Timing;
  readonly json?: Timing;
  readonly syscalls: { readonly list?: number; readonly save?: number; readonly [op: string]: number | undefined };
}
export interface BenchResults {
  readonly repeat: number;
  readonly startup: { readonly c: Timing; readonly ours: Timing; readonly mismatches: readonly Mismatch[] };
  readonly script: { readonly calls: number; readonly c: Timing; readonly ours: Timing; readonly node: Timing; readonly problems: readonly string[] };
  readonly sizes: readonly { readonly services: number; readonly dests: number; readonly persistent?: boolean; readonly lines: number; readonly c: ToolRow; readonly ours: ToolRow; readonly floor?: Timing; readonly mismatches: readonly Mismatch[] }[];
}
export declare function benchReport(res: BenchResults): { lines: string[]; failed: boolean };
