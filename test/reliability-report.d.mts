// Types of test/reliability-report.mjs (plain JavaScript, run by test/run-all.mjs without a build).
export declare const AREAS: Readonly<Record<'fuzz' | 'fault' | 'concurrency' | 'input' | 'output', string>>;
export interface FigureRow {
  readonly area: string;
  readonly item: string;
  readonly count: number;
  readonly failures: number;
}
export declare function sumFigures(lines: readonly string[]): { rows: FigureRow[]; unreadable: string[] };
export declare function reliabilityReport(lines: readonly string[], fullRun: boolean): { text: string[]; failures: number };
