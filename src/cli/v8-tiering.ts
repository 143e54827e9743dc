// How soon V8 optimises the code of a run: every command starts cold and most end within a second
// or two, before an optimised function pays back its compile. The bin/ loader sets this first.

/**
 * V8's optimising compiler (TurboFan) is asked for a function once it has run this much bytecode
 * (V8's default: 66 KiB, --interrupt-budget=67584); 16 times that. Measured in the user-mode
 * kernel (one CPU), `-Ln --stats` of 1,000 services x 4, medians of 7 alternating runs: 1.85 s
 * with V8's default, 1.36 s with this, 1.32 s with the optimising compiler off (13,700, 10,200 and
 * 9,000 page faults: its compiles, their memory and their code pages are most of that fixed cost).
 * At 10,000 x 4 the three were within a few per cent (4.94, 4.83, 4.90 s): long runs still
 * optimise their hot loops, so `metrics` and `top` keep optimised code, only later.
 */
export const V8_TIERING_FLAGS = '--interrupt-budget=1081344';
