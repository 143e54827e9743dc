// What the host must provide to boot Debian's user-mode Linux (linux.uml, its modules, tools that
// the guest runs from the host's file system) and where UML's memory file can go. Used by uml.ts,
// `ipvsadm lab` and the kernel test runner; the error type says why a guest could not run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { xstateShimReason } from './uml-xstate.js';

export const UML_BINARY = process.env['IPVSADM_UML_BINARY'] || '/usr/bin/linux.uml';
export const UML_MODULES = process.env['IPVSADM_UML_MODULES'] || '/usr/lib/uml/modules';

const MIB = 1024 * 1024;

export type UmlErrorReason = 'prerequisites' | 'memory' | 'boot' | 'setup' | 'timeout' | 'no-status';

export interface UmlErrorDetails {
  readonly reason: UmlErrorReason;
  readonly bootLog?: string;
  readonly initLog?: string;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly runDir?: string;
}

/** A guest that could not be started or did not report a status; `reason` says which. */
export class UmlError extends Error {
  readonly reason: UmlErrorReason;
  readonly bootLog: string;
  readonly initLog: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly runDir: string | undefined;
  constructor(message: string, details: UmlErrorDetails) {
    super(message);
    this.name = 'UmlError';
    this.reason = details.reason;
    this.bootLog = details.bootLog ?? '';
    this.initLog = details.initLog ?? '';
    this.stdout = details.stdout ?? '';
    this.stderr = details.stderr ?? '';
    this.runDir = details.runDir;
  }
}

/** Host programs the guest runs (its `/` is the host's `/`), each with the Debian package that has it. */
export interface HostNeeds {
  readonly tools: readonly (readonly [tool: string, pkg: string])[];
  /** the command that installs everything, shown when something is missing */
  readonly installHint: string;
}

/** What the kernel test suite needs: the C ipvsadm is its reference. */
export const KERNEL_TEST_NEEDS: HostNeeds = {
  tools: [
    ['modprobe', 'kmod'],
    ['ip', 'iproute2'],
    ['ipvsadm', 'ipvsadm'],
    // the traffic tests' ARP check (test/kernel/prep-traffic.test.ts)
    ['arping', 'arping'],
    // `ipvsadm metrics` is checked with Prometheus's own checker (test/kernel/metrics.test.ts)
    ['promtool', 'prometheus'],
    // `ipvsadm top` is driven in a real terminal (test/kernel/top.test.ts)
    ['tmux', 'tmux'],
    // progress lines are checked in a real terminal (test/kernel/progress.test.ts)
    ['script', 'bsdutils'],
    // several directors (test/kernel/ha-*.test.ts): VRRP by keepalived, BGP by BIRD 2, echo peers by socat
    ['keepalived', 'keepalived'],
    ['bird', 'bird2'],
    ['birdc', 'bird2'],
    ['socat', 'socat'],
    // the shipped Ansible role, run against two directors (test/kernel/ansible.test.ts)
    ['ansible-playbook', 'ansible-core'],
  ],
  installHint: 'apt-get install -y user-mode-linux kmod ipvsadm iproute2 arping prometheus tmux bsdutils keepalived bird2 socat ansible-core',
};

/** The kernel test suite's install command (kept under its historical name). */
export const INSTALL_HINT = KERNEL_TEST_NEEDS.installHint;

/**
 * What the host lacks to boot the guest and run `needs.tools` in it: human-readable problems,
 * empty when everything is there.
 */
export function findMissingPrerequisites(needs: HostNeeds = KERNEL_TEST_NEEDS): string[] {
  const problems: string[] = [];
  if (!isExecutable(UML_BINARY)) problems.push(`${UML_BINARY} not found (package user-mode-linux)`);
  const kernelVersion = umlKernelVersion();
  if (!fs.existsSync(UML_MODULES)) {
    problems.push(`${UML_MODULES} not found (package user-mode-linux)`);
  } else if (kernelVersion && !fs.existsSync(path.join(UML_MODULES, kernelVersion, 'modules.dep'))) {
    problems.push(`no modules for UML kernel ${kernelVersion} in ${UML_MODULES} (package user-mode-linux)`);
  }
  for (const [tool, pkg] of needs.tools) {
    if (!whichSbin(tool)) problems.push(`${tool} not found (package ${pkg})`);
  }
  const shim = xstateShimReason();
  if (shim && !['cc', 'gcc', 'clang'].some(whichSbin)) {
    problems.push(`no C compiler (package gcc): ${shim}, and linux.uml then needs a small helper library built on this host`);
  }
  return problems;
}

