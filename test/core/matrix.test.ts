// The command × option matrix: the data, pinned cell by cell against 1.31's table as observed
// from the binary (below); every cell driven end to end through parseCommandLine; and the check's message order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  COMMAND_NAMES,
  MATRIX,
  OPTION_NAMES,
  cellOf,
  checkCommandOptions,
  checkTunnelOptions,
} from '../../src/core/matrix.js';
import type { CommandName, OptionName } from '../../src/core/matrix.js';
import { parseCommandLine } from '../../src/core/parse.js';
import { FixedNames } from '../support/fixed-names.js';

/** ipvsadm 1.31's matrix as observed: index, optname, then A E D C L a d e set S↑ S↓ R S Z. */
const SPEC_TABLE = `
| 0 | numeric | x | x | x | x | . | x | x | x | x | x | x | x | . | x |
| 1 | connection | x | x | x | x | 1 | x | x | x | x | x | x | x | x | x |
| 2 | service-address | + | + | + | x | 1 | + | + | + | x | x | x | x | x | . |
| 3 | scheduler | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| 4 | persistent | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| 5 | netmask | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| 6 | real-server | x | x | x | x | x | + | + | + | x | x | x | x | x | x |
| 7 | forwarding-method | x | x | x | x | x | . | x | . | x | x | x | x | x | x |
| 8 | weight | x | x | x | x | x | . | x | . | x | x | x | x | x | x |
| 9 | u-threshold | x | x | x | x | x | . | x | . | x | x | x | x | x | x |
| 10 | l-threshold | x | x | x | x | x | . | x | . | x | x | x | x | x | x |
| 11 | mcast-interface | x | x | x | x | x | x | x | x | x | . | x | x | x | x |
| 12 | timeout | x | x | x | x | 1 | x | x | x | x | x | x | x | x | x |
| 13 | daemon | x | x | x | x | 1 | x | x | x | x | x | x | x | x | x |
| 14 | stats | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| 15 | rate | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| 16 | thresholds | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| 17 | persistent-conn | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| 18 | nosort | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| 19 | syncid | x | x | x | x | . | x | x | x | x | . | . | x | x | x |
| 20 | exact | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| 21 | ops | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| 22 | pe | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| 23 | sched-flags | . | . | x | x | x | x | x | x | x | x | x | x | x | x |
| 24 | mcast-group | x | x | x | x | x | x | x | x | x | . | x | x | x | x |
| 25 | mcast-port | x | x | x | x | x | x | x | x | x | . | x | x | x | x |
| 26 | mcast-ttl | x | x | x | x | x | x | x | x | x | . | x | x | x | x |
| 27 | sync-maxlen | x | x | x | x | x | x | x | x | x | . | x | x | x | x |
| 28 | tun-info | x | x | x | x | . | x | x | x | x | x | x | x | x | x |
| 29 | tun-type | x | x | x | x | x | . | x | . | x | x | x | x | x | x |
| 30 | tun-port | x | x | x | x | x | . | x | . | x | x | x | x | x | x |
| 31 | tun-nocsum | x | x | x | x | x | . | x | . | x | x | x | x | x | x |
| 32 | tun-csum | x | x | x | x | x | . | x | . | x | x | x | x | x | x |
| 33 | tun-remcsum | x | x | x | x | x | . | x | . | x | x | x | x | x | x |
`;

const specRows = SPEC_TABLE.trim()
  .split('\n')
  .map((line) => line.split('|').map((c) => c.trim()).filter((c) => c !== ''));

describe('MATRIX data', () => {
  it('has the spec\'s 34 options in index order', () => {
    expect(OPTION_NAMES).toEqual(specRows.map((r) => r[1]));
    expect(specRows.map((r) => Number(r[0]))).toEqual([...Array(34).keys()]);
  });

  it('has the 14 commands in the spec\'s column order', () => {
    expect(COMMAND_NAMES).toEqual([
      'add-service', 'edit-service', 'delete-service', 'flush', 'list', 'add-server', 'delete-server',
      'edit-server', 'set', 'start-daemon', 'stop-daemon', 'restore', 'save', 'zero',
    ]);
  });

  it.each(specRows.map((r) => [r[1]!, r.slice(2)] as const))('row %s matches the spec', (option, cells) => {
    expect(MATRIX[option as OptionName]).toEqual(cells);
  });
});

