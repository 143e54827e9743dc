// The bench's connection-table case (BENCH_CASES=conns): a backup director in a namespace of the
// guest whose sync daemon is fed IPVS sync messages from a master namespace (sync-messages.mjs,
// sync-send.mjs) until its table holds N connections, then `-Lnc` of the C ipvsadm 1.31 and ours.
// Entries count down while they are listed, so the outputs are compared with the expiry column
// set aside, and each row's expiry may differ only by the seconds between the runs.
import { f, spread } from './timing-text.mjs';
import { spawnSync } from 'node:child_process';
import { SYNC_MTU } from './sync-messages.mjs';

const MASTER = 'bench-conns-m';
const BACKUP = 'bench-conns-b';
const SYNC_ID = 7;
/** Seconds each synced entry lives: longer than the case runs, so none expires while listed. */
const TIMEOUT = 7200;

/** The rows of a `-L -c` listing with the expiry column (the second) as `-`, and the expiries apart. */
export function splitExpiry(listing) {
  const rows = [];
  const expiries = [];
  for (const line of listing.split('\n')) {
    const m = /^(\S+ +)(\d+):(\d\d)( +)(.*)$/.exec(line);
    if (!m) {
      rows.push(line);
      continue;
    }
    rows.push(`${m[1]}- ${m[5]}`);
    expiries.push(Number(m[2]) * 60 + Number(m[3]));
  }
  return { rows, expiries };
}

/**
 * What differs between two `-L -c` listings of the same table taken `seconds` apart (the second
 * later): undefined when they hold the same rows in the same order and each row's expiry went
 * down by no more than `seconds` + 1 (never up), else the first difference in words.
 */
export function listingDifference(first, second, seconds) {
  const a = splitExpiry(first);
  const b = splitExpiry(second);
  if (a.rows.length !== b.rows.length) return `${a.rows.length} lines against ${b.rows.length}`;
  const line = a.rows.findIndex((r, i) => r !== b.rows[i]);
  if (line !== -1) return `line ${line + 1} differs beyond its expiry:\n- ${a.rows[line]}\n+ ${b.rows[line]}`;
  const row = a.expiries.findIndex((e, i) => b.expiries[i] > e || e - b.expiries[i] > seconds + 1);
  if (row !== -1) return `row ${row + 1}: expiry ${a.expiries[row]} s, then ${b.expiries[row]} s ${Math.round(seconds)} s later`;
  return undefined;
}

const sh = (argv, opts = {}) => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'latin1', maxBuffer: 1 << 30, ...opts });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
};
const inNs = (ns, argv) => ['ip', 'netns', 'exec', ns, ...argv];

/**
 * The backup's services, as its master would have them: 50 virtual addresses × TCP 80, TCP 443 and
 * UDP 53, four NAT real servers each, the ones sync-messages.mjs's connections name; each synced
 * entry binds to its real server and counts in its active connections.
 */
