// One apply against the kernel, as `ipvsadm apply` and `ipvsadm boot` (the systemd unit's command)
// both run it: the file read and checked whole, the table's lock, the transaction (run.ts), the
// report on stdout and the one mapping of its outcomes to APPLY_EXIT.
import { readFileSync } from 'node:fs';
import { APPLY_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { openClient } from '../app/open-client.js';
import { progressFor } from '../app/progress.js';
import { kernelFailureOrThrow } from '../core/failure.js';
import { DesiredFileError, readDesired } from '../core/desired.js';
import type { Desired } from '../core/desired.js';
import { serviceId } from '../ipvs/vocabulary.js';
import { readSysctls } from '../host/sysctl.js';
import { LockBusyError, tableLock, takeLock } from '../host/lock.js';
import { applyJson, formatApply, rollbackComplete } from './format.js';
import type { Outcome } from './format.js';
import type { Plan } from './plan.js';
import { runApply } from './run.js';
import { inScope } from './scope.js';
import type { Scope } from './scope.js';

export interface SessionOptions {
  /** the command, at the head of each message and in the lock (`ipvsadm apply`) */
  readonly who: string;
  /** how the report names the file (`the input` for standard input) */
  readonly name: string;
  readonly dryRun: boolean;
  readonly prune: boolean;
  readonly scope?: Scope;
  readonly drainWaitMs?: number;
  readonly canonicalOrder: boolean;
  readonly json: boolean;
  readonly lockDir: string;
  /** only the sync daemons are managed (no rules file): the table's services are not listed as kept */
  readonly daemonsOnly?: boolean;
  /** a progress line on stderr when it is a terminal (default true; --no-progress) */
  readonly progress?: boolean;
  /** a failure's reason also goes to stderr (boot: a failed unit's reason, where systemctl status shows it) */
  readonly reasonToStderr?: boolean;
}

export const say = (io: Io, who: string, message: string): void => io.stderr(`${who}: ${message}\n`);

/** Plans, applies and reports `desired` under the table's lock; the exit status of ipvsadm-apply(8). */
export async function applySession(io: Io, desired: Desired, o: SessionOptions): Promise<number> {
  let client;
  try {
    client = await openClient(io, { dumpsTable: true });
  } catch (e) {
    say(io, o.who, `cannot talk to IPVS: ${kernelFailureOrThrow(e)}; nothing was changed`);
    return APPLY_EXIT.INVALID;
  }
  let lock;
  try {
    // no wait: a second apply exits 5 at once (ipvsadm-apply(8))
    lock = o.dryRun ? undefined : await takeLock(await tableLock(o.lockDir, o.who, 0));
  } catch (e) {
    client.close();
    if (!(e instanceof LockBusyError)) throw e;
    say(io, o.who, `${e.message}; nothing was changed`);
    return APPLY_EXIT.BUSY;
  }
  const progress = progressFor(io, o.progress ?? true);
  try {
    const { plan, outcome } = await runApply(client, desired, {
      progress,
      dryRun: o.dryRun,
      connect: () => openClient(io, { dumpsTable: true }),
      prune: o.prune,
      ...(o.scope ? { scope: o.scope } : {}),
      ...(o.drainWaitMs !== undefined ? { drainWaitMs: o.drainWaitMs } : {}),
      ...(o.canonicalOrder ? canonicalOptions() : {}),
    });
    progress.end();
    const shown: Plan = o.daemonsOnly ? { ...plan, unmanaged: plan.unmanaged.filter((u) => !u.startsWith('service ')) } : plan;
    io.stdout(o.json ? applyJson(shown, outcome) : formatApply(shown, outcome, o.name, io.color === true));
    if (o.reasonToStderr && outcome.kind === 'failed') {
      const back = rollbackComplete(outcome.rollback) ? 'rolled back, the table is as it was' : 'the rollback is incomplete (see the lines before)';
      say(io, o.who, `${outcome.step}: ${outcome.reason}; ${back}`);
    }
    return exitOf(outcome);
  } catch (e) {
    progress.end();
    say(io, o.who, `cannot read the table: ${kernelFailureOrThrow(e)}; nothing was changed`);
    return APPLY_EXIT.INVALID;
  } finally {
    progress.end();
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

/** The file read and checked, services outside `scope` included; a status when it cannot be used. */
export async function readDesiredFile(file: string, io: Io, who: string, scope: Scope | undefined): Promise<Desired | number> {
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
  } catch (e) {
    say(io, who, `${file}: ${e instanceof Error ? e.message : String(e)}`);
    return APPLY_EXIT.INVALID;
  }
  const name = file === '-' ? '<stdin>' : file;
  let desired: Desired;
  try {
    desired = await readDesired(text, io.names);
  } catch (e) {
    if (!(e instanceof DesiredFileError)) throw e;
    for (const p of e.problems) say(io, who, `${name}: ${p.at}: ${p.message}`);
    say(io, who, 'nothing was changed');
    return APPLY_EXIT.INVALID;
  }
  const outside = desired.services.filter((s) => !inScope(scope, s.service.key));
  if (scope && outside.length > 0) {
    for (const s of outside) say(io, who, `${name}: ${s.at}: service ${serviceId(s.service.key)} is outside --scope ${scope.text}`);
    say(io, who, 'nothing was changed');
    return APPLY_EXIT.INVALID;
  }
  return desired;
}
