// Captures the front-door cases of test/cli/main.test.ts from the real ipvsadm 1.31 inside the
// user-mode kernel: each case starts from the same table (SETUP), runs one command line with the C
// tool, and records argv, stdin, stdout, stderr, exit status and the table left behind (-Sn,
// --timeout, --daemon) in cases.json. Run (after `npm run build`), as the README's guest runner:
//   node test/kernel/uml.mjs run -- 'node test/cli/front-door/capture.mjs'
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const OUT = new URL('./cases.json', import.meta.url);

/** The hosts test/support/fixed-names.ts knows, so names resolve alike in the guest and the unit test. */
const HOSTS = ['127.0.0.1 localhost', '192.0.2.1 vip1.example.org', '198.51.100.1 rs1.example.org', '2001:db8::1 v6only.example.org'];

/** The starting table of every case (C ipvsadm argv, split on blanks). */
const SETUP = [
  '-A -t 192.0.2.1:80 -s rr',
  '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 2',
  '-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -g -w 0 -x 10 -y 5',
  '-a -t 192.0.2.1:80 -r 198.51.100.3 -i --tun-type gue --tun-port 6080',
  '-A -u 192.0.2.1:53 -s wrr -p 120 -M 255.255.255.0',
  '-A -t [2001:db8::1]:443 -s sh -b sh-port',
  '-a -t [2001:db8::1]:443 -r [2001:db8::10]:443 -m',
  '-A -f 5 -s lc -o',
  '-a -f 5 -r 198.51.100.5 -m',
];

const RESTORE_MIXED = [
  '-A -t 192.0.2.20:80 -s rr',
  '-A -t 192.0.2.1:80',
  '-a -t 192.0.2.20:80 -r 198.51.100.20 -m',
  '-A -t 192.0.2.21:80 --foo',
  '-a -t 192.0.2.99:80 -r 198.51.100.1',
  '-A -t 192.0.2.22:80',
  '',
].join('\n');

/**
 * The cases: [name, argv (split on blanks), options]. `program` is ipvsadm unless named;
 * `as: 'nobody'` runs without root; `ipvs: 'absent'` runs with the ip_vs modules unloaded.
 */
