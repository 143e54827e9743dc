// `npm test`: builds (tsc, then the esbuild bundle that bin/ runs), installs missing kernel-lab
// packages (root + apt only), runs the unit project on the host and the kernel project inside the
// user-mode kernel (booted by the built dist/lab/uml.js), and ends with exactly one `N passed, N failed` line. A suite that cannot run
// counts as a failure, never as a pass.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reliabilityReport } from './reliability-report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = 'test/vitest.config.ts';
const VITEST = 'node_modules/.bin/vitest';
// gcc: on hosts with AMX, linux.uml needs a helper library built here (src/lab/uml-xstate.ts).
const APT_PACKAGES = ['user-mode-linux', 'kmod', 'ipvsadm', 'iproute2', 'arping', 'gcc', 'prometheus', 'tmux', 'bsdutils', 'keepalived', 'bird2', 'socat', 'ansible-core'];
// The unit suite renders the man pages with groff (test/man/man-pages.test.ts), scrapes
// `metrics --web.config.file` with curl over TLS, certificates made by openssl
// (test/metrics/secured-scrape.test.ts), checks the shipped Prometheus rules and dashboard
// with promtool (test/metrics/rules.test.ts, dashboard.test.ts), and the tarball test
// (test/package/tarball.test.ts) finds the man pages with man and checks the systemd units with
// systemd-analyze, doctor runs in a real terminal made by script(1) (test/doctor/terminal.test.ts),
// and the shipped Ansible role runs under ansible-playbook (test/ansible/role.test.ts):
// each program → the Debian package that brings it (a program missing here is installed before the
// unit suite runs).
const UNIT_APT_PACKAGES = { groff: 'groff-base', curl: 'curl', openssl: 'openssl', promtool: 'prometheus', man: 'man-db', 'systemd-analyze': 'systemd', script: 'bsdutils', 'ansible-playbook': 'ansible-core' };
// The completion scripts are driven in bash (under bash-completion), zsh and fish
// (test/completion/shells.test.ts); a path stands for a file the package brings.
Object.assign(UNIT_APT_PACKAGES, { zsh: 'zsh', fish: 'fish', '/usr/share/bash-completion/bash_completion': 'bash-completion' });
// The guest's whole kernel suite runs about 35 minutes on a quiet 2-core machine (the several-director
// tests take 8 of them, the operations ones — Ansible, completion, alerts, units — 6); the bound
// leaves room for a busy one.
const KERNEL_TIMEOUT_MS = Number(process.env.IPVSADM_KERNEL_TIMEOUT_S ?? 3600) * 1000;
// vitest options whose value is the next argument (others are passed as written, e.g. --bail=1).
const VALUE_OPTIONS = new Set(['-t', '--testNamePattern', '--bail', '--retry', '--shard', '--seed', '--sequence.seed']);

const USAGE = `usage: node test/run-all.mjs [--kernel-only | --unit-only] [vitest filters and options...]
  (npm test -- --kernel-only test/kernel/harness.test.ts)
  File filters go to the suite whose test files they match; other vitest options go to both.`;

/** @typedef {{ name: 'unit'|'kernel', ran: boolean, passed: number, failed: number, skipped: number, note?: string }} SuiteResult */

function log(line = '') {
  process.stdout.write(`${line}\n`);
}

function parseArgs(argv) {
  const opts = { unit: true, kernel: true, filters: [], vitestOptions: [] };
  let kernelOnly = false;
  let unitOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--kernel-only') kernelOnly = true;
    else if (arg === '--unit-only') unitOnly = true;
    else if (arg === '--help' || arg === '-h') {
      log(USAGE);
      process.exit(0);
    } else if (arg === '--') continue;
    else if (arg.startsWith('-')) {
      opts.vitestOptions.push(arg);
      if (VALUE_OPTIONS.has(arg) && i + 1 < argv.length) opts.vitestOptions.push(argv[++i]);
    } else opts.filters.push(arg);
  }
  if (kernelOnly && unitOnly) throw new Error('--kernel-only and --unit-only exclude each other');
  if (kernelOnly) opts.unit = false;
  if (unitOnly) opts.kernel = false;
  return opts;
}

/** Test files of each suite, relative to the root, mirroring the projects in test/vitest.config.ts. */
function listTestFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.test.ts')) files.push(rel);
    }
  };
  walk('test');
  return {
    unit: files.filter((f) => !f.startsWith('test/kernel/')),
    kernel: files.filter((f) => f.startsWith('test/kernel/')),
  };
}