/** Present options → the UsageError message (or 'ok'). */
function check(command: CommandName, present: OptionName[]): string {
  try {
    checkCommandOptions(command, new Set(present));
    return 'ok';
  } catch (e) {
    if (e instanceof UsageError && e.exitCode === 2) return e.message;
    throw e;
  }
}

describe('checkCommandOptions', () => {
  it('reports the lowest-index problem first', () => {
    // numeric (0) is illegal before service-address (2) is found missing.
    expect(check('add-server', ['real-server', 'numeric'])).toBe("Illegal 'numeric' option with the 'add-server' command");
    expect(check('add-server', ['real-server'])).toBe("You need to supply the 'service-address' option for the 'add-server' command");
    expect(check('add-server', ['service-address'])).toBe("You need to supply the 'real-server' option for the 'add-server' command");
    expect(check('add-service', ['service-address', 'weight', 'tun-type'])).toBe("Illegal 'weight' option with the 'add-service' command");
    expect(check('list', ['daemon', 'connection', 'stats'])).toBe("The option 'daemon' conflicts with the 'connection' option in the 'list' command");
    expect(check('list', ['timeout', 'numeric', 'rate'])).toBe('ok');
  });

  it('names the earliest option of the one-of group in conflicts', () => {
    expect(check('list', ['service-address', 'connection'])).toBe("The option 'service-address' conflicts with the 'connection' option in the 'list' command");
    expect(check('list', ['timeout', 'daemon'])).toBe("The option 'daemon' conflicts with the 'timeout' option in the 'list' command");
    expect(check('list', ['service-address', 'timeout'])).toBe("The option 'timeout' conflicts with the 'service-address' option in the 'list' command");
    expect(check('list', ['service-address', 'daemon', 'timeout'])).toBe("The option 'timeout' conflicts with the 'service-address' option in the 'list' command");
  });

  it('pins cells the spec calls out', () => {
    expect(check('add-service', ['service-address', 'weight'])).toBe("Illegal 'weight' option with the 'add-service' command");
    expect(check('list', ['syncid'])).toBe('ok');
    expect(check('stop-daemon', ['syncid'])).toBe('ok');
    expect(check('stop-daemon', ['mcast-interface'])).toBe("Illegal 'mcast-interface' option with the 'stop-daemon' command");
    expect(check('zero', [])).toBe('ok');
    expect(check('zero', ['service-address'])).toBe('ok');
    expect(check('flush', ['numeric'])).toBe("Illegal 'numeric' option with the 'flush' command");
    expect(check('save', ['numeric'])).toBe('ok');
    expect(check('restore', ['numeric'])).toBe("Illegal 'numeric' option with the 'restore' command");
    expect(check('delete-server', ['service-address', 'real-server', 'weight'])).toBe("Illegal 'weight' option with the 'delete-server' command");
    expect(check('edit-server', ['service-address', 'real-server', 'tun-remcsum'])).toBe('ok');
    expect(check('delete-service', ['service-address', 'scheduler'])).toBe("Illegal 'scheduler' option with the 'delete-service' command");
    expect(check('set', ['numeric'])).toBe("Illegal 'numeric' option with the 'set' command");
    expect(check('start-daemon', ['mcast-group', 'mcast-port', 'mcast-ttl', 'sync-maxlen', 'syncid'])).toBe('ok');
    expect(check('edit-service', [])).toBe("You need to supply the 'service-address' option for the 'edit-service' command");
    expect(check('list', ['tun-info', 'exact', 'nosort', 'persistent-conn'])).toBe('ok');
    expect(check('list', ['ops'])).toBe("Illegal 'ops' option with the 'list' command");
  });
});

