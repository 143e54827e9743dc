// Helpers for kernel tests, which run only inside the user-mode kernel booted by test/kernel/uml.mjs:
// the in-guest guard, the real C ipvsadm, shell commands, IPVS reset, and network namespaces.
import { spawnSync } from 'node:child_process';

/** The reference implementation, installed by Debian's ipvsadm package. */
export const C_IPVSADM = '/usr/sbin/ipvsadm';
/** Default per-process limit: a hung helper must fail its test, not stall the whole guest. */
const SPAWN_TIMEOUT_MS = 60_000;
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit status of the process. */
  code: number;
}

export interface RunOptions {
  /** Text written to the process's stdin (otherwise stdin is empty). */
  stdin?: string;
  /** Run inside this network namespace (created with createNetns or `ip netns add`). */
  netns?: string;
}

/** Raised by sh() when a command exits non-zero; carries the full result. */
export class CommandError extends Error {
  readonly result: RunResult;
  constructor(command: string, result: RunResult) {
    super(
      `command failed with exit status ${result.code}: ${command}\n` +
        `--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}`,
    );
    this.name = 'CommandError';
    this.result = result;
  }
}

/**
 * Throws unless this process runs inside the test guest (IPVSADM_TS_GUEST=1, set by guest-init.sh).
 * Kernel tests call it at module level so that, run anywhere else, they fail instead of skipping.
 */
export function assertInGuest(): void {
  if (process.env['IPVSADM_TS_GUEST'] !== '1') {
    throw new Error(
      'KERNEL TEST RUN OUTSIDE THE TEST GUEST: test/kernel/** needs real IPVS and must run inside the ' +
        'user-mode kernel. Use `npm test` (or `npm test -- --kernel-only`), which boots it via ' +
        'test/kernel/uml.mjs; it never runs on the host.',
    );
  }
}

/**
 * Runs the real C ipvsadm with argv[0] = "ipvsadm" (its messages quote argv[0]) and returns its
 * output and exit status; a non-zero status is a result, not an error.
 */
export function runC(args: readonly string[], opts: RunOptions = {}): RunResult {
  if (opts.netns === undefined) {
    return spawnChecked(C_IPVSADM, args, { argv0: 'ipvsadm', stdin: opts.stdin });
  }
  // `ip netns exec` execs its program through PATH with the name given, so name it "ipvsadm"
  // and make sure PATH finds the C binary's directory first.
  return spawnChecked('ip', ['netns', 'exec', opts.netns, 'ipvsadm', ...args], {
    stdin: opts.stdin,
    env: { ...process.env, PATH: `/usr/sbin:${SYSTEM_PATH}` },
  });
}

/**
 * Runs `cmd` with bash (optionally in a network namespace). Throws CommandError on a non-zero
 * exit status unless `check: false`.
 */
export function sh(cmd: string, opts: RunOptions & { check?: boolean } = {}): RunResult {
  const result =
    opts.netns === undefined
      ? spawnChecked('bash', ['-c', cmd], { stdin: opts.stdin })
      : spawnChecked('ip', ['netns', 'exec', opts.netns, 'bash', '-c', cmd], { stdin: opts.stdin });
  if (opts.check !== false && result.code !== 0) throw new CommandError(cmd, result);
  return result;
}

/**
 * Returns IPVS (of the current or given namespace) to a known state: no services, no sync
 * daemons, timeouts 900 120 300. Verifies the result with the C ipvsadm and throws otherwise.
 */
export function resetIpvs(netns?: string): void {
  const c = (args: string[]): RunResult => runC(args, netns === undefined ? {} : { netns });
  const must = (args: string[]): void => {
    const r = c(args);
    if (r.code !== 0) throw new CommandError(`ipvsadm ${args.join(' ')}`, r);
  };
  must(['-C']);
  // Stopping a daemon that is not running fails; only the final state matters.
  c(['--stop-daemon', 'master']);
  c(['--stop-daemon', 'backup']);
  must(['--set', '900', '120', '300']);

  const list = c(['-Ln']);
  const daemons = c(['-L', '--daemon']);
  const timeouts = c(['-L', '--timeout']);
  const problems: string[] = [];
  if (list.code !== 0 || list.stdout.trimEnd().split('\n').length !== 3) problems.push(`table not empty:\n${list.stdout}`);
  if (daemons.stdout.trim() !== '') problems.push(`sync daemons still running:\n${daemons.stdout}`);
  if (timeouts.stdout.trim() !== 'Timeout (tcp tcpfin udp): 900 120 300') {
    problems.push(`timeouts not reset: ${timeouts.stdout}${timeouts.stderr}`);
  }
  if (problems.length > 0) throw new Error(`resetIpvs${netns ? ` (netns ${netns})` : ''}: ${problems.join('\n')}`);
}

let netnsCounter = 0;

/** Creates a fresh network namespace with lo up and returns its name (unique within the guest). */
export function createNetns(prefix = 'kt'): string {
  netnsCounter += 1;
  const name = `${prefix}-${process.pid}-${netnsCounter}`;
  sh(`ip netns add ${name} && ip -n ${name} link set lo up`);
  return name;
}

/** Deletes a namespace made by createNetns (its IPVS table and interfaces go with it). */
export function deleteNetns(name: string): void {
  sh(`ip netns del ${name}`);
}

/** Runs `fn` with a fresh namespace and deletes the namespace afterwards, whatever happens. */
export async function withNetns<T>(fn: (netns: string) => T | Promise<T>, prefix = 'kt'): Promise<T> {
  const name = createNetns(prefix);
  try {
    return await fn(name);
  } finally {
    deleteNetns(name);
  }
}

/** Runs a shell command inside a namespace; same contract as sh(). */
export function inNetns(netns: string, cmd: string, opts: { stdin?: string; check?: boolean } = {}): RunResult {
  return sh(cmd, { ...opts, netns });
}

interface SpawnOptions {
  argv0?: string;
  stdin?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

function spawnChecked(file: string, args: readonly string[], opts: SpawnOptions): RunResult {
  const r = spawnSync(file, args, {
    input: opts.stdin ?? '',
    encoding: 'utf8',
    timeout: SPAWN_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    ...(opts.argv0 === undefined ? {} : { argv0: opts.argv0 }),
    ...(opts.env === undefined ? {} : { env: opts.env }),
  });
  const shown = [file, ...args].join(' ');
  if (r.error) throw new Error(`cannot run ${shown}: ${r.error.message}`, { cause: r.error });
  if (r.status === null) {
    throw new Error(`${shown} was killed by ${r.signal ?? 'a signal'}\n--- stderr ---\n${r.stderr}`);
  }
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}
