// Counter rendering of the --stats and --rate columns: K/M/G/T abbreviation by integer
// division, or exact digits with --exact. Thresholds and widths observed from
// ipvsadm 1.31 (e.g. 240112000 → `  240112K`, 1200560000 → `    1200M`).
import { padLeft, u64 } from '../../fields/printf.js';

const HUNDRED_MILLION = 100_000_000n;
const BILLION = 1_000_000_000n;
const HUNDRED_BILLION = 100_000_000_000n;
const HUNDRED_TRILLION = 100_000_000_000_000n;

/** One abbreviation step: values below `below` are divided by `divisor` and get `suffix`. */
const STEPS: readonly { below: bigint; divisor: bigint; suffix: string }[] = [
  { below: BILLION, divisor: 1_000n, suffix: 'K' },
  { below: HUNDRED_BILLION, divisor: 1_000_000n, suffix: 'M' },
  { below: HUNDRED_TRILLION, divisor: BILLION, suffix: 'G' },
];

/**
 * A counter as one stats column, always at least 9 characters and right-justified:
 * below 10^8 the number itself, then value/1000 + `K` (below 10^9), /10^6 + `M` (below 10^11),
 * /10^9 + `G` (below 10^14), else /10^12 + `T`. With `exact`, all digits, with at least one
 * leading space. The value is taken modulo 2^64, as the C `unsigned long long` it was.
 */
export function formatLargeNumber(value: bigint, exact: boolean): string {
  const n = BigInt.asUintN(64, value);
  const digits = u64(n);
  if (exact) return padLeft(digits, digits.length <= 8 ? 9 : digits.length + 1);
  if (n < HUNDRED_MILLION) return padLeft(digits, 9);
  const step = STEPS.find((s) => n < s.below);
  if (step) return padLeft(u64(n / step.divisor), 8) + step.suffix;
  return padLeft(u64(n / 1_000_000_000_000n), 8) + 'T';
}
