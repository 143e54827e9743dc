// Kernel modules, the one place modprobe(8) is run: presence through /sys/module/<name>
// (injectable root; modules and built-ins with parameters appear there); loading, which resolves
// dependencies and honours MODPROBE_OPTIONS (e.g. `-d DIR` for a user-mode kernel's modules);
// whether a missing module could be loaded (`modprobe -n`); and ip_vs when IPVS is not there (1.31's way, or quietly).
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ModuleOps {
  isLoaded(name: string): Promise<boolean>;
  /** Loads the module (and what it depends on); rejects with ModuleLoadError. */
  load(name: string): Promise<void>;
}

export class ModuleLoadError extends Error {
  override readonly name = 'ModuleLoadError';
  constructor(
    readonly module: string,
    /** modprobe's own words (stderr), or why it could not run */
    readonly detail: string,
  ) {
    super(`cannot load kernel module ${module}: ${detail}`);
  }
}

const MODULE_NAME = /^[A-Za-z0-9_-]+$/;

export function sysModulePresence(sysRoot = '/sys'): (name: string) => Promise<boolean> {
  return async (name) => {
    if (!MODULE_NAME.test(name)) return false;
    try {
      return (await stat(join(sysRoot, 'module', name.replace(/-/g, '_')))).isDirectory();
    } catch {
      return false;
    }
  };
}

/** How a modprobe run ended; `error` when it could not be started at all. */
interface ModprobeRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly error?: Error;
}

/**
 * Runs `program args...` (found on PATH plus /sbin and /usr/sbin). stderr is kept (`capture`),
 * dropped (`quiet`), or shared with ours (`inherit`, as ipvsadm 1.31 lets modprobe speak).
 */
function runModprobe(program: string, args: readonly string[], stderr: 'capture' | 'quiet' | 'inherit'): Promise<ModprobeRun> {
  return new Promise((resolve) => {
    const env = { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/sbin:/usr/sbin` };
    const errStream = stderr === 'capture' ? 'pipe' : stderr === 'quiet' ? 'ignore' : 'inherit';
    const outStream = stderr === 'inherit' ? 'inherit' : 'ignore';
    const child = spawn(program, [...args], { stdio: ['ignore', outStream, errStream], env });
    let text = '';
    child.stderr?.setEncoding('utf8').on('data', (t: string) => (text += t));
    child.on('error', (error) => resolve({ code: null, signal: null, stderr: text, error }));
    child.on('close', (code, signal) => resolve({ code, signal, stderr: text }));
  });
}

/** Runs `modprobe [extraArgs] -- NAME`; rejects with ModuleLoadError naming modprobe's last words. */
export function modprobeLoader(modprobe = 'modprobe', extraArgs: readonly string[] = []): (name: string) => Promise<void> {
  return async (name) => {
    if (!MODULE_NAME.test(name)) throw new ModuleLoadError(name, 'not a module name');
    const run = await runModprobe(modprobe, [...extraArgs, '--', name], 'capture');
    if (run.error) throw new ModuleLoadError(name, `cannot run ${modprobe}: ${run.error.message}`);
    if (run.code === 0) return;
    const why = run.stderr.trim().split('\n').pop() || (run.signal ? `modprobe killed by ${run.signal}` : `modprobe exited with status ${run.code}`);
    throw new ModuleLoadError(name, why);
  };
}

export function systemModules(opts: { sysRoot?: string; modprobe?: string; modprobeArgs?: readonly string[] } = {}): ModuleOps {
  return { isLoaded: sysModulePresence(opts.sysRoot), load: modprobeLoader(opts.modprobe, opts.modprobeArgs) };
}

export type ModuleState = 'loaded' | 'loadable' | 'missing';

/** Loaded (/sys/module), loadable (`modprobe -n` finds it) or missing from this kernel: for doctor and the explanations. */
export async function moduleState(name: string, opts: { sysRoot?: string; modprobe?: string } = {}): Promise<ModuleState> {
  if (!MODULE_NAME.test(name)) return 'missing';
  if (await sysModulePresence(opts.sysRoot)(name)) return 'loaded';
  const run = await runModprobe(opts.modprobe ?? 'modprobe', ['-n', '-q', '--', name], 'quiet');
  return run.code === 0 ? 'loadable' : 'missing';
}

/**
 * Loading ip_vs when IPVS is not there. `as131`, what ipvsadm 1.31 does: `/sbin/modprobe -- ip_vs`,
 * its output on ours, its outcome ignored (the caller simply tries IPVS once more). `quiet`, for
 * our own commands: modprobe's words kept and its reason given back (without modprobe's
 * `modprobe: FATAL: ` prefix), undefined when it loaded.
 */
export async function loadIpvs(how: 'as131' | 'quiet', modprobe = '/sbin/modprobe'): Promise<string | undefined> {
  if (how === 'as131') {
    await runModprobe(modprobe, ['--', 'ip_vs'], 'inherit');
    return undefined;
  }
  try {
    await modprobeLoader(modprobe)('ip_vs');
    return undefined;
  } catch (e) {
    if (!(e instanceof ModuleLoadError)) throw e;
    return e.detail.replace(/^modprobe: (FATAL|ERROR): /, '');
  }
}
