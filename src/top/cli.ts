// `ipvsadm top [-t|-u|--sctp-service|-f SERVICE [-6]] [-n] [-i SECONDS] [-s ORDER] [--reverse] [-x]
// [-c COUNT]`: argv (commander; a service read by core/reference.ts, with 1.31's messages) →
// run.ts with the process's ports — one IPVS client kept open across reads (opened again after
// a failed read), the terminal when stdout is one, SIGINT/SIGTERM/SIGHUP to end. Statuses: TOP_EXIT.
import { Option } from 'commander';
import type { Command } from 'commander';
import { TOP_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { openClient } from '../app/open-client.js';
import { SYSTEM_CLOCK } from '../core/clock.js';
import { parseSeconds, parseWhole } from '../core/durations.js';
import { UsageError, usageLine } from '../core/errors.js';
import { failureText, kernelFailureOrThrow } from '../core/failure.js';
import { addServiceOptions, parseServiceReference, serviceReferences } from '../core/reference.js';
import type { ServiceOptions } from '../core/reference.js';
import { onStopSignals } from '../core/signals.js';
import type { IpvsClient } from '../ipvs/client.js';
import type { ServiceKey } from '../ipvs/model.js';
import { ipvsVersionText } from '../ipvs/vocabulary.js';
import type { NameTable } from '../table/names.js';
import { rowLabel } from './frame.js';
import { BackgroundNames } from './names.js';
import { SORT_ORDERS } from './rows.js';
import type { SortOrder } from './rows.js';
import { runTop } from './run.js';

interface TopCliOptions extends ServiceOptions {
  readonly numeric?: boolean;
  readonly interval: string;
  readonly count?: string;
  readonly sort: SortOrder;
  readonly reverse?: boolean;
  readonly exact?: boolean;
}

function program(io: Io): Command {
  const orders = Object.keys(SORT_ORDERS) as SortOrder[];
  const described = frontEnd('ipvsadm top', io)
    .description(
      'A live view of the services and real servers: connections, the kernel\'s rates, and what the counters did since the last read. ' +
        'Full screen on a terminal (keys: q quit, ' +
        orders.map((o) => `${SORT_ORDERS[o].key} ${o}`).join(', ') +
        ', r reverse, space refresh, arrows/PgUp/PgDn scroll); plain blocks otherwise.',
    );
  return addServiceOptions(described, 'only this')
    .option('-n, --numeric', 'addresses and ports as numbers (no name look-ups)')
    .option('-i, --interval <seconds>', 'time between reads', '1')
    .option('-c, --count <reads>', 'read this many times, a plain block each, then exit (also on a terminal)')
    .addOption(new Option('-s, --sort <order>', 'the order of services, and of real servers within each').choices(orders).default('natural'))
    .option('--reverse', 'the other way round (smallest first)')
    .option('-x, --exact', 'counts and rates with all their digits (no K/M/G)');
}

const say = (io: Io, text: string): void => io.stderr(`ipvsadm top: ${text}\n`);

const NUMERIC: NameTable = { host: () => undefined, port: () => undefined };

/**
 * The one service to show (-t, -u, --sctp-service, -f with -6), read as 1.31 reads it; undefined
 * for all of them; null after a usage error (printed).
 */
async function serviceOf(o: TopCliOptions, io: Io): Promise<ServiceKey | undefined | null> {
  const given = serviceReferences(o);
  if (given.length === 0) {
    if (o.ipv6) say(io, '-6 goes with -f');
    return o.ipv6 ? null : undefined;
  }
  if (given.length > 1) {
    say(io, 'name one service at most: -t, -u, --sctp-service or -f');
    return null;
  }
  try {
    return await parseServiceReference(given[0]!, io.names);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    say(io, usageLine(e));
    return null;
  }
}

/** `--interval`: 0.1 to 86400 seconds → milliseconds, or undefined. */
export function intervalMs(text: string): number | undefined {
  return parseSeconds(text, 100, 86_400_000);
}

export async function runTopCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, TOP_EXIT.USAGE);
  if (ended !== undefined) return ended;
  const o = cmd.opts<TopCliOptions>();
  const interval = intervalMs(o.interval);
  if (interval === undefined) {
    say(io, `--interval ${o.interval}: expected a number of seconds from 0.1 to 86400`);
    return TOP_EXIT.USAGE;
  }
  const count = o.count === undefined ? undefined : parseWhole(o.count, 1, 999_999_999);
  if (o.count !== undefined && count === undefined) {
    say(io, `--count ${o.count}: expected a whole number above 0`);
    return TOP_EXIT.USAGE;
  }

  const only = await serviceOf(o, io);
  if (only === null) return TOP_EXIT.USAGE;

  let client: IpvsClient | undefined;
  let version: string | undefined;
  try {
    client = await openClient(io, { dumpsTable: true });
    const info = await client.info();
    version = `IP Virtual Server version ${ipvsVersionText(info.version)} (size=${info.connTabSize})`;
  } catch (e) {
    client?.close();
    say(io, `cannot read IPVS: ${kernelFailureOrThrow(e)}`);
    return TOP_EXIT.FAILED;
  }

  const names = o.numeric ? undefined : new BackgroundNames(io.names);
  const table: NameTable = names ?? NUMERIC;
  // --count: plain blocks even on a terminal (a full screen would vanish when it ends)
  const terminal = count === undefined ? io.terminal?.() : undefined;
  const read = async (): Promise<Awaited<ReturnType<IpvsClient['table']>>> => {
    client ??= await openClient(io, { dumpsTable: true });
    try {
      return await client.table(only);
    } catch (e) {
      // a socket that timed out may answer late: the next read starts on a new one
      client.close();
      client = undefined;
      throw e;
    }
  };
  try {
    const outcome = await runTop(
      { intervalMs: interval, ...(count === undefined ? {} : { count }), order: o.sort, reverse: o.reverse === true, exact: o.exact === true },
      {
        read,
        failure: failureText,
        write: (t) => io.stdout(t),
        warn: (t) => io.stderr(`${t}\n`),
        drained: () => io.drainStdout?.() ?? Promise.resolve(),
        clock: SYSTEM_CLOCK,
        ...(terminal ? { terminal } : {}),
        color: io.color === true,
        version,
        label: (row) => rowLabel(row, o.numeric === true, table),
        onLabelsChange: (l) => names?.onChange(l),
        onStopSignal: (listener) => onStopSignals(listener),
      },
    );
    if (outcome.ok) return TOP_EXIT.OK;
    say(io, `cannot read IPVS: ${outcome.error}`);
    return TOP_EXIT.FAILED;
  } finally {
    client?.close();
  }
}
