// Runs inside the user-mode kernel (started by test/bench/bench.mjs): times whole commands of the
// C ipvsadm 1.31 and of ours on the same tables, and prints one JSON object with the results.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `N` or `NxD`: N services with D real servers each (default 2).
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000,10000x4').split(',').map((s) => {
  const [n, d] = s.split('x').map(Number);
  return { n, dests: d || 2 };
});
const SCRIPT_CALLS = Number(process.env.BENCH_SCRIPT_CALLS ?? 20);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const OURS = ['node', join(process.cwd(), 'bin/ipvsadm.js')];
const C = ['/usr/sbin/ipvsadm'];
const dir = mkdtempSync(join(tmpdir(), 'bench-'));

/** N services (TCP, mixed schedulers), each with D NAT real servers: N(1+D) restore lines. */
function rules(n, dests) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const vip = `192.0.2.${1 + (i % 250)}:${1000 + Math.floor(i / 250)}`;
    lines.push(`-A -t ${vip} -s ${i % 2 ? 'rr' : 'wlc'}`);
    for (let d = 0; d < dests; d++) lines.push(`-a -t ${vip} -r 198.51.100.${1 + ((i + 7 * d) % 200)}:${8080 + d} -m -w ${1 + d}`);
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
 * cache, memory) weighs on all three alike. Milliseconds in total for each.
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
  execFileSync(C[0], ['-A', '-t', '203.0.113.1:80']);
  for (let i = 0; i < calls; i++) {
    const add = (tool, net) => [...tool, '-a', '-t', '203.0.113.1:80', '-r', `${net}.${1 + i}:80`, '-m'];
    time('c', add(C, '198.51.100'));
    time('ours', add(OURS, '203.0.113'));
    time('node', ['node', '-e', '0']);
  }
  execFileSync(C[0], ['-D', '-t', '203.0.113.1:80']);
  return { c: { ms: totals.c }, ours: { ms: totals.ours }, node: { ms: totals.node } };
}

/** Wall time (ms) and peak RSS (KiB) of one command, via GNU time. */
function timed(argv, stdinFile) {
  const fmtFile = join(dir, 'time.txt');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', fmtFile, ...argv], {
    stdio: [stdinFile ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    input: stdinFile ? readFileSync(stdinFile) : undefined,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  const rssKiB = Number(execFileSync('tail', ['-n1', fmtFile]).toString().trim());
  return { ms, rssKiB };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(tool, argv, { stdinFile, before } = {}) {
  const runs = [];
  for (let i = 0; i < REPEAT; i++) {
    before?.();
    runs.push(timed([...tool, ...argv], stdinFile));
  }
  return { ms: median(runs.map((r) => r.ms)), rssKiB: Math.max(...runs.map((r) => r.rssKiB)) };
}

const flush = () => execFileSync(C[0], ['-C']);

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
function measureRestore(tool, file) {
  const runs = [];
  for (let i = 0; i < REPEAT; i++) runs.push(timed(['ip', 'netns', 'exec', freshNamespace(), ...tool, '-R'], file));
  dropNamespaces();
  return { ms: median(runs.map((r) => r.ms)), rssKiB: Math.max(...runs.map((r) => r.rssKiB)) };
}
const results = { startup: {}, sizes: [], script: {} };
results.startup.c = measure(C, ['-Ln']);
results.startup.ours = measure(OURS, ['-Ln']);
flush();
results.script = { calls: SCRIPT_CALLS, ...scriptCases(SCRIPT_CALLS) };
for (const { n, dests } of SIZES) {
  const file = join(dir, `rules-${n}x${dests}`);
  writeFileSync(file, rules(n, dests));
  const restoreFile = () => execFileSync('sh', ['-c', `${C[0]} -R < ${file}`]);
  const row = { services: n, dests, lines: n * (1 + dests) };
  for (const [name, tool] of [['c', C], ['ours', OURS]]) {
    const restore = measureRestore(tool, file);
    flush();
    restoreFile();
    // services /proc/net/ip_vs shows before the listings (all n, unless another namespace
    // still has services: then ours dumps the real servers of those it leaves out)
    const procListed = readFileSync('/proc/net/ip_vs', 'latin1').split('\n').filter((l) => /^(TCP|UDP|SCTP|FWM) /.test(l)).length;
    row[name] = {
      procListed,
      restore,
      save: measure(tool, ['-Sn']),
      list: measure(tool, ['-Ln']),
      syscalls: { list: syscalls([...tool, '-Ln']), save: syscalls([...tool, '-Sn']) },
      flush: measure(tool, ['-C'], { before: () => (flush(), restoreFile()) }),
    };
  }
  flush();
  results.sizes.push(row);
}
console.log(JSON.stringify(results));
