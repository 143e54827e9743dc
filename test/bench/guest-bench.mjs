// Runs inside the user-mode kernel (started by test/bench/bench.mjs): times whole commands of the
// C ipvsadm 1.31 and of ours on the same tables, checks that both did the same work (same table
// read back, same listing bytes), and prints one JSON object with the results and any mismatch.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalTable, compareWork, difference, floorMismatches } from './same-work.mjs';
import { opsCases } from './ops-bench.mjs';
import { growthCases } from './growth-bench.mjs';
import { scrapeRuns } from './scrape-bench.mjs';
import { connsCases } from './conns-bench.mjs';

// `N` or `NxD`: N services with D real servers each (default 2); a trailing `p` (`2000x4p`):
// persistent services (`-p 300`) whose real servers have thresholds.
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000,10000x4').split(',').map((s) => {
  const persistent = s.endsWith('p');
  const [n, d] = s.replace(/p$/, '').split('x').map(Number);
  return { n, dests: d || 2, persistent };
});
/**
 * The list modes timed beside `-Ln` (ours only where 1.31 lacks the mode). The table has no
 * traffic, so counters and rates stay 0 between runs: every mode must print the same bytes.
 */
const LIST_MODES = {
  stats: { args: ['-Ln', '--stats'], c: true },
  rate: { args: ['-Ln', '--rate'], c: true },
  exact: { args: ['-Ln', '--stats', '--exact'], c: true },
  thresholds: { args: ['-Ln', '--thresholds'], c: true },
  persistentConn: { args: ['-Ln', '--persistent-conn'], c: true },
  tunInfo: { args: ['-Ln', '--tun-info'], c: true },
  json: { args: ['-Ln', '--json'], c: false },
};
const MODES = (process.env.BENCH_LIST_MODES ?? Object.keys(LIST_MODES).join(',')).split(',').filter(Boolean);
const SCRIPT_CALLS = Number(process.env.BENCH_SCRIPT_CALLS ?? 20);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
// `core` (1.31's operations, start-up, the script case), `ops` (top and apply: ops-bench.mjs),
// `scrape` (metrics against node_exporter: scrape-bench.mjs), `conns` (-Lnc: conns-bench.mjs)
const CASES = new Set((process.env.BENCH_CASES ?? 'core,ops,scrape,growth,conns').split(','));
// connection-table sizes of the conns case, ascending (reading /proc/net/ip_vs_conn costs the
// kernel a walk from the table's start for every read: C's time grows with the square)
const CONN_SIZES = (process.env.BENCH_CONNS ?? '25000,50000,100000').split(',').map(Number);
const OURS = ['node', join(process.cwd(), 'bin/ipvsadm.js')];
/** test/bench/dump-floor.c built by bench.mjs: the least a reader of every real server's counters can do */
const FLOOR = process.env.BENCH_FLOOR;
const C = ['/usr/sbin/ipvsadm'];
const dir = mkdtempSync(join(tmpdir(), 'bench-'));

/**
 * N services (TCP, mixed schedulers), each with D NAT real servers: N(1+D) restore lines;
 * `persistent`: each service persistent (300 s), each real server with thresholds.
 */