/** Throws a UmlError naming what to install when the host cannot boot the guest. */
export function assertPrerequisites(needs: HostNeeds = KERNEL_TEST_NEEDS): void {
  const problems = findMissingPrerequisites(needs);
  if (problems.length > 0) {
    throw new UmlError(
      `cannot boot the user-mode kernel:\n  - ${problems.join('\n  - ')}\n` +
        `Install the missing packages (as root): ${needs.installHint}`,
      { reason: 'prerequisites' },
    );
  }
}

/** Parses UML's mem= size ('1G', '768M'); at least 128 MiB, which node in the guest needs. */
export function parseMemory(memory: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(memory);
  if (!m) throw new TypeError(`memory must look like 1G or 768M, got '${memory}'`);
  const units: Record<string, number> = { '': 1, K: 1024, M: MIB, G: 1024 * MIB };
  const bytes = Number(m[1]) * (units[(m[2] ?? '').toUpperCase()] ?? 1);
  if (bytes < 128 * MIB) throw new TypeError(`memory ${memory} is too small for node in the guest (min 128M)`);
  return bytes;
}

/**
 * Chooses the directory for UML's memory file: /dev/shm when it is a tmpfs with room and exec
 * permission (fast), else the run directory's file system; throws when neither has room, since a
 * guest whose memory file cannot grow dies with SIGBUS part-way through.
 */
export function pickMemoryDir(memoryBytes: number, fallbackDir: string): string {
  const needed = memoryBytes + 64 * MIB;
  const forced = process.env['IPVSADM_UML_MEMORY_DIR'];
  const candidates = forced ? [forced] : ['/dev/shm', fallbackDir];
  const seen: string[] = [];
  for (const dir of candidates) {
    const mount = mountOf(dir);
    const free = freeBytes(dir);
    seen.push(`${dir}: ${free === undefined ? '?' : Math.floor(free / MIB)} MiB free${mount?.noexec ? ', noexec' : ''}`);
    if (!mount || mount.noexec || free === undefined || free < needed) continue;
    if (dir === '/dev/shm' && mount.fstype !== 'tmpfs') continue;
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch {
      continue;
    }
    return dir;
  }
  throw new UmlError(
    `no place for the guest's ${Math.round(memoryBytes / MIB)} MiB memory file (needs a writable, exec-allowed ` +
      `file system with ${Math.round(needed / MIB)} MiB free): ${seen.join('; ')}. ` +
      'Free space, enlarge /dev/shm (docker run --shm-size=2g), or pass a smaller memory.',
    { reason: 'memory' },
  );
}

function freeBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

interface MountInfo {
  readonly point: string;
  readonly fstype: string | undefined;
  readonly noexec: boolean;
}

/** The mount (from /proc/self/mountinfo) holding `dir`: longest mount point prefix, last one wins. */
function mountOf(dir: string): MountInfo | undefined {
  let text: string;
  let real: string;
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    real = fs.realpathSync(dir);
  } catch {
    return undefined;
  }
  let best: MountInfo | undefined;
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 6) continue;
    const point = (fields[4] ?? '').replace(/\\040/g, ' ');
    const inside = point === '/' || real === point || real.startsWith(`${point}/`);
    if (!inside) continue;
    if (!best || point.length >= best.point.length) {
      const options = `${fields[5]},${fields[sep + 3] ?? ''}`.split(',');
      best = { point, fstype: fields[sep + 1], noexec: options.includes('noexec') };
    }
  }
  return best;
}

function umlKernelVersion(): string | undefined {
  // The module directory name is the kernel release; with one installed kernel it is unambiguous.
  try {
    const entries = fs.readdirSync(UML_MODULES).filter((e) => /^\d+\.\d+/.test(e));
    return entries.length === 1 ? entries[0] : undefined;
  } catch {
    return undefined;
  }
}

/** The directories of the guest's PATH (guest-init.ts): a tool only the host's PATH has is no use there. */
const GUEST_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function whichSbin(tool: string): boolean {
  return GUEST_PATH.some((d) => isExecutable(path.join(d, tool)));
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
