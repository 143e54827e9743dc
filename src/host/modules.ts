// Kernel modules: presence through /sys/module/<name> (injectable root; modules and built-ins
// with parameters appear there) and loading by spawning modprobe(8), which resolves
// dependencies and honours MODPROBE_OPTIONS (e.g. `-d DIR` for a user-mode kernel's modules).
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

/** Runs `modprobe -- NAME` (found on PATH plus /sbin and /usr/sbin). */
export function modprobeLoader(modprobe = 'modprobe', extraArgs: readonly string[] = []): (name: string) => Promise<void> {
  return (name) =>
    new Promise<void>((resolve, reject) => {
      if (!MODULE_NAME.test(name)) return reject(new ModuleLoadError(name, 'not a module name'));
      const path = `${process.env['PATH'] ?? ''}:/sbin:/usr/sbin`;
      const child = spawn(modprobe, [...extraArgs, '--', name], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: path } });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
      child.on('error', (e) => reject(new ModuleLoadError(name, `cannot run ${modprobe}: ${e.message}`)));
      child.on('close', (code, signal) => {
        if (code === 0) return resolve();
        const why = stderr.trim().split('\n').pop() || (signal ? `modprobe killed by ${signal}` : `modprobe exited with status ${code}`);
        reject(new ModuleLoadError(name, why));
      });
    });
}

export function systemModules(opts: { sysRoot?: string; modprobe?: string; modprobeArgs?: readonly string[] } = {}): ModuleOps {
  return { isLoaded: sysModulePresence(opts.sysRoot), load: modprobeLoader(opts.modprobe, opts.modprobeArgs) };
}
