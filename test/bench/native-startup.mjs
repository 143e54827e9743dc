// The native start-up section of `npm run bench`: our ipvsadm -v, -h and -Ln (no kernel needed:
// on a host without IPVS -Ln fails at once) against `node -e 0`, median wall time of alternating
// runs, on this machine's own kernel. Ours minus node's is what our code costs at start.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 21);

const COMMANDS = [
  ['node -e 0', ['-e', '0']],
  ['ipvsadm -v', [`${ROOT}bin/ipvsadm.js`, '-v']],
  ['ipvsadm -h', [`${ROOT}bin/ipvsadm.js`, '-h']],
  ['ipvsadm -Ln (no IPVS)', [`${ROOT}bin/ipvsadm.js`, '-Ln']],
];

function once(args) {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, PATH: '/nonexistent' } });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function measureStartup(runs = RUNS) {
  const times = COMMANDS.map(() => []);
  for (let i = 0; i < runs; i++) COMMANDS.forEach(([, args], k) => times[k].push(once(args)));
  const base = median(times[0]);
  return COMMANDS.map(([name], k) => ({ name, ms: median(times[k]), min: Math.min(...times[k]), max: Math.max(...times[k]), overNode: median(times[k]) - base }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of measureStartup()) console.log(`${r.name.padEnd(24)} ${r.ms.toFixed(1)} ms  (+${r.overNode.toFixed(1)} ms over node -e 0)`);
}
