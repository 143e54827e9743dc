// The 1.31 command line: argv → parse → execute → text, errors turned into ipvsadm's stderr
// text and exit status through report.ts (2 usage/init, 255 kernel/popt, 1 listing).
import { TIMEOUT_ENV } from '../app/io.js';
import type { Io } from '../app/io.js';
import { openClient } from '../app/open-client.js';
import { clearingBefore, progressFor } from '../app/progress.js';
import type { IpvsClient } from '../ipvs/client.js';
import { kernelFailureOrThrow } from '../core/failure.js';
import { IpvsOperationError } from '../ipvs/errors.js';
import type { Command } from '../core/command.js';
import { UsageError } from '../core/errors.js';
import type { ExecuteContext } from './execute.js';
import { parseCommandLine } from '../core/parse.js';
import { reportError } from './report.js';
import { IPVSADM_EXIT } from '../app/exit-status.js';

const INIT_HINT = 'Are you sure that IP Virtual Server is built in the kernel or as module?';

/** Commands whose socket mostly carries the whole table's dumps. */
function dumpsTable(parsed: Parsed): boolean {
  return parsed.ok && ((parsed.cmd.kind === 'list' && !parsed.cmd.key) || parsed.cmd.kind === 'save');
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
  const parsed = await parse(argv, io);
  // Unlike ipvsadm, help and version need no kernel (a documented difference).
  if (parsed.ok && (parsed.cmd.kind === 'help' || parsed.cmd.kind === 'version')) {
    const { formatUsage, formatVersion } = await import('./format/usage.js');
    io.stdout(parsed.cmd.kind === 'help' ? formatUsage(io.argv0) : formatVersion());
    return IPVSADM_EXIT.OK;
  }
  if (io.netlinkTimeoutMs !== undefined && !(io.netlinkTimeoutMs > 0)) {
    io.stderr(`ipvsadm: ${TIMEOUT_ENV} must be a positive number of seconds\n`);
    return IPVSADM_EXIT.USAGE;
  }
  // ipvsadm initialises IPVS before it looks at its arguments, so an init failure wins.
  let client: IpvsClient;
  try {
    client = await openClient(io, { dumpsTable: dumpsTable(parsed), modprobe: 'as131' });
  } catch (e) {
    if (!(e instanceof IpvsOperationError)) throw e;
    io.stderr(`Can't initialize ipvs: ${e.message}\n${INIT_HINT}\n`);
    return IPVSADM_EXIT.USAGE;
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
      const { restore } = await import('./restore.js');
      const text = await io.readStdin();
      // a progress line on stderr only when it is a terminal: scripts see 1.31's text alone
      const progress = progressFor(io);
      const out = clearingBefore({ stdout: io.stdout, stderr: io.stderr }, progress);
      try {
        return await restore(text, { ...ctx, argv0: io.argv0, ...out, progress });
      } finally {
        progress.end();
      }
    }
    // The entry picks the renderer: the command's data is read, then printed as text or JSON.
    const { execute } = await import('./execute.js');
    const { outputFormat, render } = await import('./render.js');
    const format = outputFormat(cmd);
    await writeOutput(io, await render(await execute(cmd, ctx, format), format));
    return IPVSADM_EXIT.OK;
  } catch (e) {
    const status = report(io, e);
    if (io.explain && e instanceof IpvsOperationError) {
      const { explain } = await import('./explain.js');
      const why = await explain(cmd, e, {
        moduleState: io.moduleState ?? (async () => 'loaded'),
        ...(io.addressType ? { addressType: io.addressType } : {}),
        table: async () => {
          try {
            return { services: await ctx.client.table(), daemons: await ctx.client.daemons() };
          } catch (t) {
            kernelFailureOrThrow(t); // no table to explain with; a bug goes on
            return undefined;
          }
        },
      });
      if (why !== undefined) io.stderr(`ipvsadm: likely cause: ${why}\n`);
    }
    return status;
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
