// The package as an operator meets it, not the tree: a copy of the tracked files (no dist/) and the
// clone's node_modules is packed by `npm pack` (its own build), and the tarball is installed with
// `npm install -g --offline` into a temporary prefix with an empty npm cache: the dependencies are
// bundled, so no network and no registry. Then: the three programs on PATH answer as the tree's
// do, the native netlink addon loads (also when npm ran no install script), every man page of
// package.json "man" is found by `man -w`, the tarball holds what runs and nothing of the tests,
// sources or maps, and the V8 code cache in the installed dist/ is made there, and made again when
// another Node or another V8 configuration made it.
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheFileOf } from '../../src/cli/code-cache.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORK = mkdtempSync(join(tmpdir(), 'ipvsadm-tarball-'));
const CLONE = join(WORK, 'clone');
const PREFIX = join(WORK, 'prefix');
/** installed with --ignore-scripts: netlink's install script (node-gyp-build) never ran */
const BARE = join(WORK, 'prefix-no-scripts');
const PACKAGE = (prefix: string): string => join(prefix, 'lib/node_modules/ipvsadm-ts');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; man: string[]; dependencies: Record<string, string> };

interface PackedFile {
  readonly path: string;
}
let packed: { files: PackedFile[]; bundled: string[]; filename: string };
let install: SpawnSyncReturns<string>;

/** The environment of the npm and program runs: none of the npm_* of a surrounding `npm test`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', NO_COLOR: '1', ...extra };
}

function run(cmd: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd: options.cwd ?? WORK, env: options.env ?? cleanEnv(), encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return r;
}

function must(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status !== 0) throw new Error(`${what} failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

const npmInstall = (prefix: string, ...extra: string[]): SpawnSyncReturns<string> =>
  run('npm', ['install', '-g', '--offline', '--cache', join(WORK, `cache-${relative(WORK, prefix)}`), '--prefix', prefix, ...extra, join(WORK, packed.filename)]);

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/cli/bundle.cjs'))) throw new Error('dist/cli/bundle.cjs is missing: build the tree first (npm run build), its output is the reference');
  for (const program of ['npm', 'man', 'systemd-analyze']) {
    if (spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0) throw new Error(`${program} is not installed (test/run-all.mjs installs it on Debian)`);
  }
  mkdirSync(CLONE);
  for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'bin', 'man', 'src']) cpSync(join(ROOT, entry), join(CLONE, entry), { recursive: true });
  // `npm ci` of a clone; .bin's links stay relative
  must(run('cp', ['-a', `${realpathSync(join(ROOT, 'node_modules'))}/.`, join(CLONE, 'node_modules')]), 'copying node_modules');
  const pack = must(run('npm', ['pack', '--json', '--pack-destination', WORK, '--cache', join(WORK, 'cache-pack')], { cwd: CLONE }), 'npm pack');
  [packed] = JSON.parse(pack.stdout) as [typeof packed];
  install = must(npmInstall(PREFIX), 'npm install -g of the tarball');
  mkdirSync(join(WORK, 'tree/bin'), { recursive: true });
  for (const program of ['ipvsadm', 'ipvsadm-save', 'ipvsadm-restore']) symlinkSync(join(ROOT, 'bin', `${program}.js`), join(WORK, 'tree/bin', program));
  must(npmInstall(BARE, '--ignore-scripts'), 'npm install -g --ignore-scripts of the tarball');
}, 300_000);

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

/** A program of the installed package, found on PATH as a shell would. */
function installed(prefix: string, program: string, args: readonly string[]): SpawnSyncReturns<string> {
  return run(program, args, { env: cleanEnv({ PATH: `${join(prefix, 'bin')}:${process.env['PATH'] ?? ''}` }) });
}

/** The tree's program under the same name on PATH (as `npm link` would put it): the reference. */
const tree = (program: string, args: readonly string[]): SpawnSyncReturns<string> => installed(join(WORK, 'tree'), program, args);
const outcome = (r: SpawnSyncReturns<string>): { stdout: string; stderr: string; status: number | null } => ({ stdout: r.stdout, stderr: r.stderr, status: r.status });

