// Boots Debian's user-mode Linux with GUEST_INIT_SCRIPT as PID 1, runs one bash command inside (as
// root, IPVS loaded, lo up) and returns its output and status. The one boot implementation: the
// kernel tests (test/kernel/uml.mjs, test/run-all.mjs) and `ipvsadm lab` use the built copy.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GUEST_INIT_SCRIPT } from './guest-init.js';
import { assertPrerequisites, KERNEL_TEST_NEEDS, parseMemory, pickMemoryDir, UML_BINARY, UML_MODULES, UmlError } from './uml-host.js';
import { buildXstateShim, xstateShimReason } from './uml-xstate.js';
import { onStopSignals } from '../core/signals.js';
import type { HostNeeds } from './uml-host.js';

export {
  assertPrerequisites,
  findMissingPrerequisites,
  INSTALL_HINT,
  KERNEL_TEST_NEEDS,
  parseMemory,
  pickMemoryDir,
  UML_BINARY,
  UML_MODULES,
  UmlError,
} from './uml-host.js';
export type { HostNeeds, UmlErrorReason } from './uml-host.js';

/** The package (or repository) root: the guest's default working directory. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
// Paths travel on the kernel command line, which splits on spaces and has no quoting we can rely on.
const CMDLINE_SAFE = /^[A-Za-z0-9._/+-]+$/;

/** Where the command's output is copied live. */
export interface OutputSink {
  write(chunk: Buffer): unknown;
}

export interface RunInGuestOptions {
  readonly timeoutMs?: number;
  /** guest RAM as UML's mem= takes it ('1G' default, '768M') */
  readonly memory?: string;
  /** extra variables exported in the guest */
  readonly env?: Readonly<Record<string, string>>;
  /** working directory of the command (default: PACKAGE_ROOT) */
  readonly cwd?: string;
  /** copy the command's output live (true = this process's stdout/stderr) */
  readonly stream?: boolean | { readonly stdout?: OutputSink; readonly stderr?: OutputSink };
  /** keep the run directory (also kept when IPVSADM_UML_KEEP=1) */
  readonly keepRunDir?: boolean;
  /** host tools to check for before booting (default: the kernel test suite's) */
  readonly needs?: HostNeeds;
}

export interface GuestResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly bootLog: string;
  readonly initLog: string;
  readonly warnings: string[];
  readonly runDir: string;
  readonly timings: { readonly totalMs: number; readonly guestBootS: number; readonly commandS: number };
}

/**
 * Boots the user-mode kernel, runs `shellCommand` with bash inside it (as root, IPVS modules
 * loaded, lo up, IPVSADM_TS_GUEST=1, cwd = options.cwd or the package root) and powers off.
 * Resolves with the command's exit status and output; rejects with UmlError when the guest cannot
 * start, times out, or powers off without reporting a status. Nothing is written on the host
 * outside a fresh run directory under os.tmpdir() (and UML's memory file, see pickMemoryDir).
 */
export async function runInGuest(shellCommand: string, options: RunInGuestOptions = {}): Promise<GuestResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const memory = String(options.memory ?? '1G');
  const memoryBytes = parseMemory(memory);
  const cwd = path.resolve(options.cwd ?? PACKAGE_ROOT);
  const keep = options.keepRunDir === true || process.env['IPVSADM_UML_KEEP'] === '1';
  assertPrerequisites(options.needs ?? KERNEL_TEST_NEEDS);

  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ipvsadm-uml-'));
  // Errors carry the logs; IPVSADM_UML_KEEP=1 keeps the directory for a closer look.
  const cleanup = (): void => {
    if (!keep) fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 2 });
  };
  try {
    if (!CMDLINE_SAFE.test(runDir)) {
      throw new UmlError(`run directory ${runDir} has characters the kernel command line cannot carry; set TMPDIR`, {
        reason: 'boot',
      });
    }
    const memoryDir = pickMemoryDir(memoryBytes, runDir);
    prepareRunDir(runDir, shellCommand, cwd, options.env ?? {});
    return await boot(runDir, { memory, memoryDir, timeoutMs, stream: options.stream, cleanup });
  } finally {
    cleanup();
  }
}