describe('checkTunnelOptions', () => {
  const tun = (type: 'ipip' | 'gue' | 'gre', present: string[]): string => {
    try {
      checkTunnelOptions(type, new Set(present));
      return 'ok';
    } catch (e) {
      return (e as Error).message;
    }
  };
  it.each([
    ['ipip', [], 'ok'],
    ['ipip', ['tun-port'], "Illegal 'tun-port' option with the 'ipip' tunnel type"],
    ['ipip', ['tun-csum'], "Illegal 'tun-csum' option with the 'ipip' tunnel type"],
    ['gue', [], "You need to supply the 'tun-port' option for the 'gue' tunnel type"],
    ['gue', ['tun-port'], 'ok'],
    ['gue', ['tun-port', 'tun-remcsum'], 'ok'],
    ['gue', ['tun-port', 'tun-csum', 'tun-remcsum'], "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type"],
    ['gue', ['tun-port', 'tun-nocsum', 'tun-csum'], "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type"],
    ['gre', ['tun-csum'], 'ok'],
    ['gre', ['tun-port'], "Illegal 'tun-port' option with the 'gre' tunnel type"],
    ['gre', ['tun-remcsum'], "Illegal 'tun-remcsum' option with the 'gre' tunnel type"],
    ['gre', ['tun-nocsum', 'tun-csum'], "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type"],
  ] as const)('%s with %j', (type, present, expected) => {
    expect(tun(type, [...present])).toBe(expected);
  });
});

// ---- every cell, end to end ----------------------------------------------------------------

/** How each command is typed; `--set` also needs its three values. */
const COMMAND_ARGV: Record<CommandName, string[]> = {
  'add-service': ['-A'],
  'edit-service': ['-E'],
  'delete-service': ['-D'],
  flush: ['-C'],
  list: ['-L'],
  'add-server': ['-a'],
  'delete-server': ['-d'],
  'edit-server': ['-e'],
  set: ['--set', '1', '2', '3'],
  'start-daemon': ['--start-daemon', 'master'],
  'stop-daemon': ['--stop-daemon', 'backup'],
  restore: ['-R'],
  save: ['-S'],
  zero: ['-Z'],
};

/** A valid use of each option (a UDP service, so that -o passes the post-matrix checks). */
const SAMPLE: Record<OptionName, string[]> = {
  numeric: ['-n'],
  connection: ['-c'],
  'service-address': ['-u', '192.0.2.1:53'],
  scheduler: ['-s', 'rr'],
  persistent: ['-p'],
  netmask: ['-M', '255.255.255.0'],
  'real-server': ['-r', '198.51.100.1'],
  'forwarding-method': ['-m'],
  weight: ['-w', '2'],
  'u-threshold': ['-x', '10'],
  'l-threshold': ['-y', '5'],
  'mcast-interface': ['--mcast-interface', 'eth1'],
  timeout: ['--timeout'],
  daemon: ['--daemon'],
  stats: ['--stats'],
  rate: ['--rate'],
  thresholds: ['--thresholds'],
  'persistent-conn': ['--persistent-conn'],
  nosort: ['--nosort'],
  syncid: ['--syncid', '3'],
  exact: ['-X'],
  ops: ['-o'],
  pe: ['--pe', 'sip'],
  'sched-flags': ['-b', 'flag-1'],
  'mcast-group': ['--mcast-group', '239.1.2.3'],
  'mcast-port': ['--mcast-port', '9000'],
  'mcast-ttl': ['--mcast-ttl', '5'],
  'sync-maxlen': ['--sync-maxlen', '1000'],
  'tun-info': ['--tun-info'],
  'tun-type': ['--tun-type', 'ipip'],
  'tun-port': ['--tun-port', '6080'],
  'tun-nocsum': ['--tun-nocsum'],
  'tun-csum': ['--tun-csum'],
  'tun-remcsum': ['--tun-remcsum'],
};

/** Where an allowed tunnel option also needs -i and a fitting type to pass the tunnel-type checks. */
const ALLOWED_SAMPLE: Partial<Record<OptionName, string[]>> = {
  'tun-type': ['-i', '--tun-type', 'ipip'],
  'tun-port': ['-i', '--tun-type', 'gue', '--tun-port', '6080'],
  'tun-nocsum': ['-i', '--tun-type', 'gre', '--tun-nocsum'],
  'tun-csum': ['-i', '--tun-type', 'gre', '--tun-csum'],
  'tun-remcsum': ['-i', '--tun-type', 'gue', '--tun-port', '6080', '--tun-remcsum'],
};

function argvFor(command: CommandName, options: readonly OptionName[], allowed = false): string[] {
  const required = OPTION_NAMES.filter((o) => cellOf(command, o) === '+' && !options.includes(o));
  const words = [...required, ...options].flatMap((o) => (allowed && ALLOWED_SAMPLE[o]) || SAMPLE[o]);
  return [...COMMAND_ARGV[command], ...words];
}

