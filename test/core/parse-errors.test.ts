// parseCommandLine, table-driven: argv → (stderr text, exit status). Every message comes from
// runs of the real ipvsadm 1.31, or was checked against it in UML.
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/core/parse.js';
import { FixedNames } from '../support/fixed-names.js';
import { TRY, failureOf } from '../support/parse-cases.js';

describe('errors: "Try" (exit 255) when the first option is not a command', () => {
  it.each(['foo', '-n', '-n -L', '-t 192.0.2.1:80', '--foo', '-5', '--add', '--start-daemon', '--list=foo', '-q', '--', '-- -L', ['']])(
    '%j',
    async (argv) => {
      expect(await failureOf(argv)).toEqual({ stderr: TRY, exit: 255, kind: 'try' });
    },
  );

  it('uses argv0 verbatim', async () => {
    await expect(parseCommandLine(['-x'], { argv0: 'ipvsadm', names: new FixedNames() })).rejects.toThrow(
      "Try `ipvsadm -h' or 'ipvsadm --help' for more information.",
    );
  });
});

describe('errors: popt after the command (exit 255)', () => {
  it.each([
    ['-L --foo', '--foo: unknown option'],
    ['-L --tcp 192.0.2.1:80', '--tcp: unknown option'],
    ['-Lq', '-Lq: unknown option'],
    ['-A -t', '-t: missing argument'],
    ['-At', '-At: missing argument'],
    ['-A -t 192.0.2.1:80 -s', '-s: missing argument'],
    ['-L --numeric=foo', '--numeric=foo: option does not take an argument'],
    ['-L -n=foo', '-n=foo: option does not take an argument'],
    ['-A -t 192.0.2.1:80 -p -5', '-5: unknown option'],
    ['--set 1 2 -1', '-1: unknown option'],
    ['-L --start-daemon', '--start-daemon: missing argument'],
  ])('%j → %s', async (argv, message) => {
    expect(await failureOf(argv)).toEqual({ stderr: `${message}\n`, exit: 255, kind: 'popt' });
  });
});

