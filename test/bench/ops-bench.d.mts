// Types of test/bench/ops-bench.mjs (plain JavaScript, run in the guest without a build).
export declare function listedRows(text: string): string[];
export declare function onePercent(rules: string): string;
export declare function opsReport(rows: readonly unknown[]): string[];
