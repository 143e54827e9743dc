// State records against the kernel's reuse of network namespace inodes: a namespace prepared with
// `realserver up` and deleted without `down` leaves its record under an inode the next namespace
// gets. There, `up` of another mode must succeed (noting the record it sets aside) and `down` must
// restore that namespace's own values, never the deleted one's. Also: many namespaces come and go
// without `down`, as on a container host; every `up` succeeds, noting exactly the reused inodes.
// And: two `up`s in two namespaces and an `apply` run at the same moment, round after round; the
// shared state file must keep both records, and each `down` restore its own namespace exactly. The
// test holds the lock of the state files until both `up`s have made their changes (so both must
// wait for it, and then rewrite the file at the same moment).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stateLock, takeLock } from '../../src/host/lock.js';
import { ipvsadmIn } from '../../src/lab/world.js';
import { assertInGuest, createNetns, deleteNetns, resetIpvs, runC, sh } from './support/guest.js';
import type { RunResult } from './support/guest.js';
import { reliabilityCases, reliabilityTest } from '../support/reliability.js';

assertInGuest();

const STATE = '/run/ipvsadm-ts/realserver.json';
const MAX_ATTEMPTS = 64;
const MARKER = /^ipvsadm-ts marker ([0-9a-f-]{36})$/;
/** Every key the two modes change, read before and after. */
const KEYS = [
  'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce', 'net.ipv4.conf.lo.arp_ignore', 'net.ipv4.conf.lo.arp_announce',
  'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter', 'net.ipv4.conf.tunl0.rp_filter',
];

interface StateFile {
  version: number;
  netns: Record<string, { mode: string; marker?: string; sysctls: { key: string; before: number }[] }>;
  stale?: { netns: string; reason: string; record: { mode: string; marker?: string } }[];
}

const alive = new Set<string>();
afterAll(() => {
  for (const ns of alive) deleteNetns(ns);
});

function create(prefix: string): string {
  const ns = createNetns(prefix);
  alive.add(ns);
  return ns;
}

function remove(ns: string): void {
  deleteNetns(ns);
  alive.delete(ns);
}

const inodeOf = (ns: string): string => sh(`stat -L -c %i /run/netns/${ns}`).stdout.trim();
const readState = (): StateFile => (existsSync(STATE) ? (JSON.parse(readFileSync(STATE, 'utf8')) as StateFile) : { version: 2, netns: {} });
const loAlias = (ns: string): string => /^\s+alias (.*)$/m.exec(sh(`ip -n ${ns} link show lo`).stdout)?.[1] ?? '';