describe('errors: validation (exit 2)', () => {
  const cases: [string | string[], string][] = [
    ['foo -L', 'unexpected argument foo'],
    ['-L foo', 'unexpected argument foo'],
    [['-L', ''], 'unexpected argument '],
    ['-A -t 192.0.2.1:80 -- -s', 'unexpected argument -s'],
    ['-A -t 192.0.2.1:80 # x', 'unexpected argument #'],
    // second commands: the last argv word read
    ['-L -D', "invalid option `-D'"],
    ['-L -h', "invalid option `-h'"],
    ['-L -v', "invalid option `-v'"],
    ['-A -t 192.0.2.1:80 -E', "invalid option `-E'"],
    ['-L --zero', "invalid option `--zero'"],
    ['-LD', "invalid option `-LD'"],
    ['-L --start-daemon=master', "invalid option `--start-daemon=master'"],
    ['-L --start-daemon master', "invalid option `master'"],
    ['-R -R', "invalid option `-R'"],
    ['-L -l', "invalid option `-l'"],
    ['--start-daemon foo', 'illegal start-daemon parameter specified'],
    ['--start-daemon Master', 'illegal start-daemon parameter specified'],
    ['--stop-daemon foo', 'illegal start_daemon specified'],
    // values are checked in argv order, before the matrix
    ['-A -t 192.0.2.1:80 -w abc', 'illegal weight specified'],
    ['-A -t 192.0.2.1:80 -w 5', "Illegal 'weight' option with the 'add-service' command"],
    ['-A -t 192.0.2.1:80 -w 5 -w abc', "multiple 'weight' options specified"],
    ['-A -t 192.0.2.1:80 -w abc --foo', 'illegal weight specified'],
    ['-A -t 192.0.2.1:80 -f 1', "multiple 'service-address' options specified"],
    ['-A -t 192.0.2.1:80 -u 192.0.2.1:80', "multiple 'service-address' options specified"],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -m -g', "multiple 'forwarding-method' options specified"],
    ['-A -t 192.0.2.1:80 -s rr -s wlc', "multiple 'scheduler' options specified"],
    ['-L -n -n', "multiple 'numeric' options specified"],
    ['-L -Ln', "invalid option `-Ln'"],
    [['-A', '-t', '192.0.2.1:80', '--persistent='], "invalid timeout value `' specified"],
    ['-A -t 192.0.2.1:80 -p foo', "invalid timeout value `foo' specified"],
    ['-A -t 192.0.2.1:80 -p 0', "invalid timeout value `0' specified"],
    ['-A -t 192.0.2.1:80 -p 2678401', "invalid timeout value `2678401' specified"],
    ['-A -f -1', "invalid fwmark value `-1' specified"],
    ['-A -f 0', "invalid fwmark value `0' specified"],
    ['-A -f 1x', "invalid fwmark value `1x' specified"],
    ['-A -f 4294967296', "invalid fwmark value `4294967296' specified"],
    ['-A -t 80', 'illegal virtual server address[:port] specified'],
    ['-A -t 3221225985', 'illegal virtual server address[:port] specified'],
    ['-A -t [2001:db8::1]', 'illegal virtual server address[:port] specified'],
    ['-A -t [2001:db8::1', 'illegal virtual server address[:port] specified'],
    ['-A -t 192.0.2.1:', 'illegal virtual server address[:port] specified'],
    ['-A -u 192.0.2.1:http', 'illegal virtual server address[:port] specified'],
    ['-A -t v6only.example.org:80', 'illegal virtual server address[:port] specified'],
    ['-A -t nosuchhost.example.org:80', 'illegal virtual server address[:port] specified'],
    ['-a -r 198.51.100.25:http -m -t 192.0.2.1:80', 'illegal real server address[:port] specified'],
    ['-a -t [2001:db8::1]:80 -r [2001:db8::2]', 'illegal real server address[:port] specified'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -w 2147483648', 'illegal weight specified'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -w -1', 'illegal weight specified'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -x 2147483648', 'illegal u_threshold specified'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -y x', 'illegal l_threshold specified'],
    ['-A -f 1 -6 -M 255.255.255.0', 'illegal ipv6 netmask specified'],
    ['-A -t [2001:db8::1]:80 -M 129', 'illegal ipv6 netmask specified'],
    ['-A -t 192.0.2.1:80 -M nosuchhost', 'illegal virtual server persistent mask specified'],
    ['-A -6 -f 1', '-6 used before -f\n'],
    ['-A -t 192.0.2.1:80 -6', '-6 used before -f\n'],
    ['-L -6', '-6 used before -f\n'],
    ['--set 1 2', '--set option requires 3 timeout values'],
    ['--set', '--set option requires 3 timeout values'],
    ['--set x 2', '--set option requires 3 timeout values'],
    ['--set 1 2 3 4', 'unexpected argument 4'],
    ['--set 1 x 3', "invalid timeout value `x' specified"],
    ['--set 2678401 0 0', "invalid timeout value `2678401' specified"],
    ['--set 1 2 3 -n', "Illegal 'numeric' option with the 'set' command"],
    ['-L -b foo', "invalid scheduler flag `foo'"],
    ['-L -b flag-1', "Illegal 'sched-flags' option with the 'list' command"],
    ['-A -t 192.0.2.1:80 -b sh-port', "incompatible scheduler flag `sh-port'"],
    ['-A -t 192.0.2.1:80 -b ,', "invalid scheduler flag `,'"],
    ['-A -t 192.0.2.1:80 -b flag-1 -b flag-2', "multiple 'sched-flags' options specified"],
    ['--start-daemon master --syncid 256', 'illegal syncid specified'],
    ['--start-daemon master --mcast-port 0', 'illegal mcast-port specified'],
    ['--start-daemon master --mcast-ttl 256', 'illegal mcast-ttl specified'],
    ['--start-daemon master --sync-maxlen 65508', 'illegal sync-maxlen specified'],
    ['--start-daemon master --mcast-group 192.0.2.1', "invalid IPv4 mcast-group `192.0.2.1'"],
    ['--start-daemon master --mcast-group 2001:db8::1', "invalid IPv6 mcast-group `2001:db8::1'"],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 --tun-type GUE', 'illegal tunnel type specified'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 --tun-port 0', 'illegal tunnel port specified'],
    // the matrix
    ['-L -c -t 192.0.2.1:80', "The option 'service-address' conflicts with the 'connection' option in the 'list' command"],
    ['-L --timeout --daemon', "The option 'daemon' conflicts with the 'timeout' option in the 'list' command"],
    ['-a -r 198.51.100.1 -n', "Illegal 'numeric' option with the 'add-server' command"],
    ['-a -t 192.0.2.1:80', "You need to supply the 'real-server' option for the 'add-server' command"],
    ['-A', "You need to supply the 'service-address' option for the 'add-service' command"],
    ['-R -n', "Illegal 'numeric' option with the 'restore' command"],
    ['-C -t 192.0.2.1:80', "Illegal 'service-address' option with the 'flush' command"],
    ['--stop-daemon master --mcast-interface eth0', "Illegal 'mcast-interface' option with the 'stop-daemon' command"],
    // post-matrix checks
    ['-A -t 192.0.2.1:0', 'Zero port specified for non-persistent service'],
    ['-A -t 192.0.2.1', 'Zero port specified for non-persistent service'],
    ['-E -t [2001:db8::1]:0', 'Zero port specified for non-persistent service'],
    ['-A -t 192.0.2.1:80 -o', 'One-Packet Scheduling is only for UDP virtual services'],
    ['-A --sctp-service 192.0.2.1:80 -o', 'One-Packet Scheduling is only for UDP virtual services'],
    ['-a -t 192.0.2.1:80 -r [2001:db8::2]:80 -m', 'Different address family is allowed only for tunneling servers'],
    ['-e -f 1 -r [2001:db8::2]:80', 'Different address family is allowed only for tunneling servers'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 --tun-type gue --tun-port 1', 'Tunnel options conflict with forward method'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -m --tun-csum', 'Tunnel options conflict with forward method'],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type gue', "You need to supply the 'tun-port' option for the 'gue' tunnel type"],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-port 5', "Illegal 'tun-port' option with the 'ipip' tunnel type"],
    ['-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type gre --tun-remcsum', "Illegal 'tun-remcsum' option with the 'gre' tunnel type"],
    [
      '-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-type gue --tun-port 1 --tun-csum --tun-remcsum',
      "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type",
    ],
    ['-L -c --stats', 'options conflicts in the list command'],
    ['-L --daemon --thresholds', 'options conflicts in the list command'],
    ['-L --timeout --persistent-conn', 'options conflicts in the list command'],
    ['-L --daemon --persistent-conn', 'options conflicts in the list command'],
  ];
  it.each(cases)('%j → %j', async (argv, message) => {
    expect(await failureOf(argv)).toEqual({ stderr: `${message}\n`, exit: 2, kind: 'fail' });
  });
});

