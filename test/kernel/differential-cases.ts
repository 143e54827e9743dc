// The table of command sequences run by differential.test.ts, once with the real ipvsadm 1.31
// and once with ours, inside the user-mode kernel. Each line is one ipvsadm argv, split on
// blanks. Documentation addresses only (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32).

/** One ipvsadm invocation: its argv as one string, optionally with standard input. */
export type DiffLine = string | { readonly args: string; readonly stdin: string };

export interface DiffCase {
  readonly name: string;
  /** command lines applied in order (each compared: stdout, stderr, exit status) */
  readonly lines: readonly DiffLine[];
  /** listings compared after the lines (default: -Ln) */
  readonly listings?: readonly DiffLine[];
  /** also stop sync daemons and reset timeouts between runs */
  readonly fullReset?: boolean;
  /**
   * Pause between lines. Sync-daemon cases need one: on the 6.1 user-mode kernel, stopping a
   * backup daemon whose kernel thread has not run yet (a stop a few ms after the start, which
   * our tool is fast enough to send) never gets its ACK. ipvsadm is ~50 ms per call.
   */
  readonly pauseMs?: number;
}

/**
 * The deliberate differences from ipvsadm 1.31 (README, "Differences"), applied to the C tool's
 * output to get what ours must print. Keep this list short and each entry documented.
 */
export function withDeliberateFixes(cText: string): string {
  // Save writes fwmarks >= 2^31 unsigned (`-f 4294967295`): 1.31's `-f -1` cannot be restored.
  return cText.replace(/^(-[Aa] -f )(-\d+)/gm, (_m, head: string, mark: string) => `${head}${(Number(mark) >>> 0).toString()}`);
}

/** /etc/hosts inside the guest while the suite runs (bind-mounted, never the host's file). */
export const GUEST_HOSTS = [
  '127.0.0.1 localhost',
  '192.0.2.1 vip1.example.org',
  '192.0.2.2 an-extremely-long-virtual-service-hostname.example.org',
  '198.51.100.1 rs1.example.org',
  '198.51.100.2 a-very-long-real-server-hostname.example.org',
  '2001:db8::1 vip6.example.org',
  '2001:db8::2 a-very-long-ipv6-real-server-hostname.example.org',
];

const RICH_TABLE = [
  '-A -f 4294967295',
  '-A -t 192.0.2.1:80 -s rr',
  '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m',
  '-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 3 -x 10 -y 2',
  '-a -t 192.0.2.1:80 -r 198.51.100.3:8080 -g -w 0',
  '-a -t 192.0.2.1:80 -r 198.51.100.4 -i',
  '-A -t 192.0.2.2:443 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port',
  '-A -t 192.0.2.3:0 -p',
  '-A -t 192.0.2.6:80',
  '-a -t 192.0.2.6:80 -r 198.51.100.7 -i --tun-type gue --tun-port 6080 --tun-csum',
  '-a -t 192.0.2.6:80 -r 198.51.100.8 -i --tun-type gre --tun-nocsum',
  '-A -t 192.0.2.7:80 -s rr -b flag-1,flag-3',
  '-A -u 192.0.2.1:53 -s wrr -o',
  '-A -u 192.0.2.4:5060 -p 100 --pe sip',
  '-A -u 192.0.2.4:5061 --pe sip',
  '-A --sctp-service 192.0.2.5:9999 -s dh',
  '-a --sctp-service 192.0.2.5:9999 -r 198.51.100.12 -m',
  '-A -t [2001:db8::1]:80 -s mh -p 30 -M 96 -b mh-port',
  '-a -t [2001:db8::1]:80 -r 198.51.100.6 -i',
  '-a -t [2001:db8::1]:80 -r [2001:db8::2]:8080 -m',
  '-A -f 1 -s lc',
  '-a -f 1 -r 198.51.100.5 -m',
  '-A -f 2 -6 -s rr -p 60 -M 64',
  '-a -f 2 -6 -r 2001:db8::5 -g',
  '-A -f 16 -s mh -b flag-3',
];

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];

const schedulerCases: DiffCase[] = SCHEDULERS.map((s) => ({
  name: `scheduler ${s}`,
  lines: [`-A -t 192.0.2.1:80 -s ${s}`, `-a -t 192.0.2.1:80 -r 198.51.100.1 -m -w 2`, `-A -u 192.0.2.1:53 -s ${s}`],
}));