function setSysctls(ns: string, values: Readonly<Record<string, number>>): void {
  sh(`ip netns exec ${ns} sysctl -qw ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

function sysctls(ns: string): Record<string, string> {
  return Object.fromEntries(KEYS.map((k) => [k, sh(`ip netns exec ${ns} sysctl -n ${k} 2>/dev/null || echo missing`, { check: false }).stdout.trim()]));
}

function ours(ns: string, args: string): { code: number; stdout: string; stderr: string } {
  return ipvsadmIn(ns, args.split(' '));
}

/** Creates namespaces until one gets `inode` (the others stay until the caller is done). */
function namespaceWithInode(inode: string): { ns: string; attempts: number; others: string[] } {
  const others: string[] = [];
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const ns = create('reuse');
    if (inodeOf(ns) === inode) return { ns, attempts: attempt, others };
    others.push(ns);
  }
  throw new Error(`no new namespace got inode ${inode} within ${MAX_ATTEMPTS} attempts (the kernel did not reuse it)`);
}

const noteFor = (inode: string, mode: string): string =>
  `note: the state record for inode ${inode} (${mode}) belongs to a deleted network namespace (its marker is not on lo); set aside under "stale" in ${STATE}`;

describe('a deleted namespace\'s record under a reused inode', { timeout: 300_000 }, () => {
  it('up --mode tun in the namespace that got the inode succeeds, and down restores its own values exactly', () => {
    reliabilityTest({ area: 'fault', item: 'namespaces deleted without down, inode reused' });
    const first = create('gone');
    const inode = inodeOf(first);
    setSysctls(first, { 'net.ipv4.conf.all.arp_ignore': 3, 'net.ipv4.conf.all.arp_announce': 0, 'net.ipv4.conf.lo.arp_ignore': 2, 'net.ipv4.conf.lo.arp_announce': 1 });
    const dr = ours(first, 'realserver up --mode dr --vip 192.0.2.50');
    expect(dr.code, dr.stderr).toBe(0);
    const token = MARKER.exec(loAlias(first))?.[1];
    expect(token, `lo alias in ${first}: ${loAlias(first)}`).toBeDefined();
    expect(readState().netns[inode]).toMatchObject({ mode: 'dr', marker: token });
    remove(first); // without down

    const { ns, attempts, others } = namespaceWithInode(inode);
    console.log(`  inode ${inode} reused by the ${attempts}. namespace created after the deletion`);
    expect(loAlias(ns), 'a new namespace starts without the marker').toBe('');
    setSysctls(ns, { 'net.ipv4.conf.all.arp_ignore': 2, 'net.ipv4.conf.all.arp_announce': 1, 'net.ipv4.conf.lo.arp_ignore': 3, 'net.ipv4.conf.all.rp_filter': 1, 'net.ipv4.conf.default.rp_filter': 2 });
    const before = sysctls(ns);
    const up = ours(ns, 'realserver up --mode tun --vip 192.0.2.60');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('changes applied');
    expect(up.stdout.split('\n').filter((l) => l.includes('deleted network namespace'))).toEqual([noteFor(inode, 'dr')]);
    const state = readState();
    expect(state.netns[inode]).toMatchObject({ mode: 'tun', marker: MARKER.exec(loAlias(ns))?.[1] });
    expect(state.netns[inode]!.marker).not.toBe(token);
    expect(state.stale?.filter((s) => s.netns === inode && s.record.marker === token)).toMatchObject([{ reason: 'its marker is not on lo', record: { mode: 'dr' } }]);

    const down = ours(ns, 'realserver down');
    expect(down.code, down.stderr).toBe(0);
    expect(sysctls(ns)).toEqual(before);
    // the deleted namespace had arp_ignore 3 there: a "restore" of its record would show
    expect(before['net.ipv4.conf.all.arp_ignore']).toBe('2');
    expect(sh(`ip -n ${ns} -o addr show`).stdout).not.toContain('192.0.2.60');
    expect(loAlias(ns), 'down takes the marker off lo').toBe('');
    expect(readState().netns[inode]).toBeUndefined();
    for (const o of [ns, ...others]) remove(o);
  });
});

// Each run of our CLI starts node in the slow guest (~10 s): well over the suite's 120 s default.
describe('namespaces created and deleted freely without down', { timeout: 300_000 }, () => {
  it('every up succeeds; exactly the reused inodes that held a record are noted; down in the last round restores', () => {
    const cases = reliabilityCases({ area: 'fault', item: 'realserver up in namespaces made while others were deleted without down' });
    let noted = 0;
    const ROUNDS = 3;
    for (let round = 0; round < ROUNDS; round++) {
      const pair = [create('free'), create('free')];
      const before = new Map<string, Record<string, string>>();
      for (const [i, ns] of pair.entries()) {
        cases.run(() => {
          const inode = inodeOf(ns);
          setSysctls(ns, { 'net.ipv4.conf.all.arp_ignore': 2 + i, 'net.ipv4.conf.all.arp_announce': round % 2, 'net.ipv4.conf.lo.arp_ignore': 3 - i });
          before.set(ns, sysctls(ns));
          // A record under a new namespace's inode can only be a deleted namespace's (ours, or one an
          // earlier file left): exactly then the note.
          const expectNote = Object.hasOwn(readState().netns, inode);
          const mode = (round + i) % 2 === 0 ? 'dr' : 'tun';
          const r = ours(ns, `realserver up --mode ${mode} --vip 192.0.2.${70 + i} --json`);
          expect(r.code, r.stderr).toBe(0);
          const body = JSON.parse(r.stdout) as { ok: boolean; setAside?: { netns: string }; notes: string[] };
          expect(body.ok).toBe(true);
          expect(body.setAside?.netns, `round ${round} ${ns} inode ${inode}`).toBe(expectNote ? inode : undefined);
          expect(body.notes.filter((n) => n.includes('deleted network namespace'))).toHaveLength(expectNote ? 1 : 0);
          if (expectNote) noted++;
        });
      }
      if (round < ROUNDS - 1) {
        for (const ns of pair) remove(ns); // without down
        continue;
      }
      for (const ns of pair) {
        const down = ours(ns, 'realserver down');
        expect(down.code, down.stderr).toBe(0);
        expect(sysctls(ns), `${ns} after down`).toEqual(before.get(ns));
        remove(ns);
      }
    }
    console.log(`  ${ROUNDS * 2} namespaces, ${noted} of them met a deleted namespace's record under their inode`);
    // The kernel hands freed inodes out again at once: later rounds must have met earlier ones.
    expect(noted).toBeGreaterThanOrEqual(1);
  });
});

const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));

/** Our ipvsadm as a process of its own, in namespace `ns` (or this one), not waited for. */
function started(ns: string | undefined, args: readonly string[]): Promise<RunResult> {
  const [file, argv] = ns === undefined ? [process.execPath, [BIN, ...args]] : ['ip', ['netns', 'exec', ns, process.execPath, BIN, ...args]];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
  });
}

/** What the C tool lists after building `lines` itself from an empty table (this namespace). */
function cTableOf(lines: readonly string[]): string {
  resetIpvs();
  for (const line of lines) {
    const r = runC(line.split(' '));
    if (r.code !== 0) throw new Error(`ipvsadm ${line}: ${r.stderr}`);
  }
  const text = runC(['-Sn']).stdout;
  resetIpvs();
  return text;
}

