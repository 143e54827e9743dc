// `ipvsadm drain -t|-u|--sctp-service|-f SERVICE [-6] -r SERVER [--wait] [--timeout SECONDS]
// [--until active|all] [--delete] [--json]`: argv (commander; the service and server read by
// core/reference.ts, with 1.31's messages) → run.ts → progress lines (a live line on a terminal, JSON
// lines with --json), and the exit statuses of app/exit-status.ts DRAIN_EXIT. Holds the lock of the
// namespace's table (host/lock.ts) from its change to its end, as apply does for its run.
import { Option } from 'commander';
import type { Command } from 'commander';
import { DRAIN_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { openClient } from '../app/open-client.js';
import { DEFAULT_LOCK_DIR, LockBusyError, tableLock, takeLock } from '../host/lock.js';
import { readSysctls } from '../host/sysctl.js';
import { SYSTEM_CLOCK } from '../core/clock.js';
import { parseSeconds, parseWhole } from '../core/durations.js';
import { UsageError, usageLine } from '../core/errors.js';
import { kernelFailureOrThrow } from '../core/failure.js';
import { addServiceOptions, parseServerReference, parseServiceReference, serviceReferences } from '../core/reference.js';
import type { ServerAddress, ServiceOptions } from '../core/reference.js';
import { IpvsOperationError } from '../ipvs/errors.js';
import type { ServiceKey } from '../ipvs/model.js';
import { DrainTargetError, runDrain } from './run.js';
import type { Counts, DrainEvent, DrainSysctls, Until } from './run.js';

interface DrainOptions extends ServiceOptions {
  readonly realServer?: string;
  readonly wait?: boolean;
  readonly timeout: string;
  readonly until: string;
  readonly delete?: boolean;
  readonly json?: boolean;
  readonly poll: string;
  readonly lockDir: string;
}

/** How long drain waits for an apply (or another drain) changing the same table. */
const LOCK_WAIT_MS = 30_000;

function program(io: Io): Command {
  const described = frontEnd('ipvsadm drain', io)
    .description(
      'Take a real server out gracefully: set its weight to 0 so it gets no new connections; with --wait, ' +
        'watch its connections until it is drained (no active connection, no persistence template) or --timeout; ' +
        'with --delete, remove it once drained.',
    );
  return addServiceOptions(described, 'the')
    .option('-r, --real-server <addr[:port]>', 'the real server (its port defaults to the service port)')
    .option('--wait', 'wait until the real server is drained')
    .option('--timeout <seconds>', 'with --wait: give up after this long (exit 1)', '300')
    .addOption(new Option('--until <what>', 'with --wait: drained means no active connection (active), or no connection at all, inactive ones included (all)').choices(['active', 'all']).default('active'))
    .option('--delete', 'remove the real server once drained (without --wait: at once)')
    .option('--json', 'one JSON object per line for each event')
    .addOption(new Option('--poll <ms>', 'how often --wait reads the counts').default('1000').hideHelp())
    .addOption(new Option('--lock-dir <dir>', 'where the lock of the table lives').default(DEFAULT_LOCK_DIR).hideHelp());
}

const say = (io: Io, text: string): void => io.stderr(`ipvsadm drain: ${text}\n`);

/** What is missing to name one real server of one service, or undefined. */
function missingTarget(o: DrainOptions): string | undefined {
  if (serviceReferences(o).length !== 1) return 'name exactly one service: -t, -u, --sctp-service or -f';
  if (o.realServer === undefined) return 'name the real server: -r ADDR[:PORT]';
  return undefined;
}

/** The service and the real server the options name (as 1.31 reads them), or the usage problem to print. */
async function targetOf(o: DrainOptions, server: string, io: Io): Promise<{ key: ServiceKey; server: ServerAddress } | string> {
  try {
    const key = await parseServiceReference(serviceReferences(o)[0]!, io.names);
    return { key, server: await parseServerReference(server, key, io.names) };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return usageLine(e);
  }
}

/** The sysctls drainWarnings looks at, from /proc/sys. */
function drainSysctls(): DrainSysctls {
  const vs = (name: string): string => `net.ipv4.vs.${name}`;
  const v = readSysctls([vs('expire_quiescent_template'), vs('conn_reuse_mode'), vs('expire_nodest_conn')]);
  const q = v[vs('expire_quiescent_template')];
  const r = v[vs('conn_reuse_mode')];
  const n = v[vs('expire_nodest_conn')];
  return { ...(q !== undefined ? { expireQuiescentTemplate: q } : {}), ...(r !== undefined ? { connReuseMode: r } : {}), ...(n !== undefined ? { expireNodestConn: n } : {}) };
}

export async function runDrainCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, DRAIN_EXIT.USAGE);
  if (ended !== undefined) return ended;
  const o = cmd.opts<DrainOptions>();
  const missing = missingTarget(o);
  if (missing !== undefined) {
    say(io, missing);
    return DRAIN_EXIT.USAGE;
  }
  const timeoutMs = parseSeconds(o.timeout);
  if (timeoutMs === undefined) say(io, `--timeout ${o.timeout}: expected a number of seconds`);
  const pollMs = parseWhole(o.poll, 1, 999_999);
  if (timeoutMs === undefined || pollMs === undefined) return DRAIN_EXIT.USAGE;
  const target = await targetOf(o, o.realServer!, io);
  if (typeof target === 'string') {
    say(io, target);
    return DRAIN_EXIT.USAGE;
  }
  let client;
  try {
    client = await openClient(io, {});
  } catch (e) {
    say(io, `cannot talk to IPVS: ${kernelFailureOrThrow(e)}`);
    return DRAIN_EXIT.FAILED;
  }
  let lock;
  try {
    lock = await takeLock(await tableLock(o.lockDir, 'ipvsadm drain', LOCK_WAIT_MS));
  } catch (e) {
    client.close();
    if (!(e instanceof LockBusyError)) throw e;
    say(io, `${e.message}; nothing was changed`);
    return DRAIN_EXIT.FAILED;
  }
  const show = printer(io, o.json === true);
  try {
    const outcome = await runDrain(
      { key: target.key, server: target.server, wait: o.wait === true, timeoutMs, until: o.until as Until, remove: o.delete === true, pollMs },
      { client, sysctls: drainSysctls, now: SYSTEM_CLOCK.now, sleep: SYSTEM_CLOCK.sleep, emit: show },
    );
    return outcome === 'timed-out' ? DRAIN_EXIT.TIMED_OUT : DRAIN_EXIT.OK;
  } catch (e) {
    show.end();
    if (e instanceof DrainTargetError) {
      say(io, `${e.message}; nothing was changed`);
      return DRAIN_EXIT.USAGE;
    }
    if (e instanceof IpvsOperationError && e.operation === 'get-service') {
      say(io, `${e.message}; nothing was changed`);
      return DRAIN_EXIT.USAGE;
    }
    say(io, kernelFailureOrThrow(e));
    return DRAIN_EXIT.FAILED;
  } finally {
    lock.release();
    client.close();
  }
}