describe('edge cases checked against the C ipvsadm 1.31 in the user-mode kernel', () => {
  it.each([
    ['-add-service', 2, "invalid option `-add-service'"],
    ['-A -t==192.0.2.1:80', 2, 'illegal virtual server address[:port] specified'],
    ['-A -t 192.0.2.1:80 -p=', 2, "invalid timeout value `' specified"],
    ['-L -', 2, 'unexpected argument -'],
    ['-L --sort=x', 255, '--sort=x: option does not take an argument'],
    ['-L -é', 255, '-é: unknown option'],
    ['-L ---list', 255, '---list: unknown option'],
    ['-L -=x', 255, '-=x: unknown option'],
    ['-h=x', 255, TRY.trimEnd()],
    ['-p', 255, TRY.trimEnd()],
    ['-A -t 192.0.2.1:80 -M 255.255.255.0x', 2, 'illegal virtual server persistent mask specified'],
    ['-A -f 0x10', 2, "invalid fwmark value `0x10' specified"],
    ['-A -t 1.2.3.4.5:80', 2, 'illegal virtual server address[:port] specified'],
    ['-L -t 192.0.2.1:80 --daemon', 2, "The option 'daemon' conflicts with the 'service-address' option in the 'list' command"],
    ['-L --timeout -c', 2, "The option 'timeout' conflicts with the 'connection' option in the 'list' command"],
    ['-L -f 1 -6 -M 64', 2, "Illegal 'netmask' option with the 'list' command"],
    ['-L -c -6', 2, '-6 used before -f\n'],
    ['-S -c', 2, "Illegal 'connection' option with the 'save' command"],
    ['-L -p 5', 2, "Illegal 'persistent' option with the 'list' command"],
  ] as const)('%j → %d %j', async (argv, exit, message) => {
    const got = await failureOf(argv);
    expect([got.exit, got.stderr]).toEqual([exit, `${message}\n`]);
  });
});