describe('two ups in two namespaces and an apply, all at the same moment', { timeout: 1_500_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'prep-race-'));
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    resetIpvs();
  });

  it('round after round: both records kept, each down restores its namespace exactly, the table is the one asked for', async () => {
    const ROUNDS = 10;
    const rules = ['-A -t 192.0.2.80:80 -s wlc', '-a -t 192.0.2.80:80 -r 198.51.100.1:80 -m -w 2', '-a -t 192.0.2.80:80 -r 198.51.100.2:80 -m -w 3', '-A -u 192.0.2.80:53 -s rr'];
    const wanted = cTableOf(rules);
    const file = join(work, 'table.rules');
    writeFileSync(file, `${rules.join('\n')}\n`);
    const cases = reliabilityCases({ area: 'concurrency', item: 'rounds of realserver up in two namespaces and apply at once' });
    const problems: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const found = await raceRound(round, file, wanted);
      cases.checked(found);
      problems.push(...found.map((p) => `round ${round}: ${p}`));
    }
    console.log(`  ${ROUNDS} rounds of 2 ups and an apply at once, then 2 downs at once: ${problems.length} problems`);
    expect(problems).toEqual([]);
  });
});

/** How long the lock stays held once both VIPs are up: far longer than an up takes to write and end. */
const GRACE_MS = 3000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hasVip = (ns: string, vip: string): boolean => sh(`ip -n ${ns} -o addr show`).stdout.includes(` ${vip}/`);

/**
 * Starts both ups and the apply while this test holds the lock of the state files; releases it
 * GRACE_MS after both VIPs are up (each up then waits to write its record). An up that ended
 * before is a problem.
 */
async function runHeld(pair: readonly [string, string], modes: readonly string[], file: string, problems: string[]): Promise<RunResult[]> {
  const held = await takeLock(stateLock(dirname(STATE), 'the race test', 0));
  let released = false;
  const ups = pair.map((ns, i) =>
    started(ns, ['realserver', 'up', '--mode', modes[i]!, '--vip', `192.0.2.${90 + i}`]).then((r) => {
      if (!released) problems.push(`up in ${ns} ended (${r.code}) while the state files were locked: ${r.stderr.trim()}`);
      return r;
    }),
  );
  const applied = started(undefined, ['apply', file]);
  const deadline = Date.now() + 120_000;
  while (!pair.every((ns, i) => hasVip(ns, `192.0.2.${90 + i}`)) && problems.length === 0 && Date.now() < deadline) await sleep(100);
  // an up that did not wait for the lock would end meanwhile; one that waits holds on (up to 30 s)
  await sleep(GRACE_MS);
  released = true;
  held.release();
  return Promise.all([...ups, applied]);
}

/** One round; what went wrong, as text (nothing: all is right). */
async function raceRound(round: number, file: string, wanted: string): Promise<string[]> {
  const problems: string[] = [];
  const pair = [create('race'), create('race')] as const;
  const inodes = pair.map(inodeOf);
  const modes = round % 2 === 0 ? ['dr', 'tun'] : ['tun', 'dr'];
  const before = pair.map((ns, i) => {
    setSysctls(ns, { 'net.ipv4.conf.all.arp_ignore': 2 + i, 'net.ipv4.conf.all.arp_announce': (round + i) % 2, 'net.ipv4.conf.lo.arp_ignore': 3 - i });
    return sysctls(ns);
  });
  resetIpvs();
  const runs = await runHeld(pair, modes, file, problems);
  for (const [i, r] of runs.entries()) if (r.code !== 0) problems.push(`${i < 2 ? `up in ${pair[i]}` : 'apply'} exited ${r.code}: ${r.stderr.trim()}`);
  const state = readState();
  for (const [i, inode] of inodes.entries()) {
    if (state.netns[inode]?.mode !== modes[i]) problems.push(`the state file has no ${modes[i]} record for ${pair[i]} (inode ${inode}): ${JSON.stringify(state.netns[inode])}`);
  }
  const table = runC(['-Sn']).stdout;
  if (table !== wanted) problems.push(`apply left\n${table}instead of\n${wanted}`);
  const downs = await Promise.all(pair.map((ns) => started(ns, ['realserver', 'down'])));
  for (const [i, ns] of pair.entries()) {
    if (downs[i]!.code !== 0) problems.push(`down in ${ns} exited ${downs[i]!.code}: ${downs[i]!.stderr.trim()}`);
    const after = sysctls(ns);
    if (JSON.stringify(after) !== JSON.stringify(before[i])) problems.push(`${ns} after down: ${JSON.stringify(after)}, before up: ${JSON.stringify(before[i])}`);
    if (sh(`ip -n ${ns} -o addr show`).stdout.includes(`192.0.2.${90 + i}`)) problems.push(`${ns} still has 192.0.2.${90 + i}`);
    if (readState().netns[inodes[i]!] !== undefined) problems.push(`the record of ${ns} outlived its down`);
    remove(ns);
  }
  return problems;
}
