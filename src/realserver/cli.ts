// `ipvsadm realserver|director up|down|check ...`: argv (commander, tokenizing only) → PrepRequest →
// prep/run.ts → prep/format.ts text or JSON on the Io, and the one mapping of preparation errors to
// stderr text and the exit statuses of prep/errors.ts EXIT (documented in man/ipvsadm-realserver.8).
import { Argument, Command, CommanderError, Option } from 'commander';
import type { Io } from '../app/io.js';
import { ApplyError, EXIT, PlanError, PrepUsageError, SystemError, reasonOf } from '../prep/errors.js';
import { applyErrorJson, checkJson, formatApplyError, formatCheck, formatRun, modeLabel, runJson } from '../prep/format.js';
import type { Action, Side } from '../prep/model.js';
import { runCheck, runDown, runUp } from '../prep/run.js';
import { buildRequest } from '../prep/spec.js';
import type { RawOptions } from '../prep/spec.js';
import { createSystem } from '../prep/system.js';
import type { System } from '../prep/system.js';

interface ParsedOptions extends RawOptions {
  readonly dryRun?: boolean;
  readonly persist?: string;
  readonly json?: boolean;
  readonly stateDir?: string;
}

const MODES: Readonly<Record<Side, string>> = { realserver: 'dr|tun', director: 'nat|dr|tun' };

const DESCRIPTIONS: Readonly<Record<Side, string>> = {
  realserver:
    'Prepare this host as an LVS real server: the VIPs on lo (DR) or on the tunnel device (TUN), ' +
    'ARP sysctls so it never answers ARP for a VIP, rp_filter off and the tunnel modules for TUN.',
  director:
    'Prepare this host as an LVS director: ip_vs loaded, ip_forward for NAT, the VIPs on --dev when given, ' +
    'and for several directors (--ha pair|ecmp) the connection-sync daemons and net.ipv4.vs sysctls.',
};

function program(side: Side, io: Io): Command {
  const cmd = new Command(`ipvsadm ${side}`);
  cmd
    .description(DESCRIPTIONS[side])
    .addArgument(new Argument('<action>', 'up: apply; down: undo what up did; check: report readiness').choices(['up', 'down', 'check']))
    .option('--mode <mode>', `forwarding method (${MODES[side]})`)
    .option('--vip <addr[,addr...]>', 'virtual IP address(es), IPv4 or IPv6; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--dev <iface>', side === 'realserver' ? 'interface facing the director (gets the ARP sysctls too)' : 'interface that carries the VIPs');
  if (side === 'realserver') {
    cmd
      .option('--tun-type <type>', 'tunnel type for --mode tun (ipip|gue|gre)')
      .option('--tun-port <port>', 'GUE receive port (--tun-type gue; default 6080)')
      .option('--tun-csum', 'GRE with checksums (the director adds the real server with --tun-csum): create a GRE device that expects them')
      .option('--tun-local <addr[,addr...]>', "with --tun-csum: this real server's address the director sends to, one per VIP family", (v: string, prev: string[] = []) => [...prev, v]);
  }
  if (side === 'director') addHaOptions(cmd);
  cmd
    .option('--dry-run', 'print the plan and change nothing')
    .option('--persist <file>', 'up: also write the sysctls to this sysctl.d file; down: remove it')
    .option('--json', 'machine-readable output')
    .addOption(new Option('--state-dir <dir>', 'where up records what it changed').default('/run/ipvsadm-ts').hideHelp())
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.stdout(t), writeErr: (t) => io.stderr(t), outputError: (t, write) => write(t) });
  return cmd;
}

/** Several directors: a preset, the sync daemons (options as ipvsadm --start-daemon), net.ipv4.vs sysctls. */
function addHaOptions(cmd: Command): void {
  cmd
    .option('--ha <preset>', 'settings for several directors: pair (sync daemons, sync thresholds) or ecmp (sloppy_tcp, no sync)')
    .option('--sync <role>', 'connection-sync daemons to run: master, backup, both or none (pair: both)')
    .option('--mcast-interface <iface>', 'interface of the sync daemons (default: --dev)')
    .option('--syncid <id>', 'sync ID 0..255 (default 0)')
    .option('--sync-maxlen <bytes>', 'maximum sync message length')
    .option('--mcast-group <addr>', 'sync multicast group (kernel default 224.0.0.81)')
    .option('--mcast-port <port>', 'sync multicast port (kernel default 8848)')
    .option('--mcast-ttl <ttl>', 'sync multicast TTL (kernel default 1)')
    .option('--sync-version <n>', 'set net.ipv4.vs.sync_version (pair: 1)')
    .option('--sync-threshold <first,period>', 'set net.ipv4.vs.sync_threshold, e.g. "3 10" (pair: 3 10)')
    .option('--sync-refresh-period <seconds>', 'set net.ipv4.vs.sync_refresh_period (replaces the preset threshold)')
    .option('--sloppy-tcp <0|1>', 'set net.ipv4.vs.sloppy_tcp (ecmp: 1)')
    .option('--sloppy-sctp <0|1>', 'set net.ipv4.vs.sloppy_sctp (ecmp: 1)')
    .option('--expire-nodest-conn <0|1>', 'set net.ipv4.vs.expire_nodest_conn (pair, ecmp: 1)')
    .option('--expire-quiescent-template <0|1>', 'set net.ipv4.vs.expire_quiescent_template (pair: 1)')
    .option('--conn-reuse-mode <0-3>', 'set net.ipv4.vs.conn_reuse_mode (kernel default 1: a reused client port is scheduled afresh)')
    .option('--backup-only <0|1>', 'set net.ipv4.vs.backup_only (with a backup daemon only)');
}

