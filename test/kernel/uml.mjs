// Host side of the kernel harness: boots Debian's user-mode Linux with test/kernel/guest-init.sh as
// PID 1, runs one shell command inside (as root, with IPVS loaded) and returns its output and status.
// Plain ESM JavaScript so it runs before any build; also a CLI: `node test/kernel/uml.mjs run -- CMD`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (the guest's default working directory). */
export const REPO_ROOT = path.resolve(HERE, '..', '..');
export const GUEST_INIT = path.join(HERE, 'guest-init.sh');
export const UML_BINARY = process.env.IPVSADM_UML_BINARY || '/usr/bin/linux.uml';
export const UML_MODULES = process.env.IPVSADM_UML_MODULES || '/usr/lib/uml/modules';
export const INSTALL_HINT = 'apt-get install -y user-mode-linux kmod ipvsadm iproute2';

const MIB = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
// Paths travel on the kernel command line, which splits on spaces and has no quoting we can rely on.
const CMDLINE_SAFE = /^[A-Za-z0-9._/+-]+$/;

/** A guest that could not be started or did not report a status; `reason` says which. */
export class UmlError extends Error {
  /**
   * @param {string} message
   * @param {{ reason: 'prerequisites'|'memory'|'boot'|'setup'|'timeout'|'no-status',
   *           bootLog?: string, initLog?: string, stdout?: string, stderr?: string, runDir?: string }} details
   */
  constructor(message, details) {
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

/**
 * What the host needs to boot the guest. Returns a list of human-readable problems (empty when fine).
 * @returns {string[]}
 */
export function findMissingPrerequisites() {
  const problems = [];
  if (!isExecutable(UML_BINARY)) problems.push(`${UML_BINARY} not found (package user-mode-linux)`);
  const kernelVersion = umlKernelVersion();
  if (!fs.existsSync(UML_MODULES)) {
    problems.push(`${UML_MODULES} not found (package user-mode-linux)`);
  } else if (kernelVersion && !fs.existsSync(path.join(UML_MODULES, kernelVersion, 'modules.dep'))) {
    problems.push(`no modules for UML kernel ${kernelVersion} in ${UML_MODULES} (package user-mode-linux)`);
  }
  for (const [tool, pkg] of [['modprobe', 'kmod'], ['ip', 'iproute2'], ['ipvsadm', 'ipvsadm']]) {
    if (!whichSbin(tool)) problems.push(`${tool} not found (package ${pkg})`);
  }
  if (!fs.existsSync(GUEST_INIT)) problems.push(`${GUEST_INIT} is missing`);
  return problems;
}

/** Throws a UmlError naming what to install when the host cannot boot the guest. */
export function assertPrerequisites() {
  const problems = findMissingPrerequisites();
  if (problems.length > 0) {
    throw new UmlError(
      `cannot boot the user-mode kernel:\n  - ${problems.join('\n  - ')}\n` +
        `Install the missing packages (as root): ${INSTALL_HINT}`,
      { reason: 'prerequisites' },
    );
  }
}

/**
 * Boots the user-mode kernel, runs `shellCommand` with bash inside it (as root, IPVS modules
 * loaded, lo up, IPVSADM_TS_GUEST=1, cwd = options.cwd or the repository) and powers off.
 *
 * Resolves with the command's exit status and output; rejects with UmlError when the guest cannot
 * start, times out, or powers off without reporting a status.
 *
 * @param {string} shellCommand bash script text, run with stdin from /dev/null
 * @param {{ timeoutMs?: number, memory?: string, env?: Record<string, string>, cwd?: string,
 *           stream?: boolean | { stdout?: NodeJS.WritableStream, stderr?: NodeJS.WritableStream },
 *           keepRunDir?: boolean }} [options]
 *   memory: guest RAM as UML's mem= takes it ('1G' default, '768M'); env: extra variables exported
 *   in the guest; stream: copy the command's output live (true = this process's stdout/stderr);
 *   keepRunDir: keep the run directory (also kept when IPVSADM_UML_KEEP=1).
 * @returns {Promise<{ code: number, stdout: string, stderr: string, bootLog: string, initLog: string,
 *   warnings: string[], runDir: string, timings: { totalMs: number, guestBootS: number,
 *   commandS: number } }>}
 */
export async function runInGuest(shellCommand, options = {}) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const memory = String(options.memory ?? '1G');
  const memoryBytes = parseMemory(memory);
  const cwd = path.resolve(options.cwd ?? REPO_ROOT);
  const keep = options.keepRunDir === true || process.env.IPVSADM_UML_KEEP === '1';
  assertPrerequisites();

  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ipvsadm-uml-'));
  // Errors carry the logs; IPVSADM_UML_KEEP=1 keeps the directory for a closer look.
  const cleanup = () => {
    if (!keep) fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 2 });
  };
  try {
    if (!CMDLINE_SAFE.test(runDir)) {
      throw new UmlError(`run directory ${runDir} has characters the kernel command line cannot carry; set TMPDIR`, {
        reason: 'boot',
      });
    }
    const memoryDir = pickMemoryDir(memoryBytes, runDir);
    prepareRunDir(runDir, shellCommand, cwd, options.env ?? {});
    return await boot(runDir, { memory, memoryDir, timeoutMs, stream: options.stream, cleanup });
  } finally {
    cleanup();
  }
}

