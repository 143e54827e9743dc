// Types of test/bench/conns-bench.mjs for the unit tests.
export declare function splitExpiry(listing: string): { rows: string[]; expiries: number[] };
export declare function listingDifference(first: string, second: string, seconds: number): string | undefined;
export declare function connsCases(tools: unknown, sizes: number[]): unknown[];
export declare function connsReport(rows: unknown[] | undefined): { lines: string[]; failed: boolean };
