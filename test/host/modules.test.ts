// modules.ts: presence through <sysRoot>/module/<name> in a temp dir, and modprobe through a stand-in
// script: loading (arguments, success, its last stderr line, a missing program), `modprobe -n` for
// moduleState, 1.31's `modprobe -- ip_vs` whose outcome is ignored, and the quiet one that gives
// modprobe's reason back.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIpvs, ModuleLoadError, modprobeLoader, moduleState, sysModulePresence, systemModules } from '../../src/host/modules.js';
import { tempDir } from '../prep/support.js';

async function fakeModprobe(body: string): Promise<{ path: string; argsFile: string }> {
  const d = await tempDir();
  const argsFile = join(d, 'args');
  const path = join(d, 'modprobe');
  await writeFile(path, `#!/bin/sh\nprintf '%s\n' "$*" > '${argsFile}'\n${body}\n`);
  await chmod(path, 0o755);
  return { path, argsFile };
}

describe('sysModulePresence', () => {
  it('a directory under module/ means present; dashes match underscores; junk names never', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'module', 'ip_vs'), { recursive: true });
    await mkdir(join(root, 'module', 'ip6_tunnel'));
    await writeFile(join(root, 'module', 'afile'), '');
    const present = sysModulePresence(root);
    expect(await present('ip_vs')).toBe(true);
    expect(await present('ip-vs')).toBe(true);
    expect(await present('ip6_tunnel')).toBe(true);
    expect(await present('ipip')).toBe(false);
    expect(await present('afile')).toBe(false);
    expect(await present('../module/ip_vs')).toBe(false);
    expect(await present('')).toBe(false);
  });
});

describe('modprobeLoader', () => {
  it('runs MODPROBE [extra args] -- NAME and resolves on status 0', async () => {
    const m = await fakeModprobe('exit 0');
    await modprobeLoader(m.path, ['-d', '/opt/uml/modules'])('ipip');
    expect(await readFile(m.argsFile, 'utf8')).toBe('-d /opt/uml/modules -- ipip\n');
    await systemModules({ modprobe: m.path }).load('fou');
    expect(await readFile(m.argsFile, 'utf8')).toBe('-- fou\n');
  });

  it("a failure carries modprobe's last stderr line", async () => {
    const m = await fakeModprobe("echo 'modprobe: WARNING: something' >&2\necho 'modprobe: FATAL: Module nosuch not found in directory /lib/modules/6.1.0' >&2\nexit 1");
    const e = await modprobeLoader(m.path)('nosuch').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModuleLoadError);
    expect(e).toMatchObject({ module: 'nosuch', detail: 'modprobe: FATAL: Module nosuch not found in directory /lib/modules/6.1.0' });
    expect((e as Error).message).toBe('cannot load kernel module nosuch: modprobe: FATAL: Module nosuch not found in directory /lib/modules/6.1.0');
  });

  it('a silent failure gives the exit status', async () => {
    const m = await fakeModprobe('exit 3');
    await expect(modprobeLoader(m.path)('ipip')).rejects.toMatchObject({ detail: 'modprobe exited with status 3' });
  });

  it('a program that cannot run, and a name that is not a module name (never run)', async () => {
    const missing = join(await tempDir(), 'no-modprobe');
    await expect(modprobeLoader(missing)('ipip')).rejects.toMatchObject({ detail: `cannot run ${missing}: spawn ${missing} ENOENT` });
    const m = await fakeModprobe('exit 0');
    await expect(modprobeLoader(m.path)('-r ipip')).rejects.toMatchObject({ module: '-r ipip', detail: 'not a module name' });
    await expect(readFile(m.argsFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('moduleState', () => {
  it('loaded when /sys/module has it (modprobe never asked); else what `modprobe -n -q -- NAME` says', async () => {
    const sysRoot = await tempDir();
    await mkdir(join(sysRoot, 'module', 'ip_vs'), { recursive: true });
    const yes = await fakeModprobe('exit 0');
    expect(await moduleState('ip_vs', { sysRoot, modprobe: yes.path })).toBe('loaded');
    await expect(readFile(yes.argsFile)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await moduleState('ip_vs_sh', { sysRoot, modprobe: yes.path })).toBe('loadable');
    expect(await readFile(yes.argsFile, 'utf8')).toBe('-n -q -- ip_vs_sh\n');
    const no = await fakeModprobe('exit 1');
    expect(await moduleState('ip_vs_nosuch', { sysRoot, modprobe: no.path })).toBe('missing');
    expect(await moduleState('ip_vs_sh', { sysRoot, modprobe: join(sysRoot, 'no-modprobe') })).toBe('missing');
    expect(await moduleState('-r ip_vs', { sysRoot, modprobe: yes.path })).toBe('missing');
  });
});

describe('loadIpvs', () => {
  it('as131: runs MODPROBE -- ip_vs and resolves whatever it ends with, as 1.31 ignores the outcome', async () => {
    const failing = await fakeModprobe('exit 1');
    await expect(loadIpvs('as131', failing.path)).resolves.toBeUndefined();
    expect(await readFile(failing.argsFile, 'utf8')).toBe('-- ip_vs\n');
    await expect(loadIpvs('as131', join(await tempDir(), 'no-modprobe'))).resolves.toBeUndefined();
  });

  it("quiet: modprobe's reason without its FATAL prefix; undefined when it loaded; a missing program named", async () => {
    const failing = await fakeModprobe("echo 'modprobe: FATAL: Module ip_vs not found in directory /lib/modules/6.18.44' >&2\nexit 1");
    await expect(loadIpvs('quiet', failing.path)).resolves.toBe('Module ip_vs not found in directory /lib/modules/6.18.44');
    expect(await readFile(failing.argsFile, 'utf8')).toBe('-- ip_vs\n');
    const ok = await fakeModprobe('exit 0');
    await expect(loadIpvs('quiet', ok.path)).resolves.toBeUndefined();
    const missing = join(await tempDir(), 'no-modprobe');
    await expect(loadIpvs('quiet', missing)).resolves.toBe(`cannot run ${missing}: spawn ${missing} ENOENT`);
  });
});
