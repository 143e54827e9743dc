// The CLI entry: argv → parse → execute → text. The ONLY place that turns errors into stderr
// text and an exit status (ipvsadm 1.31's codes: 2 usage/init, 255 kernel/popt, 1 listing).
import type { TransportFactory } from '../netlink/transport.js';
import type { IpvsClient } from '../ipvs/client.js';
import { IpvsExchangeError, IpvsOperationError } from '../ipvs/errors.js';
import type { Command } from './command.js';
import { UsageError } from './errors.js';
import type { ExecuteContext } from './execute.js';
import type { NameResolver } from './names.js';
import { parseCommandLine } from './parse.js';
import { reportError } from './report.js';
import { findSubcommand } from './subcommands.js';

/** import() of an ES module by URL */
export type ImportModule = (url: string) => Promise<unknown>;

export interface Io {
  /** argv[0] as ipvsadm would see it; used in "Try `<argv0> -h' ..." */
  readonly argv0: string;
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  openTransport: TransportFactory;
  names: NameResolver;
  /** what ipvsadm does when IPVS is not there: `modprobe -- ip_vs`, then one more try */
  loadModule(): Promise<void>;
  readConnections(): Promise<string>;
  /** reads /proc/net/ip_vs (optional: without it, listings dump every service's destinations) */
  readServices?(): Promise<Uint8Array>;
  /** stdout is a terminal that takes colour (our own views only; compat output never has colour) */
  readonly color?: boolean;
  /** resolves when what stdout() accepted so far is written (back-pressure for large listings) */
  drainStdout?(): Promise<void>;
  /**
   * import() of an ES module by URL, given by bin/ when the code runs from the one-file bundle
   * (compiled from V8's code cache, where import() is not available); absent: plain import()
   */
  readonly importModule?: ImportModule;
  /** how long a netlink request may go unanswered (IPVSADM_NETLINK_TIMEOUT); NaN: set but invalid */
  readonly netlinkTimeoutMs?: number;
}

/** The environment variable that sets the netlink timeout, in seconds (process-io.ts reads it). */
export const TIMEOUT_ENV = 'IPVSADM_NETLINK_TIMEOUT';

const INIT_HINT = 'Are you sure that IP Virtual Server is built in the kernel or as module?';

/** The read size of a socket that dumps the whole table (see TransportOptions.readBytes). */
const DUMP_READ_BYTES = 32 * 1024;

/** Commands whose socket mostly carries the whole table's dumps. */
function dumpsTable(parsed: Parsed): boolean {
  return parsed.ok && ((parsed.cmd.kind === 'list' && !parsed.cmd.key) || parsed.cmd.kind === 'save');
}

async function openClient(io: Io, dumps: boolean): Promise<IpvsClient> {
  // Loaded here, not at the top: help and version never compile the client and codec.
  const { IpvsClient } = await import('../ipvs/client.js');
  const options = {
    ...(io.netlinkTimeoutMs === undefined ? {} : { timeoutMs: io.netlinkTimeoutMs }),
    ...(dumps ? { readBytes: DUMP_READ_BYTES } : {}),
  };
  const once = async (): Promise<IpvsClient> => {
    const client = await IpvsClient.open(io.openTransport, options);
    try {
      await client.info();
      return client;
    } catch (e) {
      client.close();
      throw e;
    }
  };
  try {
    return await once();
  } catch (e) {
    // A kernel that does not answer is not a missing module: no modprobe, no second wait.
    if (e instanceof IpvsExchangeError) throw e;
    await io.loadModule();
    return once();
  }
}

type Parsed = { ok: true; cmd: Command } | { ok: false; error: UsageError };

async function parse(argv: readonly string[], io: Io): Promise<Parsed> {
  try {
    return { ok: true, cmd: await parseCommandLine(argv, { argv0: io.argv0, names: io.names }) };
  } catch (e) {
    if (e instanceof UsageError) return { ok: false, error: e };
    throw e;
  }
}

/** Runs one ipvsadm command line; returns the exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const sub = findSubcommand(argv);
  if (sub) return (await sub(io))(argv.slice(1), io);
  const parsed = await parse(argv, io);
  // Unlike ipvsadm, help and version need no kernel (a documented difference).
  if (parsed.ok && (parsed.cmd.kind === 'help' || parsed.cmd.kind === 'version')) {
    const { formatUsage, formatVersion } = await import('./format/usage.js');
    io.stdout(parsed.cmd.kind === 'help' ? formatUsage(io.argv0) : formatVersion());
    return 0;
  }
  if (io.netlinkTimeoutMs !== undefined && !(io.netlinkTimeoutMs > 0)) {
    io.stderr(`ipvsadm: ${TIMEOUT_ENV} must be a positive number of seconds\n`);
    return 2;
  }
  // ipvsadm initialises IPVS before it looks at its arguments, so an init failure wins.
  let client: IpvsClient;
  try {
    client = await openClient(io, dumpsTable(parsed));
  } catch (e) {
    if (!(e instanceof IpvsOperationError)) throw e;
    io.stderr(`Can't initialize ipvs: ${e.message}\n${INIT_HINT}\n`);
    return 2;
  }
  try {
    if (!parsed.ok) return report(io, parsed.error);
    const { readServices } = io;
    return await run(parsed.cmd, { client, names: io.names, readConnections: io.readConnections, ...(readServices ? { readServices } : {}) }, io);
  } finally {
    client.close();
  }
}

async function run(cmd: Command, ctx: ExecuteContext, io: Io): Promise<number> {
  try {
    if (cmd.kind === 'restore') {
      const { restore } = await import('../save/restore.js');
      return await restore(await io.readStdin(), { ...ctx, argv0: io.argv0, stdout: io.stdout, stderr: io.stderr });
    }
    const { executeOutput } = await import('./execute.js');
    await writeOutput(io, await executeOutput(cmd, ctx));
    return 0;
  } catch (e) {
    return report(io, e);
  }
}

/** Text past which a streamed listing waits for stdout to take it: memory stays bounded. */
const DRAIN_EVERY = 256 * 1024;

async function writeOutput(io: Io, out: string | Iterable<string>): Promise<void> {
  if (typeof out === 'string') return io.stdout(out);
  let since = 0;
  for (const chunk of out) {
    io.stdout(chunk);
    since += chunk.length;
    if (since >= DRAIN_EVERY && io.drainStdout) {
      since = 0;
      await io.drainStdout();
    }
  }
}

function report(io: Io, e: unknown): number {
  const r = reportError(e);
  io.stderr(r.stderr);
  return r.code;
}
