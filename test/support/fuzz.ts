// fast-check settings for the fuzz tests: a fixed seed and bounded runs in the normal test run;
// `npm run fuzz` (IPVSADM_FUZZ_RUNS, IPVSADM_FUZZ_SEED) makes the same tests a long random run.
import type { Parameters as FcParameters } from 'fast-check';

/** Runs per property: the test's default, or IPVSADM_FUZZ_RUNS when set (the opt-in long run). */
export function fuzzRuns(defaultRuns: number): number {
  const env = Number(process.env['IPVSADM_FUZZ_RUNS']);
  return Number.isInteger(env) && env > 0 ? env : defaultRuns;
}

/** The fixed seed of the normal run, or IPVSADM_FUZZ_SEED (`random` picks one and prints it). */
export function fuzzSeed(): number {
  const env = process.env['IPVSADM_FUZZ_SEED'];
  if (env === 'random') {
    const seed = (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
    process.stdout.write(`fuzz: IPVSADM_FUZZ_SEED=${seed}\n`);
    return seed;
  }
  return env !== undefined && /^-?\d+$/.test(env) ? Number(env) : 20261203;
}

/** fc.assert parameters: seed, runs, and the long run's time budget per property. */
export function fuzzParameters<T>(defaultRuns: number): FcParameters<T> {
  return { seed: fuzzSeed(), numRuns: fuzzRuns(defaultRuns), endOnFailure: true };
}
