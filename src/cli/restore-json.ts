// `ipvsadm -R` of a JSON save (save/json-read.ts): the whole document is checked first, so a bad
// file changes nothing; then timeouts, services with their real servers, and sync daemons are
// sent in that order, pipelined. A refusal names the item (`services[2] tcp 192.0.2.1:80: …`).
import { IpvsExchangeError } from '../ipvs/errors.js';
import { savedChanges } from '../core/load-rules.js';
import { readJsonSave, SaveFormatError } from '../save/json-read.js';
import type { SavedTable } from '../save/json-read.js';
import type { IpvsClient } from '../ipvs/client.js';
import { reportError } from './report.js';
import { IPVSADM_EXIT } from '../app/exit-status.js';
import { countText } from '../app/progress.js';
import type { Progress } from '../app/progress.js';

/** Changes sent per batch: one window of the client's pipelining, as the text restore does. */
const BATCH = 64;

/** Reads a JSON save; on a problem, says it on stderr and gives the status instead. */
export function readOrReport(text: string, stderr: (text: string) => void): SavedTable | number {
  try {
    return readJsonSave(text);
  } catch (e) {
    if (!(e instanceof SaveFormatError)) throw e;
    for (const p of e.all) stderr(`ipvsadm: restore: ${p.message}\n`);
    stderr('ipvsadm: restore: nothing was changed\n');
    return IPVSADM_EXIT.BAD_DOCUMENT;
  }
}

/** What a JSON restore needs of restore.ts's context. */
export interface JsonRestoreContext {
  readonly client: IpvsClient;
  stderr(text: string): void;
  /** the changes made so far, shown on a terminal (absent: none) */
  readonly progress?: Progress;
}

export async function restoreJson(text: string, ctx: JsonRestoreContext): Promise<number> {
  const saved = readOrReport(text, ctx.stderr);
  if (typeof saved === 'number') return saved;
  const running = saved.daemons.length > 0 ? await ctx.client.daemons() : [];
  const changes = savedChanges(saved, running);
  let status: number = IPVSADM_EXIT.OK;
  for (let i = 0; i < changes.length; i += BATCH) {
    const batch = changes.slice(i, i + BATCH);
    ctx.progress?.show(() => `restore: ${countText(i, changes.length, 'changes')}`);
    const results = await ctx.client.applyAll(batch.map((c) => c.change));
    for (const [n, err] of results.entries()) {
      if (!err) continue;
      if (err instanceof IpvsExchangeError) {
        ctx.stderr(reportError(err).stderr);
        return reportError(err).code;
      }
      ctx.stderr(`ipvsadm: ${batch[n]!.what}: ${reportError(err).stderr}`);
      status = IPVSADM_EXIT.KERNEL;
    }
  }
  return status;
}
