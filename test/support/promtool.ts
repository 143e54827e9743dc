// Runs Prometheus's promtool (Debian package prometheus; test/run-all.mjs installs it). A test
// that needs it fails with this advice when it is missing, never skips.
import { spawnSync } from 'node:child_process';

export interface PromtoolResult {
  readonly status: number | null;
  readonly output: string;
}

export function promtool(args: readonly string[], cwd?: string): PromtoolResult {
  const r = spawnSync('promtool', [...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('promtool not found: install Debian\'s prometheus package (apt-get install prometheus); `npm test` installs it when run as root');
  }
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