const protocolCases: DiffCase[] = [
  { name: 'tcp ipv4 defaults', lines: ['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 198.51.100.1'] },
  { name: 'udp ipv4', lines: ['-A -u 192.0.2.2:53 -s rr', '-a -u 192.0.2.2:53 -r 198.51.100.2:5353 -m'] },
  { name: 'sctp ipv4', lines: ['--add-service --sctp-service 192.0.2.5:9999 -s dh', '-a --sctp-service 192.0.2.5:9999 -r 198.51.100.12 -m'] },
  { name: 'fwmark ipv4', lines: ['-A -f 1 -s lc', '-a -f 1 -r 198.51.100.5 -m', '-a -f 1 -r 198.51.100.6:8080 -g'] },
  { name: 'fwmark ipv6', lines: ['-A -f 2 -6 -s rr -p 60 -M 64', '-a -f 2 -6 -r [2001:db8::5] -g', '-a -f 2 -6 -r 2001:db8::6 -m'] },
  { name: 'fwmark large', lines: ['-A -f 4294967295', '-A -f 2147483648 -s rr', '-A -f 3'] },
  { name: 'tcp ipv6', lines: ['-A -t [2001:db8::1]:80 -s rr', '-a -t [2001:db8::1]:80 -r [2001:db8::2]:8080 -m', '-a -t [2001:db8::1]:80 -r [2001:db8::3] -g'] },
  { name: 'udp ipv6', lines: ['-A -u [2001:db8::1]:53', '-a -u [2001:db8::1]:53 -r [2001:db8::10]:53 -m -w 7'] },
  { name: 'ipv6 sort wrap', lines: ['-A -t [2001:db8::1]:80', '-A -t [2001:db8:ffff::1]:80', '-A -t [2001:db8::1]:81'] },
  { name: 'mixed family tunnel', lines: ['-A -t [2001:db8::1]:80', '-a -t [2001:db8::1]:80 -r 198.51.100.6 -i', '-a -t [2001:db8::1]:80 -r [2001:db8::2]:8080 -m'] },
  {
    name: 'service ordering',
    lines: ['-A -u 192.0.2.9:53', '-A -t 192.0.2.1:443', '-A -f 5', '-A -t 192.0.2.1:80', '-A --sctp-service 192.0.2.1:80', '-A -t [2001:db8::9]:1'],
  },
];

const forwardingCases: DiffCase[] = [
  {
    name: 'nat dr tun',
    lines: [
      '-A -t 192.0.2.1:80 -s rr',
      '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m',
      '-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 3',
      '-a -t 192.0.2.1:80 -r 198.51.100.3:8080 -g -w 0',
      '-a -t 192.0.2.1:80 -r 198.51.100.4 -i',
    ],
    listings: ['-Ln', '-Ln --tun-info', '-Ln --thresholds', '-Ln --persistent-conn', '-Ln -t 192.0.2.1:80'],
  },
  {
    name: 'gue and gre tunnels',
    lines: [
      '-A -t 192.0.2.6:80',
      '-a -t 192.0.2.6:80 -r 198.51.100.7 -i --tun-type gue --tun-port 6080 --tun-csum',
      '-a -t 192.0.2.6:80 -r 198.51.100.8 -i --tun-type gre --tun-csum',
      '-a -t 192.0.2.6:80 -r 198.51.100.9 -i --tun-type gue --tun-port 6081 --tun-remcsum',
      '-a -t 192.0.2.6:80 -r 198.51.100.11 -i --tun-type gre --tun-nocsum',
      '-a -t 192.0.2.6:80 -r 198.51.100.13 -i --tun-type gue --tun-port 6082',
      '-a -t 192.0.2.6:80 -r 198.51.100.14 -i --tun-type ipip',
    ],
    listings: ['-Ln', '-Ln --tun-info'],
  },
];