describe('npm pack, then npm install -g of the tarball (offline, empty cache)', () => {
  it('puts ipvsadm, ipvsadm-save and ipvsadm-restore on PATH, answering -h and --version as the tree does', () => {
    for (const program of ['ipvsadm', 'ipvsadm-save', 'ipvsadm-restore']) expect(statSync(join(PREFIX, 'bin', program)).isFile(), program).toBe(true);
    const version = installed(PREFIX, 'ipvsadm', ['--version']);
    expect(version.stdout).toContain(`ipvsadm-ts ${PKG.version} `);
    for (const args of [['-h'], ['--version'], ['apply', '--help'], ['boot', '--help'], ['metrics', '--help']]) {
      expect(outcome(installed(PREFIX, 'ipvsadm', args)), args.join(' ')).toEqual(outcome(tree('ipvsadm', args)));
    }
    expect(outcome(installed(PREFIX, 'ipvsadm-save', ['-h']))).toEqual(outcome(tree('ipvsadm-save', ['-h'])));
    expect(installed(PREFIX, 'ipvsadm-save', ['-h']).stderr).toMatch(/^ipvsadm-save: /);
    // empty input: the same restore (or the same refusal where this host has no ip_vs)
    expect(outcome(installed(PREFIX, 'ipvsadm-restore', []))).toEqual(outcome(tree('ipvsadm-restore', [])));
  });

  it('loads the netlink addon from its prebuilt binary, with or without npm running its install script', () => {
    // rtnetlink works on any Linux: `link lo` is read through the addon's socket
    const args = ['realserver', 'check', '--mode', 'dr', '--vip', '192.0.2.1', '--json'];
    const expected = outcome(tree('ipvsadm', args));
    expect(expected.stdout).toContain('"requirement": "link lo"');
    for (const prefix of [PREFIX, BARE]) {
      expect(outcome(installed(prefix, 'ipvsadm', args)), prefix).toEqual(expected);
      // IPVS itself: the same listing, or the same refusal where this host has no ip_vs
      expect(outcome(installed(prefix, 'ipvsadm', ['-Ln'])), prefix).toEqual(outcome(tree('ipvsadm', ['-Ln'])));
    }
  });

  it('installs with no install-script notice about netlink: bundled, its script is npm\'s business, not the user\'s', () => {
    expect(packed.bundled.sort()).toEqual(expect.arrayContaining(Object.keys(PKG.dependencies).sort()));
    expect(install.stderr).not.toMatch(/netlink/);
    for (const dep of Object.keys(PKG.dependencies)) expect(existsSync(join(PACKAGE(PREFIX), 'node_modules', dep, 'package.json')), dep).toBe(true);
  });

  it('man -w finds every page of package.json "man" through the prefix\'s MANPATH', () => {
    expect(PKG.man.length).toBeGreaterThanOrEqual(12);
    for (const page of PKG.man) {
      const name = page.replace(/^.*\//, '').replace(/\.8$/, '');
      const r = run('man', ['-w', '8', name], { env: cleanEnv({ MANPATH: join(PREFIX, 'share/man') }) });
      expect({ name, status: r.status, stderr: r.stderr }).toEqual({ name, status: 0, stderr: '' });
      expect(realpathSync(r.stdout.trim())).toBe(realpathSync(join(PACKAGE(PREFIX), page)));
    }
  });

  it('holds every module the programs can load, and no tests, TypeScript sources, source maps or code caches', () => {
    const files = packed.files.map((f) => f.path).filter((p) => !p.startsWith('node_modules/'));
    // src/ ships assets only (schema, units, alert rules, dashboard), never TypeScript
    expect(files.filter((p) => /\.map$|\.cache$|\.tmp$|\.ts$|^test\/|^\./.test(p))).toEqual([]);
    // what the bundle holds is not shipped again as modules
    expect(files.filter((p) => /^dist\/entry\/|^dist\/cli\/(?!bundle\.cjs$|loader\.cjs$)/.test(p))).toEqual([]);
    const needed = reachable(PACKAGE(PREFIX), ['bin/ipvsadm.js', 'bin/ipvsadm-save.js', 'bin/ipvsadm-restore.js']);
    expect(needed.length).toBeGreaterThan(100);
    expect(needed.filter((p) => !files.includes(p))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['src/systemd/ipvsadm.service', 'src/ansible/site.yml', 'src/ansible/roles/ipvsadm/tasks/main.yml', 'src/systemd/ipvsadm-metrics.service', 'src/schema/ipvsadm.schema.json', 'dist/cli/bundle.cjs', 'dist/cli/loader.cjs']));
  });
});

/**
 * The files reachable from `entries` in the installed package: every relative module path
 * written in them (import, require, the command table's lazy loads, the lab's agent), transitively.
 */
