// persist.ts: the sysctl.d(5) text for each kind of setup, written atomically (mode 0644, no
// temporary left behind) and removed again.
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSysctlConf, removeSysctlConf, writeSysctlConf } from '../../src/prep/persist.js';
import { desiredState } from '../../src/prep/requirements.js';
import { dir, rs, tempDir } from './support.js';

describe('formatSysctlConf', () => {
  it('DR real server: header, blank line, one key = value per line', () => {
    expect(formatSysctlConf(desiredState(rs('dr', '192.0.2.1')), 'ipvsadm realserver up --mode dr --vip 192.0.2.1 --persist /etc/sysctl.d/90-lvs.conf')).toBe(
      [
        '# Written by `ipvsadm realserver up --mode dr --vip 192.0.2.1 --persist /etc/sysctl.d/90-lvs.conf` (ipvsadm-ts).',
        '# Kernel settings for an LVS real server, mode dr; applied at boot by',
        '# systemd-sysctl or `sysctl --system`. VIP addresses, links and fou ports are not sysctls: run',
        '# `ipvsadm realserver up` at boot for those.',
        '',
        'net.ipv4.conf.all.arp_ignore = 1',
        'net.ipv4.conf.all.arp_announce = 2',
        'net.ipv4.conf.lo.arp_ignore = 1',
        'net.ipv4.conf.lo.arp_announce = 2',
        '',
      ].join('\n'),
    );
  });

  it('TUN gue: names the modules that create the per-device keys, and the tunnel device key', () => {
    expect(formatSysctlConf(desiredState(rs('tun', '192.0.2.1', { tunType: 'gue' })), 'ipvsadm realserver up')).toBe(
      [
        '# Written by `ipvsadm realserver up` (ipvsadm-ts).',
        '# Kernel settings for an LVS real server, mode tun gue, port 6080; applied at boot by',
        '# systemd-sysctl or `sysctl --system`. VIP addresses, links and fou ports are not sysctls: run',
        '# `ipvsadm realserver up` at boot for those.',
        '# Per-device keys need their device when this file is applied: list ipip, fou in',
        '# /etc/modules-load.d/ so that the module creates it first.',
        '',
        'net.ipv4.conf.all.arp_ignore = 1',
        'net.ipv4.conf.all.arp_announce = 2',
        'net.ipv4.conf.all.rp_filter = 0',
        'net.ipv4.conf.default.rp_filter = 0',
        'net.ipv4.conf.tunl0.rp_filter = 0',
        '',
      ].join('\n'),
    );
  });

  it('director nat with both families', () => {
    const text = formatSysctlConf(desiredState(dir('nat', '192.0.2.1,2001:db8::1')), 'ipvsadm director up');
    expect(text.split('\n').slice(1, 2)).toEqual(['# Kernel settings for an LVS director, mode nat; applied at boot by']);
    expect(text.endsWith('\n\nnet.ipv4.ip_forward = 1\nnet.ipv4.conf.all.send_redirects = 0\nnet.ipv6.conf.all.forwarding = 1\n')).toBe(true);
  });

  it('a mode without sysctls says so instead of an empty body', () => {
    const text = formatSysctlConf(desiredState(dir('dr', '192.0.2.1', 'eth0')), 'ipvsadm director up');
    expect(text.endsWith('\n\n# (this mode needs no sysctls)\n')).toBe(true);
  });

  it('a VLAN device key keeps the slash form', () => {
    const text = formatSysctlConf(desiredState(rs('dr', '192.0.2.1', { dev: 'eth0.100' })), 'x');
    expect(text).toContain('\nnet/ipv4/conf/eth0.100/arp_ignore = 1\nnet/ipv4/conf/eth0.100/arp_announce = 2\n');
  });
});

describe('writeSysctlConf / removeSysctlConf', () => {
  it('writes the text with mode 0644, creating the directory, leaving no temporary file', async () => {
    const d = await tempDir();
    const path = join(d, 'sysctl.d', '90-lvs.conf');
    await writeSysctlConf(path, 'a = 1\n');
    expect(await readFile(path, 'utf8')).toBe('a = 1\n');
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    expect(await readdir(join(d, 'sysctl.d'))).toEqual(['90-lvs.conf']);
  });

  it('replaces an existing file whole', async () => {
    const path = join(await tempDir(), '90-lvs.conf');
    await writeFile(path, 'a much longer old content\n'.repeat(10));
    await writeSysctlConf(path, 'b = 2\n');
    expect(await readFile(path, 'utf8')).toBe('b = 2\n');
  });

  it('remove: true when the file was there, false when not', async () => {
    const path = join(await tempDir(), '90-lvs.conf');
    await writeSysctlConf(path, 'x\n');
    expect(await removeSysctlConf(path)).toBe(true);
    expect(await removeSysctlConf(path)).toBe(false);
  });

  it('a failure to write is an error and leaves no temporary behind', async () => {
    const d = await tempDir();
    await mkdir(join(d, 'target.conf'));
    await expect(writeSysctlConf(join(d, 'target.conf'), 'x\n')).rejects.toThrow();
    expect(await readdir(d)).toEqual(['target.conf']);
  });
});
