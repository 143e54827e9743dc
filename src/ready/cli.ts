// `ipvsadm director ready [--rules FILE] [--ha pair|ecmp] [--sync ROLE] [--ignore-weights] [--json]
// [-q] [--watch S --on-ready CMD --on-unready CMD]`: the director's readiness gate for the routing
// layer (keepalived's vrrp_script, a BGP speaker); exit statuses of app/exit-status.ts READY_EXIT.
import type { Command } from 'commander';
import { READY_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { SYSTEM_CLOCK } from '../core/clock.js';
import { parseSeconds } from '../core/durations.js';
import { onStopSignals } from '../core/signals.js';
import { PrepUsageError } from '../prep/errors.js';
import { syncRolesWanted } from '../prep/ha.js';
import { formatVerdict, verdictJson } from './format.js';
import { shellHooks } from './hooks.js';
import { readFacts } from './observe.js';
import { judge } from './verdict.js';
import type { ReadyPolicy, Verdict } from './verdict.js';
import { watchReadiness } from './watch.js';

function program(io: Io): Command {
  return frontEnd('ipvsadm director ready', io)
    .description(
      'Say whether this director can take traffic: IPVS answers, there is a virtual service, every service has a real ' +
        'server of weight above 0, the table is the rules file\'s (--rules), and the sync daemons the mode needs run on ' +
        'an interface that is up. Exit 0 when ready, 1 when not: a health check for keepalived (vrrp_script) or, with ' +
        '--watch, for a BGP speaker (commands run when readiness changes).',
    )
    .option('--rules <file>', 'the table must be this file\'s (ipvsadm -S text or -S --json), as apply makes it')
    .option('--ignore-weights', 'compare with --rules without weights (a health checker sets them)')
    .option('--ha <preset>', 'pair: the master and backup sync daemons must run; ecmp: none')
    .option('--sync <role>', 'the sync daemons that must run: master, backup, both or none (instead of the preset\'s)')
    .option('--json', 'the verdict as one JSON document')
    .option('-q, --quiet', 'print nothing: the exit status says it')
    .option('--watch <seconds>', 'judge again every interval until SIGTERM/SIGINT, printing each change')
    .option('--on-ready <command>', 'with --watch: run this (sh -c) when the director becomes ready, and at the start if it is')
    .option('--on-unready <command>', 'with --watch: run this (sh -c) when it stops being ready, and at the start if it is not')
    .option('--hook-timeout <seconds>', 'with --watch: kill a command that runs longer', '10');
}

interface ReadyOptions {
  readonly rules?: string;
  readonly ignoreWeights?: boolean;
  readonly ha?: string;
  readonly sync?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly watch?: string;
  readonly onReady?: string;
  readonly onUnready?: string;
  readonly hookTimeout: string;
}

const say = (io: Io, message: string): void => io.stderr(`ipvsadm director ready: ${message}\n`);

export async function runReadyCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, READY_EXIT.USAGE);
  if (ended !== undefined) return ended;
  const o = cmd.opts<ReadyOptions>();
  const checked = checkOptions(o);
  if (typeof checked === 'string') {
    say(io, checked);
    return READY_EXIT.USAGE;
  }
  const judgeNow = async (): Promise<Verdict> => judge(await readFacts(io, o.rules, checked.policy.roles.length > 0), checked.policy);
  if (checked.watchMs !== undefined) return watch(io, judgeNow, o, checked.watchMs, checked.hookMs);
  const verdict = await judgeNow();
  if (!o.quiet) io.stdout(o.json ? verdictJson(verdict) : formatVerdict(verdict));
  return verdict.ready ? READY_EXIT.READY : READY_EXIT.NOT_READY;
}

/** The options checked: the policy and the intervals, or what is wrong. */
function checkOptions(o: ReadyOptions): { policy: ReadyPolicy; watchMs?: number; hookMs: number } | string {
  let roles;
  try {
    roles = syncRolesWanted(o.ha, o.sync);
  } catch (e) {
    if (e instanceof PrepUsageError) return e.message;
    throw e;
  }
  const watchMs = o.watch === undefined ? undefined : parseSeconds(o.watch, 100, 86_400_000);
  if (o.watch !== undefined && watchMs === undefined) return `--watch ${o.watch}: expected seconds from 0.1 to 86400`;
  const hookMs = parseSeconds(o.hookTimeout, 100, 86_400_000);
  if (hookMs === undefined) return `--hook-timeout ${o.hookTimeout}: expected seconds from 0.1 to 86400`;
  if (watchMs === undefined && (o.onReady !== undefined || o.onUnready !== undefined)) return '--on-ready and --on-unready need --watch';
  if (watchMs !== undefined && o.json) return '--json is for one verdict, not with --watch';
  return { policy: { roles, ignoreWeights: o.ignoreWeights === true }, ...(watchMs !== undefined ? { watchMs } : {}), hookMs };
}

async function watch(io: Io, judgeNow: () => Promise<Verdict>, o: ReadyOptions, intervalMs: number, hookMs: number): Promise<number> {
  let stopped = false;
  const stopListening = onStopSignals(() => void (stopped = true));
  try {
    await watchReadiness(judgeNow, {
      intervalMs,
      ...(o.onReady !== undefined ? { onReady: o.onReady } : {}),
      ...(o.onUnready !== undefined ? { onUnready: o.onUnready } : {}),
      clock: SYSTEM_CLOCK,
      runHook: shellHooks({ stdout: (t) => io.stdout(t), stderr: (t) => io.stderr(t) }, hookMs),
      print: (line) => void (o.quiet || io.stdout(`${line}\n`)),
      warn: (line) => say(io, line),
      stopped: () => stopped,
    });
  } finally {
    stopListening();
  }
  return READY_EXIT.READY;
}