const CASES = [
  // modifying commands, accepted
  ['add service', '-A -t 192.0.2.10:80 -s rr -p'],
  ['add service, long options', '--add-service --udp-service 192.0.2.10:53 --scheduler wlc --ops'],
  ['add fwmark ipv6 service', '-A -f 7 -6 -s mh -M 64 -p 30'],
  ['add service by names', '-A -t vip1.example.org:https'],
  ['edit service', '-E -t 192.0.2.1:80 -s wrr -p 60'],
  ['delete service', '-D -u 192.0.2.1:53'],
  ['flush', '-C'],
  ['add server', '-a -t 192.0.2.1:80 -r 198.51.100.4:80 -m -w 3'],
  ['add server, clustered', '-at192.0.2.1:80 -r198.51.100.6 -gw7'],
  ['add server by names', '-a -t vip1.example.org:http -r rs1.example.org:http-alt -m'],
  ['edit server', '-e -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 9 -x 100 -y 10'],
  ['delete server', '-d -t 192.0.2.1:80 -r 198.51.100.1:80'],
  ['delete fwmark server', '-d -f 5 -r 198.51.100.5'],
  ['zero all', '-Z'],
  ['zero one', '-Z -t 192.0.2.1:80'],
  ['set timeouts', '--set 10 20 30'],
  ['set timeouts, zero keeps', '--set 0 0 45'],
  ['start master daemon', '--start-daemon master --mcast-interface eth0'],
  ['start backup daemon', '--start-daemon backup --mcast-interface eth0 --syncid 9'],
  // kernel refusals: 255 with ipvsadm's message
  ['add existing service', '-A -t 192.0.2.1:80'],
  ['add service, unknown scheduler', '-A -t 192.0.2.11:80 -s nosuch'],
  ['add service, unknown pe', '-A -u 192.0.2.11:5060 --pe nosuch'],
  ['edit missing service', '-E -t 192.0.2.99:80'],
  ['delete missing service', '-D -t 192.0.2.99:80'],
  ['zero missing service', '-Z -t 192.0.2.99:80'],
  ['add server, missing service', '-a -t 192.0.2.99:80 -r 198.51.100.1'],
  ['add existing server', '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m'],
  ['add multicast server', '-a -t 192.0.2.1:80 -r 224.1.1.1'],
  ['add server, lower above upper threshold', '-a -t 192.0.2.1:80 -r 198.51.100.7 -x 5 -y 10'],
  ['edit missing server', '-e -t 192.0.2.1:80 -r 198.51.100.9:80 -m'],
  ['delete missing server', '-d -t 192.0.2.1:80 -r 198.51.100.9'],
  ['delete server, missing service', '-d -t 192.0.2.99:80 -r 198.51.100.1'],
  ['stop daemon not running', '--stop-daemon master'],
  ['start daemon, unknown interface', '--start-daemon master --mcast-interface nosuch0'],
  // listings
  ['no arguments', ''],
  ['list', '-L'],
  ['list numeric', '-Ln'],
  ['list, -l spelling', '-l -n'],
  ['list, long options', '--list --numeric'],
  ['list stats', '-Ln --stats'],
  ['list rate', '-Ln --rate'],
  ['list stats exact', '-Ln --stats --exact'],
  ['list thresholds', '-Ln --thresholds'],
  ['list persistent-conn', '-Ln --persistent-conn'],
  ['list tun-info', '-Ln --tun-info'],
  ['list nosort', '-Ln --nosort'],
  ['list one service', '-Ln -t 192.0.2.1:80'],
  ['list one service by names', '-L -t vip1.example.org:http'],
  ['list one fwmark service', '-Ln -f 5'],
  ['list one ipv6 service', '-Ln -t [2001:db8::1]:443 --stats'],
  ['list missing service', '-Ln -t 192.0.2.99:80'],
  ['list missing fwmark service', '-L -f 99'],
  ['list timeouts', '-L --timeout'],
  ['list daemons, none', '-L --daemon'],
  ['list connections', '-Lnc'],
  ['save', '-S'],
  ['save numeric', '-Sn'],
  ['save, long options', '--save --numeric'],
  // restore
  ['restore', '-R', { stdin: '-A -t 192.0.2.30:80 -s rr\n-a -t 192.0.2.30:80 -r 198.51.100.30 -m\n' }],
  ['restore mixed good and bad lines', '-R', { stdin: RESTORE_MIXED }],
  ['restore validation error stops', '-R', { stdin: '-A -t 192.0.2.31:80\n-A -t 192.0.2.32:80 -w 3\n-A -t 192.0.2.33:80\n' }],
  ['restore runs a listing', '-R', { stdin: '-A -t 192.0.2.34:80\n-Ln -t 192.0.2.34:80\n' }],
  ['restore empty input', '--restore', { stdin: '' }],
  ['restore with an option', '-R -n', { stdin: '-A -t 192.0.2.35:80\n' }],
  // usage errors: status 2
  ['add service without service', '-A'],
  ['weight on a service', '-A -t 192.0.2.1:80 -w 5'],
  ['add server without real server', '-a -t 192.0.2.1:80'],
  ['connections of one service', '-L -c -t 192.0.2.1:80'],
  ['two service options', '-A -t 192.0.2.1:80 -t 192.0.2.2:80'],
  ['two forwarding methods', '-a -t 192.0.2.1:80 -r 198.51.100.1 -m -g'],
  ['port 0', '-A -t 192.0.2.1:0'],
  ['port too large', '-A -t 192.0.2.1:65536'],
  ['unknown host', '-A -t nosuch.invalid:80'],
  ['fwmark 0', '-A -f 0'],
  ['weight out of range', '-a -t 192.0.2.1:80 -r 198.51.100.1 -w 2147483648'],
  ['bad persistence', '-A -t 192.0.2.1:80 -p foo'],
  ['bad netmask', '-A -t 192.0.2.1:80 -M 300.1.1.1'],
  ['bad scheduler flag', '-A -t 192.0.2.1:80 -b foo'],
  ['unexpected argument', '-L extra'],
  ['set needs three values', '--set 1 2'],
  ['set, bad value', '--set 1 x 3'],
  ['start daemon, bad state', '--start-daemon foo'],
  ['stop daemon, bad state', '--stop-daemon foo'],
  ['syncid out of range', '--start-daemon master --syncid 256'],
  ['second command', '-L -D'],
  ['tun-port without gue', '-a -t 192.0.2.1:80 -r 198.51.100.1 -i --tun-port 80'],
  // popt errors and a missing command: status 255
  ['unknown long option', '-A -t 192.0.2.1:80 --foo'],
  ['unknown short option', '-L -q'],
  ['missing argument', '-A -t'],
  ['missing argument, clustered', '-At'],
  ['argument to a flag', '-L --numeric=foo'],
  ['no command first', '-n -L'],
  ['a word first', 'foo -L'],
  ['option before command', '-6 -A -t 192.0.2.1:80'],
  // help and version (deliberate differences: our own texts)
  ['help', '-h'],
  ['help, long', '--help'],
  ['version', '-v'],
  // the wrapper scripts
  ['ipvsadm-save', '', { program: 'ipvsadm-save' }],
  ['ipvsadm-save -n', '-n', { program: 'ipvsadm-save' }],
  ['ipvsadm-save, a word is ignored', 'foo -n', { program: 'ipvsadm-save' }],
  ['ipvsadm-save, bad option', '-x', { program: 'ipvsadm-save' }],
  ['ipvsadm-restore', '', { program: 'ipvsadm-restore', stdin: `# saved\n-A -t 192.0.2.40:80 -s rr\n#-A -t 192.0.2.41:80\n-a -t 192.0.2.40:80 -r 198.51.100.40 -m\n` }],
  ['ipvsadm-restore, bad lines', '', { program: 'ipvsadm-restore', stdin: '-A -t 192.0.2.42:80\n-A -t 192.0.2.42:80\n-A -t 192.0.2.43:80 --foo\n-A -t 192.0.2.44:80\n' }],
  // IPVS not available: init failure wins over everything but -h/-v
  ['not root, list', '-Ln', { as: 'nobody' }],
  ['not root, add', '-A -t 192.0.2.1:80', { as: 'nobody' }],
  ['not root, usage error', '-A -t 192.0.2.1:80 -w 3', { as: 'nobody' }],
  ['not root, popt error', '-A -t 192.0.2.1:80 --foo', { as: 'nobody' }],
  ['no module, list', '-Ln', { ipvs: 'absent' }],
  ['no module, flush', '-C', { ipvs: 'absent' }],
];

