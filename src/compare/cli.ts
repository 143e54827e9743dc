// `ipvsadm compare [--json] [--mh-table-index N] A B`: argv (commander) → each input read (a save
// or listing file, - for standard input, or `kernel`: this namespace's table through the IPVS
// client) → diff.ts → format.ts, and the exit statuses of app/exit-status.ts COMPARE_EXIT.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { COMPARE_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { openClient } from '../app/open-client.js';
import { parseWhole } from '../core/durations.js';
import { DesiredFileError, readDesired } from '../core/desired.js';
import { kernelFailureOrThrow } from '../core/failure.js';
import { compareTables } from '../table/compare.js';
import type { TableSide } from '../table/compare.js';
import { comparisonJson, formatComparison } from './format.js';
import { DEFAULT_MH_TABLE_INDEX } from '../table/maglev.js';

/** The input word that means this namespace's table, read from the kernel. */
const KERNEL = 'kernel';

function program(io: Io): Command {
  return frontEnd('ipvsadm compare', io)
    .description(
      'Say whether two tables are the same: services, their settings, real servers and their settings, and, ' +
        'for mh, sh and dh, the kernel order of the real servers (with the share of the mh lookup table it changes). ' +
        'Each input is a save (ipvsadm -S text or -S --json), a JSON listing (-L --json, with --nosort to keep ' +
        'the kernel order), - for standard input, or the word kernel (with --netns, another namespace\'s).',
    )
    .argument('<a>', 'the first table: a file, -, or kernel')
    .argument('<b>', 'the second table: a file, -, or kernel')
    .option('--json', 'the comparison as one JSON document')
    .option('--mh-table-index <n>', "the kernel's build option IP_VS_MH_TAB_INDEX (8 to 17; 12: 4093 slots)", String(DEFAULT_MH_TABLE_INDEX));
}

const say = (io: Io, message: string): void => io.stderr(`ipvsadm compare: ${message}\n`);

interface CompareOptions {
  readonly json?: boolean;
  readonly mhTableIndex: string;
}

export async function runCompareCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, COMPARE_EXIT.TROUBLE);
  if (ended !== undefined) return ended;
  const o = cmd.opts<CompareOptions>();
  const [a, b] = [cmd.args[0]!, cmd.args[1]!];
  const index = parseWhole(o.mhTableIndex, 8, 17);
  if (index === undefined) {
    say(io, `--mh-table-index ${o.mhTableIndex}: expected a whole number from 8 to 17`);
    return COMPARE_EXIT.TROUBLE;
  }
  if (a === '-' && b === '-') {
    say(io, 'only one input can be - (standard input)');
    return COMPARE_EXIT.TROUBLE;
  }
  const sideA = await readSide(a, io);
  if (typeof sideA === 'number') return sideA;
  const sideB = await readSide(b, io);
  if (typeof sideB === 'number') return sideB;
  const comparison = compareTables(sideA, sideB, { mhTableIndex: index });
  io.stdout(o.json ? comparisonJson(comparison) : formatComparison(comparison));
  return comparison.differences.length === 0 ? COMPARE_EXIT.SAME : COMPARE_EXIT.DIFFERENT;
}

/** One input read whole, or the status to end with (the problem said). */
async function readSide(input: string, io: Io): Promise<TableSide | number> {
  return input === KERNEL ? readKernel(io) : readTableFile(input, io);
}

async function readKernel(io: Io): Promise<TableSide | number> {
  let client;
  try {
    client = await openClient(io, { dumpsTable: true });
  } catch (e) {
    say(io, `kernel: cannot talk to IPVS: ${kernelFailureOrThrow(e)}`);
    return COMPARE_EXIT.TROUBLE;
  }
  try {
    // the dump gives each service's real servers in the kernel's list order (the newest first)
    return { name: KERNEL, order: 'kernel', services: await client.table() };
  } catch (e) {
    say(io, `kernel: cannot read the table: ${kernelFailureOrThrow(e)}`);
    return COMPARE_EXIT.TROUBLE;
  } finally {
    client.close();
  }
}

async function readTableFile(file: string, io: Io): Promise<TableSide | number> {
  const name = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
  } catch (e) {
    say(io, `${name}: ${e instanceof Error ? e.message : String(e)}`);
    return COMPARE_EXIT.TROUBLE;
  }
  try {
    const table = await readDesired(text, io.names);
    return { name, order: table.listing ? 'listing' : 'none', services: table.services };
  } catch (e) {
    if (!(e instanceof DesiredFileError)) throw e;
    for (const p of e.problems) say(io, `${name}: ${p.at}: ${p.message}`);
    return COMPARE_EXIT.TROUBLE;
  }
}
