// Commands beyond ipvsadm's, selected by a leading word (`ipvsadm realserver up ...`): a word can
// never be an ipvsadm option, so these cannot clash with the 1.31 command line. Each is loaded
// lazily, so the ipvsadm-compatible path pays nothing for them.
import type { Io } from './main.js';

export type SubcommandRunner = (argv: readonly string[], io: Io) => Promise<number>;

/** word → loader of its runner (argv passed without the word itself) */
const SUBCOMMANDS: Readonly<Record<string, () => Promise<SubcommandRunner>>> = {
  realserver: async () => {
    const { runPrepCli } = await import('../realserver/cli.js');
    return (argv, io) => runPrepCli('realserver', argv, io);
  },
  director: async () => {
    const { runPrepCli } = await import('../realserver/cli.js');
    return (argv, io) => runPrepCli('director', argv, io);
  },
  lab: async () => (await import('../lab/cli.js')).runLabCli,
};

export function findSubcommand(argv: readonly string[]): (() => Promise<SubcommandRunner>) | undefined {
  const word = argv[0];
  return word !== undefined && Object.hasOwn(SUBCOMMANDS, word) ? SUBCOMMANDS[word] : undefined;
}
