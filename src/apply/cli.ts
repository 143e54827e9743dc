// `ipvsadm apply [--dry-run] [--prune] [--scope SPEC] [--drain-wait SECONDS] [--canonical-order] [--json] [--no-progress] FILE|-`:
// argv (commander) → session.ts: the file read and checked whole, the lock, run.ts, the report
// and its exit status (app/exit-status.ts APPLY_EXIT).
import { Option } from 'commander';
import type { Command } from 'commander';
import { APPLY_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { parseSeconds } from '../core/durations.js';
import { DEFAULT_LOCK_DIR } from '../host/lock.js';
import { parseScope, ScopeError } from './scope.js';
import type { Scope } from './scope.js';
import { applySession, readDesiredFile, say } from './session.js';

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
    .option('--no-progress', 'no progress line on standard error (there is one only when it is a terminal)')
    .addOption(new Option('--lock-dir <dir>', 'where the lock of a running apply lives').default(DEFAULT_LOCK_DIR).hideHelp());
}

const WHO = 'ipvsadm apply';

/** The options as commander gives them. */
interface ApplyOptions {
  readonly dryRun?: boolean;
  readonly prune?: boolean;
  readonly scope?: string[];
  readonly drainWait?: string;
  readonly canonicalOrder?: boolean;
  readonly json?: boolean;
  readonly progress: boolean;
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
    say(io, WHO, e.message);
    return APPLY_EXIT.INVALID;
  }
  if (o.drainWait !== undefined) {
    drainWaitMs = parseSeconds(o.drainWait, 0, 86_400_000);
    if (drainWaitMs === undefined) {
      say(io, WHO, `--drain-wait ${o.drainWait}: expected seconds from 0 to 86400`);
      return APPLY_EXIT.INVALID;
    }
  }
  const desired = await readDesiredFile(file, io, WHO, scope);
  if (typeof desired === 'number') return desired;

  return applySession(io, desired, {
    who: WHO,
    name: file === '-' ? 'the input' : file,
    dryRun: o.dryRun === true,
    prune: o.prune === true,
    ...(scope ? { scope } : {}),
    ...(drainWaitMs !== undefined ? { drainWaitMs } : {}),
    canonicalOrder: o.canonicalOrder === true,
    json: o.json === true,
    progress: o.progress,
    lockDir: o.lockDir,
  });
}