const serviceOptionCases: DiffCase[] = [
  { name: 'persistence default 360', lines: ['-A -t 192.0.2.3:0 -p', '-A -t 192.0.2.3:80 -p 120 -M 255.255.255.0'] },
  { name: 'persistence netmask ipv6', lines: ['-A -t [2001:db8::1]:80 -s mh -p 30 -M 96 -b mh-port'] },
  { name: 'sched flags', lines: ['-A -t 192.0.2.7:80 -s rr -b flag-1,flag-3', '-A -t 192.0.2.2:443 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port', '-A -f 16 -s mh -b flag-3'] },
  { name: 'one-packet', lines: ['-A -u 192.0.2.1:53 -s wrr -o', '-A -f 9 -o'] },
  { name: 'pe sip', lines: ['-A -u 192.0.2.4:5060 -p 100 --pe sip', '-A -u 192.0.2.4:5061 --pe sip'] },
  { name: 'thresholds', lines: ['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 198.51.100.4 -x 100 -y 50', '-a -t 192.0.2.1:80 -r 198.51.100.5 -m -x 7'], listings: ['-Ln --thresholds', '-Ln'] },
  { name: 'clustered flags', lines: ['-At 192.0.2.19:80 -srr', '-at192.0.2.19:80 -r198.51.100.1 -mw5'], listings: ['-Ln', '-Lnt 192.0.2.19:80'] },
  { name: 'long options', lines: ['--add-service --tcp-service 192.0.2.1:80 --scheduler rr --persistent=300', '--add-server --tcp-service 192.0.2.1:80 --real-server 198.51.100.1:80 --masquerading --weight 4'] },
  {
    name: 'long option names, every one',
    lines: [
      '--add-service --udp-service 192.0.2.1:53 --scheduler wrr --ops',
      '--add-service --fwmark-service 7 --scheduler sh --sched-flags sh-port --persistent 60 --netmask 255.255.255.0',
      '--add-server --udp-service 192.0.2.1:53 --real-server 198.51.100.1 --gatewaying --u-threshold 10 --l-threshold 5',
      '--add-server --udp-service 192.0.2.1:53 --real-server 198.51.100.3 --masquerading',
      '--add-server --fwmark-service 7 --real-server 198.51.100.2 --ipip',
      '--edit-service --fwmark-service 7 --scheduler rr',
      '--edit-server --fwmark-service 7 --real-server 198.51.100.2 --ipip --weight 2',
      '--zero --fwmark-service 7',
      '--delete-server --udp-service 192.0.2.1:53 --real-server 198.51.100.3',
      '--list --numeric --fwmark-service 7',
    ],
    listings: ['--list --numeric', '--list --numeric --thresholds', '--list --numeric --connection', '--save --numeric'],
  },
  { name: 'long option delete', lines: ['--add-service --udp-service 192.0.2.1:53', '--delete-service --udp-service 192.0.2.1:53', '--clear'] },
  { name: 'service names', lines: ['-A -t 192.0.2.1:http', '-A -u 192.0.2.1:domain', '-a -t 192.0.2.1:http -r 198.51.100.1:http-alt -m'] },
  { name: 'inet_aton forms', lines: ['-A -t 3221225985:80', '-A -t 192.0.2:81', '-A -t 0xc0000203:82'] },
  { name: 'weight range', lines: ['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 198.51.100.1 -m -w 2147483647', '-a -t 192.0.2.1:80 -r 198.51.100.2 -m -w 0'] },
];

const editDeleteCases: DiffCase[] = [
  { name: 'edit service resets', lines: ['-A -t 192.0.2.1:80 -s rr -p 120 -M 255.255.0.0 -b flag-2', '-E -t 192.0.2.1:80'] },
  { name: 'edit service scheduler', lines: ['-A -t 192.0.2.1:80', '-E -t 192.0.2.1:80 -s sh -b sh-port -p'] },
  { name: 'edit server', lines: ['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 198.51.100.1 -m -w 3', '-e -t 192.0.2.1:80 -r 198.51.100.1 -m -w 9 -x 10 -y 5'], listings: ['-Ln', '-Ln --thresholds'] },
  { name: 'edit server port forcing', lines: ['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m', '-e -t 192.0.2.1:80 -r 198.51.100.2:8080 -w 5'] },
  { name: 'delete server', lines: ['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 198.51.100.1 -m', '-a -t 192.0.2.1:80 -r 198.51.100.2 -m', '-d -t 192.0.2.1:80 -r 198.51.100.1'] },
  { name: 'delete service', lines: ['-A -t 192.0.2.1:80', '-A -t 192.0.2.2:80', '-D -t 192.0.2.1:80'] },
  { name: 'flush', lines: ['-A -t 192.0.2.1:80', '-A -f 7', '-C'] },
  { name: 'zero', lines: ['-A -t 192.0.2.1:80', '-Z', '-Z -t 192.0.2.1:80', '-Z -t 192.0.2.9:80'] },
];