/** Writes the init script, the command, and env.sh (exports) into the run directory. */
function prepareRunDir(runDir: string, shellCommand: string, cwd: string, env: Readonly<Record<string, string>>): void {
  // A private, executable file: the kernel execs init directly.
  const init = path.join(runDir, 'init');
  fs.writeFileSync(init, GUEST_INIT_SCRIPT, { mode: 0o755 });
  fs.chmodSync(init, 0o755);
  fs.writeFileSync(path.join(runDir, 'command'), `${shellCommand}\n`);
  const vars: Record<string, string> = {
    IPVSADM_GUEST_CWD: cwd,
    IPVSADM_GUEST_NODE_DIR: path.dirname(process.execPath),
    IPVSADM_GUEST_RUN_DIR: runDir,
    ...env,
  };
  const lines = Object.entries(vars).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`invalid environment variable name: ${name}`);
    return `export ${name}=${shellQuote(String(value))}`;
  });
  fs.writeFileSync(path.join(runDir, 'env.sh'), `${lines.join('\n')}\n`);
}

interface BootOptions {
  readonly memory: string;
  readonly memoryDir: string;
  readonly timeoutMs: number;
  readonly stream: RunInGuestOptions['stream'];
  readonly cleanup: () => void;
}

type ChildExit = { error: Error } | { code: number | null; signal: NodeJS.Signals | null };

/** Starts linux.uml, follows the output files, enforces the timeout, and collects the results. */
async function boot(runDir: string, opts: BootOptions): Promise<GuestResult> {
  const args = [
    `mem=${opts.memory}`,
    'rootfstype=hostfs',
    'rootflags=/',
    'rw',
    `init=${path.join(runDir, 'init')}`,
    'con0=fd:0,fd:1',
    'con=null',
    'ssl=null',
    `uml_dir=${path.join(runDir, 'uml')}`,
    `umid=${path.basename(runDir)}`,
    'quiet',
    'panic=1',
    'noreboot',
    `IPVSADM_UML_RUN=${runDir}`,
    `IPVSADM_UML_MODULES=${UML_MODULES}`,
  ];
  // UML puts its "physical memory" file in $TMP, $TEMP or $TMPDIR (first set), else /dev/shm;
  // pickMemoryDir chose a place with room for all of it and exec permission.
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: opts.memoryDir };
  delete env['TMP'];
  delete env['TEMP'];
  const preload = xstatePreload();
  if (preload) env['LD_PRELOAD'] = env['LD_PRELOAD'] ? `${preload} ${env['LD_PRELOAD']}` : preload;

  const started = Date.now();
  const child = spawn(UML_BINARY, args, {
    cwd: runDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: UML forks a host process per guest address space
  });
  const bootChunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => bootChunks.push(c));
  child.stderr.on('data', (c: Buffer) => bootChunks.push(c));
  const exitPromise = new Promise<ChildExit>((resolve) => {
    child.on('error', (error) => resolve({ error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });

  const guard = guardProcessGroup(child.pid, exitPromise, opts.cleanup);
  const followers = followOutput(runDir, opts.stream);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void guard.stop();
  }, opts.timeoutMs);

  const exit = await exitPromise;
  guard.exited();
  clearTimeout(timer);
  followers.stop();
  return collect(runDir, exit, { timedOut, started, bootLog: Buffer.concat(bootChunks).toString('utf8'), timeoutMs: opts.timeoutMs });
}

/** The LD_PRELOAD library a host with a larger FPU state than linux.uml holds needs (uml-xstate.ts). */
function xstatePreload(): string | undefined {
  const reason = xstateShimReason();
  if (!reason) return undefined;
  try {
    return buildXstateShim();
  } catch (e) {
    throw new UmlError(
      `cannot boot the user-mode kernel: ${reason}, so linux.uml needs a small helper library to write its ` +
        `guests' FPU state, and ${(e as Error).message}`,
      { reason: 'prerequisites' },
    );
  }
}

/**
 * Kills the guest's process group when asked, on a timeout, when this process gets SIGINT/SIGTERM/
 * SIGHUP (then re-raises it) or exits. SIGTERM lets UML kill and reap its helpers itself; SIGKILL
 * on the whole group is the fallback (helpers then become orphans that the host's init reaps).
 */
