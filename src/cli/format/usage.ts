// The -h and -v texts of this tool, in its own words (ipvsadm's wording is not reused). Options
// and their order follow ipvsadm 1.31's commands and options (option-table.ts); `test/cli/format/usage.test.ts` keeps VERSION in step
// with package.json.

/** This package's version (package.json "version"). */
export const VERSION = '0.1.0';

/** The ipvsadm release whose behaviour is reproduced, and the IPVS version it was built for. */
export const COMPAT = 'ipvsadm v1.31 2019/12/24, IPVS v1.2.1';

/** `-v`: one line, newline-terminated. */
export function formatVersion(): string {
  return `ipvsadm-ts ${VERSION} (a drop-in for ${COMPAT})\n`;
}

/** Usage lines after argv0; a second element continues the line, indented under the first. */
const SYNOPSIS: readonly (readonly [string, string?])[] = [
  ['-A|-E SERVICE [-s SCHED] [-p [SECS]] [-M MASK] [--pe ENGINE] [-o] [-b FLAGS]'],
  ['-D SERVICE'],
  ['-C'],
  ['-R'],
  ['-S [-n] [--json]'],
  [
    '-a|-e SERVICE -r SERVER[:PORT] [-g|-i|-m] [-w WEIGHT] [-x UPPER] [-y LOWER]',
    '[--tun-type TYPE] [--tun-port PORT] [--tun-nocsum|--tun-csum|--tun-remcsum]',
  ],
  ['-d SERVICE -r SERVER[:PORT]'],
  ['-L|-l [SERVICE] [-n] [--exact] [--nosort] [--json]', '[--stats|--rate|--thresholds|--persistent-conn|--tun-info]'],
  ['-L|-l -c [-n] [--persistent-conn] [--json]'],
  ['-L|-l --timeout|--daemon [--json]'],
  ['-Z [SERVICE]'],
  ['--set TCP TCPFIN UDP'],
  [
    '--start-daemon master|backup [--mcast-interface IFACE] [--syncid ID]',
    '[--mcast-group ADDR] [--mcast-port PORT] [--mcast-ttl TTL] [--sync-maxlen BYTES]',
  ],
  ['--stop-daemon master|backup [--syncid ID]'],
  ['-h|-v'],
];

function synopsis(argv0: string): string[] {
  const indent = ' '.repeat(argv0.length + 3);
  return SYNOPSIS.flatMap(([first, rest]) => [`  ${argv0} ${first}`, ...(rest ? [indent + rest] : [])]);
}

/** [option column, explanation] rows of one help section. */
type Rows = readonly (readonly [string, string])[];

const COMMANDS: Rows = [
  ['-A, --add-service', 'create a virtual service'],
  ['-E, --edit-service', 'replace the settings of a virtual service (unset ones revert)'],
  ['-D, --delete-service', 'remove a virtual service and its real servers'],
  ['-C, --clear', 'remove every virtual service'],
  ['-R, --restore', 'run the commands read from standard input, one per line'],
  ['-S, --save', 'print the table as commands that --restore accepts'],
  ['-a, --add-server', 'attach a real server to a virtual service'],
  ['-e, --edit-server', 'replace the settings of a real server (unset ones revert)'],
  ['-d, --delete-server', 'detach a real server from a virtual service'],
  ['-L, -l, --list', 'show the table, one virtual service or everything'],
  ['-Z, --zero', 'reset the counters of one virtual service, or of all'],
  ['--set TCP TCPFIN UDP', 'set connection timeouts in seconds (0 keeps a value)'],
  ['--start-daemon STATE', 'start the connection sync daemon (master or backup)'],
  ['--stop-daemon STATE', 'stop the connection sync daemon (master or backup)'],
  ['-h, --help', 'print this help'],
  ['-v, --version', 'print the version'],
];

const SERVICES: Rows = [
  ['-t, --tcp-service HOST[:PORT]', 'a TCP service; IPv6 as [ADDR]:PORT'],
  ['-u, --udp-service HOST[:PORT]', 'a UDP service'],
  ['--sctp-service HOST[:PORT]', 'an SCTP service'],
  ['-f, --fwmark-service MARK', 'packets carrying firewall mark MARK (1..4294967295)'],
  ['-6, --ipv6', 'after -f: the marked traffic is IPv6'],
];

