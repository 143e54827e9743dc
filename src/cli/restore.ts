// ipvsadm -R: every input line goes through the same parser and executor as a command line.
// Consecutive changes are pipelined to the kernel in batches (the kernel applies them in order,
// so the outcome equals line-by-line application, only with far fewer round trips).
import type { Change } from '../ipvs/changes.js';
import type { IpvsClient } from '../ipvs/client.js';
import { IpvsExchangeError } from '../ipvs/errors.js';
import type { Command } from '../core/command.js';
import { UsageError, tryHelp } from '../core/errors.js';
import { changeOf, isModifying } from '../core/command-change.js';
import { executeText } from './execute.js';
import type { ExecuteContext } from './execute.js';
import { formatUsage, formatVersion } from './format/usage.js';
import type { NameResolver } from '../app/io.js';
import { parseCommandLine } from '../core/parse.js';
import { reportError } from './report.js';
import { restoreLines } from '../core/restore-lines.js';
import { isJsonSave } from '../save/json-read.js';
import { IPVSADM_EXIT } from '../app/exit-status.js';
import { countText } from '../app/progress.js';
import type { Progress } from '../app/progress.js';

export interface RestoreContext extends ExecuteContext {
  readonly argv0: string;
  readonly names: NameResolver;
  readonly client: IpvsClient;
  stdout(text: string): void;
  stderr(text: string): void;
  /** changes sent per batch at most (default MAX_QUEUED; 1: each alone, as ipvsadm does) */
  readonly maxQueued?: number;
  /** the lines done so far, shown on a terminal (absent: none) */
  readonly progress?: Progress;
}

/**
 * Changes sent per batch at most: one window of the client's pipelining (64 per sendmsg). Parsed
 * lines wait for the kernel only that long, so they die young: with 1,000 queued, a 50,000-line
 * restore promoted them and ran old-generation collections (natively 1.0 s and 101 MiB against
 * 0.78 s and 72 MiB).
 */
const MAX_QUEUED = 64;

/** The exchange with the kernel failed (no reply in time, replies lost): said once, restore ends. */
class ExchangeFailed {
  constructor(readonly code: number) {}
}

/**
 * Runs restore input; returns the exit status ipvsadm -R would: a usage error, a
 * "Try…" error or a listing failure ends the whole restore with its status; a popt error skips
 * only its line; otherwise the status of the last line run (0, or 255 if it failed). Input whose first
 * character other than white space is `{` is a JSON save (ours: restore-json.ts).
 */
export async function restore(text: string, ctx: RestoreContext): Promise<number> {
  if (isJsonSave(text)) return (await import('./restore-json.js')).restoreJson(text, ctx);
  try {
    return await restoreAll(text, ctx);
  } catch (e) {
    if (e instanceof ExchangeFailed) return e.code;
    throw e;
  }
}

async function restoreAll(text: string, ctx: RestoreContext): Promise<number> {
  let status: number = IPVSADM_EXIT.OK;
  const queued: Change[] = [];
  const flush = async (): Promise<void> => {
    if (queued.length === 0) return;
    const results = await ctx.client.applyAll(queued.splice(0));
    for (const err of results) {
      const r = err ? reportError(err) : undefined;
      if (r) ctx.stderr(r.stderr);
      // Every later change of the batch failed the same way on a broken socket: one line is enough.
      if (err instanceof IpvsExchangeError) throw new ExchangeFailed(r!.code);
      status = err ? IPVSADM_EXIT.KERNEL : IPVSADM_EXIT.OK;
    }
  };
  let lines: number | undefined;
  let done = 0;
  const shown = (): string => `restore: ${countText(done, (lines ??= lineCount(text)), 'lines')}`;
  for (const line of restoreLines(text)) {
    done = line.number - 1;
    ctx.progress?.show(shown);
    let cmd: Command;
    try {
      cmd = await parseCommandLine(line.argv, { argv0: ctx.argv0, names: ctx.names });
      if (cmd.kind === 'restore') throw tryHelp(ctx.argv0);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      await flush();
      ctx.stderr(reportError(e).stderr);
      if (e.kind !== 'popt') return e.exitCode;
      status = e.exitCode; // an option-parser error skips only its line
      continue;
    }
    if (isModifying(cmd)) {
      queued.push(changeOf(cmd));
      if (queued.length >= (ctx.maxQueued ?? MAX_QUEUED)) await flush();
      continue;
    }
    await flush();
    if (cmd.kind === 'help' || cmd.kind === 'version') {
      ctx.stdout(cmd.kind === 'help' ? formatUsage(ctx.argv0) : formatVersion());
      return IPVSADM_EXIT.OK;
    }
    try {
      ctx.stdout(await executeText(cmd, ctx));
      status = IPVSADM_EXIT.OK;
    } catch (e) {
      const r = reportError(e);
      ctx.stderr(r.stderr);
      return r.code;
    }
  }
  await flush();
  return status;
}

/** The lines of restore input, as restoreLines numbers them (a last line without newline counts). */
export function lineCount(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  return text.length > 0 && !text.endsWith('\n') ? n + 1 : n;
}
