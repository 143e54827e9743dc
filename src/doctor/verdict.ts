// What every doctor check gives: its name, a verdict and the detail, and for a warn or fail
// what to do about it (checks.ts and reach.ts make them, cli.ts prints them).

export type Verdict = 'ok' | 'info' | 'warn' | 'fail';

export interface Check {
  readonly check: string;
  readonly verdict: Verdict;
  readonly detail: string;
  /** what to do about a warn or fail */
  readonly fix?: string;
}
