// `ipvsadm boot start|reload|stop [FILE]`: the command of the systemd unit ipvsadm.service
// (src/systemd/). start and reload apply FILE as `ipvsadm apply` does, with the sync daemons that
// Debian's /etc/default/ipvsadm names (AUTO, DAEMON, IFACE, SYNCID, given as environment); stop
// stops those daemons and leaves the table. Every setting is checked before anything changes.
import { Option } from 'commander';
import type { Command } from 'commander';
import { APPLY_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { openClient } from '../app/open-client.js';
import { kernelFailureOrThrow } from '../core/failure.js';
import type { Desired } from '../core/desired.js';
import type { DaemonConfig, DaemonRole } from '../ipvs/model.js';
import { DEFAULT_LOCK_DIR } from '../host/lock.js';
import { parseScope } from './scope.js';
import type { Scope } from './scope.js';
import { applySession, readDesiredFile, say } from './session.js';

const WHO = 'ipvsadm boot';
/** Debian's rules file (its init script loads it when AUTO=true) */
export const DEFAULT_RULES = '/etc/ipvsadm.rules';

function program(io: Io): Command {
  return frontEnd(WHO, io)
    .description(
      'What ipvsadm.service runs. start, reload: apply FILE (default /etc/ipvsadm.rules; 1.31 -S text or a JSON save) as `ipvsadm apply` does, ' +
        'and start the sync daemons of DAEMON, IFACE and SYNCID (Debian\'s /etc/default/ipvsadm, as environment); AUTO=false skips the file. ' +
        'stop: stop those daemons; the table is left as it is.',
    )
    .argument('<action>', 'start, reload or stop')
    .argument('[file]', 'the rules file', DEFAULT_RULES)
    .option('--prune', 'remove services (and sync daemons) that are not in the file, as apply --prune')
    .option('--scope <spec>', 'only see and touch these services, as apply --scope; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--dry-run', 'print the plan and change nothing (exit 0: nothing to change, 2: changes pending)')
    .addOption(new Option('--lock-dir <dir>', 'where the lock of a running apply lives').default(DEFAULT_LOCK_DIR).hideHelp());
}

interface BootOptions {
  readonly prune?: boolean;
  readonly scope?: string[];
  readonly dryRun?: boolean;
  readonly lockDir: string;
}

/** What /etc/default/ipvsadm says, checked. */
export interface DebianDefaults {
  /** apply the rules file (AUTO unset or true) */
  readonly auto: boolean;
  /** the sync daemons to run (DAEMON master, backup, both; none: []) */
  readonly daemons: readonly DaemonConfig[];
}

type Environment = Readonly<Record<string, string | undefined>>;

const ROLES: Readonly<Record<string, readonly DaemonRole[]>> = { none: [], master: ['master'], backup: ['backup'], both: ['master', 'backup'] };

/**
 * AUTO, DAEMON, IFACE and SYNCID as Debian's init script reads them (its defaults: DAEMON none,
 * IFACE eth0, SYNCID 0), except that AUTO unset means true: enabling the unit asks for the rules.
 * Throws an Error naming each value that is wrong.
 */
export function debianDefaults(env: Environment): DebianDefaults {
  const value = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const problems: string[] = [];
  const auto = value('AUTO') ?? 'true';
  if (auto !== 'true' && auto !== 'false') problems.push(`AUTO=${auto}: expected true or false`);
  const daemon = value('DAEMON') ?? 'none';
  const roles = Object.hasOwn(ROLES, daemon) ? ROLES[daemon]! : (problems.push(`DAEMON=${daemon}: expected none, master, backup or both`), []);
  const iface = value('IFACE') ?? 'eth0';
  if (roles.length > 0 && !/^[^\s/:]{1,15}$/.test(iface)) problems.push(`IFACE=${iface}: expected an interface name (1 to 15 characters, no white space, / or :)`);
  const syncText = value('SYNCID') ?? '0';
  const syncId = /^\d{1,3}$/.test(syncText) ? Number(syncText) : NaN;
  if (!(syncId <= 255)) problems.push(`SYNCID=${syncText}: expected an integer from 0 to 255`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return { auto: auto === 'true', daemons: roles.map((state) => ({ state, mcastIfn: iface, syncId })) };
}

export async function runBootCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, APPLY_EXIT.INVALID);
  if (ended !== undefined) return ended;
  const [action, file] = cmd.processedArgs as [string, string];
  const o = cmd.opts<BootOptions>();
  if (action !== 'start' && action !== 'reload' && action !== 'stop') {
    say(io, WHO, `${action}: expected start, reload or stop`);
    return APPLY_EXIT.INVALID;
  }
  let defaults: DebianDefaults;
  let scope: Scope | undefined;
  try {
    defaults = debianDefaults(io.environment ?? {});
    scope = o.scope ? parseScope(o.scope) : undefined;
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    for (const line of e.message.split('\n')) say(io, WHO, line);
    say(io, WHO, 'nothing was changed');
    return APPLY_EXIT.INVALID;
  }
  if (action === 'stop') return stopDaemons(io, defaults.daemons, o.dryRun === true);
  return start(io, file, defaults, o, scope);
}

