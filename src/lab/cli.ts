// `ipvsadm lab [--mode nat|dr|tun] [--tun-type T] [--ipv6] [--rules FILE] [--requests N] [--no-progress]`, or with
// `--directors 2 --ha vrrp` a pair or `--directors 2|3 --ha ecmp` a fleet of directors: boots the user-mode kernel (no root needed)
// and runs the lab in it; run inside that kernel already (IPVSADM_TS_GUEST=1), it runs it right there.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import { NO_PROGRESS, PROGRESS_INTERVAL_MS, progressFor } from '../app/progress.js';
import type { GuestLabOptions } from './guest-lab.js';
import type { HostNeeds } from './uml-host.js';
import type { HaKind, HaLabRequest } from './ha/request.js';
import type { LabMode } from './lab-plan.js';
import type { TunnelType } from '../ipvs/vocabulary.js';
import { LAB_EXIT } from '../app/exit-status.js';

const BIN = fileURLToPath(new URL('../../bin/ipvsadm.js', import.meta.url));

/** What the lab needs on the host besides the user-mode kernel (the guest's / is the host's). */
export const LAB_NEEDS = {
  tools: [
    ['modprobe', 'kmod'],
    ['ip', 'iproute2'],
  ] as const,
  installHint: 'apt-get install -y user-mode-linux kmod iproute2',
};

/** `--ha vrrp` runs keepalived in the directors' namespaces. */
export const LAB_VRRP_NEEDS = {
  tools: [...LAB_NEEDS.tools, ['keepalived', 'keepalived']] as const,
  installHint: 'apt-get install -y user-mode-linux kmod iproute2 keepalived',
};

/** `--ha ecmp` runs BIRD 2 in the router's and the directors' namespaces. */
export const LAB_ECMP_NEEDS = {
  tools: [...LAB_NEEDS.tools, ['bird', 'bird2'], ['birdc', 'bird2']] as const,
  installHint: 'apt-get install -y user-mode-linux kmod iproute2 bird2',
};

interface LabOptions {
  readonly mode: LabMode;
  readonly tunType?: TunnelType;
  readonly ipv6?: boolean;
  readonly rules?: string;
  readonly requests: string;
  readonly directors: string;
  readonly ha?: HaKind;
  readonly connections: string;
  readonly progress: boolean;
}


/** What `ipvsadm lab --help` says the lab does. */
const ABOUT =
  'Try an IPVS table against a real kernel without touching this host: boots a user-mode Linux, loads the rules ' +
  '(an ipvsadm -S file, or a small demo table) with this ipvsadm, builds a client and one namespace per real server, ' +
  'prepares them with `ipvsadm director|realserver up`, sends requests and prints which real server answered each.';

function program(io: Io): Command {
  return frontEnd('ipvsadm lab', io)
    .description(ABOUT)
    .addOption(new Option('--mode <mode>', 'demo table forwarding method').choices(['nat', 'dr', 'tun']).default('nat'))
    .addOption(new Option('--tun-type <type>', 'demo table tunnel type (--mode tun)').choices(['ipip', 'gue', 'gre']))
    .option('--ipv6', 'demo table on IPv6 addresses')
    .option('--rules <file>', 'load this ipvsadm -S file instead of the demo table')
    .option('--requests <n>', 'requests sent to each service', '20')
    .addOption(new Option('--directors <n>', 'directors: 1, or several with --ha').choices(['1', '2', '3']).default('1'))
    .addOption(new Option('--ha <kind>', 'several directors: vrrp (a pair, keepalived moves the VIP) or ecmp (2 or 3, a router spreads flows learnt by BGP)').choices(['vrrp', 'ecmp']))
    .option('--connections <n>', 'held connections through the VIP (--ha)', '20')
    .option('--no-progress', 'no progress line while the kernel boots (there is one only when standard error is a terminal)');
}

