// Types of test/bench/scrape-bench.mjs for the unit tests.
export declare const NODE_EXPORTER: string;
export declare function seriesCount(body: string): number;
export declare function ourView(body: string): Map<string, string>;
export declare function nodeExporterView(body: string): Map<string, string>;
export declare function viewDifferences(ours: Map<string, string>, theirs: Map<string, string>, max?: number): string[];
export declare function scrapeReport(rows: unknown[] | undefined): { lines: string[]; failed: boolean };