function reachable(dir: string, entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  for (let rel = queue.shift(); rel !== undefined; rel = queue.shift()) {
    if (seen.has(rel)) continue;
    seen.add(rel);
    const text = readFileSync(join(dir, rel), 'utf8');
    for (const m of text.matchAll(/['"`](\.\.?\/[^'"`\s]+\.c?js)['"`]/g)) {
      const target = relative(dir, resolve(dirname(join(dir, rel)), m[1]!));
      if (!existsSync(join(dir, target))) throw new Error(`${rel} names ${m[1]}, which the installed package does not have`);
      queue.push(target);
    }
  }
  return [...seen].sort();
}

describe('the V8 code cache of the installed package', () => {
  const bundle = (): string => join(PACKAGE(PREFIX), 'dist/cli/bundle.cjs');
  const cacheFile = (): string => cacheFileOf(bundle(), '-v');
  const version = (...nodeFlags: string[]): string => {
    const r = run(process.execPath, [...nodeFlags, join(PACKAGE(PREFIX), 'bin/ipvsadm.js'), '-v']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    return r.stdout;
  };

  it('ships none, makes one on the first run, and uses it untouched after', () => {
    expect(packed.files.filter((f) => f.path.includes('.cache'))).toEqual([]);
    rmSync(cacheFile(), { force: true });
    const expected = tree('ipvsadm', ['-v']).stdout;
    expect(version()).toBe(expected);
    const made = readFileSync(cacheFile());
    expect(made.toString('latin1', 0, made.indexOf(10))).toMatch(new RegExp(`^ipvsadm code cache ${process.version} ${process.arch} `));
    expect(version()).toBe(expected);
    expect(readFileSync(cacheFile()).equals(made)).toBe(true);
  });

  it('a cache another V8 configuration made (its flags differ) is rejected by V8 and made again; the output is the same', () => {
    rmSync(cacheFile(), { force: true });
    const expected = version();
    rmSync(cacheFile(), { force: true });
    expect(version('--stack-size=2000')).toBe(expected);
    const foreign = readFileSync(cacheFile());
    expect(version()).toBe(expected);
    const remade = readFileSync(cacheFile());
    expect(remade.equals(foreign)).toBe(false);
    expect(version()).toBe(expected);
    expect(readFileSync(cacheFile()).equals(remade)).toBe(true);
  });

  it('a cache of another Node version is not even given to V8: the run compiles anew and writes its own', () => {
    const expected = version();
    const mine = readFileSync(cacheFile());
    const header = mine.toString('latin1', 0, mine.indexOf(10) + 1);
    const other = header.replace(` ${process.version} `, ' v18.20.4 ');
    expect(other).not.toBe(header);
    writeFileSync(cacheFile(), Buffer.concat([Buffer.from(other, 'latin1'), mine.subarray(header.length)]));
    expect(version()).toBe(expected);
    expect(readFileSync(cacheFile()).toString('latin1', 0, header.length)).toBe(header);
  });
});

describe('the systemd units of the installed package', () => {
  const UNITS = ['ipvsadm.service', 'ipvsadm-metrics.service'];
  /** The units as ipvsadm-boot(8) installs them: /usr/local/bin/ipvsadm replaced by the ipvsadm on PATH. */
  function installUnits(into: string, ipvsadm: string): void {
    mkdirSync(into, { recursive: true });
    for (const unit of UNITS) {
      const text = readFileSync(join(PACKAGE(PREFIX), 'src/systemd', unit), 'utf8');
      expect(text, unit).toContain('/usr/local/bin/ipvsadm ');
      writeFileSync(join(into, unit), text.replaceAll('/usr/local/bin/ipvsadm', ipvsadm));
    }
  }
  const verify = (dir: string): SpawnSyncReturns<string> =>
    run('systemd-analyze', ['verify', ...UNITS.map((u) => join(dir, u))], { env: cleanEnv({ MANPATH: join(PREFIX, 'share/man'), SYSTEMD_LOG_COLOR: '0' }) });

  it('pass systemd-analyze verify (their commands exist, their man pages are found)', () => {
    installUnits(join(WORK, 'units'), join(PREFIX, 'bin/ipvsadm'));
    const r = verify(join(WORK, 'units'));
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it("ipvsadm-boot(8)'s drop-in for --web.config.file (credentials, %d) passes it too", () => {
    const page = readFileSync(join(PACKAGE(PREFIX), 'man/ipvsadm-boot.8'), 'utf8');
    const block = /\n\[Service\]\n([^]*?)\n\.RE\n/.exec(page);
    expect(block, 'the [Service] block of ipvsadm-boot.8').not.toBeNull();
    const dropIn = block![1]!.replaceAll('\\-', '-');
    expect(dropIn).toContain('%d/web.yml');
    installUnits(join(WORK, 'units-credentials'), join(PREFIX, 'bin/ipvsadm'));
    const file = join(WORK, 'units-credentials/ipvsadm-metrics.service');
    writeFileSync(file, readFileSync(file, 'utf8').replace('\n[Service]\n', `\n[Service]\n${dropIn}\n`));
    const r = verify(join(WORK, 'units-credentials'));
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('and fail it when the command is not there (the check can fail)', () => {
    installUnits(join(WORK, 'units-wrong'), join(PREFIX, 'bin/no-such-ipvsadm'));
    const r = verify(join(WORK, 'units-wrong'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no-such-ipvsadm is not executable');
  });
});
