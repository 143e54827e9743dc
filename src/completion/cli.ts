// `ipvsadm completion bash|zsh|fish`: prints the completion script of that shell (scripts.ts);
// `ipvsadm completion values ...` (hidden, what the scripts call) prints live values (values.ts).
// Statuses: COMPLETION_EXIT.
import { Argument } from 'commander';
import type { Command } from 'commander';
import { COMPLETION_EXIT } from '../app/exit-status.js';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { completionScript, SHELLS } from './scripts.js';
import type { Shell } from './scripts.js';
import { liveValues, parseValuesRequest } from './values.js';

function program(io: Io): Command {
  return frontEnd('ipvsadm completion', io)
    .description(
      'Print the completion script of a shell: commands, our own words, the options valid after the command typed, ' +
        "scheduler names, and the kernel's services, real servers and namespaces as you type.",
    )
    .addArgument(new Argument('<shell>', 'bash (/etc/bash_completion.d/ipvsadm), zsh (_ipvsadm in $fpath) or fish (~/.config/fish/completions/ipvsadm.fish)').choices(SHELLS))
    .addHelpText('after', '\nExample: ipvsadm completion bash > /etc/bash_completion.d/ipvsadm\n');
}

/** The values the scripts ask for, one a line; none (status 0) whenever the kernel cannot tell. */
async function values(argv: readonly string[], io: Io): Promise<number> {
  const request = parseValuesRequest(argv);
  if ('error' in request) {
    io.stderr(`ipvsadm completion: ${request.error}\n`);
    return COMPLETION_EXIT.USAGE;
  }
  const found = await liveValues(request, io);
  if (found.length > 0) io.stdout(`${found.join('\n')}\n`);
  return COMPLETION_EXIT.OK;
}

export async function runCompletionCli(argv: readonly string[], io: Io): Promise<number> {
  if (argv[0] === 'values') return values(argv.slice(1), io);
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, COMPLETION_EXIT.USAGE);
  if (ended !== undefined) return ended;
  io.stdout(completionScript(cmd.args[0] as Shell));
  return COMPLETION_EXIT.OK;
}