const errorCases: DiffCase[] = [
  { name: 'kernel errors', lines: ['-A -t 192.0.2.1:80', '-A -t 192.0.2.1:80', '-E -t 192.0.2.2:80', '-D -t 192.0.2.2:80', '-a -t 192.0.2.2:80 -r 198.51.100.1', '-a -t 192.0.2.1:80 -r 198.51.100.1', '-a -t 192.0.2.1:80 -r 198.51.100.1', '-e -t 192.0.2.1:80 -r 198.51.100.9', '-d -t 192.0.2.1:80 -r 198.51.100.9', '-a -t 192.0.2.1:80 -r 224.1.1.1', '-a -t 192.0.2.1:80 -r 198.51.100.3 -y 5', '-A -t 192.0.2.5:80 -s nosuch', '-A -t 192.0.2.5:80 -s RR', '-A -t 192.0.2.6:80 --pe nosuch', '-Ln -t 192.0.2.9:80'] },
  { name: 'bad values', lines: ['-A -t 192.0.2.1:0', '-A -t 192.0.2.1:65536', '-A -t 80', '-A -t [2001:db8::1]', '-A -t nosuch.invalid:80', '-A -f 0', '-A -f -1', '-A -f 4294967296', '-A -f 1x', '-a -t 192.0.2.1:80 -r 198.51.100.1 -w -1', '-a -t 192.0.2.1:80 -r 198.51.100.1 -w 2147483648', '-a -t 192.0.2.1:80 -r 198.51.100.1 -w abc', '-A -t 192.0.2.1:80 -p 0', '-A -t 192.0.2.1:80 -p 2678401', '-A -t 192.0.2.1:80 -p foo', '-A -t 192.0.2.1:80 -M 300.1.1.1', '-A -f 1 -6 -M 255.255.255.0', '-A -t 192.0.2.1:80 -b foo', '-A -t 192.0.2.1:80 -b sh-port', '-A -t 192.0.2.1:80 -o', '-a -t 192.0.2.1:80 -r 198.51.100.1 -x abc'] },
  { name: 'matrix errors', lines: ['-A', '-A -t 192.0.2.1:80 -w 5', '-a -t 192.0.2.1:80', '-a -r 198.51.100.1 -n', '-L -c -t 192.0.2.1:80', '-L --timeout --daemon', '-L -c --stats', '-D -t 192.0.2.1:80 -s rr', '-A -t 192.0.2.1:80 -t 192.0.2.2:80', '-A -t 192.0.2.1:80 -m', '-a -t 192.0.2.1:80 -r 198.51.100.1 -m -g', '-C -t 192.0.2.1:80', '-Z -r 198.51.100.1'] },
  { name: 'command errors', lines: ['', '-n', 'foo -L', '-L -D', '-L extra', '-A -t 192.0.2.1:80 --foo', '-A -t', '-At', '--add', '-6 -A -t 192.0.2.1:80', '-A -t 192.0.2.1:80 -6', '-L -h', '-A -t 192.0.2.1:80 -- -s', '--numeric=foo -L'] },
  { name: 'tunnel option errors', lines: ['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 198.51.100.1 -m --tun-type gue', '-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type gue', '-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-port 80', '-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type gre --tun-remcsum', '-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type gue --tun-port 1 --tun-csum --tun-remcsum', '-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type foo', '-a -t 192.0.2.1:80 -r [2001:db8::1] -m'] },
];

const listModeCases: DiffCase[] = [
  {
    name: 'every list mode on a rich table',
    lines: RICH_TABLE,
    listings: [
      '-Ln', '-L -n', '-ln', '--list --numeric', '-Ln --stats', '-Ln --rate', '-Ln --stats --exact', '-Ln --rate -X', '-Ln --thresholds',
      '-Ln --persistent-conn', '-Ln --tun-info', '-Ln --nosort', '-Ln --sort', '-Ln --stats --rate', '-Ln --thresholds --persistent-conn --tun-info',
      '-Ln -t 192.0.2.1:80', '-Ln -t 192.0.2.1:80 --stats', '-Ln -f 2 -6', '-Ln -f 2', '-Ln -f 4294967295', '-Ln --sctp-service 192.0.2.5:9999',
      '-Ln -u 192.0.2.4:5060 --thresholds', '-Ln -t [2001:db8::1]:80 --tun-info', '-Lnc', '-Lnc --persistent-conn', '-L --timeout', '-L --daemon',
      '-Sn', '-S -n', '--save --numeric',
    ],
  },
  {
    name: 'names in listings and save',
    lines: [
      '-A -t vip1.example.org:http -s rr',
      '-a -t vip1.example.org:http -r rs1.example.org:http -m',
      '-a -t vip1.example.org:http -r a-very-long-real-server-hostname.example.org:http -m',
      '-A -t an-extremely-long-virtual-service-hostname.example.org:80',
      '-a -t 192.0.2.2:80 -r 198.51.100.2',
      '-A -u vip1.example.org:domain -s rr',
      '-A -u 192.0.2.4:5061',
      '-A -t [2001:db8::1]:80 -s rr',
      '-a -t [2001:db8::1]:80 -r 198.51.100.1 -i',
      '-a -t [2001:db8::1]:80 -r [2001:db8::2]:8080 -m',
      '-A -f 1',
      '-a -f 1 -r 198.51.100.1:8080 -m',
    ],
    listings: ['-L', '', '-l', '-L --stats', '-L --tun-info', '-L -t vip1.example.org:http', '-L -t [2001:db8::1]:http', '-S', '-Sn', '-Ln'],
  },
];