function guardProcessGroup(pid: number | undefined, exitPromise: Promise<unknown>, cleanup: () => void) {
  let exited = false;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (pid) process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  };
  const stop = async (): Promise<void> => {
    if (!exited && pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await Promise.race([exitPromise, delay(3000)]);
    }
    signalGroup('SIGKILL');
  };
  const onExit = (): void => {
    if (!exited) signalGroup('SIGTERM');
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    void stop().finally(() => {
      cleanup();
      process.kill(process.pid, signal);
    });
  };
  const stopListening = onStopSignals(onSignal);
  const remove = (): void => {
    stopListening();
    process.off('exit', onExit);
  };
  process.on('exit', onExit);
  return {
    stop,
    exited(): void {
      exited = true;
      signalGroup('SIGKILL'); // helpers left behind by a crashed kernel, if any
      remove();
    },
  };
}

interface CollectInfo {
  readonly timedOut: boolean;
  readonly started: number;
  readonly bootLog: string;
  readonly timeoutMs: number;
}

/** Reads the files the guest left in the run directory; throws UmlError when it did not finish. */
function collect(runDir: string, exit: ChildExit, info: CollectInfo): GuestResult {
  const totalMs = Date.now() - info.started;
  const read = (name: string): string => readIfExists(path.join(runDir, name));
  const collected = { bootLog: info.bootLog, initLog: read('init.log'), stdout: read('stdout'), stderr: read('stderr'), runDir };
  if ('error' in exit) {
    throw new UmlError(`cannot start ${UML_BINARY}: ${exit.error.message}`, { reason: 'boot', ...collected });
  }
  if (info.timedOut) {
    throw new UmlError(
      `guest timed out after ${Math.round(info.timeoutMs / 1000)} s and was killed${describeTail(collected)}`,
      { reason: 'timeout', ...collected },
    );
  }
  const setupError = read('setup-error').trim();
  if (setupError) {
    throw new UmlError(`guest setup failed: ${setupError}${describeTail(collected)}`, { reason: 'setup', ...collected });
  }
  const status = read('status').trim();
  if (!/^\d+$/.test(status)) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.code}`;
    throw new UmlError(
      `guest did not report an exit status (linux.uml ${how} after ${(totalMs / 1000).toFixed(1)} s)` +
        (collected.bootLog.includes('ptrace set fp regs failed')
          ? `; the host kernel refused linux.uml's FPU state (its CPU keeps more than linux.uml 6.1 holds): ` +
            'try again with IPVSADM_UML_XSTATE_SHIM=1'
          : '') +
        describeTail(collected),
      { reason: 'no-status', ...collected },
    );
  }
  const start = Number.parseFloat(read('command-start'));
  const end = Number.parseFloat(read('command-end'));
  return {
    code: Number(status),
    ...collected,
    warnings: read('warnings').split('\n').filter(Boolean),
    timings: { totalMs, guestBootS: start, commandS: Math.round((end - start) * 100) / 100 },
  };
}

/** Copies what the guest appends to stdout/stderr in the run dir to the given streams, live. */
function followOutput(runDir: string, stream: RunInGuestOptions['stream']): { stop(): void } {
  if (!stream) return { stop() {} };
  const targets = stream === true ? { stdout: process.stdout, stderr: process.stderr } : stream;
  const files = (['stdout', 'stderr'] as const).flatMap((name) => {
    const out = targets[name];
    return out ? [{ file: path.join(runDir, name), out, offset: 0 }] : [];
  });
  const pump = (): void => {
    for (const f of files) {
      let fd: number;
      try {
        fd = fs.openSync(f.file, 'r');
      } catch {
        continue;
      }
      try {
        const buf = Buffer.alloc(64 * 1024);
        for (;;) {
          const n = fs.readSync(fd, buf, 0, buf.length, f.offset);
          if (n <= 0) break;
          f.out.write(Buffer.from(buf.subarray(0, n)));
          f.offset += n;
        }
      } finally {
        fs.closeSync(fd);
      }
    }
  };
  const interval = setInterval(pump, 200);
  return {
    stop() {
      clearInterval(interval);
      pump();
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function describeTail(collected: { initLog: string; bootLog: string; stderr: string }): string {
  const parts: string[] = [];
  const tail = (label: string, text: string): void => {
    const lines = text.trimEnd().split('\n').filter(Boolean).slice(-15);
    if (lines.length) parts.push(`--- ${label} (last lines) ---\n${lines.join('\n')}`);
  };
  tail('init.log', collected.initLog);
  tail('boot log', collected.bootLog);
  tail('stderr', collected.stderr);
  return parts.length ? `\n${parts.join('\n')}` : '';
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
