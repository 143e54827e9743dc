// Types of test/bench/same-work.mjs (plain JavaScript, run in the guest without a build).
export interface Measured {
  readonly output: string;
  readonly outputs: number;
  readonly table?: string;
  readonly tables?: number;
  readonly leftover?: string;
}
export interface Mismatch {
  readonly op: string;
  readonly what: string;
  readonly diff: string;
}
export declare function canonicalTable(saved: string): string;
export declare function difference(labelA: string, a: string, labelB: string, b: string): string;
export declare function compareWork(c: Measured, ours: Measured, op: string): Mismatch[];
export declare function floorMismatches(output: string, services: number, dests: number): Mismatch[];