function backupRules() {
  const lines = [];
  for (let v = 0; v < 50; v++) {
    for (const [p, port, rport] of [['-t', 80, 8080], ['-t', 443, 8080], ['-u', 53, 53]]) {
      lines.push(`-A ${p} 192.0.2.${1 + v}:${port} -s rr`);
      for (let d = 0; d < 4; d++) lines.push(`-a ${p} 192.0.2.${1 + v}:${port} -r 198.51.100.${1 + v + 50 * d}:${rport} -m`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Master and backup namespaces joined by a veth pair, the backup's sync daemon listening. */
function setUp(C) {
  for (const ns of [MASTER, BACKUP]) sh(['ip', 'netns', 'add', ns]);
  sh(['ip', 'link', 'add', 'bcm', 'mtu', String(SYNC_MTU), 'netns', MASTER, 'type', 'veth', 'peer', 'name', 'bcb', 'mtu', String(SYNC_MTU), 'netns', BACKUP]);
  for (const [ns, dev, addr] of [[MASTER, 'bcm', '192.0.2.253/24'], [BACKUP, 'bcb', '192.0.2.254/24']]) {
    sh(['ip', '-n', ns, 'addr', 'add', addr, 'dev', dev]);
    sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  // a receive buffer that holds a burst of messages (rmem_max caps it; the root namespace's)
  sh(['sysctl', '-q', '-w', 'net.core.rmem_max=134217728']);
  sh(inNs(BACKUP, ['sysctl', '-q', '-w', 'net.ipv4.vs.sync_sock_size=33554432']));
  sh(inNs(BACKUP, [...C, '-R']), { input: backupRules() });
  sh(inNs(BACKUP, [...C, '--start-daemon', 'backup', '--mcast-interface', 'bcb', '--syncid', String(SYNC_ID)]));
}

function tearDown(C) {
  spawnSync('ip', inNs(BACKUP, [...C, '--stop-daemon', 'backup']).slice(1));
  spawnSync('ip', inNs(BACKUP, [...C, '-C']).slice(1));
  for (const ns of [MASTER, BACKUP]) spawnSync('ip', ['netns', 'del', ns]);
  spawnSync('sleep', ['3']);
}

/** Entries bound to the backup's real servers: the sum of active and inactive connections. */
function boundEntries(C) {
  let n = 0;
  for (const line of sh(inNs(BACKUP, [...C, '-Ln'])).split('\n')) {
    const m = /^\s+->\s+\S+\s+\S+\s+\d+\s+(\d+)\s+(\d+)/.exec(line);
    if (m) n += Number(m[1]) + Number(m[2]);
  }
  return n;
}

/** Sends entries `from` to `to` - 1 and waits until the backup holds `to` (sending again if lost). */
function fill(C, from, to) {
  for (let attempt = 0; attempt < 4; attempt++) {
    sh(inNs(MASTER, ['node', 'test/bench/sync-send.mjs', '192.0.2.253', String(SYNC_ID), String(attempt ? 0 : from), String(to), String(TIMEOUT)]));
    for (let wait = 0; wait < 20 && boundEntries(C) < to; wait++) spawnSync('sleep', ['1']);
    if (boundEntries(C) >= to) return;
  }
  throw new Error(`the backup holds ${boundEntries(C)} of ${to} entries after four rounds of sync messages`);
}

/**
 * Each tool's `-Lnc` `repeat` times in the backup's namespace, alternating C and ours run by run;
 * medians and ranges, and whether every run of both printed the first C run's listing (expiries
 * apart, see listingDifference).
 */
function listRuns(tools) {
  const runs = { c: [], ours: [] };
  let reference;
  const problems = [];
  for (let i = 0; i < tools.repeat; i++) {
    for (const [key, tool] of [['c', tools.C], ['ours', tools.OURS]]) {
      const at = Date.now();
      const r = tools.timed(inNs(BACKUP, [...tool, '-Lnc']));
      runs[key].push(r);
      if (r.stderr) problems.push(`${key} run ${i + 1} wrote to stderr: ${r.stderr.slice(0, 200)}`);
      reference ??= { at, stdout: r.stdout };
      const d = listingDifference(reference.stdout, r.stdout, (Date.now() - reference.at) / 1000);
      if (d) problems.push(`${key} run ${i + 1} against C's first: ${d}`);
    }
  }
  return { c: tools.summaryOf(runs.c), ours: tools.summaryOf(runs.ours), bytes: reference.stdout.length, problems };
}

/** The case at each size in `sizes` (ascending): rows of { entries, c, ours, bytes, problems }. */
export function connsCases(tools, sizes) {
  setUp(tools.C);
  try {
    const rows = [];
    let have = 0;
    for (const n of sizes) {
      const t0 = Date.now();
      fill(tools.C, have, n);
      have = n;
      rows.push({ entries: n, fillMs: Date.now() - t0, ...listRuns(tools) });
    }
    return rows;
  } finally {
    tearDown(tools.C);
  }
}


/** The report's lines for the connection-table rows; `failed` when a listing differed. */
export function connsReport(rows) {
  if (!rows || rows.length === 0) return { lines: [], failed: false };
  const lines = [
    '',
    'connection table (`-Lnc` on a backup director whose entries came by sync messages; C and ours alternating run by run):',
    '| entries | C ipvsadm 1.31 | ours | ours / C | listing MB | peak RSS C / ours |',
    '|---|---|---|---|---|---|',
  ];
  let failed = false;
  for (const r of rows) {
    const same = r.problems.length === 0;
    failed ||= !same;
    const ratio = same ? (r.ours.ms / r.c.ms).toFixed(2) : 'not the same work';
    lines.push(`| ${r.entries} | ${spread(r.c)} | ${spread(r.ours)} | ${ratio} | ${(r.bytes / 1e6).toFixed(1)} | ${Math.round(r.c.rssKiB / 1024)} / ${Math.round(r.ours.rssKiB / 1024)} MiB |`);
  }
  for (const r of rows) {
    if (r.problems.length) lines.push('', `MISMATCH at ${r.entries} entries, -Lnc:\n${r.problems.join('\n')}`);
    else lines.push('', `-Lnc at ${r.entries} entries (filled in ${f(r.fillMs)}): every run of both printed the same rows in the same order (expiries counting down by at most the seconds between runs)`);
  }
  return { lines, failed };
}
