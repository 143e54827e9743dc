// Types of test/bench/growth.mjs (plain JavaScript, run by test/bench/bench.mjs without a build).
export interface Point {
  readonly services: number;
  readonly ms: number;
}
export declare function growthSeries(results: unknown): [string, Point[]][];
export declare function marginalCosts(points: readonly Point[]): { steps: { from: number; to: number; us: number }[]; growth: number | undefined };
export declare function growthReport(results: unknown): string[];
export declare function growthCaseLines(results: unknown): string[];
