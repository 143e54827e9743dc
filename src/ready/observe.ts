// The facts the readiness gate judges, read fresh each time: the kernel's table and sync daemons
// (without loading ip_vs: a director whose IPVS is gone is not ready), the rules file, and the
// links of the running daemons. A kernel refusal or an unreadable file is a fact, not a crash.
import { readFileSync } from 'node:fs';
import type { Io } from '../app/io.js';
import { openClient } from '../app/open-client.js';
import { DesiredFileError, readDesired } from '../core/desired.js';
import { kernelFailureOrThrow } from '../core/failure.js';
import { readLinks } from '../rtnl/link-facts.js';
import type { ReadyFacts } from './verdict.js';

export async function readFacts(io: Io, rulesFile: string | undefined, withLinks: boolean): Promise<ReadyFacts> {
  const ipvs = await readKernel(io);
  const rules = rulesFile === undefined ? undefined : await readRules(io, rulesFile);
  const names = 'error' in ipvs ? [] : ipvs.daemons.map((d) => d.mcastIfn);
  const links = withLinks && names.length > 0 ? await readLinks(io.openTransport, names) : undefined;
  return { ipvs, ...(rules ? { rules } : {}), ...(links ? { links } : {}) };
}

async function readKernel(io: Io): Promise<ReadyFacts['ipvs']> {
  let client;
  try {
    client = await openClient({ ...io, loadModule: async () => undefined }, { dumpsTable: true });
  } catch (e) {
    return { error: kernelFailureOrThrow(e) };
  }
  try {
    return { services: await client.table(), daemons: await client.daemons() };
  } catch (e) {
    return { error: kernelFailureOrThrow(e) };
  } finally {
    client.close();
  }
}

async function readRules(io: Io, file: string): Promise<NonNullable<ReadyFacts['rules']>> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { name: file, error: `cannot be read (${e instanceof Error ? e.message : String(e)})` };
  }
  try {
    return { name: file, services: (await readDesired(text, io.names)).services };
  } catch (e) {
    if (!(e instanceof DesiredFileError)) throw e;
    const [first] = e.problems;
    return { name: file, error: `not a table file (${first ? `${first.at}: ${first.message}` : 'empty'}${e.problems.length > 1 ? `, and ${e.problems.length - 1} more problems` : ''})` };
  }
}
