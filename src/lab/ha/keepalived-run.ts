// keepalived as a process of the lab: started in a director's namespace in the foreground with its
// own pid files and a log file, stopped cleanly (SIGTERM) or killed as in a crash (SIGKILL, its VRRP
// child first, so it neither hands over nor is respawned).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_CLOCK } from '../../core/clock.js';
import { keepalivedArgs } from './keepalived.js';

export interface Keepalived {
  /** what it logged so far (all its runs in this directory) */
  log(): string;
  /** SIGTERM: it gives the addresses up and tells the other node (priority 0) */
  stop(): Promise<void>;
  /** SIGKILL of the VRRP process and its parent: a crash */
  kill(): Promise<void>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `conf` to `dir/<name>.conf` and runs keepalived with it in namespace `ns`. */
export function startKeepalived(ns: string, name: string, conf: string, dir: string): Keepalived {
  const files = { conf: join(dir, `${name}.conf`), pid: join(dir, `${name}.pid`), vrrpPid: join(dir, `${name}-vrrp.pid`) };
  const logFile = join(dir, `${name}.log`);
  writeFileSync(files.conf, conf);
  const fd = openSync(logFile, 'a');
  const child = spawn('keepalived', keepalivedArgs(ns, files), { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const waitExit = async (ms: number): Promise<boolean> => {
    const deadline = SYSTEM_CLOCK.now() + ms;
    while (running() && SYSTEM_CLOCK.now() < deadline) await SYSTEM_CLOCK.sleep(50);
    return !running();
  };
  return {
    log: () => readFileSync(logFile, 'utf8'),
    async stop() {
      if (running()) child.kill('SIGTERM');
      if (!(await waitExit(10_000))) child.kill('SIGKILL');
      await exited;
    },
    async kill() {
      const vrrp = readPid(files.vrrpPid);
      if (vrrp !== undefined && alive(vrrp)) process.kill(vrrp, 'SIGKILL');
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}
