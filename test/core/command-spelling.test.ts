// commandSpelling: the 1.31 words of every kind of Command, checked by reading them back through
// the grammar (each spelling, completed with what the command needs, parses to its kind).
import { describe, expect, it } from 'vitest';
import { commandSpelling } from '../../src/core/command-spelling.js';
import type { CommandKind } from '../../src/core/command.js';
import { parseCommandLine } from '../../src/core/parse.js';
import { FixedNames } from '../support/fixed-names.js';

/** What each command needs after its words to be a whole 1.31 line. */
const REST: Readonly<Record<CommandKind, string>> = {
  'add-service': '-t 192.0.2.1:80',
  'edit-service': '-t 192.0.2.1:80',
  'delete-service': '-t 192.0.2.1:80',
  flush: '',
  zero: '',
  'add-dest': '-t 192.0.2.1:80 -r 198.51.100.1',
  'edit-dest': '-t 192.0.2.1:80 -r 198.51.100.1',
  'delete-dest': '-t 192.0.2.1:80 -r 198.51.100.1',
  list: '',
  'list-connections': '',
  'list-timeouts': '',
  'list-daemons': '',
  save: '',
  restore: '',
  'set-timeouts': '1 2 3',
  'start-daemon': 'master',
  'stop-daemon': 'master',
  help: '',
  version: '',
};

describe('commandSpelling', () => {
  it.each(Object.keys(REST) as CommandKind[])('%s', async (kind) => {
    const argv = `${commandSpelling(kind)} ${REST[kind]}`.split(' ').filter(Boolean);
    expect((await parseCommandLine(argv, { argv0: 'ipvsadm', names: new FixedNames() })).kind).toBe(kind);
  });
  it('is the short option when there is one', () => {
    expect([commandSpelling('delete-service'), commandSpelling('list-connections'), commandSpelling('list-timeouts'), commandSpelling('stop-daemon')]).toEqual(['-D', '-L -c', '-L --timeout', '--stop-daemon']);
  });
});
