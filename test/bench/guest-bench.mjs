// Runs inside the user-mode kernel (started by test/bench/bench.mjs): times whole commands of the
// C ipvsadm 1.31 and of ours on the same tables, and prints one JSON object with the results.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const OURS = ['node', join(process.cwd(), 'bin/ipvsadm.js')];
const C = ['/usr/sbin/ipvsadm'];
const dir = mkdtempSync(join(tmpdir(), 'bench-'));

/** N services (TCP, mixed schedulers), each with two NAT real servers: 3N restore lines. */
function rules(n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const vip = `192.0.2.${1 + (i % 250)}:${1000 + Math.floor(i / 250)}`;
    lines.push(`-A -t ${vip} -s ${i % 2 ? 'rr' : 'wlc'}`);
    lines.push(`-a -t ${vip} -r 198.51.100.${1 + (i % 200)}:8080 -m -w 1`);
    lines.push(`-a -t ${vip} -r 198.51.100.${1 + ((i + 7) % 200)}:8080 -m -w 3`);
  }
  return `${lines.join('\n')}\n`;
}

/** Wall time (ms) and peak RSS (KiB) of one command, via GNU time. */
function timed(argv, stdinFile) {
  const fmtFile = join(dir, 'time.txt');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', fmtFile, ...argv], {
    stdio: [stdinFile ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    input: stdinFile ? execFileSync('cat', [stdinFile]) : undefined,
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
const results = { startup: {}, sizes: [] };
results.startup.c = measure(C, ['-Ln']);
results.startup.ours = measure(OURS, ['-Ln']);
for (const n of SIZES) {
  const file = join(dir, `rules-${n}`);
  writeFileSync(file, rules(n));
  const row = { services: n, lines: 3 * n };
  for (const [name, tool] of [['c', C], ['ours', OURS]]) {
    row[name] = {
      restore: measure(tool, ['-R'], { stdinFile: file, before: flush }),
      save: measure(tool, ['-Sn']),
      list: measure(tool, ['-Ln']),
    };
  }
  flush();
  results.sizes.push(row);
}
console.log(JSON.stringify(results));
