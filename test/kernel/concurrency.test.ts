// Our ipvsadm under concurrency in the real kernel: listings (-Ln, -Sn) taken while another of
// our processes restores 2,000 services must each be whole and well-formed; in-process table()
// listings stay consistent while a writer adds and deletes services; four processes restoring
// disjoint services at once all land. Spawned processes run bin/ipvsadm.js (built dist/).
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { IpvsClient } from '../../src/ipvs/client.js';
import { formatAddress } from '../../src/ipvs/address.js';
import type { ServiceWithDestinations } from '../../src/ipvs/model.js';
import { openNativeTransport } from '../../src/netlink/native.js';
import { reliabilityCases } from '../support/reliability.js';
import { assertInGuest, resetIpvs, runC, sh } from './support/guest.js';
import { runOurs } from './support/ours.js';
import type { RunResult } from './support/guest.js';

assertInGuest();

const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ipvsadm-concurrency-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  resetIpvs();
});
beforeEach(() => {
  sh('ip link set lo up');
  resetIpvs();
});

/** Our ipvsadm as its own process; stdin from `stdinFile` when given. */
function ours(args: readonly string[], stdinFile?: string): Promise<RunResult> {
  const fd = stdinFile === undefined ? 'ignore' : openSync(stdinFile, 'r');
  const child = spawn(process.execPath, [BIN, ...args], { stdio: [fd, 'pipe', 'pipe'] });
  if (typeof fd === 'number') closeSync(fd);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
  });
}

/** A table as -Sn writes it: service i on 192.0.2.(1 + i/250):(1000 + i%250), two NAT real servers. */
interface Table {
  /** service address → its -a lines */
  readonly blocks: Map<string, Set<string>>;
  readonly text: string;
}
function table(count: number, first = 0, net = '192.0.2'): Table {
  const blocks = new Map<string, Set<string>>();
  const lines: string[] = [];
  for (let i = first; i < first + count; i++) {
    const host = 1 + Math.floor(i / 250);
    const vip = `${net}.${host}:${1000 + (i % 250)}`;
    const dests = [`198.51.100.${host}:${1000 + (i % 250)}`, `203.0.113.${host}:${1000 + (i % 250)}`];
    const adds = dests.map((r) => `-a -t ${vip} -r ${r} -m -w 1`);
    blocks.set(vip, new Set(adds));
    lines.push(`-A -t ${vip} -s rr`, ...adds);
  }
  return { blocks, text: `${lines.join('\n')}\n` };
}
function writeRules(name: string, t: Table): string {
  const file = join(dir, name);
  writeFileSync(file, t.text);
  return file;
}

const LN_HEADER = [
  /^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)$/,
  /^Prot LocalAddress:Port Scheduler Flags$/,
  /^ {2}-> RemoteAddress:Port {11}Forward Weight ActiveConn InActConn$/,
];
const LN_SERVICE = /^TCP {2}(\S+) rr$/;
const LN_DEST = /^ {2}-> (\S+) +Masq +1 +0 +0 +$/;
const SN_SERVICE = /^-A -t (\S+) -s rr$/;
const SN_DEST = /^-a -t (\S+) -r (\S+) -m -w 1$/;

/**
 * The problems of one listing against the table being restored: every line well-formed, every
 * service once and known, every real server once, known, and under its own service, output
 * ending in a newline. Returns the services listed (by address) with their real servers.
 */
function checkListing(kind: '-Ln' | '-Sn', r: RunResult, want: Table): { problems: string[]; listed: Map<string, Set<string>> } {
  const problems: string[] = [];
  const listed = new Map<string, Set<string>>();
  if (r.code !== 0 || r.stderr !== '') problems.push(`exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`);
  if (r.stdout !== '' && !r.stdout.endsWith('\n')) problems.push('output does not end with a newline');
  const lines = r.stdout.split('\n').slice(0, -1);
  if (kind === '-Ln') LN_HEADER.forEach((re, i) => re.test(lines[i] ?? '') || problems.push(`header line ${i + 1}: ${JSON.stringify(lines[i])}`));
  let current: string | undefined;
  for (const line of kind === '-Ln' ? lines.slice(3) : lines) {
    const svc = (kind === '-Ln' ? LN_SERVICE : SN_SERVICE).exec(line)?.[1];
    const dest = kind === '-Ln' ? LN_DEST.exec(line)?.[1] : (SN_DEST.exec(line) ?? undefined);
    if (svc !== undefined) {
      if (listed.has(svc)) problems.push(`service ${svc} listed twice`);
      if (!want.blocks.has(svc)) problems.push(`unknown service ${svc}`);
      listed.set(svc, new Set());
      current = svc;
    } else if (dest !== undefined && current !== undefined) {
      const rs = typeof dest === 'string' ? dest : dest[2]!;
      if (typeof dest !== 'string' && dest[1] !== current) problems.push(`-a for ${dest[1]} under ${current}`);
      const asLine = `-a -t ${current} -r ${rs} -m -w 1`;
      if (!want.blocks.get(current)?.has(asLine)) problems.push(`real server ${rs} is not one of ${current}`);
      if (listed.get(current)!.has(asLine)) problems.push(`real server ${rs} twice under ${current}`);
      listed.get(current)!.add(asLine);
    } else {
      problems.push(`unexpected line ${JSON.stringify(line)}`);
    }
  }
  return { problems, listed };
}