/** The --directors/--ha options checked: undefined for one director, a request, or a usage problem. */
function haRequest(o: LabOptions, given: (name: string) => boolean): HaLabRequest | string | undefined {
  if (o.directors === '1' && o.ha === undefined) return given('connections') ? '--connections needs --directors 2 --ha vrrp|ecmp' : undefined;
  if (o.directors === '1') return `--ha ${o.ha}: needs --directors ${o.ha === 'vrrp' ? '2' : '2 or 3'}`;
  if (o.ha === undefined) return `--directors ${o.directors} needs --ha vrrp|ecmp`;
  if (o.ha === 'vrrp' && o.directors !== '2') return '--ha vrrp: a pair, --directors 2';
  const builds = o.ha === 'vrrp' ? 'the pair lab builds its own table' : 'the fleet lab builds its own table';
  for (const name of ['rules', 'ipv6', 'tunType', 'requests']) if (given(name)) return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} does not go with --ha (${builds})`;
  if (o.ha === 'ecmp' && given('mode') && o.mode !== 'dr') return '--ha ecmp: DR directors only, --mode dr';
  if (o.mode === 'tun') return '--ha vrrp: --mode dr or nat';
  const n = /^[0-9]{1,4}$/.test(o.connections) ? Number(o.connections) : NaN;
  if (!(n >= 1 && n <= 200)) return `--connections ${o.connections}: expected a number 1..200`;
  return { ha: o.ha, directors: Number(o.directors), mode: o.ha === 'ecmp' ? 'dr' : o.mode, connections: n };
}

export async function runLabCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, LAB_EXIT.USAGE);
  if (ended !== undefined) return ended;
  const o = cmd.opts<LabOptions>();
  const ha = haRequest(o, (name) => cmd.getOptionValueSource(name) === 'cli');
  if (typeof ha === 'string') return fail(io, ha);
  if (ha !== undefined) return process.env['IPVSADM_TS_GUEST'] === '1' ? runHere((write) => haLab(ha, write), io) : runHaInSandbox(ha, io, o.progress);
  const count = /^[0-9]{1,5}$/.test(o.requests) ? Number(o.requests) : NaN;
  if (!(count >= 1 && count <= 10_000)) return fail(io, `--requests ${o.requests}: expected a number 1..10000`);
  if (o.tunType !== undefined && o.mode !== 'tun') return fail(io, '--tun-type needs --mode tun');
  const rules = o.rules === undefined ? undefined : resolve(o.rules);
  if (rules !== undefined) {
    try {
      readFileSync(rules);
    } catch (e) {
      return fail(io, `--rules ${o.rules}: ${(e as Error).message}`);
    }
  }
  const opts: GuestLabOptions = { mode: o.mode, count, ipv6: o.ipv6 === true, ...(o.tunType ? { tunType: o.tunType } : {}), ...(rules ? { rulesFile: rules } : {}) };
  if (process.env['IPVSADM_TS_GUEST'] === '1') return runHere(async (write) => (await import('./guest-lab.js')).runGuestLab(opts, write), io);
  return runInSandbox(opts, io, o.progress);
}

/** Inside the sandbox kernel already: run the lab right here (never on a real host). */
async function runHere(lab: (write: (text: string) => void) => Promise<number>, io: Io): Promise<number> {
  if (!insideUserModeLinux()) return fail(io, 'IPVSADM_TS_GUEST=1 is set, but this is not the user-mode kernel: refusing to build the lab on this host');
  try {
    return await lab((t) => io.stdout(t));
  } catch (e) {
    io.stderr(`ipvsadm lab: ${e instanceof Error ? e.message : String(e)}\n`);
    return LAB_EXIT.FAILED;
  }
}

/** The several-directors lab of the request (loaded only inside the sandbox). */
async function haLab(r: HaLabRequest, write: (text: string) => void): Promise<number> {
  if (r.ha === 'ecmp') {
    const { runEcmpLab } = await import('./ha/ecmp-lab.js');
    return runEcmpLab({ directors: r.directors, connections: r.connections }, write);
  }
  const { runVrrpLab } = await import('./ha/vrrp-lab.js');
  return runVrrpLab(r, write);
}

function runHaInSandbox(r: HaLabRequest, io: Io, progress: boolean): Promise<number> {
  const needs = r.ha === 'ecmp' ? LAB_ECMP_NEEDS : LAB_VRRP_NEEDS;
  return boot(['--directors', String(r.directors), '--ha', r.ha, '--mode', r.mode, '--connections', String(r.connections)], needs, io, progress);
}

function insideUserModeLinux(): boolean {
  try {
    return /^vendor_id\s*:\s*User Mode Linux$/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

function fail(io: Io, message: string): number {
  io.stderr(`ipvsadm lab: ${message}\n`);
  return LAB_EXIT.USAGE;
}

function runInSandbox(o: GuestLabOptions, io: Io, progress: boolean): Promise<number> {
  const args = ['--mode', o.mode, '--requests', String(o.count), ...(o.tunType ? ['--tun-type', o.tunType] : []), ...(o.ipv6 ? ['--ipv6'] : []), ...(o.rulesFile ? ['--rules', o.rulesFile] : [])];
  return boot(args, LAB_NEEDS, io, progress);
}

/**
 * Boots the sandbox kernel and runs `ipvsadm lab ARGS` in it; its status. On a terminal, the
 * seconds of the boot as a progress line until the guest's first words.
 */
async function boot(args: readonly string[], needs: HostNeeds, io: Io, wanted: boolean): Promise<number> {
  const { findMissingPrerequisites, runInGuest, shellQuote, UmlError } = await import('./uml.js');
  const missing = findMissingPrerequisites(needs);
  if (missing.length > 0) {
    io.stderr(`ipvsadm lab: this machine cannot boot the sandbox kernel:\n  - ${missing.join('\n  - ')}\nInstall (as root, Debian/Ubuntu): ${needs.installHint}\n`);
    return LAB_EXIT.FAILED;
  }
  io.stderr('ipvsadm lab: booting the user-mode kernel (a few seconds)...\n');
  const booting = bootProgress(io, wanted);
  try {
    const r = await runInGuest(`exec node ${shellQuote(BIN)} lab ${args.map(shellQuote).join(' ')}`, {
      needs,
      stream: { stdout: { write: (b: Buffer) => (booting.end(), io.stdout(b.toString())) }, stderr: { write: (b: Buffer) => (booting.end(), io.stderr(b.toString())) } },
    });
    booting.end();
    return r.code;
  } catch (e) {
    booting.end();
    if (e instanceof UmlError) {
      io.stderr(`ipvsadm lab: ${e.message}\n`);
      return LAB_EXIT.FAILED;
    }
    throw e;
  }
}

/** `lab: booting the user-mode kernel: 4.2 s`, redrawn until end() (nothing when not wanted or not a terminal). */
function bootProgress(io: Io, wanted: boolean): { end(): void } {
  const progress = progressFor(io, wanted);
  if (progress === NO_PROGRESS) return progress;
  const started = performance.now();
  const text = (): string => `lab: booting the user-mode kernel: ${((performance.now() - started) / 1000).toFixed(1)} s`;
  const ticker = setInterval(() => progress.show(text), PROGRESS_INTERVAL_MS);
  return {
    end: () => {
      clearInterval(ticker);
      progress.end();
    },
  };
}
