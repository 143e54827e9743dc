// The command table of `ipvsadm`: a leading word selects a command beyond ipvsadm's
// (`ipvsadm realserver up ...`, `ipvsadm apply FILE`; a word can never be an ipvsadm option, so these cannot clash
// with the 1.31 command line), anything else is the 1.31 command line (main.ts). The front ends
// are peers loaded lazily, so the ipvsadm-compatible path pays nothing for the others.
import type { Io } from '../app/io.js';
import { main } from '../cli/main.js';

export type SubcommandRunner = (argv: readonly string[], io: Io) => Promise<number>;
type Loader = (io: Io) => Promise<SubcommandRunner>;

type PrepCli = typeof import('../realserver/cli.js');
type LabCli = typeof import('../lab/cli.js');
type ApplyCli = typeof import('../apply/cli.js');
type BootCli = typeof import('../apply/boot.js');
type CompareCli = typeof import('../compare/cli.js');
type DrainCli = typeof import('../drain/cli.js');
type MetricsCli = typeof import('../metrics/cli.js');
type DoctorCli = typeof import('../doctor/cli.js');
type TopCli = typeof import('../top/cli.js');
type ReadyCli = typeof import('../ready/cli.js');
type CompletionCli = typeof import('../completion/cli.js');

/**
 * The module at `path` (relative to this one), through io.importModule when the process gives
 * one (the one-file bundle runs where import() is not available, see src/cli/code-cache.ts),
 * else through `load`, the plain import().
 */
function loadModule<T>(io: Io, path: string, load: () => Promise<T>): Promise<T> {
  return io.importModule ? (io.importModule(new URL(path, import.meta.url).href) as Promise<T>) : load();
}

/** word → loader of its runner (argv passed without the word itself) */
const SUBCOMMANDS: Readonly<Record<string, Loader>> = {
  realserver: async (io) => {
    const { runPrepCli } = await loadModule<PrepCli>(io, '../realserver/cli.js', () => import('../realserver/cli.js'));
    return (argv, io) => runPrepCli('realserver', argv, io);
  },
  director: async (io) => {
    const { runPrepCli } = await loadModule<PrepCli>(io, '../realserver/cli.js', () => import('../realserver/cli.js'));
    return async (argv, io) => {
      // `director ready` is the readiness gate, a command of its own (src/ready/)
      if (argv[0] !== 'ready') return runPrepCli('director', argv, io);
      const { runReadyCli } = await loadModule<ReadyCli>(io, '../ready/cli.js', () => import('../ready/cli.js'));
      return runReadyCli(argv.slice(1), io);
    };
  },
  lab: async (io) => (await loadModule<LabCli>(io, '../lab/cli.js', () => import('../lab/cli.js'))).runLabCli,
  apply: async (io) => (await loadModule<ApplyCli>(io, '../apply/cli.js', () => import('../apply/cli.js'))).runApplyCli,
  boot: async (io) => (await loadModule<BootCli>(io, '../apply/boot.js', () => import('../apply/boot.js'))).runBootCli,
  compare: async (io) => (await loadModule<CompareCli>(io, '../compare/cli.js', () => import('../compare/cli.js'))).runCompareCli,
  drain: async (io) => (await loadModule<DrainCli>(io, '../drain/cli.js', () => import('../drain/cli.js'))).runDrainCli,
  metrics: async (io) => (await loadModule<MetricsCli>(io, '../metrics/cli.js', () => import('../metrics/cli.js'))).runMetricsCli,
  doctor: async (io) => (await loadModule<DoctorCli>(io, '../doctor/cli.js', () => import('../doctor/cli.js'))).runDoctorCli,
  top: async (io) => (await loadModule<TopCli>(io, '../top/cli.js', () => import('../top/cli.js'))).runTopCli,
  completion: async (io) => (await loadModule<CompletionCli>(io, '../completion/cli.js', () => import('../completion/cli.js'))).runCompletionCli,
};

/** The leading words of our own commands. */
export const COMMAND_WORDS: readonly string[] = Object.keys(SUBCOMMANDS);

/** Runs one `ipvsadm` command line, ours or 1.31's; returns the exit status. */
export async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const sub = findSubcommand(argv);
  return sub ? (await sub(io))(argv.slice(1), io) : main(argv, io);
}

function findSubcommand(argv: readonly string[]): Loader | undefined {
  const word = argv[0];
  return word !== undefined && Object.hasOwn(SUBCOMMANDS, word) ? SUBCOMMANDS[word] : undefined;
}