async function outcome(argv: string[]): Promise<string> {
  try {
    await parseCommandLine(argv, { argv0: 'ipvsadm', names: new FixedNames() });
    return 'ok';
  } catch (e) {
    if (e instanceof UsageError) return `${e.exitCode} ${e.message}`;
    throw e;
  }
}

const cells = COMMAND_NAMES.flatMap((command) => OPTION_NAMES.map((option) => [command, option, cellOf(command, option)] as const));

describe.each(cells)('%s × %s (%s)', (command, option, cell) => {
  if (cell === 'x') {
    it('is refused as illegal', async () => {
      expect(await outcome(argvFor(command, [option]))).toBe(`2 Illegal '${option}' option with the '${command}' command`);
    });
  } else if (cell === '+') {
    it('is required', async () => {
      const argv = argvFor(command, []).filter((_, i, all) => !isSampleOf(option, all, i));
      expect(await outcome(argv)).toBe(`2 You need to supply the '${option}' option for the '${command}' command`);
    });
  } else {
    it('is accepted', async () => {
      expect(await outcome(argvFor(command, [option], true))).toBe('ok');
    });
  }
});

/** Whether word i of argv belongs to the sample of `option` (to leave a required one out). */
function isSampleOf(option: OptionName, argv: string[], i: number): boolean {
  const sample = SAMPLE[option];
  for (let start = Math.max(0, i - sample.length + 1); start <= i; start++) {
    if (sample.every((w, k) => argv[start + k] === w)) return true;
  }
  return false;
}

describe('one-of groups, pair by pair', () => {
  const pairs = COMMAND_NAMES.flatMap((command) => {
    const group = OPTION_NAMES.filter((o) => cellOf(command, o) === '1');
    return group.flatMap((a, i) => group.slice(i + 1).map((b) => [command, a, b] as const));
  });

  it('has the list group of the spec', () => {
    expect(pairs.map(([c, a, b]) => `${c}:${a}+${b}`)).toEqual([
      'list:connection+service-address',
      'list:connection+timeout',
      'list:connection+daemon',
      'list:service-address+timeout',
      'list:service-address+daemon',
      'list:timeout+daemon',
    ]);
  });

  it.each(pairs)('%s: %s then %s conflict', async (command, first, second) => {
    // Typed in either order, the message names the later index against the earlier one.
    const expected = `2 The option '${second}' conflicts with the '${first}' option in the '${command}' command`;
    expect(await outcome(argvFor(command, [first, second]))).toBe(expected);
    expect(await outcome(argvFor(command, [second, first]))).toBe(expected);
  });
});

describe('checkCommandOptions against the row walk it shortcuts', () => {
  /** The check as the spec states it: rows in index order, the first problem named. */
  function reference(command: CommandName, present: ReadonlySet<OptionName>): string | undefined {
    let first: OptionName | undefined;
    for (const option of OPTION_NAMES) {
      const c = cellOf(command, option);
      if (!present.has(option)) {
        if (c === '+') return `You need to supply the '${option}' option for the '${command}' command`;
        continue;
      }
      if (c === 'x') return `Illegal '${option}' option with the '${command}' command`;
      if (c !== '1') continue;
      if (first === undefined) first = option;
      else return `The option '${option}' conflicts with the '${first}' option in the '${command}' command`;
    }
    return undefined;
  }
  const outcome = (command: CommandName, present: ReadonlySet<OptionName>): string | undefined => {
    try {
      checkCommandOptions(command, present);
      return undefined;
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      return (e as Error).message;
    }
  };

  it('passes and fails exactly where the walk does, with the same message, for any options of any command', () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMMAND_NAMES), fc.subarray([...OPTION_NAMES], { maxLength: 8 }), (command, options) => {
        const present = new Set(options);
        expect(outcome(command, present)).toBe(reference(command, present));
      }),
      { numRuns: 5000 },
    );
  });

  it('every command with just its required options passes', () => {
    for (const command of COMMAND_NAMES) {
      const present = new Set(OPTION_NAMES.filter((o) => cellOf(command, o) === '+'));
      expect(outcome(command, present), command).toBe(reference(command, present));
    }
  });
});
