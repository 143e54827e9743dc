// A VRRP pair of directors built in the sandbox kernel from a PairPlan: both prepared by `ipvsadm
// director up --ha pair` and loaded from one file by `ipvsadm apply`, keepalived in each moving the
// addresses, echo servers behind; a director can be failed (links down, keepalived killed) and restored.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * keepalived runs `director ready` every second; two failures in a row make the director step back.
 * For real hosts: in the sandbox kernel a node start takes a second or more, too slow for this.
 */
export const SCRIPT_GATE_TIMING = { intervalSeconds: 1, timeoutSeconds: 5, fall: 2, rise: 2 } as const;
/** `director ready --watch` judges every second and writes keepalived's track file on each change. */
export const WATCH_SECONDS = 1;

/**
 * How a director that is not ready steps back: `script`, keepalived runs `ipvsadm director ready` (a
 * vrrp_script); `file`, one `ipvsadm director ready --watch` per director writes a file keepalived
 * tracks (one process judging every second instead of a process start every second: what the
 * sandbox kernel can afford); `none`, no gate.
 */
export type GateKind = 'script' | 'file' | 'none';

export interface PairSetup {
  readonly sync: SyncRole;
  readonly gate: GateKind;
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
  /** stops both keepalived (and gates), prepares both again when the sync role changes, starts d1 (holding the VIP) then d2 */
  restart(setup: PairSetup): Promise<void>;
  conns(d: DirectorName): ConnEntry[];
  ipvsadm(d: DirectorName, args: readonly string[]): CommandResult;
  keepalivedLog(d: DirectorName): string;
  teardown(): Promise<void>;
}

/** keepalived's track_script: this ipvsadm's `director ready` for the setup's sync role. */
export function scriptGate(rulesFile: string, sync: SyncRole): VrrpGate {
  return { kind: 'script', command: [process.execPath, BIN, ...readyArgs(rulesFile, sync)].join(' '), ...SCRIPT_GATE_TIMING };
}

/** The arguments after `ipvsadm` of the watch that keeps `file` at 0 while the director is ready, 1 while not. */
export function watchArgs(rulesFile: string, sync: SyncRole, file: string): string[] {
  return [...readyArgs(rulesFile, sync), '--quiet', '--watch', String(WATCH_SECONDS), '--on-ready', `echo 0 > ${file}`, '--on-unready', `echo 1 > ${file}`];
}

/** A process that only sits in `ns`, so the test reads the namespace's /proc/PID/net files. */
function anchor(ns: string): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, 'sleep', '86400'], { stdio: 'ignore' });
  child.on('error', () => undefined);
  return child;
}

/** `ipvsadm ARGS` in `ns` as a long-running process, its output appended to `logFile`; resolves the stop. */
function background(ns: string, args: readonly string[], logFile: string): { stop(signal: NodeJS.Signals): Promise<void> } {
  const fd = openSync(logFile, 'a');
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, ...args], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
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

interface Processes {
  /** keepalived on `d` with the setup's gate (and, for a file gate, the watch writing it) */
  start(d: DirectorName): void;
  /** SIGTERM (`stop`) or SIGKILL (`kill`) to the gate and keepalived of `only`, or of both */
  stopAll(how: 'stop' | 'kill', only?: DirectorName): Promise<void>;
  conf(d: DirectorName): string;
  log(d: DirectorName): string;
}

/** keepalived and the gate's watch of each director, started with the setup `current()` returns. */
function processes(p: PairPlan, parts: PairParts, current: () => PairSetup): Processes {
  const keepalived = new Map<DirectorName, Keepalived>();
  const watches = new Map<DirectorName, { stop(signal: NodeJS.Signals): Promise<void> }>();
  const confs = new Map<DirectorName, string>();
  /** the last keepalived of each director, also after a crash (its log) */
  const logs = new Map<DirectorName, Keepalived>();
  const ns = (d: DirectorName): string => p.directors[d].ns;
  const readyFile = (d: DirectorName): string => join(parts.dir, `ready-${d}`);
  const gate = (d: DirectorName, setup: PairSetup): VrrpGate | undefined =>
    setup.gate === 'script' ? scriptGate(parts.rulesFile, setup.sync) : setup.gate === 'file' ? { kind: 'file', file: readyFile(d) } : undefined;
  return {
    start(d) {
      const setup = current();
      const conf = keepalivedConf(vrrpNode(p, d, gate(d, setup), setup.timing ?? PAIR_TIMING));
      confs.set(d, conf);
      const k = startKeepalived(ns(d), `keepalived-${d}`, conf, parts.dir);
      keepalived.set(d, k);
      logs.set(d, k);
      // the watch writes its first verdict at once (keepalived created the file at 1, not ready, or kept the last one)
      if (setup.gate === 'file') watches.set(d, background(ns(d), watchArgs(parts.rulesFile, setup.sync, readyFile(d)), join(parts.dir, `watch-${d}.log`)));
    },
    async stopAll(how, only) {
      for (const d of only ? [only] : DIRECTORS) {
        await watches.get(d)?.stop(how === 'kill' ? 'SIGKILL' : 'SIGTERM');
        await keepalived.get(d)?.[how]();
        watches.delete(d);
        keepalived.delete(d);
      }
    },
    conf: (d) => confs.get(d) ?? '',
    log: (d) => logs.get(d)?.log() ?? '',
  };
}

/** The running pair's operations (processes, failures, reads through the anchors). */
function pairRuntime(p: PairPlan, first: PairSetup, parts: PairParts): VrrpPair {
  let setup = first;
  const procs = processes(p, parts, () => setup);
  const { start, stopAll } = procs;
  const pidOf = (d: DirectorName): number => parts.anchors.get(d)!.pid!;
  const ns = (d: DirectorName): string => p.directors[d].ns;
  const links = (d: DirectorName, state: 'up' | 'down'): void => void Object.keys(p.directors[d].links).forEach((dev) => sh(`ip -n ${ns(d)} link set ${dev} ${state}`));
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
    conf: procs.conf,
    async elect() {
      start('d1');
      await pair.waitForHolder('d1', 60_000);
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
      await stopAll('kill', d);
      return at;
    },
    restore(d) {
      links(d, 'up');
      for (const a of vrrpAddresses(p)) sh(`ip -n ${ns(d)} addr del ${a.addr}/${a.prefix} dev ${a.dev}`, { check: false });
      failed.delete(d);
      const at = SYSTEM_CLOCK.now();
      start(d);
      return at;
    },
    async restart(next) {
      await stopAll('stop');
      if (next.sync !== setup.sync) {
        for (const d of DIRECTORS) {
          checked(`ipvsadm director down in ${ns(d)}`, ipvsadmIn(ns(d), ['director', 'down']));
          prepareDirector(p, ns(d), next.sync, parts.rulesFile);
        }
      }
      setup = next;
      await pair.elect();
    },
    conns: (d) => readIpvsConn(pidOf(d)),
    ipvsadm: (d, args) => ipvsadmIn(ns(d), args),
    keepalivedLog: procs.log,
    async teardown() {
      await stopAll('kill');
      await parts.teardown();
    },
  };
  return pair;
}
