// `ipvsadm apply [--dry-run] [--prune] [--scope SPEC] [--drain-wait SECONDS] [--canonical-order] [--json] FILE|-`:
// argv (commander) → the file read and checked whole → lock → run.ts → format.ts, and the one
// mapping of its outcomes to the exit statuses of app/exit-status.ts APPLY_EXIT.
import { readFileSync } from 'node:fs';
import { Option } from 'commander';
import type { Command } from 'commander';
import { APPLY_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { openClient } from '../app/open-client.js';
import { parseSeconds } from '../core/durations.js';
import { kernelFailureOrThrow } from '../core/failure.js';
import { serviceId } from '../ipvs/vocabulary.js';
import { DesiredFileError, readDesired } from '../core/desired.js';
import type { Desired } from '../core/desired.js';
import { applyJson, formatApply, rollbackComplete } from './format.js';
import type { Outcome } from './format.js';
import { readSysctls } from '../host/sysctl.js';
import { DEFAULT_LOCK_DIR, LockBusyError, tableLock, takeLock } from '../host/lock.js';
import { runApply } from './run.js';
import { inScope, parseScope, ScopeError } from './scope.js';
import type { Scope } from './scope.js';

function program(io: Io): Command {
  return frontEnd('ipvsadm apply', io)
    .description(
      'Make the IPVS table hold what FILE says (1.31 -S text or a JSON save; - for standard input), ' +
        'without a flush: adds first, then changes in place, then removals; the table is read back and ' +
        'compared with the file, and a failure undoes everything this run changed.',
    )
    .argument('<file>', 'the table wanted: ipvsadm -S text or ipvsadm -S --json output, or - for standard input')
    .option('--dry-run', 'print the plan and change nothing (exit 0: nothing to change, 2: changes pending)')
    .option('--prune', 'remove services (and sync daemons) that are not in the file; without it they are kept')
    .option('--scope <spec>', 'only see and touch these services: CIDRs of virtual addresses, fwmark:N[-M], tcp|udp|sctp; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--drain-wait <seconds>', 'set leaving real servers to weight 0 and wait up to this long for their active connections to end before removing them')
    .option('--canonical-order', 'put the real servers of each service in one kernel order (sorted by address and port), re-adding kept ones in one batch where no connection can be dropped: mh walks that order, so directors with other histories then build the same table')
    .option('--json', 'the plan and the outcome as one JSON document')
    .addOption(new Option('--lock-dir <dir>', 'where the lock of a running apply lives').default(DEFAULT_LOCK_DIR).hideHelp());
}

const say = (io: Io, message: string): void => io.stderr(`ipvsadm apply: ${message}\n`);

/** The options as commander gives them. */
interface ApplyOptions {
  readonly dryRun?: boolean;
  readonly prune?: boolean;
  readonly scope?: string[];
  readonly drainWait?: string;
  readonly canonicalOrder?: boolean;
  readonly json?: boolean;
  readonly lockDir: string;
}

export async function runApplyCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, APPLY_EXIT.INVALID);
  if (ended !== undefined) return ended;
  const o = cmd.opts<ApplyOptions>();
  const file = cmd.args[0]!;
  let scope: Scope | undefined;
  let drainWaitMs: number | undefined;
  try {
    scope = o.scope ? parseScope(o.scope) : undefined;
  } catch (e) {
    if (!(e instanceof ScopeError)) throw e;
    say(io, e.message);
    return APPLY_EXIT.INVALID;
  }
  if (o.drainWait !== undefined) {
    drainWaitMs = parseSeconds(o.drainWait, 0, 86_400_000);
    if (drainWaitMs === undefined) {
      say(io, `--drain-wait ${o.drainWait}: expected seconds from 0 to 86400`);
      return APPLY_EXIT.INVALID;
    }
  }
  const desired = await readFile(file, io, scope);
  if (typeof desired === 'number') return desired;

  let client;
  try {
    client = await openClient(io, { dumpsTable: true });
  } catch (e) {
    say(io, `cannot talk to IPVS: ${kernelFailureOrThrow(e)}; nothing was changed`);
    return APPLY_EXIT.INVALID;
  }
  let lock;
  try {
    // no wait: a second apply exits 5 at once (ipvsadm-apply(8))
    lock = o.dryRun ? undefined : await takeLock(await tableLock(o.lockDir, 'ipvsadm apply', 0));
  } catch (e) {
    client.close();
    if (!(e instanceof LockBusyError)) throw e;
    say(io, `${e.message}; nothing was changed`);
    return APPLY_EXIT.BUSY;
  }
  try {
    const { plan, outcome } = await runApply(client, desired, {
      dryRun: o.dryRun === true,
      connect: () => openClient(io, { dumpsTable: true }),
      prune: o.prune === true,
      ...(scope ? { scope } : {}),
      ...(drainWaitMs !== undefined ? { drainWaitMs } : {}),
      ...(o.canonicalOrder ? canonicalOptions() : {}),
    });
    const name = file === '-' ? 'the input' : file;
    io.stdout(o.json ? applyJson(plan, outcome) : formatApply(plan, outcome, name, io.color === true));
    return exitOf(outcome);
  } catch (e) {
    say(io, `cannot read the table: ${kernelFailureOrThrow(e)}; nothing was changed`);
    return APPLY_EXIT.INVALID;
  } finally {
    lock?.release();
    client.close();
  }
}

const EXPIRE_NODEST_CONN = 'net.ipv4.vs.expire_nodest_conn';

/** --canonical-order, with the sysctl that decides whether a real server with connections may move. */
function canonicalOptions(): { canonicalOrder: true; expireNodestConn?: number } {
  const expire = readSysctls([EXPIRE_NODEST_CONN])[EXPIRE_NODEST_CONN];
  return { canonicalOrder: true, ...(expire !== undefined ? { expireNodestConn: expire } : {}) };
}

function exitOf(outcome: Outcome): number {
  switch (outcome.kind) {
    case 'unchanged':
    case 'applied':
      return APPLY_EXIT.OK;
    case 'pending':
      return APPLY_EXIT.PENDING;
    case 'failed':
      return rollbackComplete(outcome.rollback) ? APPLY_EXIT.ROLLED_BACK : APPLY_EXIT.ROLLBACK_INCOMPLETE;
  }
}

/** The file read and checked, services outside --scope included; a status when it cannot be used. */
async function readFile(file: string, io: Io, scope: Scope | undefined): Promise<Desired | number> {
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
  } catch (e) {
    say(io, `${file}: ${e instanceof Error ? e.message : String(e)}`);
    return APPLY_EXIT.INVALID;
  }
  const name = file === '-' ? '<stdin>' : file;
  let desired: Desired;
  try {
    desired = await readDesired(text, io.names);
  } catch (e) {
    if (!(e instanceof DesiredFileError)) throw e;
    for (const p of e.problems) say(io, `${name}: ${p.at}: ${p.message}`);
    say(io, 'nothing was changed');
    return APPLY_EXIT.INVALID;
  }
  const outside = desired.services.filter((s) => !inScope(scope, s.service.key));
  if (scope && outside.length > 0) {
    for (const s of outside) say(io, `${name}: ${s.at}: service ${serviceId(s.service.key)} is outside --scope ${scope.text}`);
    say(io, 'nothing was changed');
    return APPLY_EXIT.INVALID;
  }
  return desired;
}
