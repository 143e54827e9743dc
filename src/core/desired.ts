// A table file (what `ipvsadm apply` makes the kernel match, what `ipvsadm compare` reads), read
// whole and checked before anything is touched: 1.31's `-S` text (-A and -a lines, and --set and --start-daemon lines; `#` lines are
// comments) or our JSON save (save/json-read.ts). Every problem is collected with its line.
import type { NameResolver } from '../app/io.js';
import type { DaemonConfig, DestinationConfig, ServiceConfig, Timeouts } from '../ipvs/model.js';
import { destinationId, serviceId } from '../ipvs/vocabulary.js';
import type { Command } from './command.js';
import { commandSpelling } from './command-spelling.js';
import { UsageError, usageLine } from './errors.js';
import { parseCommandLine } from './parse.js';
import { restoreLines } from './restore-lines.js';
import { isJsonSave, readJsonSave, SaveFormatError } from '../save/json-read.js';
import type { SavedService } from '../save/json-read.js';

/** A service of the file with its real servers, and where the file defines it (`line 3`, `services[2]`). */
export type DesiredService = SavedService;

/** What the file says the kernel should hold. Timeouts and daemons only when the file has them. */
export interface Desired {
  readonly format: 'text' | 'json';
  /** a JSON listing (`-L --json`, kind "table") rather than a save: its real servers are in the listing's order */
  readonly listing?: true;
  readonly services: readonly DesiredService[];
  /** a field 0 is left as it is (as `--set` does) */
  readonly timeouts?: Timeouts;
  readonly daemons?: readonly DaemonConfig[];
}

export interface Problem {
  readonly at: string;
  readonly message: string;
}

/** The file cannot be applied: every problem found, each with its place. */
export class DesiredFileError extends Error {
  override readonly name = 'DesiredFileError';
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map((p) => `${p.at}: ${p.message}`).join('\n'));
  }
}

/** Reads the whole file; throws DesiredFileError with every problem found. */
export async function readDesired(text: string, names: NameResolver): Promise<Desired> {
  if (isJsonSave(text)) return readJson(text);
  return readText(text, names);
}

function readJson(text: string): Desired {
  try {
    const saved = readJsonSave(text);
    return {
      format: 'json',
      ...(saved.kind === 'table' ? { listing: true as const } : {}),
      services: saved.services,
      ...(saved.timeouts ? { timeouts: saved.timeouts } : {}),
      ...(saved.kind === 'save' ? { daemons: saved.daemons } : {}),
    };
  } catch (e) {
    if (e instanceof SaveFormatError) throw new DesiredFileError(e.all.map((p) => ({ at: p.at === '' ? 'JSON' : p.at, message: p.problem })));
    throw e;
  }
}

interface Dest {
  readonly dest: DestinationConfig;
  readonly line: number;
  readonly service: string;
}

async function readText(text: string, names: NameResolver): Promise<Desired> {
  const problems: Problem[] = [];
  const services = new Map<string, { service: ServiceConfig; line: number }>();
  const dests: Dest[] = [];
  let timeouts: { value: Timeouts; line: number } | undefined;
  const daemons: { daemon: DaemonConfig; line: number }[] = [];
  for (const { number, argv } of restoreLines(text)) {
    if (argv[0]?.startsWith('#')) continue;
    const at = `line ${number}`;
    let cmd: Command;
    try {
      cmd = await parseCommandLine(argv, { argv0: 'ipvsadm', names });
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      problems.push({ at, message: usageLine(e) });
      continue;
    }
    const twice = (what: string, first: number): void => void problems.push({ at, message: `${what} is already defined on line ${first}` });
    switch (cmd.kind) {
      case 'add-service': {
        const id = serviceId(cmd.service.key);
        const seen = services.get(id);
        if (seen) twice(`service ${id}`, seen.line);
        else services.set(id, { service: cmd.service, line: number });
        break;
      }
      case 'add-dest':
        dests.push({ dest: cmd.dest, line: number, service: serviceId(cmd.key) });
        break;
      case 'set-timeouts':
        if (timeouts) twice('--set', timeouts.line);
        else timeouts = { value: cmd.timeouts, line: number };
        break;
      case 'start-daemon': {
        const first = daemons.find((d) => d.daemon.state === cmd.daemon.state);
        if (first) twice(`the ${cmd.daemon.state} daemon`, first.line);
        else daemons.push({ daemon: cmd.daemon, line: number });
        break;
      }
      default:
        problems.push({ at, message: `apply reads -A, -a, --set and --start-daemon lines only, not ${commandSpelling(cmd.kind)}` });
    }
  }
  const byService = new Map<string, { dest: DestinationConfig; line: number }[]>();
  for (const d of dests) {
    const at = `line ${d.line}`;
    const label = `real server ${destinationId(d.dest)} of ${d.service}`;
    if (!services.has(d.service)) {
      problems.push({ at, message: `${label}: no -A line defines that service` });
      continue;
    }
    const list = byService.get(d.service) ?? [];
    const first = list.find((x) => destinationId(x.dest) === destinationId(d.dest));
    if (first) problems.push({ at, message: `${label} is already defined on line ${first.line}` });
    else list.push({ dest: d.dest, line: d.line });
    byService.set(d.service, list);
  }
  if (problems.length > 0) throw new DesiredFileError(problems.sort((a, b) => lineOf(a) - lineOf(b)));
  return {
    format: 'text',
    services: [...services].map(([id, s]) => ({ service: s.service, destinations: (byService.get(id) ?? []).map((d) => d.dest), at: `line ${s.line}` })),
    ...(timeouts ? { timeouts: timeouts.value } : {}),
    ...(daemons.length > 0 ? { daemons: daemons.map((d) => d.daemon) } : {}),
  };
}

const lineOf = (p: Problem): number => Number(/\d+/.exec(p.at)?.[0] ?? 0);