type Parsed = { readonly action: Action; readonly opts: ParsedOptions } | { readonly exit: number };

async function parseArgv(side: Side, argv: readonly string[], io: Io): Promise<Parsed> {
  const cmd = program(side, io);
  let action: Action | undefined;
  cmd.action((a: Action) => void (action = a));
  try {
    await cmd.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    // help and version exit 0; every other commander error already printed its message
    if (e.exitCode === 0) return { exit: EXIT.OK };
    io.stderr(`Try \`ipvsadm ${side} --help' for more information.\n`);
    return { exit: EXIT.USAGE };
  }
  return { action: action!, opts: cmd.opts<ParsedOptions>() };
}

/** Builds the System a run works on; tests pass a fake one. */
export type SystemFactory = (io: Io) => System;

const defaultSystem: SystemFactory = (io) => createSystem({ openTransport: io.openTransport });

/** Runs `ipvsadm <side> ...` (argv without the side word); returns the exit status. */
export async function runPrepCli(side: Side, argv: readonly string[], io: Io, makeSystem: SystemFactory = defaultSystem): Promise<number> {
  const parsed = await parseArgv(side, argv, io);
  if ('exit' in parsed) return parsed.exit;
  const { action, opts } = parsed;
  const json = opts.json === true;
  const sys = makeSystem(io);
  try {
    const req = buildRequest(side, action, opts);
    if (action === 'check') {
      const report = await runCheck(req, sys);
      const meta = { side, mode: modeLabel(req.spec!) };
      io.stdout(json ? checkJson(report, meta) : formatCheck(report, meta, { color: io.color === true }));
      return report.ready ? EXIT.OK : EXIT.NOT_READY;
    }
    const runOpts = {
      dryRun: opts.dryRun === true,
      stateDir: opts.stateDir,
      commandLine: ['ipvsadm', side, ...argv].join(' '),
      ...(opts.persist !== undefined ? { persist: opts.persist } : {}),
    };
    const report = action === 'up' ? await runUp(req, sys, runOpts) : await runDown(req, sys, runOpts);
    io.stdout(json ? runJson(report) : formatRun(report));
    return EXIT.OK;
  } catch (e) {
    return reportPrepError(side, action, e, io, json);
  } finally {
    sys.close();
  }
}

function reportPrepError(side: Side, action: Action, e: unknown, io: Io, json: boolean): number {
  const prefix = `ipvsadm ${side} ${action}`;
  if (e instanceof ApplyError) {
    if (json) io.stdout(applyErrorJson(e));
    io.stderr(formatApplyError(prefix, e));
    return e.rollbackFailures.length > 0 ? EXIT.ROLLBACK_FAILED : EXIT.FAILED;
  }
  const { problems, code } = describeError(e);
  // Every error but a usage error is found before anything is changed (ApplyError is handled above).
  const unchanged = !(e instanceof PrepUsageError);
  if (json) io.stdout(`${JSON.stringify({ ok: false, error: problems.join('; '), problems, changed: false }, null, 2)}\n`);
  const body = problems.length === 1 ? problems[0]! : `\n${problems.map((p) => `  ${p}`).join('\n')}`;
  io.stderr(`${prefix}: ${body}\n${unchanged ? 'nothing was changed\n' : ''}`);
  return code;
}

function describeError(e: unknown): { problems: readonly string[]; code: number } {
  if (e instanceof PrepUsageError) return { problems: [e.message], code: EXIT.USAGE };
  if (e instanceof PlanError) return { problems: e.problems, code: EXIT.USAGE };
  if (e instanceof SystemError) return { problems: [e.message], code: EXIT.FAILED };
  return { problems: [reasonOf(e)], code: EXIT.FAILED };
}