function rules(n, dests, persistent = false) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const vip = `192.0.2.${1 + (i % 250)}:${1000 + Math.floor(i / 250)}`;
    lines.push(`-A -t ${vip} -s ${i % 2 ? 'rr' : 'wlc'}${persistent ? ' -p 300' : ''}`);
    for (let d = 0; d < dests; d++) {
      const limits = persistent ? ` -x ${100 + d} -y ${d}` : '';
      lines.push(`-a -t ${vip} -r 198.51.100.${1 + ((i + 7 * d) % 200)}:${8080 + d} -m -w ${1 + d}${limits}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** System calls of one command (strace -c -f), or undefined where strace is missing. */
function syscalls(argv, stdinFile) {
  const out = join(dir, 'strace.txt');
  const r = spawnSync('strace', ['-c', '-f', '-o', out, ...argv], {
    stdio: [stdinFile ? 'pipe' : 'ignore', 'ignore', 'ignore'],
    input: stdinFile ? readFileSync(stdinFile) : undefined,
  });
  if (r.error || r.status !== 0) return undefined;
  const total = execFileSync('tail', ['-n1', out]).toString().trim().split(/\s+/);
  return Number(total[3]); // % time, seconds, usecs/call, calls, [errors,] total
}

/**
 * The script case: `calls` single `-a` invocations of each tool (a health checker adding real
 * servers) and as many `node -e 0`, interleaved call by call so that drift in the guest (page
 * cache, memory) weighs on all three alike. Milliseconds in total for each. The service
 * 203.0.113.1:80 must exist (scriptRuns adds it).
 */
function scriptCases(calls) {
  if (calls > 250) throw new Error(`BENCH_SCRIPT_CALLS is at most 250 (one real server address each), got ${calls}`);
  const totals = { c: 0, ours: 0, node: 0 };
  const time = (key, argv) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
    totals[key] += Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status})`);
  };
  for (let i = 0; i < calls; i++) {
    const add = (tool, net) => [...tool, '-a', '-t', '203.0.113.1:80', '-r', `${net}.${1 + i}:80`, '-m'];
    time('c', add(C, '198.51.100'));
    time('ours', add(OURS, '203.0.113'));
    time('node', ['node', '-e', '0']);
  }
  return { c: { ms: totals.c }, ours: { ms: totals.ours }, node: { ms: totals.node } };
}

/**
 * Wall time (ms), peak RSS (KiB, via GNU time) and the output of one command. The output goes to
 * a pipe that we read (so that it can be compared), the same for both tools.
 */