/** The table now, from -Sn of both tools, as service → real-server lines. */
async function finalTables(): Promise<Map<string, Set<string>>[]> {
  const c = runC(['-Sn']);
  const mine = await ours(['-Sn']);
  return [c, mine].map((r) => {
    expect(r).toMatchObject({ stderr: '', code: 0 });
    const all = new Map<string, Set<string>>();
    for (const line of r.stdout.split('\n').slice(0, -1)) {
      const svc = SN_SERVICE.exec(line)?.[1];
      const dest = SN_DEST.exec(line);
      if (svc !== undefined) all.set(svc, all.get(svc) ?? new Set());
      else if (dest) all.set(dest[1]!, (all.get(dest[1]!) ?? new Set()).add(line));
      else throw new Error(`-Sn line ${JSON.stringify(line)}`);
    }
    return all;
  });
}
const sorted = (m: Map<string, Set<string>>): [string, string[]][] => [...m].map(([k, v]): [string, string[]] => [k, [...v].sort()]).sort(([a], [b]) => a.localeCompare(b));

describe('concurrency in the kernel', () => {
  it('listings taken while another process restores 2,000 services are each whole; the restore lands', async () => {
    const listingCases = reliabilityCases({ area: 'concurrency', item: 'listings checked during restore' });
    const serviceCases = reliabilityCases({ area: 'concurrency', item: 'services restored under concurrent listings' });
    const want = table(2000);
    const file = writeRules('restore-2000.rules', want);
    let restoring = true;
    const restore = ours(['-R'], file).finally(() => (restoring = false));
    const checked: { kind: '-Ln' | '-Sn'; problems: string[]; services: number }[] = [];
    // Spawned processes (as a script runs them) and, between their slow starts, our main() in
    // this process over its own sockets: the same listing path, many more listings.
    const loop = async (kind: '-Ln' | '-Sn', inProcess = false): Promise<void> => {
      while (restoring) {
        const r = inProcess ? await runOurs([kind]) : await ours([kind]);
        const { problems, listed } = checkListing(kind, r, want);
        checked.push({ kind, problems, services: listed.size });
        listingCases.checked(problems);
      }
    };
    // In-process listings from the start (empty and partial tables); spawned ones, slow to start
    // in the guest, once the restore has begun to add services.
    const inProcess = [loop('-Ln', true), loop('-Sn', true)];
    while (restoring && runC(['-Ln']).stdout.split('\n').length <= 4) await new Promise((r) => setTimeout(r, 100));
    await Promise.all([loop('-Ln'), loop('-Sn'), ...inProcess]);
    expect(await restore).toEqual({ stdout: '', stderr: '', code: 0 });
    const bad = checked.filter((c) => c.problems.length > 0);
    console.log(`concurrency: ${checked.length} listings during the restore, services seen: ${checked.map((c) => `${c.kind} ${c.services}`).join(', ')}`);
    expect(bad.map((c) => `${c.kind}: ${c.problems.slice(0, 5).join('; ')}`)).toEqual([]);
    expect(checked.length).toBeGreaterThanOrEqual(6);
    const [c, mine] = await finalTables();
    const lost = [...want.blocks].filter(([vip, dests]) => [...dests].some((d) => !mine!.get(vip)?.has(d))).length;
    serviceCases.observed(want.blocks.size, lost);
    expect(sorted(mine!)).toEqual(sorted(want.blocks));
    expect(sorted(c!)).toEqual(sorted(want.blocks));
  }, 180_000);

  it('in-process listings stay consistent while a writer adds and deletes services (changes detected, fetched again)', async () => {
    const listingCases = reliabilityCases({ area: 'concurrency', item: 'listings checked during add/delete churn' });
    const stable = table(300);
    const churn = table(150, 0, '203.0.113');
    const stableFile = writeRules('stable.rules', stable);
    expect(await ours(['-R'], stableFile)).toEqual({ stdout: '', stderr: '', code: 0 });
    const adds = writeRules('churn-add.rules', churn);
    const dels = join(dir, 'churn-del.rules');
    writeFileSync(dels, [...churn.blocks.keys()].reverse().map((vip) => `-D -t ${vip}\n`).join(''));
    // The C ipvsadm writes fast (one socket per operation): adds and deletes in bursts.
    let writing = true;
    const writer = new Promise<RunResult>((resolve) => {
      const child = spawn('bash', ['-c', `for k in 1 2 3; do ipvsadm -R < ${adds} || exit 1; sleep 0.5; ipvsadm -R < ${dels} || exit 1; sleep 0.5; done`], { stdio: 'ignore' });
      child.on('close', (code) => resolve({ stdout: '', stderr: '', code: code ?? -1 }));
    }).finally(() => (writing = false));
    const client = await IpvsClient.open(openNativeTransport);
    let listings = 0;
    let procListings = 0;
    let round = 0;
    let gaveUp = 0;
    const problems: string[] = [];
    try {
      while (writing) {
        let got: ServiceWithDestinations[];
        try {
          // every other listing takes the destinations from /proc/net/ip_vs (the default -Ln's way)
          const viaProc = round++ % 2 === 1;
          const fromProc = viaProc ? await client.tableFromProc(async () => readFileSync('/proc/net/ip_vs')) : undefined;
          if (viaProc && !fromProc) {
            gaveUp++;
            continue;
          }
          got = fromProc ?? (await client.table());
          if (viaProc) procListings++;
        } catch (e) {
          if (!/kept changing/.test((e as Error).message)) throw e;
          gaveUp++;
          continue;
        }
        listings++;
        const found = consistency(got, stable, churn);
        listingCases.checked(found);
        problems.push(...found);
      }
    } finally {
      client.close();
    }
    expect((await writer).code).toBe(0);
    // Changes the writer made during a dump, as the client saw them (each listing is checked above);
    // a run where no dump met a change has no such figure.
    if (client.changesSeen > 0) reliabilityCases({ area: 'fault', item: 'table changes detected in the kernel (fetched again)' }).observed(client.changesSeen);
    console.log(`concurrency: ${listings} listings during churn (${procListings} with /proc/net/ip_vs), ${client.changesSeen} fetched again, ${gaveUp} gave up (kept changing)`);
    expect(problems.slice(0, 10)).toEqual([]);
    expect(listings).toBeGreaterThanOrEqual(3);
    expect(procListings).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('four processes restoring disjoint services at once: every service lands', async () => {
    const processCases = reliabilityCases({ area: 'concurrency', item: 'concurrent processes' });
    const serviceCases = reliabilityCases({ area: 'concurrency', item: 'services added concurrently' });
    const parts = [0, 1, 2, 3].map((p) => table(200, p * 200, '192.0.2'));
    const files = parts.map((t, p) => writeRules(`part-${p}.rules`, t));
    const results = await Promise.all(files.map((f) => ours(['-R'], f)));
    processCases.observed(results.length, results.filter((r) => r.code !== 0).length);
    expect(results).toEqual(results.map(() => ({ stdout: '', stderr: '', code: 0 })));
    const want = new Map(parts.flatMap((t) => [...t.blocks]));
    const [c, mine] = await finalTables();
    const lost = [...want].filter(([vip, dests]) => [...dests].some((d) => !c!.get(vip)?.has(d))).length;
    serviceCases.observed(want.size, lost);
    expect(lost).toBe(0);
    expect(sorted(c!)).toEqual(sorted(want));
    expect(sorted(mine!)).toEqual(sorted(want));
  }, 120_000);
});

/** Every stable service once with exactly its real servers; churn services whole or absent. */
function consistency(got: readonly ServiceWithDestinations[], stable: Table, churn: Table): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { service, destinations } of got) {
    const k = service.key;
    const vip = k.kind === 'addr' ? `${formatAddress(k.addr)}:${k.port}` : `fwmark ${k.fwmark}`;
    if (seen.has(vip)) problems.push(`${vip} twice`);
    seen.add(vip);
    const lines = new Set(destinations.map((d) => `-a -t ${vip} -r ${formatAddress(d.addr)}:${d.port} -m -w 1`));
    const want = stable.blocks.get(vip) ?? churn.blocks.get(vip);
    if (!want) problems.push(`unknown service ${vip}`);
    else if ([...lines].some((l) => !want.has(l)) || lines.size !== destinations.length) problems.push(`${vip}: real servers ${[...lines].join(', ')}`);
    else if (stable.blocks.has(vip) && lines.size !== want.size) problems.push(`${vip}: ${lines.size} of ${want.size} real servers`);
  }
  for (const vip of stable.blocks.keys()) if (!seen.has(vip)) problems.push(`stable service ${vip} missing`);
  return problems;
}
