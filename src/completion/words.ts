// Our leading words (realserver, director, apply, ...) as completion sees them: their actions,
// operands and options with what follows each, as each front end's --help lists them
// (test/completion/words.test.ts holds every word's --help against this table).
import { TUNNEL_TYPES } from '../ipvs/vocabulary.js';
import { NETNS_OPTION } from './spec.js';
import type { CompletionOption, ValueKind } from './spec.js';

/** One leading word (or `director ready`): what comes after it. */
export interface WordSpec {
  /** the action words it takes first (`realserver up`) */
  readonly actions?: readonly string[];
  /** what its operands are (apply FILE, compare A B) */
  readonly operands?: ValueKind;
  readonly options: readonly CompletionOption[];
}

const words = (list: readonly string[]): ValueKind => ({ words: list });
const BOOL = words(['0', '1']);
const HA_DIRECTOR = words(['pair', 'ecmp']);
const SYNC_ROLES = words(['master', 'backup', 'both', 'none']);

/** An option spelt `-x, --long` or `--long`, taking `value` (flag: none). */
function opt(spellings: string, value: ValueKind = 'flag'): CompletionOption {
  const [a, b] = spellings.split(',').map((s) => s.trim());
  const long = b ?? a!;
  return { ...(b ? { short: a! } : {}), long, tracked: long, value };
}

const HELP = opt('-h, --help');
const JSON_OPTION = opt('--json');
const DRY_RUN = opt('--dry-run');
const PERSIST = opt('--persist', 'file');
const NO_PROGRESS = opt('--no-progress');

/** -t, -u, --sctp-service, -f, -6 as drain and top take them (the kernel's services). */
const SERVICE_OPTIONS = [
  opt('-t, --tcp-service', 'service:tcp'),
  opt('-u, --udp-service', 'service:udp'),
  opt('--sctp-service', 'service:sctp'),
  opt('-f, --fwmark-service', 'service:fwmark'),
  opt('-6, --ipv6'),
];

const PREP_ACTIONS = ['up', 'down', 'check'];

const REALSERVER: WordSpec = {
  actions: PREP_ACTIONS,
  options: [
    opt('--mode', words(['dr', 'tun'])),
    opt('--vip', 'text'),
    opt('--dev', 'iface'),
    opt('--tun-type', words(TUNNEL_TYPES)),
    opt('--tun-port', 'text'),
    opt('--tun-csum'),
    opt('--tun-local', 'text'),
    DRY_RUN,
    PERSIST,
    JSON_OPTION,
    HELP,
  ],
};

const DIRECTOR: WordSpec = {
  actions: [...PREP_ACTIONS, 'ready'],
  options: [
    opt('--mode', words(['nat', 'dr', 'tun'])),
    opt('--vip', 'text'),
    opt('--dev', 'iface'),
    opt('--ha', HA_DIRECTOR),
    opt('--sync', SYNC_ROLES),
    opt('--mcast-interface', 'iface'),
    ...['--syncid', '--sync-maxlen', '--mcast-group', '--mcast-port', '--mcast-ttl', '--sync-version', '--sync-threshold', '--sync-refresh-period'].map((o) => opt(o, 'text')),
    ...['--sloppy-tcp', '--sloppy-sctp', '--expire-nodest-conn', '--expire-quiescent-template'].map((o) => opt(o, BOOL)),
    opt('--conn-reuse-mode', words(['0', '1', '2', '3'])),
    opt('--backup-only', BOOL),
    DRY_RUN,
    PERSIST,
    JSON_OPTION,
    HELP,
  ],
};

const DIRECTOR_READY: WordSpec = {
  options: [
    opt('--rules', 'file'),
    opt('--ignore-weights'),
    opt('--ha', HA_DIRECTOR),
    opt('--sync', SYNC_ROLES),
    JSON_OPTION,
    opt('-q, --quiet'),
    ...['--watch', '--on-ready', '--on-unready', '--hook-timeout'].map((o) => opt(o, 'text')),
    HELP,
  ],
};

/** `ipvsadm WORD` (and `director ready`) → what follows; --netns is added to each. */
const WORDS: Readonly<Record<string, WordSpec>> = {
  realserver: REALSERVER,
  director: DIRECTOR,
  'director ready': DIRECTOR_READY,
  apply: {
    operands: { words: ['-'], files: true },
    options: [DRY_RUN, opt('--prune'), opt('--scope', 'text'), opt('--drain-wait', 'text'), opt('--canonical-order'), JSON_OPTION, NO_PROGRESS, HELP],
  },
  boot: {
    actions: ['start', 'reload', 'stop'],
    operands: 'file',
    options: [opt('--prune'), opt('--scope', 'text'), DRY_RUN, HELP],
  },
  compare: {
    operands: { words: ['kernel', '-'], files: true },
    options: [JSON_OPTION, opt('--mh-table-index', words(['8', '9', '10', '11', '12', '13', '14', '15', '16', '17'])), HELP],
  },
  drain: {
    options: [...SERVICE_OPTIONS, opt('-r, --real-server', 'server'), opt('--wait'), opt('--timeout', 'text'), opt('--until', words(['active', 'all'])), opt('--delete'), JSON_OPTION, HELP],
  },
  metrics: {
    options: [
      opt('--listen', 'text'),
      opt('--web.config.file', 'file'),
      opt('--collect', words(['all', 'none', 'counters', 'connections', 'weight', 'thresholds', 'rates'])),
      opt('--print-rules'),
      opt('--print-dashboard'),
      HELP,
    ],
  },
  doctor: { options: [JSON_OPTION, HELP] },
  top: {
    options: [
      ...SERVICE_OPTIONS,
      opt('-n, --numeric'),
      opt('-i, --interval', 'text'),
      opt('-c, --count', 'text'),
      opt('-s, --sort', words(['natural', 'active', 'inactive', 'cps', 'new', 'packets', 'bytes', 'weight'])),
      opt('--reverse'),
      opt('-x, --exact'),
      HELP,
    ],
  },
  lab: {
    options: [
      opt('--mode', words(['nat', 'dr', 'tun'])),
      opt('--tun-type', words(TUNNEL_TYPES)),
      opt('--ipv6'),
      opt('--rules', 'file'),
      opt('--requests', 'text'),
      opt('--directors', words(['1', '2', '3'])),
      opt('--ha', words(['vrrp', 'ecmp'])),
      opt('--connections', 'text'),
      NO_PROGRESS,
      HELP,
    ],
  },
  completion: { actions: ['bash', 'zsh', 'fish'], options: [HELP] },
};

/** ipvsadm-save [-n] [--json] and ipvsadm-restore (src/cli/scripts.ts): the same script completes them. */
const PROGRAMS: Readonly<Record<string, WordSpec>> = {
  'ipvsadm-save': { options: [opt('-n'), JSON_OPTION] },
  'ipvsadm-restore': { options: [] },
};

/** The leading words, in the order they are offered. */
export const LEADING_WORDS: readonly string[] = Object.keys(WORDS).filter((w) => !w.includes(' '));

/** The other programs the scripts complete. */
export const OTHER_PROGRAMS: readonly string[] = Object.keys(PROGRAMS);

/** Every context of ours, by key (`apply`, `director ready`, `ipvsadm-save`), --netns included in each. */
export function wordSpecs(): ReadonlyMap<string, WordSpec> {
  return new Map(Object.entries({ ...WORDS, ...PROGRAMS }).map(([key, spec]) => [key, { ...spec, options: [...spec.options, NETNS_OPTION] }]));
}