/** Vitest filters match file paths by substring: give each suite the filters that match its files. */
function routeFilters(opts) {
  if (opts.filters.length === 0) return { unit: [], kernel: [] };
  const files = listTestFiles();
  const matches = (filter, list) => list.some((f) => f.includes(filter.replace(/^\.\//, '')));
  const routed = { unit: [], kernel: [] };
  for (const filter of opts.filters) {
    const toUnit = opts.unit && matches(filter, files.unit);
    const toKernel = opts.kernel && matches(filter, files.kernel);
    if (toUnit) routed.unit.push(filter);
    if (toKernel) routed.kernel.push(filter);
    if (!toUnit && !toKernel) throw new Error(`filter '${filter}' matches no test file of the suites being run`);
  }
  return routed;
}

/** The boot implementation, from the build (src/lab/uml.ts); loaded after build(). */
let uml;

function ensurePrerequisites() {
  const { findMissingPrerequisites, INSTALL_HINT } = uml;
  let problems = findMissingPrerequisites();
  if (problems.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    throw new Error(
      `the kernel suite needs packages that are not installed:\n  - ${problems.join('\n  - ')}\n` +
        `Install them as root: apt-get update && ${INSTALL_HINT}` +
        (isRoot ? ' (apt-get not found: install the equivalents for this system)' : ''),
    );
  }
  log(`prerequisites: installing ${APT_PACKAGES.join(' ')} (missing: ${problems.join('; ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', ...APT_PACKAGES]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (status ${r.status ?? r.signal})`);
  }
  problems = findMissingPrerequisites();
  if (problems.length > 0) throw new Error(`still missing after apt-get install: ${problems.join('; ')}`);
}

/**
 * Installs the packages of the unit suite's programs that are missing (root + apt only); otherwise
 * says what to install and goes on: the tests needing them then fail with the same advice.
 */
function ensureUnitPrerequisites() {
  const has = (program) => (program.startsWith('/') ? fs.existsSync(program) : spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0);
  const missing = () => Object.keys(UNIT_APT_PACKAGES).filter((program) => !has(program));
  const lacking = missing();
  if (lacking.length === 0) return;
  const packages = [...new Set(lacking.map((program) => UNIT_APT_PACKAGES[program]))];
  const isRoot = process.getuid?.() === 0;
  const hasApt = has('apt-get');
  if (!isRoot || !hasApt) {
    log(`prerequisites: ${lacking.join(', ')} not found, the tests needing them will fail; install as root: apt-get install -y ${packages.join(' ')}`);
    return;
  }
  log(`prerequisites: installing ${packages.join(' ')} (${lacking.join(', ')} not found)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', ...packages]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (status ${r.status ?? r.signal})`);
  }
  const still = missing();
  if (still.length > 0) throw new Error(`still missing after apt-get install: ${still.join(', ')}`);
}

function build() {
  const local = path.join(ROOT, 'node_modules/.bin/tsc');
  const [cmd, args] = fs.existsSync(local) ? [local, []] : ['npx', ['tsc']];
  // The build of src/, then a type check of the tests against it (test/tsconfig.json, no output).
  for (const project of ['tsconfig.json', 'test/tsconfig.json']) {
    log(`build: tsc -p ${project}`);
    const r = spawnSync(cmd, [...args, '-p', project], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`tsc -p ${project} failed (status ${r.status ?? r.signal}): the build must be clean`);
  }
  // bin/*.js run the one-file bundle of that build (package.json `bundle`: esbuild).
  log('build: npm run bundle');
  const r = spawnSync('npm', ['run', '--silent', 'bundle'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run bundle failed (status ${r.status ?? r.signal}): the build must be clean`);
}

function vitestArgs(project, jsonFile, filters, vitestOptions) {
  return [
    'run',
    '--config',
    CONFIG,
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${jsonFile}`,
    ...vitestOptions,
    ...filters,
  ];
}

/**
 * Counts from vitest's JSON report. Files that failed without a failing test (import or syntax
 * errors) and unhandled errors (success false with nothing else failing) count as failures.
 * @returns {SuiteResult}
 */
function summarize(name, jsonFile, exitCode) {
  if (!fs.existsSync(jsonFile)) {
    return { name, ran: false, passed: 0, failed: 1, skipped: 0, note: `no JSON report (vitest exit status ${exitCode})` };
  }
  const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  const passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((a) => a.status === 'failed'),
  );
  failed += brokenFiles.length;
  const notes = brokenFiles.map((f) => `file failed to run: ${path.relative(ROOT, f.name)}`);
  if (failed === 0 && (report.success === false || exitCode !== 0)) {
    failed = 1;
    notes.push(`vitest reported failure (exit status ${exitCode}) with no failing test: unhandled error?`);
  }
  if (passed + failed === 0) {
    failed = 1;
    notes.push('ran zero tests');
  }
  return { name, ran: true, passed, failed, skipped, note: notes.join('; ') || undefined };
}

function runUnit(resultsDir, filters, vitestOptions) {
  log('\nunit: vitest --project unit (host)');
  const json = path.join(resultsDir, 'unit.json');
  const env = { ...process.env, IPVSADM_RELIABILITY_LOG: reliabilityLog(resultsDir) };
  const r = spawnSync(VITEST, vitestArgs('unit', json, filters, vitestOptions), { cwd: ROOT, stdio: 'inherit', env });
  if (r.error) return { name: 'unit', ran: false, passed: 0, failed: 1, skipped: 0, note: r.error.message };
  return summarize('unit', json, r.status ?? 1);
}

async function runKernel(resultsDir, filters, vitestOptions) {
  log('\nkernel: vitest --project kernel (inside user-mode Linux)');
  const json = path.join(resultsDir, 'kernel.json');
  const command = [VITEST, ...vitestArgs('kernel', json, filters, vitestOptions)].map(shellQuote).join(' ');
  const env = process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {};
  if (process.env.CI) env.CI = process.env.CI;
  // The guest's / is this machine's /, so the tests inside append to the same file.
  env.IPVSADM_RELIABILITY_LOG = reliabilityLog(resultsDir);
  for (const name of ['IPVSADM_FUZZ_RUNS', 'IPVSADM_FUZZ_SEED']) if (process.env[name]) env[name] = process.env[name];
  try {
    const result = await uml.runInGuest(command, { timeoutMs: KERNEL_TIMEOUT_MS, stream: true, env, cwd: ROOT });
    const t = result.timings;
    log(
      `kernel: guest ran ${(t.totalMs / 1000).toFixed(1)} s (ready after ${t.guestBootS} s, ` +
        `suite ${t.commandS} s), vitest exit status ${result.code}`,
    );
    for (const w of result.warnings) log(`kernel: guest warning: ${w}`);
    return summarize('kernel', json, result.code);
  } catch (error) {
    if (!(error instanceof uml.UmlError)) throw error;
    process.stderr.write(`kernel: ${error.message}\n`);
    return { name: 'kernel', ran: false, passed: 0, failed: 1, skipped: 0, note: `guest failed (${error.reason})` };
  }
}

/** Where the tests append their reliability figures (test/support/reliability.ts). */
function reliabilityLog(resultsDir) {
  return path.join(resultsDir, 'reliability.jsonl');
}

/** The reliability report of this run's figures; returns the number of failures it adds. */
function printReliabilityReport(resultsDir, fullRun) {
  const file = reliabilityLog(resultsDir);
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  const report = reliabilityReport(lines, fullRun);
  log('');
  for (const line of report.text) log(line);
  return report.failures;
}

function shellQuote(s) {
  return /^[A-Za-z0-9_./=:+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function formatSuite(s) {
  const skipped = s.skipped ? ` (${s.skipped} skipped)` : '';
  const state = s.ran ? `${s.passed} passed, ${s.failed} failed${skipped}` : 'DID NOT RUN, counted as 1 failure';
  return `${s.name}: ${state}${s.note ? ` — ${s.note}` : ''}`;
}

async function main() {
  let opts;
  let routed;
  try {
    opts = parseArgs(process.argv.slice(2));
    routed = routeFilters(opts);
  } catch (error) {
    process.stderr.write(`run-all: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  // With filters, a suite none of whose files match is left out (and said so below).
  const runUnitSuite = opts.unit && (opts.filters.length === 0 || routed.unit.length > 0);
  const runKernelSuite = opts.kernel && (opts.filters.length === 0 || routed.kernel.length > 0);

  /** @type {SuiteResult[]} */
  const results = [];
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ipvsadm-test-'));
  try {
    try {
      if (runUnitSuite) ensureUnitPrerequisites();
      // test/reliability-report.test.ts runs this runner on one unit file with the build in place.
      if (process.env.IPVSADM_TEST_SKIP_BUILD === '1') log('build: skipped (IPVSADM_TEST_SKIP_BUILD=1)');
      else build();
      if (runKernelSuite) {
        uml = await import(new URL('../dist/lab/uml.js', import.meta.url).href);
        ensurePrerequisites();
      }
    } catch (error) {
      process.stderr.write(`run-all: ${error.message}\n`);
      log('setup: FAILED');
      log('0 passed, 1 failed');
      return 1;
    }
    if (runUnitSuite) results.push(runUnit(resultsDir, routed.unit, opts.vitestOptions));
    if (runKernelSuite) results.push(await runKernel(resultsDir, routed.kernel, opts.vitestOptions));
    const fullRun = runUnitSuite && runKernelSuite && opts.filters.length === 0;
    const reportFailures = printReliabilityReport(resultsDir, fullRun);
    if (reportFailures > 0) results.push({ name: 'reliability', ran: true, passed: 0, failed: reportFailures, skipped: 0 });
  } finally {
    if (process.env.IPVSADM_TEST_KEEP !== '1') fs.rmSync(resultsDir, { recursive: true, force: true });
  }

  log('');
  for (const s of results) log(formatSuite(s));
  if (!runKernelSuite) {
    const why = opts.kernel ? 'no kernel test file matches the filters' : '--unit-only';
    log(`kernel: NOT RUN (${why}) — this is not a full test run; \`npm test\` runs both suites`);
  }
  if (!runUnitSuite) {
    const why = opts.unit ? 'no unit test file matches the filters' : '--kernel-only';
    log(`unit: NOT RUN (${why})`);
  }
  const passed = results.reduce((n, s) => n + s.passed, 0);
  const failed = results.reduce((n, s) => n + s.failed, 0);
  log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