/** Writes the init copy, the command, and env.sh (exports) into the run directory. */
function prepareRunDir(runDir, shellCommand, cwd, env) {
  // A private, executable copy: the kernel execs init directly, and a checkout may lack the x bit.
  const init = path.join(runDir, 'init');
  fs.copyFileSync(GUEST_INIT, init);
  fs.chmodSync(init, 0o755);
  fs.writeFileSync(path.join(runDir, 'command'), `${shellCommand}\n`);
  const vars = {
    IPVSADM_GUEST_CWD: cwd,
    IPVSADM_GUEST_NODE_DIR: path.dirname(process.execPath),
    IPVSADM_GUEST_RUN_DIR: runDir,
    ...env,
  };
  const lines = Object.entries(vars).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`invalid environment variable name: ${name}`);
    return `export ${name}=${shellQuote(String(value))}`;
  });
  fs.writeFileSync(path.join(runDir, 'env.sh'), `${lines.join('\n')}\n`);
}

/** Starts linux.uml, follows the output files, enforces the timeout, and collects the results. */
async function boot(runDir, { memory, memoryDir, timeoutMs, stream, cleanup }) {
  const args = [
    `mem=${memory}`,
    'rootfstype=hostfs',
    'rootflags=/',
    'rw',
    `init=${path.join(runDir, 'init')}`,
    'con0=fd:0,fd:1',
    'con=null',
    'ssl=null',
    `uml_dir=${path.join(runDir, 'uml')}`,
    `umid=${path.basename(runDir)}`,
    'quiet',
    'panic=1',
    'noreboot',
    `IPVSADM_UML_RUN=${runDir}`,
    `IPVSADM_UML_MODULES=${UML_MODULES}`,
  ];
  // UML puts its "physical memory" file in $TMP, $TEMP or $TMPDIR (first set), else /dev/shm;
  // pickMemoryDir chose a place with room for all of it and exec permission.
  const env = { ...process.env, TMPDIR: memoryDir };
  delete env.TMP;
  delete env.TEMP;

  const started = Date.now();
  const child = spawn(UML_BINARY, args, {
    cwd: runDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: UML forks a host process per guest address space
  });
  const bootChunks = [];
  child.stdout.on('data', (c) => bootChunks.push(c));
  child.stderr.on('data', (c) => bootChunks.push(c));

  // SIGTERM lets UML kill and reap its helper processes itself; SIGKILL on the whole group is the
  // fallback (helpers then become orphans that the host's init must reap).
  let exited = false;
  const exitedPromise = new Promise((resolve) => child.on('close', resolve));
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  const stopGuest = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await Promise.race([exitedPromise, delay(3000)]);
    }
    signalGroup('SIGKILL');
  };
  const onExit = () => {
    if (!exited && child.pid) signalGroup('SIGTERM');
  };
  const onSignal = (signal) => {
    removeSignalHandlers();
    void stopGuest().finally(() => {
      cleanup();
      process.kill(process.pid, signal);
    });
  };
  const removeSignalHandlers = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('exit', onExit);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', onExit);

  const followers = followOutput(runDir, stream);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopGuest();
  }, timeoutMs);

  const exit = await new Promise((resolve) => {
    child.on('error', (error) => resolve({ error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  exited = true;
  clearTimeout(timer);
  signalGroup('SIGKILL'); // helpers left behind by a crashed kernel, if any
  removeSignalHandlers();
  followers.stop();

  const totalMs = Date.now() - started;
  const bootLog = Buffer.concat(bootChunks).toString('utf8');
  const read = (name) => readIfExists(path.join(runDir, name));
  const collected = {
    bootLog,
    initLog: read('init.log'),
    stdout: read('stdout'),
    stderr: read('stderr'),
    runDir,
  };
  if (exit.error) {
    throw new UmlError(`cannot start ${UML_BINARY}: ${exit.error.message}`, { reason: 'boot', ...collected });
  }
  if (timedOut) {
    throw new UmlError(
      `guest timed out after ${Math.round(timeoutMs / 1000)} s and was killed${describeTail(collected)}`,
      { reason: 'timeout', ...collected },
    );
  }
  const setupError = read('setup-error').trim();
  if (setupError) {
    throw new UmlError(`guest setup failed: ${setupError}${describeTail(collected)}`, { reason: 'setup', ...collected });
  }
  const status = read('status').trim();
  if (!/^\d+$/.test(status)) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.code}`;
    throw new UmlError(
      `guest did not report an exit status (linux.uml ${how} after ${(totalMs / 1000).toFixed(1)} s)` +
        describeTail(collected),
      { reason: 'no-status', ...collected },
    );
  }
  const start = Number.parseFloat(read('command-start'));
  const end = Number.parseFloat(read('command-end'));
  return {
    code: Number(status),
    ...collected,
    warnings: read('warnings').split('\n').filter(Boolean),
    timings: { totalMs, guestBootS: start, commandS: Math.round((end - start) * 100) / 100 },
  };
}

/** Copies what the guest appends to stdout/stderr in the run dir to the given streams, live. */
function followOutput(runDir, stream) {
  if (!stream) return { stop() {} };
  const targets = stream === true ? { stdout: process.stdout, stderr: process.stderr } : stream;
  const files = ['stdout', 'stderr']
    .filter((name) => targets[name])
    .map((name) => ({ file: path.join(runDir, name), out: targets[name], offset: 0 }));
  const pump = () => {
    for (const f of files) {
      let fd;
      try {
        fd = fs.openSync(f.file, 'r');
      } catch {
        continue;
      }
      try {
        const buf = Buffer.alloc(64 * 1024);
        for (;;) {
          const n = fs.readSync(fd, buf, 0, buf.length, f.offset);
          if (n <= 0) break;
          f.out.write(Buffer.from(buf.subarray(0, n)));
          f.offset += n;
        }
      } finally {
        fs.closeSync(fd);
      }
    }
  };
  const interval = setInterval(pump, 200);
  return {
    stop() {
      clearInterval(interval);
      pump();
    },
  };
}

/**
 * Chooses the directory for UML's memory file: /dev/shm when it is a tmpfs with room and exec
 * permission (fast), else the run directory's file system; throws when neither has room, since a
 * guest whose memory file cannot grow dies with SIGBUS part-way through.
 */
export function pickMemoryDir(memoryBytes, fallbackDir) {
  const needed = memoryBytes + 64 * MIB;
  const forced = process.env.IPVSADM_UML_MEMORY_DIR;
  const candidates = forced ? [forced] : ['/dev/shm', fallbackDir];
  const seen = [];
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

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function freeBytes(dir) {
  try {
    const s = fs.statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

/** The mount (from /proc/self/mountinfo) holding `dir`: longest mount point prefix, last one wins. */
function mountOf(dir) {
  let text;
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    dir = fs.realpathSync(dir);
  } catch {
    return undefined;
  }
  let best;
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 6) continue;
    const point = (fields[4] ?? '').replace(/\\040/g, ' ');
    const inside = point === '/' || dir === point || dir.startsWith(`${point}/`);
    if (!inside) continue;
    if (!best || point.length >= best.point.length) {
      const options = `${fields[5]},${fields[sep + 3] ?? ''}`.split(',');
      best = { point, fstype: fields[sep + 1], noexec: options.includes('noexec') };
    }
  }
  return best;
}

export function parseMemory(memory) {
  const m = /^(\d+)([KMG]?)$/i.exec(memory);
  if (!m) throw new TypeError(`memory must look like 1G or 768M, got '${memory}'`);
  const unit = { '': 1, K: 1024, M: MIB, G: 1024 * MIB }[m[2].toUpperCase()];
  const bytes = Number(m[1]) * unit;
  if (bytes < 128 * MIB) throw new TypeError(`memory ${memory} is too small for node in the guest (min 128M)`);
  return bytes;
}

function describeTail(collected) {
  const parts = [];
  const tail = (label, text) => {
    const lines = text.trimEnd().split('\n').filter(Boolean).slice(-15);
    if (lines.length) parts.push(`--- ${label} (last lines) ---\n${lines.join('\n')}`);
  };
  tail('init.log', collected.initLog);
  tail('boot log', collected.bootLog);
  tail('stderr', collected.stderr);
  return parts.length ? `\n${parts.join('\n')}` : '';
}

function umlKernelVersion() {
  // The module directory name is the kernel release; with one installed kernel it is unambiguous.
  try {
    const entries = fs.readdirSync(UML_MODULES).filter((e) => /^\d+\.\d+/.test(e));
    return entries.length === 1 ? entries[0] : undefined;
  } catch {
    return undefined;
  }
}

function whichSbin(tool) {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  return dirs.filter(Boolean).some((d) => isExecutable(path.join(d, tool)));
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function readIfExists(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function shellQuote(value) {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------
// CLI: node test/kernel/uml.mjs run [--timeout SECONDS] [--memory 1G] [--keep] [--boot-log] -- CMD
//      node test/kernel/uml.mjs check

const USAGE = `usage:
  node test/kernel/uml.mjs run [--timeout SECONDS] [--memory SIZE] [--keep] [--boot-log] [--timings] -- COMMAND...
      boot the user-mode kernel, run COMMAND (bash) inside as root with IPVS loaded, print its
      stdout/stderr, exit with its status
  node test/kernel/uml.mjs check
      report missing host prerequisites`;

async function cli(argv) {
  const [verb, ...rest] = argv;
  if (verb === 'check') {
    const problems = findMissingPrerequisites();
    if (problems.length === 0) {
      process.stdout.write('user-mode kernel prerequisites: OK\n');
      return 0;
    }
    process.stderr.write(`missing:\n  - ${problems.join('\n  - ')}\ninstall: ${INSTALL_HINT}\n`);
    return 1;
  }
  if (verb !== 'run') {
    process.stderr.write(`${USAGE}\n`);
    return verb === '--help' || verb === '-h' ? 0 : 2;
  }
  const options = { stream: true };
  let showBootLog = false;
  let showTimings = false;
  let i = 0;
  for (; i < rest.length && rest[i] !== '--'; i++) {
    const arg = rest[i];
    if (arg === '--keep') options.keepRunDir = true;
    else if (arg === '--boot-log') showBootLog = true;
    else if (arg === '--timings') showTimings = true;
    else if (arg === '--timeout' && rest[i + 1]) options.timeoutMs = Number(rest[++i]) * 1000;
    else if (arg === '--memory' && rest[i + 1]) options.memory = rest[++i];
    else {
      process.stderr.write(`unknown option ${arg}\n${USAGE}\n`);
      return 2;
    }
  }
  const command = rest.slice(i + 1).join(' ');
  if (!command.trim()) {
    process.stderr.write(`no command given\n${USAGE}\n`);
    return 2;
  }
  try {
    const result = await runInGuest(command, options);
    if (showBootLog) process.stderr.write(`--- boot log ---\n${result.bootLog}--- init.log ---\n${result.initLog}`);
    for (const w of result.warnings) process.stderr.write(`uml: warning: ${w}\n`);
    if (showTimings) {
      const t = result.timings;
      process.stderr.write(
        `uml: total ${(t.totalMs / 1000).toFixed(1)} s, guest ready at ${t.guestBootS} s uptime, command ${t.commandS} s\n`,
      );
    }
    if (options.keepRunDir) process.stderr.write(`uml: run directory kept: ${result.runDir}\n`);
    return result.code;
  } catch (error) {
    if (error instanceof UmlError) {
      process.stderr.write(`uml: ${error.message}\n`);
      if (showBootLog && error.bootLog) process.stderr.write(`--- boot log ---\n${error.bootLog}`);
      return 125;
    }
    throw error;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await cli(process.argv.slice(2));
}
