// Whether a kernel module is loaded (/sys/module), can be loaded (`modprobe -n` finds it), or is
// missing from this kernel: for doctor's checks and the explanations of refused commands.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type ModuleState = 'loaded' | 'loadable' | 'missing';

export function moduleState(name: string): ModuleState {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) return 'missing';
  if (existsSync(`/sys/module/${name.replace(/-/g, '_')}`)) return 'loaded';
  const path = `${process.env['PATH'] ?? ''}:/sbin:/usr/sbin`;
  const r = spawnSync('modprobe', ['-n', '-q', '--', name], { stdio: 'ignore', env: { ...process.env, PATH: path } });
  return r.status === 0 ? 'loadable' : 'missing';
}
