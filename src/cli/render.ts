// Result → what to print, in the format the command line chose: the text renderers
// (format/*.ts, ipvsadm 1.31's layouts) or the JSON ones (table/json.ts, save/json-write.ts).
// Each renderer is loaded when used: a change (`-a`) never compiles any.
import type { Command } from '../core/command.js';
import type { Output, OutputFormat, Result } from './result.js';

/** `--json` when the command has it, else 1.31's text. */
export function outputFormat(cmd: Command): OutputFormat {
  return 'json' in cmd && cmd.json === true ? 'json' : 'text';
}

/** The output of `result` in `format`, listings and saves as chunks. */
export async function render(result: Result, format: OutputFormat): Promise<Output> {
  const json = format === 'json';
  switch (result.kind) {
    case 'done':
      return '';
    case 'listing': {
      if (json) return (await import('../table/json.js')).listingJson(result.listing, result.options, result.options.numeric ? undefined : result.names);
      return (await import('./format/list.js')).listingChunks(result.listing, result.options, result.names);
    }
    case 'save':
      return (await import('../save/format.js')).saveChunks(result.services, result.numeric, result.names);
    case 'save-all':
      return (await import('../save/json-write.js')).saveJson(result.data);
    case 'timeouts':
      if (json) return (await import('../table/json.js')).timeoutsJson(result.timeouts);
      return (await import('./format/timeouts.js')).formatTimeouts(result.timeouts);
    case 'daemons':
      if (json) return (await import('../table/json.js')).daemonsJson(result.daemons);
      return (await import('./format/daemons.js')).formatDaemons(result.daemons);
    case 'connections': {
      if (json) {
        const entries = (await import('../table/connections.js')).parseConnectionFile(result.text) ?? [];
        return (await import('./format/connections-json.js')).connectionsJson(entries, result.options.numeric ? undefined : result.names);
      }
      return (await import('./format/connections.js')).connectionChunks(result.text, result.options, result.names) ?? [];
    }
  }
}

/** The whole output as one string (restore's listings, tests). */
export async function renderText(result: Result, format: OutputFormat): Promise<string> {
  const out = await render(result, format);
  return typeof out === 'string' ? out : [...out].join('');
}