const OPTIONS: Rows = [
  ['-s, --scheduler SCHED', 'kernel scheduler name: rr, wrr, lc, wlc (default), sh, mh, ...'],
  ['-p, --persistent [SECS]', 'keep a client on one server (default 360 seconds)'],
  ['-M, --netmask MASK', 'group clients by this mask (IPv4) or prefix length (IPv6)'],
  ['--pe ENGINE', 'persistence engine, e.g. sip'],
  ['-b, --sched-flags LIST', 'comma list: flag-1..3, sh-fallback, sh-port, mh-fallback, mh-port'],
  ['-o, --ops', 'schedule every UDP datagram on its own (one-packet scheduling)'],
  ['-r, --real-server HOST[:PORT]', 'the real server (without a port: the service port)'],
  ['-g, --gatewaying', 'forward by direct routing (default)'],
  ['-i, --ipip', 'forward through a tunnel'],
  ['-m, --masquerading', 'forward by NAT'],
  ['--tun-type TYPE', 'tunnel kind: ipip (default), gue or gre'],
  ['--tun-port PORT', 'destination port of a gue tunnel'],
  ['--tun-nocsum', 'tunnel packets carry no checksum'],
  ['--tun-csum', 'tunnel packets carry a checksum'],
  ['--tun-remcsum', 'tunnel packets use remote checksum offload (gue)'],
  ['-w, --weight N', 'relative share of new connections, 0..2147483647 (default 1)'],
  ['-x, --u-threshold N', 'stop sending new connections above N active ones (0: no limit)'],
  ['-y, --l-threshold N', 'resume sending new connections below N'],
  ['-c, --connection', 'with -L: list the current connections'],
  ['--timeout', 'with -L: show the tcp, tcpfin and udp timeouts'],
  ['--daemon', 'with -L: show the running sync daemons'],
  ['--stats', 'with -L: show traffic counters'],
  ['--rate', 'with -L: show traffic rates'],
  ['--thresholds', 'with -L: show connection thresholds'],
  ['--persistent-conn', 'with -L: show persistent connections (and pe data with -c)'],
  ['--tun-info', 'with -L: show tunnel settings'],
  ['-X, --exact', 'with -L: print counters in full, never K/M/G/T'],
  ['--nosort', 'with -L: keep the kernel order'],
  ['--json', 'with -L: the listing as JSON, exact; with -S: every setting'],
  ['--sort', 'accepted and ignored (sorting is the default)'],
  ['-n, --numeric', 'print addresses and ports as numbers, never names'],
];

const DAEMON_OPTIONS: Rows = [
  ['--syncid ID', 'sync id 0..255 (default 0)'],
  ['--mcast-interface IFACE', 'interface carrying the sync traffic (default eth0)'],
  ['--mcast-group ADDR', 'multicast group, IPv4 or IPv6'],
  ['--mcast-port PORT', 'UDP port of the sync traffic'],
  ['--mcast-ttl TTL', 'multicast TTL, 1..255'],
  ['--sync-maxlen BYTES', 'largest sync message payload'],
];

/** Our own commands: a leading word 1.31 rejects (src/entry/command-table.ts), and --netns. */
const BEYOND: Rows = [
  ['apply [--dry-run] [--prune] FILE', 'make the table what FILE says, without a flush'],
  ['boot start|reload|stop [FILE]', 'the rules file at boot, as ipvsadm.service runs it'],
  ['compare A B [--json]', 'are two tables the same (saves, listings, - or kernel)'],
  ['drain SERVICE -r SERVER [--wait]', 'weight 0, wait until its connections are gone, [--delete] it'],
  ['top [-n] [-s ORDER]', 'a live view of the services and real servers, with deltas'],
  ['metrics [--listen [ADDR:]PORT]', 'the table and its counters for Prometheus'],
  ['doctor [--json]', "what this director can do and what its table needs"],
  ['realserver|director up|down|check', 'prepare this host (VIPs, ARP and rp_filter sysctls, modules)'],
  ['lab [--mode MODE|--rules FILE]', 'try a table against IPVS in a sandbox kernel'],
  ['completion bash|zsh|fish', 'print the Tab completion script of that shell'],
  ['--netns NAME|PATH', 'with any command: run it in that network namespace'],
];

const COLUMN = 34;

function section(title: string, rows: Rows): string[] {
  return [
    '',
    `${title}:`,
    ...rows.map(([opt, text]) =>
      opt.length < COLUMN - 2 ? `  ${opt.padEnd(COLUMN - 2)}${text}` : `  ${opt}\n${' '.repeat(COLUMN)}${text}`,
    ),
  ];
}

/** `-h`: the full help, newline-terminated; `argv0` is shown as typed in the usage lines. */
export function formatUsage(argv0: string): string {
  const lines = [
    formatVersion().trimEnd(),
    'Manage the Linux Virtual Server table in the kernel (IPVS).',
    '',
    'Usage:',
    ...synopsis(argv0),
    ...section('Commands', COMMANDS),
    ...section('SERVICE is one of', SERVICES),
    ...section('Options', OPTIONS),
    ...section('Sync daemon options', DAEMON_OPTIONS),
    ...section(`Beyond ipvsadm 1.31 (each with --help and a man page)`, BEYOND),
  ];
  return lines.join('\n') + '\n';
}