const saveRestoreCases: DiffCase[] = [
  { name: 'restore a saved table', lines: [{ args: '-R', stdin: `${RICH_TABLE.join('\n')}\n` }], listings: ['-Ln', '-Sn'] },
  {
    name: 'restore with errors',
    lines: [{ args: '-R', stdin: '-A -t 192.0.2.1:80\n-A -t 192.0.2.1:80\n-a -t 192.0.2.1:80 -r 198.51.100.1 -m\n-a -t 192.0.2.9:80 -r 198.51.100.1\n' }],
  },
  { name: 'restore last line fails', lines: [{ args: '-R', stdin: '-A -t 192.0.2.1:80\n-A -t 192.0.2.1:80\n' }] },
  { name: 'restore popt error skips line', lines: [{ args: '-R', stdin: '-A -t 192.0.2.1:80 --foo\n-A -t 192.0.2.2:80\n' }] },
  { name: 'restore validation error stops', lines: [{ args: '-R', stdin: '-A -t 192.0.2.1:80\n-A -t 192.0.2.2:80 -w 3\n-A -t 192.0.2.3:80\n' }] },
  { name: 'restore comment aborts', lines: [{ args: '-R', stdin: '-A -t 192.0.2.1:80\n# comment\n-A -t 192.0.2.3:80\n' }] },
  { name: 'restore ipvsadm words and CRLF', lines: [{ args: '-R', stdin: 'ipvsadm -A -t 192.0.2.1:80 -s rr\r\n\n   \n-a ipvsadm -t 192.0.2.1:80 -r 198.51.100.1 -m\r\n' }] },
  { name: 'restore runs listings', lines: [{ args: '-R', stdin: '-A -t 192.0.2.1:80\n-Ln\n-Sn\n-Ln -t 192.0.2.9:80\n-A -t 192.0.2.2:80\n' }] },
  { name: 'restore nested and options', lines: [{ args: '-R', stdin: '-R\n' }, { args: '-R -n', stdin: '' }, { args: '-R -R', stdin: '' }, { args: '--restore', stdin: '' }] },
];

const timeoutDaemonCases: DiffCase[] = [
  { name: 'timeouts', fullReset: true, lines: ['--set 10 20 30', '-L --timeout', '--set 0 0 45', '-L --timeout -n', '--set 1 2', '--set 1 2 3 4', '--set 1 x 3', '--set 2678401 1 1'] },
  {
    name: 'sync daemons',
    fullReset: true,
    pauseMs: 100,
    lines: [
      '--start-daemon master --mcast-interface dummy0',
      '--start-daemon master --mcast-interface dummy0',
      '--start-daemon backup --mcast-interface dummy0 --syncid 7 --sync-maxlen 1000 --mcast-group 239.1.2.3 --mcast-port 9000 --mcast-ttl 5',
      '-L --daemon',
      '--stop-daemon master',
      '--stop-daemon master',
      '-L --daemon',
      '--start-daemon foo',
      '--stop-daemon foo',
      '--start-daemon master --mcast-interface nosuch0',
      '--start-daemon master --mcast-group 192.0.2.1',
      '--start-daemon master --mcast-group 2001:db8::1',
      '--start-daemon master --syncid 256',
      '--start-daemon master --mcast-port 0',
      '--start-daemon master --mcast-ttl 256',
      '--start-daemon master --sync-maxlen 65508',
    ],
  },
  {
    name: 'sync daemon ipv6 group',
    fullReset: true,
    pauseMs: 100,
    lines: ['--start-daemon backup --mcast-interface dummy0 --mcast-group ff02::1:2', '-L --daemon', '--stop-daemon backup'],
  },
];

export const DIFF_CASES: readonly DiffCase[] = [
  ...listModeCases,
  ...saveRestoreCases,
  ...timeoutDaemonCases,
  ...protocolCases,
  ...schedulerCases,
  ...forwardingCases,
  ...serviceOptionCases,
  ...editDeleteCases,
  ...errorCases,
];
