// `ipvsadm -R` of a JSON save (save/json-read.ts): the whole document is checked first, so a bad
// file changes nothing; then timeouts, services with their real servers, and sync daemons are
// sent in that order, pipelined. A refusal names the item (`services[2] tcp 192.0.2.1:80: …`).
import { addressEquals } from '../ipvs/address.js';
import type { Change } from '../ipvs/changes.js';
import { DaemonState } from '../ipvs/constants.js';
import { IpvsExchangeError } from '../ipvs/errors.js';
import type { DaemonConfig } from '../ipvs/model.js';
import { destinationId, serviceId } from '../ipvs/vocabulary.js';
import { readJsonSave, SaveFormatError } from '../save/json-read.js';
import type { SavedTable } from '../save/json-read.js';
import type { IpvsClient } from '../ipvs/client.js';
import { reportError } from './report.js';
import { IPVSADM_EXIT } from '../app/exit-status.js';

/** A change and the words that name it in a message. */
export interface NamedChange {
  readonly change: Change;
  readonly what: string;
}

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
}

export async function restoreJson(text: string, ctx: JsonRestoreContext): Promise<number> {
  const saved = readOrReport(text, ctx.stderr);
  if (typeof saved === 'number') return saved;
  const running = saved.daemons.length > 0 ? await ctx.client.daemons() : [];
  const changes = savedChanges(saved, running);
  let status: number = IPVSADM_EXIT.OK;
  for (let i = 0; i < changes.length; i += BATCH) {
    const batch = changes.slice(i, i + BATCH);
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

/**
 * What restoring `saved` sends, in order. A daemon already running exactly as saved is left as
 * it is (starting it again would be refused with "Daemon has already run").
 */
export function savedChanges(saved: SavedTable, running: readonly DaemonConfig[]): NamedChange[] {
  const out: NamedChange[] = [];
  if (saved.timeouts) out.push({ change: { op: 'set-timeouts', timeouts: saved.timeouts }, what: 'timeouts' });
  for (const s of saved.services) {
    const key = s.service.key;
    out.push({ change: { op: 'add-service', service: s.service }, what: `${s.at} ${serviceId(key)}` });
    s.destinations.forEach((dest, i) => {
      out.push({ change: { op: 'add-dest', key, dest }, what: `${s.at}.destinations[${i}] ${destinationId(dest)} of ${serviceId(key)}` });
    });
  }
  saved.daemons.forEach((daemon, i) => {
    if (running.some((r) => sameDaemon(r, daemon))) return;
    const state = daemon.state === DaemonState.MASTER ? 'master' : 'backup';
    out.push({ change: { op: 'start-daemon', daemon }, what: `daemons[${i}] ${state} ${daemon.mcastIfn} syncid ${daemon.syncId}` });
  });
  return out;
}

/** `running` (as the kernel reports it, maybe both states in one) runs `wanted`'s state as wanted. */
function sameDaemon(running: DaemonConfig, wanted: DaemonConfig): boolean {
  if ((running.state & wanted.state) === 0 || running.mcastIfn !== wanted.mcastIfn || running.syncId !== wanted.syncId) return false;
  const same = <T>(a: T | undefined, b: T | undefined): boolean => b === undefined || a === b;
  const group = wanted.mcastGroup === undefined || (running.mcastGroup !== undefined && addressEquals(running.mcastGroup, wanted.mcastGroup));
  return group && same(running.syncMaxlen, wanted.syncMaxlen) && same(running.mcastPort, wanted.mcastPort) && same(running.mcastTtl, wanted.mcastTtl);
}