/** start and reload: the file (unless AUTO=false) with the daemons of DAEMON, as one apply. */
async function start(io: Io, file: string, defaults: DebianDefaults, o: BootOptions, scope: Scope | undefined): Promise<number> {
  if (scope && defaults.daemons.length > 0) {
    say(io, WHO, `DAEMON=${defaults.daemons.length === 2 ? 'both' : defaults.daemons[0]!.state} with --scope: a scoped apply leaves the sync daemons alone; nothing was changed`);
    return APPLY_EXIT.INVALID;
  }
  if (!defaults.auto) {
    io.stdout(`${WHO}: AUTO=false: ${file} is not applied\n`);
    if (defaults.daemons.length === 0) {
      io.stdout(`${WHO}: DAEMON=none: nothing to do\n`);
      return APPLY_EXIT.OK;
    }
  }
  const read = defaults.auto ? await readDesiredFile(file, io, WHO, scope) : ({ format: 'text', services: [] } satisfies Desired);
  if (typeof read === 'number') return read;
  const desired = withDaemons(read, defaults.daemons);
  if (typeof desired === 'string') {
    say(io, WHO, desired);
    say(io, WHO, 'nothing was changed');
    return APPLY_EXIT.INVALID;
  }
  return applySession(io, desired, {
    who: WHO,
    name: defaults.auto ? file : '/etc/default/ipvsadm',
    dryRun: o.dryRun === true,
    prune: o.prune === true && defaults.auto,
    ...(scope ? { scope } : {}),
    canonicalOrder: false,
    json: false,
    lockDir: o.lockDir,
    ...(defaults.auto ? {} : { daemonsOnly: true }),
    reasonToStderr: true,
  });
}

const daemonText = (d: DaemonConfig): string => `${d.state} on ${d.mcastIfn}, sync id ${d.syncId}`;

/** The file's table with DAEMON's daemons added; a message when the file runs one differently. */
export function withDaemons(desired: Desired, daemons: readonly DaemonConfig[]): Desired | string {
  if (daemons.length === 0) return desired;
  const own = desired.daemons ?? [];
  for (const d of daemons) {
    const theirs = own.find((x) => x.state === d.state);
    if (theirs && (theirs.mcastIfn !== d.mcastIfn || theirs.syncId !== d.syncId)) {
      return `the rules file starts a ${daemonText(theirs)}, DAEMON/IFACE/SYNCID a ${daemonText(d)}: name it in one place`;
    }
  }
  const added = daemons.filter((d) => !own.some((x) => x.state === d.state));
  return { ...desired, daemons: [...own, ...added] };
}

/** stop: the daemons of DAEMON that run are stopped, as Debian's init script does; the table stays. */
async function stopDaemons(io: Io, daemons: readonly DaemonConfig[], dryRun: boolean): Promise<number> {
  if (daemons.length === 0) {
    io.stdout(`${WHO}: DAEMON=none: no sync daemon to stop; the table is left as it is\n`);
    return APPLY_EXIT.OK;
  }
  let client;
  try {
    client = await openClient(io, {});
  } catch (e) {
    say(io, WHO, `cannot talk to IPVS: ${kernelFailureOrThrow(e)}; nothing was changed`);
    return APPLY_EXIT.INVALID;
  }
  try {
    const running = await client.daemons();
    for (const d of daemons) {
      const now = running.find((r) => r.state === d.state);
      if (!now) {
        io.stdout(`= ${d.state} daemon: not running\n`);
        continue;
      }
      if (!dryRun) await client.apply({ op: 'stop-daemon', state: d.state, syncId: now.syncId });
      io.stdout(`- ${d.state} daemon: on ${now.mcastIfn}, sync id ${now.syncId}${dryRun ? ' (dry run: not stopped)' : ': stopped'}\n`);
    }
    io.stdout(`${WHO}: the table is left as it is\n`);
    return APPLY_EXIT.OK;
  } catch (e) {
    say(io, WHO, `cannot stop the sync daemon: ${kernelFailureOrThrow(e)}`);
    return APPLY_EXIT.INVALID;
  } finally {
    client.close();
  }
}
