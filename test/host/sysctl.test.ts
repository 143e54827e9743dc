// sysctl.ts against a temp directory root: read/write, a missing key refused (never created), key
// checks, reads by sysctl(8) name, sysctl(8) names, and the max(all, dev) rule for effective values.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROC_SYS, confKey, effectiveValue, fileSysctls, maxConfPartner, readSysctls, sysctlName } from '../../src/host/sysctl.js';
import { tempDir } from '../prep/support.js';

async function procRoot(values: Record<string, string>): Promise<string> {
  const root = await tempDir();
  for (const [key, text] of Object.entries(values)) {
    await mkdir(join(root, key, '..'), { recursive: true });
    await writeFile(join(root, key), text);
  }
  return root;
}

describe('fileSysctls', () => {
  it('reads integers (trailing newline, surrounding blanks); a missing key is undefined', async () => {
    const root = await procRoot({ 'net/ipv4/ip_forward': '1\n', 'net/ipv4/conf/all/arp_ignore': ' 2 \n', 'net/ipv4/conf/lo/rp_filter': '-1\n' });
    const s = fileSysctls(root);
    expect(await s.read('net/ipv4/ip_forward')).toBe(1);
    expect(await s.read('net/ipv4/conf/all/arp_ignore')).toBe(2);
    expect(await s.read('net/ipv4/conf/lo/rp_filter')).toBe(-1);
    expect(await s.read('net/ipv4/conf/eth9/rp_filter')).toBeUndefined();
  });

  it('the default root is /proc/sys', () => {
    expect(PROC_SYS).toBe('/proc/sys');
  });

  it('a value that is not an integer is an error naming the key', async () => {
    const s = fileSysctls(await procRoot({ 'net/ipv4/tcp_rmem': 'x\n' }));
    await expect(s.read('net/ipv4/tcp_rmem')).rejects.toThrow('net.ipv4.tcp_rmem: not an integer: "x"');
  });

  it('writes "value\\n", replacing a longer old value completely', async () => {
    const root = await procRoot({ 'net/ipv4/conf/all/arp_ignore': '1024\n' });
    const s = fileSysctls(root);
    await s.write('net/ipv4/conf/all/arp_ignore', 2);
    expect(await readFile(join(root, 'net/ipv4/conf/all/arp_ignore'), 'utf8')).toBe('2\n');
    expect(await s.read('net/ipv4/conf/all/arp_ignore')).toBe(2);
  });

  it('refuses to write a key that does not exist, and creates nothing', async () => {
    const root = await procRoot({ 'net/ipv4/conf/all/arp_ignore': '0\n' });
    const s = fileSysctls(root);
    await expect(s.write('net/ipv4/conf/all/arp_announce', 2)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(s.write('net/ipv4/conf/tunl0/rp_filter', 0)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(join(root, 'net/ipv4/conf'))).toEqual(['all']);
    expect(await readdir(join(root, 'net/ipv4/conf/all'))).toEqual(['arp_ignore']);
  });

  it.each(['../etc/passwd', '/etc/passwd', 'net//ip_forward', 'net/./ip_forward', 'net/ipv4/', ''])('refuses the key %j', async (key) => {
    const s = fileSysctls(await tempDir());
    await expect(s.read(key)).rejects.toThrow(`invalid sysctl key: ${key}`);
    await expect(s.write(key, 1)).rejects.toThrow(`invalid sysctl key: ${key}`);
  });
});

describe('readSysctls', () => {
  it('by sysctl(8) names: integers kept, a missing key, a non-integer and an escaping name left out', async () => {
    const root = await procRoot({ 'net/ipv4/vs/conntrack': '1\n', 'net/ipv4/vs/expire_nodest_conn': '0\n', 'net/ipv4/tcp_rmem': 'x\n', 'etc/passwd': '7\n' });
    const names = ['net.ipv4.vs.conntrack', 'net.ipv4.vs.expire_nodest_conn', 'net.ipv4.vs.nosuch', 'net.ipv4.tcp_rmem', '..etc.passwd'];
    expect(readSysctls(names, root)).toEqual({ 'net.ipv4.vs.conntrack': 1, 'net.ipv4.vs.expire_nodest_conn': 0 });
  });
});

describe('names', () => {
  it('sysctl(8) spelling: dots, unless a segment has a dot (VLAN devices)', () => {
    expect(sysctlName('net/ipv4/conf/all/arp_ignore')).toBe('net.ipv4.conf.all.arp_ignore');
    expect(sysctlName('net/ipv4/ip_forward')).toBe('net.ipv4.ip_forward');
    expect(sysctlName('net/ipv4/conf/eth0.100/rp_filter')).toBe('net/ipv4/conf/eth0.100/rp_filter');
  });

  it('confKey', () => {
    expect(confKey(4, 'lo', 'arp_announce')).toBe('net/ipv4/conf/lo/arp_announce');
    expect(confKey(6, 'all', 'forwarding')).toBe('net/ipv6/conf/all/forwarding');
  });
});

describe('maxConfPartner', () => {
  it.each([
    ['net/ipv4/conf/lo/arp_ignore', 'net/ipv4/conf/all/arp_ignore'],
    ['net/ipv4/conf/eth0/arp_announce', 'net/ipv4/conf/all/arp_announce'],
    ['net/ipv4/conf/tunl0/rp_filter', 'net/ipv4/conf/all/rp_filter'],
    ['net/ipv4/conf/all/arp_ignore', undefined],
    ['net/ipv4/conf/default/rp_filter', undefined],
    ['net/ipv4/conf/eth0/forwarding', undefined],
    ['net/ipv6/conf/eth0/arp_ignore', undefined],
    ['net/ipv4/ip_forward', undefined],
  ])('%s → %s', (key, partner) => {
    expect(maxConfPartner(key)).toBe(partner);
  });
});

describe('effectiveValue', () => {
  const values = new Map<string, number | undefined>([
    ['net/ipv4/conf/all/arp_ignore', 1],
    ['net/ipv4/conf/lo/arp_ignore', 0],
    ['net/ipv4/conf/eth0/arp_ignore', 2],
    ['net/ipv4/conf/all/rp_filter', 0],
    ['net/ipv4/conf/tunl0/rp_filter', 2],
    ['net/ipv4/conf/lo/arp_announce', 2],
    ['net/ipv4/conf/eth0/forwarding', 0],
    ['net/ipv4/conf/all/forwarding', 1],
  ]);

  it.each([
    ['net/ipv4/conf/lo/arp_ignore', 1], // max(all 1, lo 0)
    ['net/ipv4/conf/eth0/arp_ignore', 2], // max(all 1, eth0 2)
    ['net/ipv4/conf/all/arp_ignore', 1],
    ['net/ipv4/conf/tunl0/rp_filter', 2], // max(all 0, tunl0 2)
    ['net/ipv4/conf/lo/arp_announce', 2], // all not known: own
    ['net/ipv4/conf/eth0/forwarding', 0], // not a max knob: own
    ['net/ipv4/conf/eth9/arp_ignore', undefined], // no device: nothing
  ])('%s → %s', (key, expected) => {
    expect(effectiveValue(key, values)).toBe(expected);
  });
});
