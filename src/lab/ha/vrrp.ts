// A VRRP pair of directors built in the sandbox kernel from a PairPlan: both prepared by `ipvsadm
// director up --ha pair` and loaded from one file by `ipvsadm apply`, keepalived in each moving the
// addresses, echo servers behind; a director can be failed (links down, keepalived killed) and restored.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_CLOCK } from '../../core/clock.js';
import { startEchoServer } from '../hold-control.js';
import type { EchoServer } from '../hold-control.js';
import { BIN, ipvsadmIn, sh } from '../world.js';
import type { CommandResult } from '../world.js';
import { holdsAddress, readIpvsConn } from './conn-table.js';
import type { ConnEntry } from './conn-table.js';
import { keepalivedConf } from './keepalived.js';
import type { VrrpGate } from './keepalived.js';
import { startKeepalived } from './keepalived-run.js';
import type { Keepalived } from './keepalived-run.js';
import { directorUpArgs, pairCommands, pairTeardownCommands, readyArgs, vrrpAddresses, vrrpNode } from './pair-plan.js';
import type { DirectorName, PairPlan, PairTiming, SyncRole } from './pair-plan.js';
import { PAIR_TIMING } from './pair-plan.js';

export const DIRECTORS: readonly DirectorName[] = ['d1', 'd2'];

/** The gate's timing: a check every second, two failures in a row make the director step back. */
export const GATE_TIMING = { intervalSeconds: 1, timeoutSeconds: 5, fall: 2, rise: 2 } as const;

export interface PairSetup {
  readonly sync: SyncRole;
  /** run `ipvsadm director ready` as keepalived's track_script */
  readonly gate: boolean;
  readonly timing?: PairTiming;
}

export interface VrrpPair {
  readonly plan: PairPlan;
  readonly rulesFile: string;
  readonly dir: string;
  /** the configuration keepalived was last started with on `d` */
  conf(d: DirectorName): string;
  /** starts keepalived on d1, waits until it holds the VIP, then starts d2's */
  elect(): Promise<void>;
  /** the director holding the VIP now, of those not failed (undefined: none, or both) */
  holder(): DirectorName | undefined;
  /** resolves with the time `d` was seen holding the VIP */
  waitForHolder(d: DirectorName, timeoutMs: number): Promise<number>;
  /** a crash: links down, keepalived killed; resolves with the time the links went down */
  fail(d: DirectorName): Promise<number>;
  /** links up, the addresses the crash left removed, keepalived started; the time it started */
  restore(d: DirectorName): number;
  /** stops both keepalived, prepares both for `setup.sync` again, starts d1 (holding the VIP) then d2 */
  restart(setup: PairSetup): Promise<void>;
  conns(d: DirectorName): ConnEntry[];
  ipvsadm(d: DirectorName, args: readonly string[]): CommandResult;
  keepalivedLog(d: DirectorName): string;
  teardown(): Promise<void>;
}

/** keepalived's track_script: this ipvsadm's `director ready` for the setup's sync role. */
export function gateFor(rulesFile: string, sync: SyncRole): VrrpGate {
  return { command: [process.execPath, BIN, ...readyArgs(rulesFile, sync)].join(' '), ...GATE_TIMING };
}

/** A process that only sits in `ns`, so the test reads the namespace's /proc/PID/net files. */
function anchor(ns: string): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, 'sleep', '86400'], { stdio: 'ignore' });
  child.on('error', () => undefined);
  return child;
}

function checked(what: string, r: CommandResult): CommandResult {
  if (r.code !== 0) throw new Error(`lab: ${what} failed (${r.code}):\n${r.stdout}${r.stderr}`);
  return r;
}

/** `director up` and `apply` of the one rules file on a director (the table only when it differs). */
function prepareDirector(p: PairPlan, ns: string, sync: SyncRole, rulesFile: string): void {
  checked(`ipvsadm ${directorUpArgs(p, sync).join(' ')} in ${ns}`, ipvsadmIn(ns, directorUpArgs(p, sync)));
  checked(`ipvsadm apply in ${ns}`, ipvsadmIn(ns, ['apply', rulesFile]));
}