const countsText = (c: Counts): string => `active ${c.active}, inactive ${c.inactive}, persistent ${c.persistent}`;
const secondsText = (ms: number): string => `${Math.round(ms / 1000)} s`;

/** Prints events: JSON lines, or text (the counts as one live line on a terminal). */
function printer(io: Io, json: boolean): ((e: DrainEvent) => void) & { end(): void } {
  let live = false;
  const end = (): void => {
    if (live) io.stdout('\n');
    live = false;
  };
  const emit = (e: DrainEvent): void => {
    if (json) {
      io.stdout(`${JSON.stringify(e)}\n`);
      return;
    }
    switch (e.event) {
      case 'warning':
        end();
        io.stderr(`ipvsadm drain: warning: ${e.text}\n`);
        return;
      case 'weight':
        io.stdout(`drain: ${e.server} of ${e.service}: weight ${e.before} → 0\n`);
        return;
      case 'counts':
        if (io.stdoutTerminal) {
          io.stdout(`\r\x1b[2Kdrain: waiting: ${countsText(e.counts)} (${secondsText(e.elapsedMs)})`);
          live = true;
        } else if (e.changed) io.stdout(`drain: waiting: ${countsText(e.counts)} (${secondsText(e.elapsedMs)})\n`);
        return;
      case 'drained':
        end();
        io.stdout(`drain: drained after ${secondsText(e.elapsedMs)} (${countsText(e.counts)})\n`);
        return;
      case 'timeout':
        end();
        io.stdout(`drain: timed out after ${secondsText(e.elapsedMs)} (${countsText(e.counts)}); the weight stays 0\n`);
        return;
      case 'deleted':
        end();
        io.stdout('drain: deleted\n');
    }
  };
  return Object.assign(emit, { end });
}
