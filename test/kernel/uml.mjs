// Host side of the kernel harness, for scripts that run before vitest: re-exports the ONE boot
// implementation, the built src/lab/uml.ts (dist/lab/uml.js; `npm run build` first), and keeps the
// CLI `node test/kernel/uml.mjs run -- CMD` (run a bash command in the guest) and `... check`.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILT = new URL('../../dist/lab/uml.js', import.meta.url);
let uml;
try {
  uml = await import(BUILT.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  throw new Error(`${fileURLToPath(BUILT)} is missing: build first (npm run build)`, { cause: error });
}

export const {
  assertPrerequisites,
  findMissingPrerequisites,
  INSTALL_HINT,
  KERNEL_TEST_NEEDS,
  PACKAGE_ROOT,
  parseMemory,
  pickMemoryDir,
  runInGuest,
  UML_BINARY,
  UML_MODULES,
  UmlError,
} = uml;
/** The repository root (the guest's default working directory). */
export const REPO_ROOT = PACKAGE_ROOT;

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
