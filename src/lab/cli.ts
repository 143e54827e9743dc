// `ipvsadm lab [--mode nat|dr|tun] [--tun-type T] [--ipv6] [--rules FILE] [--requests N]`: boots
// the user-mode kernel (no root needed) and runs guest-lab.ts in it; run inside that kernel
// already (IPVSADM_TS_GUEST=1), it runs the lab right there. Exit 0 when every request was answered.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { Io } from '../app/io.js';
import { frontEnd, parseFrontEnd } from '../app/front-end.js';
import type { GuestLabOptions } from './guest-lab.js';
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

interface LabOptions {
  readonly mode: LabMode;
  readonly tunType?: TunnelType;
  readonly ipv6?: boolean;
  readonly rules?: string;
  readonly requests: string;
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
    .option('--requests <n>', 'requests sent to each service', '20');
}

export async function runLabCli(argv: readonly string[], io: Io): Promise<number> {
  const cmd = program(io);
  const ended = parseFrontEnd(cmd, argv, io, LAB_EXIT.USAGE);
  if (ended !== undefined) return ended;
  const o = cmd.opts<LabOptions>();
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
  if (process.env['IPVSADM_TS_GUEST'] === '1') return runHere(opts, io);
  return runInSandbox(opts, io);
}

/** Inside the sandbox kernel already: build the lab right here (never on a real host). */
async function runHere(opts: GuestLabOptions, io: Io): Promise<number> {
  if (!insideUserModeLinux()) return fail(io, 'IPVSADM_TS_GUEST=1 is set, but this is not the user-mode kernel: refusing to build the lab on this host');
  const { runGuestLab } = await import('./guest-lab.js');
  try {
    return await runGuestLab(opts, (t) => io.stdout(t));
  } catch (e) {
    io.stderr(`ipvsadm lab: ${e instanceof Error ? e.message : String(e)}\n`);
    return LAB_EXIT.FAILED;
  }
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

async function runInSandbox(o: GuestLabOptions, io: Io): Promise<number> {
  const { findMissingPrerequisites, runInGuest, shellQuote, UmlError } = await import('./uml.js');
  const missing = findMissingPrerequisites(LAB_NEEDS);
  if (missing.length > 0) {
    io.stderr(`ipvsadm lab: this machine cannot boot the sandbox kernel:\n  - ${missing.join('\n  - ')}\nInstall (as root, Debian/Ubuntu): ${LAB_NEEDS.installHint}\n`);
    return LAB_EXIT.FAILED;
  }
  const args = ['--mode', o.mode, '--requests', String(o.count), ...(o.tunType ? ['--tun-type', o.tunType] : []), ...(o.ipv6 ? ['--ipv6'] : []), ...(o.rulesFile ? ['--rules', o.rulesFile] : [])];
  io.stderr('ipvsadm lab: booting the user-mode kernel (a few seconds)...\n');
  try {
    const r = await runInGuest(`exec node ${shellQuote(BIN)} lab ${args.map(shellQuote).join(' ')}`, {
      needs: LAB_NEEDS,
      stream: { stdout: { write: (b: Buffer) => io.stdout(b.toString()) }, stderr: { write: (b: Buffer) => io.stderr(b.toString()) } },
    });
    return r.code;
  } catch (e) {
    if (e instanceof UmlError) {
      io.stderr(`ipvsadm lab: ${e.message}\n`);
      return LAB_EXIT.FAILED;
    }
    throw e;
  }
}
