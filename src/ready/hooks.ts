// The commands `director ready --watch` runs when readiness changes (`--on-ready`, `--on-unready`):
// `sh -c CMD` with the verdict in its environment, bounded by a timeout, its output passed on.
import { spawn } from 'node:child_process';
import type { Verdict } from './verdict.js';

/** What a hook's run came to: ok, or why not (its status, its signal, or that it could not start). */
export type HookResult = { readonly ok: true } | { readonly ok: false; readonly why: string };

/** Runs a hook for a verdict; tests pass their own. */
export type HookRunner = (command: string, verdict: Verdict) => Promise<HookResult>;

export interface HookSinks {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The shell's runner: IPVSADM_READY=ready|unready and IPVSADM_READY_REASONS (one per line) in the environment. */
export function shellHooks(sinks: HookSinks, timeoutMs: number): HookRunner {
  return (command, verdict) =>
    new Promise((resolve) => {
      const env = { ...process.env, IPVSADM_READY: verdict.ready ? 'ready' : 'unready', IPVSADM_READY_REASONS: verdict.reasons.join('\n') };
      // its own process group, so that a timeout kills what the shell started too (their output pipes with it)
      const child = spawn('sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.stdout.on('data', (d: Buffer) => sinks.stdout(d.toString()));
      child.stderr.on('data', (d: Buffer) => sinks.stderr(d.toString()));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, timeoutMs);
      child.once('error', (e) => {
        clearTimeout(timer);
        resolve({ ok: false, why: `could not start sh: ${e.message}` });
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve({ ok: true });
        else if (timedOut) resolve({ ok: false, why: `killed after ${timeoutMs / 1000} s (--hook-timeout)` });
        else resolve({ ok: false, why: signal ? `ended by ${signal}` : `exit status ${code}` });
      });
    });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}