function timed(argv, stdinFile) {
  const fmtFile = join(dir, 'time.txt');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', fmtFile, ...argv], {
    stdio: [stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    input: stdinFile ? readFileSync(stdinFile) : undefined,
    maxBuffer: 1 << 30,
    encoding: 'latin1',
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  const rssKiB = Number(execFileSync('tail', ['-n1', fmtFile]).toString().trim());
  return { ms, rssKiB, stdout: r.stdout, stderr: r.stderr };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median, min and max of the runs' times (the figures the bench prints), peak RSS of all runs. */
function summary(runs) {
  const ms = runs.map((r) => r.ms);
  return { ms: median(ms), min: Math.min(...ms), max: Math.max(...ms), runs: ms.length, rssKiB: Math.max(...runs.map((r) => r.rssKiB)) };
}

/** The output of a command: stdout, then stderr (each run of one command must print the same). */
const outputOf = (run) => `${run.stdout}\u0000stderr:\n${run.stderr}`;

function measure(tool, argv, { stdinFile, before, after } = {}) {
  const runs = [];
  for (let i = 0; i < REPEAT; i++) {
    before?.();
    runs.push(timed([...tool, ...argv], stdinFile));
    after?.(runs.at(-1));
  }
  return { ...summary(runs), output: outputOf(runs[0]), outputs: new Set(runs.map(outputOf)).size };
}

const flush = () => execFileSync(C[0], ['-C']);

/** The table as the C tool saves it, in the root namespace or in `netns`. */
function readBack(netns) {
  const argv = netns ? ['ip', 'netns', 'exec', netns, C[0], '-Sn'] : [C[0], '-Sn'];
  return execFileSync(argv[0], argv.slice(1), { maxBuffer: 1 << 30, encoding: 'latin1' });
}

/**
 * Restores run each in a new network namespace (its own, empty IPVS table). After a flush the
 * kernel keeps the deleted real servers in a trash list for about a minute and scans it on every
 * add of a real server, so a restore right after `-C` of a large table measures that scan more
 * than the tool.
 */
let namespaces = 0;
function freshNamespace() {
  const name = `bench-${++namespaces}`;
  execFileSync('ip', ['netns', 'add', name]);
  // lo up gives the namespace its local routing table; without one IPVS refuses every real
  // server address as not unicast.
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}
function dropNamespaces() {
  // Flushed before they go: the kernel tears a deleted namespace's services down in the
  // background, and while any other namespace has IPVS services Linux 6.1 leaves services out
  // of /proc/net/ip_vs (see IpvsClient.tableFromProc), which would slow our next listing.
  for (let i = 1; i <= namespaces; i++) {
    spawnSync('ip', ['netns', 'exec', `bench-${i}`, C[0], '-C']);
    spawnSync('ip', ['netns', 'del', `bench-${i}`]);
  }
  namespaces = 0;
  spawnSync('sleep', ['3']); // the kernel frees the namespaces' tables in the background
}
/**
 * Restores of `file` by `tool`, each into a fresh namespace; after each, the table the C tool
 * reads back there (outside the timing).
 */
function measureRestore(tool, file) {
  const tables = [];
  const runs = [];
  for (let i = 0; i < REPEAT; i++) {
    const netns = freshNamespace();
    runs.push(timed(['ip', 'netns', 'exec', netns, ...tool, '-R'], file));
    tables.push(canonicalTable(readBack(netns)));
  }
  dropNamespaces();
  return { ...summary(runs), output: outputOf(runs[0]), outputs: new Set(runs.map(outputOf)).size, table: tables[0], tables: new Set(tables).size };
}

/**
 * The script case, REPEAT times: the total times of each tool's calls and the table they left
 * (C's real servers on 198.51.100.0/24, ours on 203.0.113.0/24, each must have all `calls`).
 */
function scriptRuns(calls) {
  const runs = [];
  const problems = [];
  for (let i = 0; i < REPEAT; i++) {
    execFileSync(C[0], ['-A', '-t', '203.0.113.1:80']);
    runs.push(scriptCases(calls));
    const saved = readBack();
    for (const [name, net] of [['C', '198.51.100.'], ['ours', '203.0.113.']]) {
      const added = saved.split('\n').filter((l) => l.startsWith('-a ') && l.includes(`-r ${net}`)).length;
      if (added !== calls) problems.push(`run ${i + 1}: ${name} left ${added} of its ${calls} real servers`);
    }
    execFileSync(C[0], ['-D', '-t', '203.0.113.1:80']);
  }
  const of = (key) => summary(runs.map((r) => ({ ms: r[key].ms, rssKiB: 0 })));
  return { calls, c: of('c'), ours: of('ours'), node: of('node'), problems };
}

/** What ops-bench.mjs needs of this guest. */
const opsTools = {
  C,
  OURS,
  repeat: REPEAT,
  lockDir: join(dir, 'locks'),
  measure,
  timed,
  summaryOf: summary,
  readBack,
  canonicalTable,
  freshNamespace,
  dropNamespaces,
  restore: (file, netns) => execFileSync('sh', ['-c', `ip netns exec ${netns} ${OURS.join(' ')} -R < ${file}`]),
  write: (name, text) => (writeFileSync(join(dir, name), text), join(dir, name)),
};

const results = { repeat: REPEAT, startup: {}, sizes: [], script: {}, ops: [], scrape: [], growth: [], conns: [] };
if (CASES.has('core')) {
  results.startup.c = measure(C, ['-Ln']);
  results.startup.ours = measure(OURS, ['-Ln']);
  results.startup.mismatches = [];
  if (results.startup.c.output !== results.startup.ours.output) {
    results.startup.mismatches.push({ op: 'startup', what: '-Ln of the empty table differs', diff: difference('C ipvsadm 1.31', results.startup.c.output, 'ours', results.startup.ours.output) });
  }
  flush();
  results.script = scriptRuns(SCRIPT_CALLS);
} else delete results.startup, delete results.script;
for (const { n, dests, persistent } of SIZES) {
  if (!CASES.has('core')) break;
  const file = join(dir, `rules-${n}x${dests}${persistent ? 'p' : ''}`);
  writeFileSync(file, rules(n, dests, persistent));
  const restoreFile = () => execFileSync('sh', ['-c', `${C[0]} -R < ${file}`]);
  const row = { services: n, dests, persistent, lines: n * (1 + dests) };
  const compared = ['restore', 'save', 'list', 'flush', ...MODES.filter((m) => LIST_MODES[m].c)];
  for (const [name, tool] of [['c', C], ['ours', OURS]]) {
    const restore = measureRestore(tool, file);
    flush();
    restoreFile();
    // services /proc/net/ip_vs shows before the listings (all n, unless another namespace
    // still has services: then ours dumps the real servers of those it leaves out)
    const procListed = readFileSync('/proc/net/ip_vs', 'latin1').split('\n').filter((l) => /^(TCP|UDP|SCTP|FWM) /.test(l)).length;
    const leftovers = [];
    row[name] = {
      procListed,
      restore,
      save: measure(tool, ['-Sn']),
      list: measure(tool, ['-Ln']),
      ...Object.fromEntries(MODES.filter((m) => tool === OURS || LIST_MODES[m].c).map((m) => [m, measure(tool, LIST_MODES[m].args)])),
      syscalls: { list: syscalls([...tool, '-Ln']), save: syscalls([...tool, '-Sn']), ...(MODES.includes('stats') ? { stats: syscalls([...tool, '-Ln', '--stats']) } : {}) },
      flush: measure(tool, ['-C'], { before: () => (flush(), restoreFile()), after: () => leftovers.push(readBack()) }),
    };
    const left = leftovers.find((t) => t !== '');
    if (left !== undefined) row[name].flush.leftover = left.split('\n').slice(0, 5).join('\n');
  }
  if (FLOOR && MODES.includes('stats')) {
    flush();
    restoreFile();
    row.floor = measure([FLOOR], []);
  }
  flush();
  row.mismatches = compared.flatMap((op) => compareWork(row.c[op], row.ours[op], op));
  if (row.floor) row.mismatches.push(...floorMismatches(row.floor.output, n, n * dests));
  // ours only: its runs must agree with each other
  for (const m of MODES.filter((m) => !LIST_MODES[m].c)) if (row.ours[m].outputs !== 1) row.mismatches.push({ op: m, what: `ours's runs printed ${row.ours[m].outputs} different outputs`, diff: '' });
  for (const r of [row.c, row.ours]) for (const op of [...compared, ...MODES]) if (r[op]) delete r[op].output, delete r[op].table;
  if (row.floor) delete row.floor.output;
  results.sizes.push(row);
}
if (CASES.has('ops')) {
  for (const { n, dests, persistent } of SIZES) {
    if (persistent) continue; // the ops cases run on the plain tables
    const text = rules(n, dests);
    const file = join(dir, `rules-${n}x${dests}`);
    writeFileSync(file, text);
    flush();
    execFileSync('sh', ['-c', `${C[0]} -R < ${file}`]);
    results.ops.push({ services: n, dests, ...opsCases(opsTools, file, text) });
    flush();
  }
}
if (CASES.has('scrape')) {
  for (const { n, dests, persistent } of SIZES) {
    if (persistent) continue; // the scrape runs on the plain tables
    const file = join(dir, `rules-${n}x${dests}`);
    writeFileSync(file, rules(n, dests));
    flush();
    execFileSync('sh', ['-c', `${OURS.join(' ')} -R < ${file}`]);
    results.scrape.push({ services: n, dests, ...(await scrapeRuns(OURS, REPEAT, summary)) });
    flush();
  }
}
if (CASES.has('growth')) {
  // ours alone, up to sizes where 1.31 would take hours (BENCH_GROWTH_SIZES, plain tables)
  for (const s of (process.env.BENCH_GROWTH_SIZES ?? '1000x4,10000x4,50000x4').split(',')) {
    const [n, d] = s.split('x').map(Number);
    const file = join(dir, `rules-${n}x${d || 2}`);
    writeFileSync(file, rules(n, d || 2));
    flush();
    execFileSync('sh', ['-c', `${OURS.join(' ')} -R < ${file}`]);
    results.growth.push({ services: n, dests: d || 2, ...growthCases(opsTools, n, d || 2, FLOOR) });
    flush();
  }
}
if (CASES.has('conns')) {
  flush();
  results.conns = connsCases(opsTools, CONN_SIZES);
}
console.log(JSON.stringify(results));
