// The bench's growth case (BENCH_CASES=growth, run in the guest by guest-bench.mjs): our commands
// alone at sizes up to 50,000 services, where 1.31's restore and listings would take hours, each
// checked against the table the C tool reads back; their growth is printed by growth.mjs.
import { listedRows } from './ops-bench.mjs';
import { difference, floorMismatches } from './same-work.mjs';

/** The commands timed at each size: label → our argv (the apply case's file is added at run time). */
const COMMANDS = {
  '-Sn': ['-Sn'],
  '-Ln': ['-Ln'],
  '-Ln --stats': ['-Ln', '--stats'],
  'top -c 1 -n': ['top', '-c', '1', '-n'],
};

/**
 * The case at one size; `t` gives the guest's tools (see opsCases). The table of `n` services with
 * `dests` real servers each is in the root namespace when called, restored by ours, and left there.
 */
export function growthCases(t, n, dests, floor) {
  const mismatches = [];
  const saved = t.readBack();
  const wanted = n * (1 + dests);
  const timings = {};
  for (const [label, argv] of Object.entries(COMMANDS)) {
    const m = t.measure(t.OURS, argv);
    const rows = listedRows(m.output);
    if (label === '-Sn' && m.output.replace(/\u0000stderr:\n$/, '') !== saved) mismatches.push({ op: label, what: 'our -Sn differs from C -Sn', diff: difference('C -Sn', saved, 'ours -Sn', m.output) });
    if (label !== '-Sn' && rows.length !== wanted) mismatches.push({ op: label, what: `listed ${rows.length} services and real servers of ${wanted}`, diff: '' });
    if (label !== 'top -c 1 -n' && m.outputs !== 1) mismatches.push({ op: label, what: `its runs printed ${m.outputs} different outputs`, diff: '' });
    timings[label] = strip(m);
  }
  const same = t.write(`growth-${n}`, saved);
  const noop = t.measure(t.OURS, ['apply', '--lock-dir', t.lockDir, same]);
  if (t.readBack() !== saved) mismatches.push({ op: 'apply', what: 'a no-op apply changed the table', diff: '' });
  timings['apply (nothing to change)'] = strip(noop);
  if (floor) {
    const m = t.measure([floor], []);
    mismatches.push(...floorMismatches(m.output, n, n * dests));
    timings['floor (dump-floor.c)'] = strip(m);
  }
  return { timings, mismatches };
}

const strip = ({ output: _o, table: _t, ...rest }) => rest;