const words = (line) => line.split(/\s+/).filter((w) => w.length > 0);
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];

function run(program, argv, { stdin = '', as, env } = {}) {
  const prefix = as === 'nobody' ? AS_NOBODY : [];
  // `exec -a NAME` gives the C tool the argv[0] a shell user's PATH lookup gives it.
  const cmd = [...prefix, 'bash', '-c', `exec -a ${program} /usr/sbin/${program} "$@"`, program, ...argv];
  const r = spawnSync(cmd[0], cmd.slice(1), { input: stdin, encoding: 'utf8', env: env ?? process.env });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}

function must(argv) {
  const r = run('ipvsadm', argv);
  if (r.status !== 0) throw new Error(`ipvsadm ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r;
}

function sh(command) {
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command}: ${r.stderr}`);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Back to SETUP; daemons and timeouts only after a case that may have changed them. */
function reset(touchedGlobals = true) {
  if (touchedGlobals) {
    for (const state of ['master', 'backup']) run('ipvsadm', ['--stop-daemon', state]);
    must(['--set', '900', '120', '300']);
  }
  must(['-C']);
  const r = run('ipvsadm', ['-R'], { stdin: `${SETUP.join('\n')}\n` });
  if (r.status !== 0 || r.stderr !== '') throw new Error(`cannot restore SETUP: ${r.stderr}`);
}

const touchesGlobals = (line) => /daemon|--set/.test(line);

/** The table a case leaves: rules always, timeouts and daemons after cases that may change them. */
const tableNow = (line) => ({
  save: must(['-Sn']).stdout,
  ...(touchesGlobals(line) ? { timeouts: must(['-L', '--timeout']).stdout, daemons: must(['-L', '--daemon']).stdout } : {}),
});

const IPVS_MODULES = 'ip_vs_pe_sip ip_vs_ftp ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh ip_vs';

function unloadIpvs() {
  sh(`for m in ${IPVS_MODULES}; do rmmod $m 2>/dev/null; done; test ! -d /sys/module/ip_vs || { lsmod >&2; false; }`);
}

function reloadIpvs() {
  const root = `${tmpdir()}/front-door-modroot`;
  mkdirSync(`${root}/lib`, { recursive: true });
  if (!existsSync(`${root}/lib/modules`)) symlinkSync('/usr/lib/uml/modules', `${root}/lib/modules`);
  sh(`for m in ${IPVS_MODULES.split(' ').reverse().join(' ')}; do modprobe -d ${root} $m; done`);
}

function capture() {
  const hosts = `${tmpdir()}/front-door-hosts`;
  writeFileSync(hosts, `${HOSTS.join('\n')}\n`);
  sh(`mount --bind ${hosts} /etc/hosts`);
  // the daemons' interface: a dummy eth0 (MTU 1500, as the fake kernel's daemon defaults assume)
  sh('ip link add eth0 type dummy 2>/dev/null; ip link set eth0 up');
  try {
    // IPVS absent first, before any sync daemon has held the module.
    const cases = [];
    unloadIpvs();
    try {
      const env = { ...process.env };
      delete env.MODPROBE_OPTIONS; // as on a machine without the module: modprobe cannot load it
      for (const [name, line] of CASES.filter(([, , o]) => o?.ipvs === 'absent')) {
        const argv = words(line);
        cases.push({ name, program: 'ipvsadm', argv, ipvs: 'absent', ...run('ipvsadm', argv, { env }) });
      }
    } finally {
      reloadIpvs();
    }
    reset();
    const setupTable = tableNow('--set daemon');
    const connFile = readFileSync('/proc/net/ip_vs_conn', 'utf8');
    let previous = '';
    for (const [name, line, opts = {}] of CASES.filter(([, , o]) => o?.ipvs !== 'absent')) {
      reset(touchesGlobals(previous));
      previous = line;
      const program = opts.program ?? 'ipvsadm';
      const argv = words(line);
      const r = run(program, argv, opts);
      // a stop right after a start can lose its ACK in the user-mode kernel (differential-cases.ts)
      if (line.includes('daemon')) sleep(200);
      cases.push({ name, program, argv, ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}), ...(opts.as ? { as: opts.as } : {}), ...r, after: tableNow(line) });
    }
    const version = run('ipvsadm', ['-v']).stdout.trim();
    const kernel = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
    const doc = { capturedWith: `${version}, Linux ${kernel} (user-mode)`, setup: SETUP, setupTable, connFile, cases };
    writeFileSync(OUT, `${JSON.stringify(doc, null, 1)}\n`);
    process.stdout.write(`front-door: ${cases.length} cases written to ${OUT.pathname}\n`);
  } finally {
    sh('umount /etc/hosts; ip link del eth0 2>/dev/null; true');
  }
}

capture();