/** Builds the plan's network, both directors and the real servers with their echo servers. */
export async function buildPair(p: PairPlan, setup: PairSetup, log: (line: string) => void = () => undefined): Promise<VrrpPair> {
  const dir = mkdtempSync(join(tmpdir(), 'ipvsadm-vrrp-'));
  const rulesFile = join(dir, 'rules');
  writeFileSync(rulesFile, p.rules);
  const anchors = new Map<DirectorName, ChildProcess>();
  const echoes: EchoServer[] = [];
  const teardown = async (): Promise<void> => {
    for (const e of echoes.splice(0)) await e.stop();
    for (const a of anchors.values()) a.kill('SIGKILL');
    anchors.clear();
    for (const cmd of pairTeardownCommands(p)) sh(cmd, { check: false });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    sh(pairCommands(p).join(' && '));
    for (const d of DIRECTORS) {
      anchors.set(d, anchor(p.directors[d].ns));
      prepareDirector(p, p.directors[d].ns, setup.sync, rulesFile);
    }
    for (const s of p.servers) {
      if (p.mode === 'dr') log(checked(`realserver up in ${s.ns}`, ipvsadmIn(s.ns, ['realserver', 'up', '--mode', 'dr', '--vip', p.vip.host])).stdout);
      echoes.push(await startEchoServer(s.ns, s.name, [p.vip.port], 3600));
    }
    return pairRuntime(p, setup, { dir, rulesFile, anchors, teardown });
  } catch (e) {
    await teardown();
    throw e;
  }
}

interface PairParts {
  readonly dir: string;
  readonly rulesFile: string;
  readonly anchors: ReadonlyMap<DirectorName, ChildProcess>;
  teardown(): Promise<void>;
}

/** The running pair's operations (keepalived processes, failures, reads through the anchors). */
function pairRuntime(p: PairPlan, first: PairSetup, parts: PairParts): VrrpPair {
  let setup = first;
  const keepalived = new Map<DirectorName, Keepalived>();
  const confs = new Map<DirectorName, string>();
  /** the last keepalived of each director, also after a crash (its log) */
  const logs = new Map<DirectorName, Keepalived>();
  const pidOf = (d: DirectorName): number => parts.anchors.get(d)!.pid!;
  const links = (d: DirectorName, state: 'up' | 'down'): void => void Object.keys(p.directors[d].links).forEach((dev) => sh(`ip -n ${p.directors[d].ns} link set ${dev} ${state}`));
  const start = (d: DirectorName): void => {
    const conf = keepalivedConf(vrrpNode(p, d, setup.gate ? gateFor(parts.rulesFile, setup.sync) : undefined, setup.timing ?? PAIR_TIMING));
    confs.set(d, conf);
    const k = startKeepalived(p.directors[d].ns, `keepalived-${d}`, conf, parts.dir);
    keepalived.set(d, k);
    logs.set(d, k);
  };
  // A crashed director may keep the address on its links that are down: it holds nothing.
  const failed = new Set<DirectorName>();
  const holder = (): DirectorName | undefined => {
    const holding = DIRECTORS.filter((d) => !failed.has(d) && holdsAddress(pidOf(d), p.vip.host));
    return holding.length === 1 ? holding[0] : undefined;
  };
  const pair: VrrpPair = {
    plan: p,
    rulesFile: parts.rulesFile,
    dir: parts.dir,
    conf: (d) => confs.get(d) ?? '',
    async elect() {
      start('d1');
      await pair.waitForHolder('d1', 30_000);
      start('d2');
    },
    holder,
    async waitForHolder(d, timeoutMs) {
      const deadline = SYSTEM_CLOCK.now() + timeoutMs;
      while (holder() !== d) {
        if (SYSTEM_CLOCK.now() > deadline) throw new Error(`lab: ${d} did not take the VIP within ${timeoutMs} ms; keepalived said:\n${DIRECTORS.map((x) => `--- ${x}\n${pair.keepalivedLog(x)}`).join('\n')}`);
        await SYSTEM_CLOCK.sleep(20);
      }
      return SYSTEM_CLOCK.now();
    },
    async fail(d) {
      const at = SYSTEM_CLOCK.now();
      failed.add(d);
      links(d, 'down');
      await keepalived.get(d)?.kill();
      keepalived.delete(d);
      return at;
    },
    restore(d) {
      links(d, 'up');
      for (const a of vrrpAddresses(p)) sh(`ip -n ${p.directors[d].ns} addr del ${a.addr}/${a.prefix} dev ${a.dev}`, { check: false });
      failed.delete(d);
      const at = SYSTEM_CLOCK.now();
      start(d);
      return at;
    },
    async restart(next) {
      for (const k of keepalived.values()) await k.stop();
      keepalived.clear();
      setup = next;
      for (const d of DIRECTORS) {
        checked(`ipvsadm director down in ${p.directors[d].ns}`, ipvsadmIn(p.directors[d].ns, ['director', 'down']));
        prepareDirector(p, p.directors[d].ns, setup.sync, parts.rulesFile);
      }
      await pair.elect();
    },
    conns: (d) => readIpvsConn(pidOf(d)),
    ipvsadm: (d, args) => ipvsadmIn(p.directors[d].ns, args),
    keepalivedLog: (d) => logs.get(d)?.log() ?? '',
    async teardown() {
      for (const k of keepalived.values()) await k.kill();
      keepalived.clear();
      await parts.teardown();
    },
  };
  return pair;
}
