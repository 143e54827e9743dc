// The front-door cases ipvsadm 1.31 answered in the kernel (cases.json, written by capture.mjs),
// and the runner that plays one of them through our entry points over the fake kernel.
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { Io } from '../../../src/app/io.js';
import { dispatch } from '../../../src/entry/command-table.js';
import { mainRestore, mainSave } from '../../../src/cli/scripts.js';
import { fakeKernelIo } from '../../support/capture-io.js';
import type { FakeIpvs } from '../../support/fake-ipvs.js';
import type { FakeKernelOptions } from '../../support/fake-kernel.js';

export type Program = 'ipvsadm' | 'ipvsadm-save' | 'ipvsadm-restore';

/** What a command line printed and returned: each stream and the status, compared on their own. */
export interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

/** The table left behind, as the C tool listed it: rules (-Sn), and for some cases timeouts and daemons. */
export interface TableAfter {
  readonly save: string;
  readonly timeouts?: string;
  readonly daemons?: string;
}

export interface FrontDoorCase extends Outcome {
  readonly name: string;
  readonly program: Program;
  readonly argv: readonly string[];
  readonly stdin?: string;
  /** run without root */
  readonly as?: 'nobody';
  /** run with the ip_vs modules unloaded (no table afterwards) */
  readonly ipvs?: 'absent';
  readonly after?: TableAfter;
}

export interface FrontDoorCapture {
  readonly capturedWith: string;
  /** C ipvsadm argv lines that build the starting table of every case */
  readonly setup: readonly string[];
  readonly setupTable: Required<TableAfter>;
  /** /proc/net/ip_vs_conn of the starting table (for -L -c) */
  readonly connFile: string;
  readonly cases: readonly FrontDoorCase[];
}

export const CAPTURE = JSON.parse(readFileSync(new URL('./cases.json', import.meta.url), 'utf8')) as FrontDoorCapture;

export const words = (line: string): string[] => line.split(/\s+/).filter((w) => w.length > 0);

const ENTRY: Readonly<Record<Program, (argv: readonly string[], io: Io) => Promise<number>>> = {
  ipvsadm: dispatch,
  'ipvsadm-save': mainSave,
  'ipvsadm-restore': mainRestore,
};

/** The fake kernel a case runs against: the table, or IPVS refusing a non-root user, or no IPVS. */
function kernelFor(ipvs: FakeIpvs, c: Pick<FrontDoorCase, 'as' | 'ipvs'>): FakeKernelOptions {
  if (c.ipvs === 'absent') return { families: {} };
  if (c.as === 'nobody') return { model: { handle: () => ({ errno: constants.errno.EPERM }) } };
  return { model: ipvs };
}

/**
 * When IPVS cannot be initialised, both tools run `modprobe -- ip_vs`, whose complaint lands on the
 * tool's stderr: the fake modprobe prints the lines the real one printed in the capture.
 */
const modprobeSaid = (stderr: string | undefined): string =>
  (stderr ?? '')
    .split('\n')
    .filter((l) => l.startsWith('modprobe: '))
    .map((l) => `${l}\n`)
    .join('');

/** Runs one command line of ours over `ipvs`, as the case says (program, stdin, user, IPVS). */
export async function runOurs(ipvs: FakeIpvs, c: Pick<FrontDoorCase, 'program' | 'argv' | 'stdin' | 'as' | 'ipvs'> & { stderr?: string }): Promise<Outcome> {
  const io = fakeKernelIo(kernelFor(ipvs, c), {
    readStdin: async () => c.stdin ?? '',
    readConnections: async () => CAPTURE.connFile,
    loadModule: async () => {
      io.stderr(modprobeSaid(c.stderr));
      return undefined;
    },
  });
  const status = await ENTRY[c.program](c.argv, io);
  return { stdout: io.out(), stderr: io.err(), status };
}

/** Lists what the C tool listed after a case (the same fields), with ours, over `ipvs`. */
export async function tableOf(ipvs: FakeIpvs, like: TableAfter): Promise<TableAfter> {
  const list = async (line: string): Promise<string> => {
    const r = await runOurs(ipvs, { program: 'ipvsadm', argv: words(line) });
    if (r.status !== 0 || r.stderr !== '') throw new Error(`ours ipvsadm ${line} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  return {
    save: await list('-Sn'),
    ...(like.timeouts !== undefined ? { timeouts: await list('-L --timeout') } : {}),
    ...(like.daemons !== undefined ? { daemons: await list('-L --daemon') } : {}),
  };
}
