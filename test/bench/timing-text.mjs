// How the bench's reports write a time: `1.23 s` or `456 ms`, and a median with its runs' range.

/** Milliseconds as the reports print them. */
export const f = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
/** A median with the range of the runs: `1.23 s (1.20 s–1.31 s)`. */
export const spread = (m) => `${f(m.ms)} (${f(m.min)}–${f(m.max)})`;
