// Rules loaded into the kernel without the 1.31 front end: a table as `ipvsadm -S` writes it
// (text, each line read by the 1.31 grammar; or our JSON save) turned into the changes that make
// it, sent in order through the IPVS client. The lab loads its rules here, and -R of a JSON save
// takes its changes from here.
import { addressEquals } from '../ipvs/address.js';
import type { Change } from '../ipvs/changes.js';
import type { IpvsClient } from '../ipvs/client.js';
import type { DaemonConfig } from '../ipvs/model.js';
import { destinationId, serviceId } from '../ipvs/vocabulary.js';
import type { NameResolver } from '../app/io.js';
import { isJsonSave, readJsonSave, SaveFormatError } from '../save/json-read.js';
import type { SavedTable } from '../save/json-read.js';
import { commandSpelling } from './command-spelling.js';
import { changeOf, isModifying } from './command-change.js';
import { UsageError, usageLine } from './errors.js';
import { kernelFailureOrThrow } from './failure.js';
import { parseCommandLine } from './parse.js';
import { restoreLines } from './restore-lines.js';

/** A change and the words that name it in a message. */
export interface NamedChange {
  readonly change: Change;
  readonly what: string;
}

/** Rules that cannot be loaded: the problem, with the line or the JSON item it is about. */
export class RulesError extends Error {
  override readonly name = 'RulesError';
}

/** The changes that make the table of `text` (-S text or a JSON save); throws RulesError on the first problem. */
export async function ruleChanges(text: string, client: IpvsClient, names: NameResolver): Promise<NamedChange[]> {
  if (!isJsonSave(text)) return textChanges(text, names);
  let saved: SavedTable;
  try {
    saved = readJsonSave(text);
  } catch (e) {
    if (e instanceof SaveFormatError) throw new RulesError(e.message);
    throw e;
  }
  return savedChanges(saved, saved.daemons.length > 0 ? await client.daemons() : []);
}

/** Every line a change (`#` lines are comments), read by the 1.31 grammar. */
async function textChanges(text: string, names: NameResolver): Promise<NamedChange[]> {
  const out: NamedChange[] = [];
  for (const { number, argv } of restoreLines(text)) {
    if (argv[0]?.startsWith('#')) continue;
    try {
      const cmd = await parseCommandLine(argv, { argv0: 'ipvsadm', names });
      if (!isModifying(cmd)) throw new RulesError(`line ${number}: ${commandSpelling(cmd.kind)} changes nothing`);
      out.push({ change: changeOf(cmd), what: `line ${number}` });
    } catch (e) {
      if (e instanceof UsageError) throw new RulesError(`line ${number}: ${usageLine(e)}`);
      throw e;
    }
  }
  return out;
}

/** Loads `text` into the kernel, its changes sent in order; the first problem (a line, a refusal), or undefined. */
export async function loadRules(text: string, client: IpvsClient, names: NameResolver): Promise<string | undefined> {
  let changes: NamedChange[];
  try {
    changes = await ruleChanges(text, client, names);
  } catch (e) {
    if (e instanceof RulesError) return e.message;
    throw e;
  }
  const results = await client.applyAll(changes.map((c) => c.change));
  const failed = results.findIndex((e) => e !== undefined);
  return failed < 0 ? undefined : `${changes[failed]!.what}: ${kernelFailureOrThrow(results[failed])}`;
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
    out.push({ change: { op: 'start-daemon', daemon }, what: `daemons[${i}] ${daemon.state} ${daemon.mcastIfn} syncid ${daemon.syncId}` });
  });
  return out;
}

/** `running` (as the kernel reports it) runs `wanted`'s role as wanted. */
function sameDaemon(running: DaemonConfig, wanted: DaemonConfig): boolean {
  if (running.state !== wanted.state || running.mcastIfn !== wanted.mcastIfn || running.syncId !== wanted.syncId) return false;
  const same = <T>(a: T | undefined, b: T | undefined): boolean => b === undefined || a === b;
  const group = wanted.mcastGroup === undefined || (running.mcastGroup !== undefined && addressEquals(running.mcastGroup, wanted.mcastGroup));
  return group && same(running.syncMaxlen, wanted.syncMaxlen) && same(running.mcastPort, wanted.mcastPort) && same(running.mcastTtl, wanted.mcastTtl);
}

