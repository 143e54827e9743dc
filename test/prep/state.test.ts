// state.ts: the state file under a temp dir (read, write per netns, removal of the last record,
// refusal of foreign content, version 1 files, stale records set aside, writers at once under the
// lock of the state files) and the record arithmetic.
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateLock, takeLock } from '../../src/host/lock.js';
import { SystemError } from '../../src/prep/errors.js';
import type { Step } from '../../src/prep/model.js';
import { DEFAULT_STATE_DIR, STALE_KEPT, emptyRecord, readState, recordAfterDown, recordAfterUp, samePort, stateFile, withMarker, writeRecord } from '../../src/prep/state.js';
import type { StaleRecord, StateRecord } from '../../src/prep/state.js';
import { dir, rs, tempDir, vip } from './support.js';

const DR: StateRecord = {
  side: 'realserver',
  mode: 'dr',
  sysctls: [{ key: 'net/ipv4/conf/all/arp_ignore', before: 3 }],
  addresses: [{ dev: 'lo', vip: '192.0.2.1', prefix: 32, nodad: false }],
  links: [],
  fouPorts: [],
};

describe('the state file', () => {
  it('lives at <dir>/<side>.json, by default under /run/ipvsadm-ts', () => {
    expect(DEFAULT_STATE_DIR).toBe('/run/ipvsadm-ts');
    expect(stateFile('/x', 'realserver')).toBe('/x/realserver.json');
    expect(stateFile('/x', 'director')).toBe('/x/director.json');
  });

  it('a missing file reads as empty', async () => {
    expect(await readState(join(await tempDir(), 'none.json'))).toEqual({ version: 2, netns: {}, stale: [] });
  });

  it('writeRecord creates the directory and a 0600 file with exactly this JSON', async () => {
    const path = join(await tempDir(), 'sub', 'realserver.json');
    await writeRecord(path, '4026531840', DR);
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify({ version: 2, netns: { '4026531840': DR } }, null, 2)}\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readState(path)).toEqual({ version: 2, netns: { '4026531840': DR }, stale: [] });
    expect(await readdir(join(path, '..'))).toEqual(['realserver.json']);
  });

  it('one record per namespace: replacing one keeps the others; removing the last deletes the file', async () => {
    const path = join(await tempDir(), 'realserver.json');
    const other: StateRecord = { ...DR, addresses: [] };
    await writeRecord(path, '1', DR);
    await writeRecord(path, '2', other);
    await writeRecord(path, '1', { ...DR, links: ['lo'] });
    expect((await readState(path)).netns).toEqual({ '1': { ...DR, links: ['lo'] }, '2': other });
    await writeRecord(path, '1', undefined);
    expect((await readState(path)).netns).toEqual({ '2': other });
    await writeRecord(path, '2', undefined);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await writeRecord(path, '3', undefined);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('namespaces writing at once lose no record: 10 ups, then 9 downs, all at the same moment', async () => {
    const path = join(await tempDir(), 'realserver.json');
    const names = Array.from({ length: 10 }, (_, i) => String(4026532000 + i));
    await Promise.all(names.map((ns) => writeRecord(path, ns, DR, undefined, { holder: `up ${ns}` })));
    expect(Object.keys((await readState(path)).netns).sort()).toEqual(names);
    await Promise.all(names.slice(1).map((ns) => writeRecord(path, ns, undefined)));
    expect(Object.keys((await readState(path)).netns)).toEqual([names[0]]);
    expect(await readdir(join(path, '..'))).toEqual(['realserver.json']);
  });

  it('a writer waits for the lock of the state files, and names the holder when it gives up; the file is untouched', async () => {
    const d = await tempDir();
    const path = join(d, 'realserver.json');
    await writeRecord(path, '1', DR);
    const held = await takeLock(stateLock(d, 'ipvsadm director down', 0));
    const e = await writeRecord(path, '2', DR, undefined, { holder: 'ipvsadm realserver up', waitMs: 200 }).catch((x: unknown) => x);
    expect((e as Error).message).toBe(`another ipvsadm director down (pid ${process.pid}) is writing the state files in ${d}; waited 0.2 s for it`);
    expect(Object.keys((await readState(path)).netns)).toEqual(['1']);
    held.release();
    await writeRecord(path, '2', DR, undefined, { waitMs: 0 });
    expect(Object.keys((await readState(path)).netns).sort()).toEqual(['1', '2']);
  });

  const foreign = [
    ['not JSON', '{'],
    ['another version', JSON.stringify({ version: 3, netns: {} })],
    ['a version 1 record with a marker (version 1 had none)', JSON.stringify({ version: 1, netns: { '1': { ...DR, marker: 'x' } } })],
    ['a version 1 file with stale records', JSON.stringify({ version: 1, netns: {}, stale: [] })],
    ['a marker that is not text', JSON.stringify({ version: 2, netns: { '1': { ...DR, marker: 7 } } })],
    ['a sysctl whose after is not a number', JSON.stringify({ version: 2, netns: { '1': { ...DR, sysctls: [{ key: 'k', before: 3, after: 'x' }] } } })],
    ['a stale record without its record', JSON.stringify({ version: 2, netns: {}, stale: [{ netns: '1', setAside: 't', reason: 'r' }] })],
    ['no netns', JSON.stringify({ version: 1 })],
    ['a record with a bad side', JSON.stringify({ version: 1, netns: { '1': { ...DR, side: 'both' } } })],
    ['a sysctl without a number', JSON.stringify({ version: 1, netns: { '1': { ...DR, sysctls: [{ key: 'k', before: '3' }] } } })],
    ['an address without prefix', JSON.stringify({ version: 1, netns: { '1': { ...DR, addresses: [{ dev: 'lo', vip: '192.0.2.1' }] } } })],
    ['a fou port of family 5', JSON.stringify({ version: 1, netns: { '1': { ...DR, fouPorts: [{ port: 1, family: 5 }] } } })],
    ['links not strings', JSON.stringify({ version: 1, netns: { '1': { ...DR, links: [1] } } })],
  ];

  it.each(foreign)('refuses %s with a SystemError naming the file', async (_what, text) => {
    const path = join(await tempDir(), 'realserver.json');
    await writeFile(path, text!);
    const e = await readState(path).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SystemError);
    expect((e as Error).message).toBe(`the state file ${path} is not one this version wrote; move it away to continue (down then cannot restore the sysctls it recorded)`);
    await expect(writeRecord(path, '1', DR)).rejects.toBeInstanceOf(SystemError);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('an unreadable path is a SystemError (a directory where the file should be)', async () => {
    const path = join(await tempDir(), 'realserver.json');
    await mkdir(path);
    const e = await readState(path).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SystemError);
    expect((e as Error).message).toMatch(new RegExp(`^cannot read the state file ${path}: EISDIR`));
  });
});

describe('version 1 files and stale records', () => {
  const stale = (netns: string, record: StateRecord = DR): StaleRecord => ({ netns, setAside: '2026-12-03T18:00:00.000Z', reason: 'its marker is not on lo', record });

  it('a version 1 file reads as version 2 without stale records; the next write makes it version 2', async () => {
    const path = join(await tempDir(), 'realserver.json');
    await writeFile(path, JSON.stringify({ version: 1, netns: { '1': DR, '2': DR } }));
    expect(await readState(path)).toEqual({ version: 2, netns: { '1': DR, '2': DR }, stale: [] });
    await writeRecord(path, '2', undefined);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 2, netns: { '1': DR } });
  });

  it('setAside moves the record filed under the inode to stale, then writes the new one', async () => {
    const path = join(await tempDir(), 'realserver.json');
    const mine = withMarker({ ...DR, mode: 'tun', tunType: 'ipip' }, 'new-token');
    await writeRecord(path, '7', withMarker(DR, 'old-token'));
    await writeRecord(path, '7', mine, stale('7', withMarker(DR, 'old-token')));
    expect(await readState(path)).toEqual({ version: 2, netns: { '7': mine }, stale: [stale('7', withMarker(DR, 'old-token'))] });
    // again (a rollback writing the record back): nothing more is moved
    await writeRecord(path, '7', undefined, stale('7', withMarker(DR, 'old-token')));
    expect(await readState(path)).toEqual({ version: 2, netns: {}, stale: [stale('7', withMarker(DR, 'old-token'))] });
  });

  it('a file with only stale records stays; they are capped to the most recent STALE_KEPT', async () => {
    const path = join(await tempDir(), 'realserver.json');
    for (let i = 0; i < STALE_KEPT + 3; i++) {
      const rec = { ...DR, mode: `m${i}` };
      await writeRecord(path, '9', rec);
      await writeRecord(path, '9', undefined, stale('9', rec));
    }
    const { netns, stale: kept } = await readState(path);
    expect(netns).toEqual({});
    expect(kept).toHaveLength(STALE_KEPT);
    expect(kept[0]!.record.mode).toBe('m3');
    expect(kept.at(-1)!.record.mode).toBe(`m${STALE_KEPT + 2}`);
  });
});

describe('withMarker', () => {
  it('sets, replaces or drops the marker', () => {
    expect(withMarker(DR, 'a')).toEqual({ ...DR, marker: 'a' });
    expect(withMarker({ ...DR, marker: 'a' }, 'b')).toEqual({ ...DR, marker: 'b' });
    expect(withMarker({ ...DR, marker: 'a' }, undefined)).toEqual(DR);
  });
});

describe('emptyRecord', () => {
  it('keeps tunnel type (and port for gue) only for TUN real servers', () => {
    const empty = { sysctls: [], addresses: [], links: [], fouPorts: [] };
    expect(emptyRecord(rs('dr', '192.0.2.1'))).toEqual({ side: 'realserver', mode: 'dr', ...empty });
    expect(emptyRecord(rs('tun', '192.0.2.1', { tunType: 'gre' }))).toEqual({ side: 'realserver', mode: 'tun', tunType: 'gre', ...empty });
    expect(emptyRecord(rs('tun', '192.0.2.1', { tunType: 'gue', tunPort: 7000 }))).toEqual({ side: 'realserver', mode: 'tun', tunType: 'gue', tunPort: 7000, ...empty });
    expect(emptyRecord(dir('nat', ''))).toEqual({ side: 'director', mode: 'nat', ...empty });
  });
});

describe('recordAfterUp', () => {
  const steps: Step[] = [
    { kind: 'module-load', module: 'ipip' },
    { kind: 'sysctl-set', key: 'net/ipv4/conf/all/rp_filter', from: 1, to: 0 },
    { kind: 'sysctl-set', key: 'net/ipv4/conf/tunl0/rp_filter', from: undefined, to: 0 },
    { kind: 'link-set', dev: 'tunl0', up: true },
    { kind: 'address-add', dev: 'tunl0', vip: vip('192.0.2.1'), prefix: 32, nodad: false },
    { kind: 'fou-add', port: 6080, family: 4 },
  ];

  it('records the before values, the added addresses, links brought up and ports opened', () => {
    expect(recordAfterUp(undefined, rs('tun', '192.0.2.1', { tunType: 'gue' }), steps)).toEqual({
      side: 'realserver',
      mode: 'tun',
      tunType: 'gue',
      tunPort: 6080,
      sysctls: [{ key: 'net/ipv4/conf/all/rp_filter', before: 1, after: 0 }],
      addresses: [{ dev: 'tunl0', vip: '192.0.2.1', prefix: 32, nodad: false }],
      links: ['tunl0'],
      fouPorts: [{ port: 6080, family: 4 }],
    });
  });

  it('a later up keeps the first before value and appends only what is new', () => {
    const first = recordAfterUp(undefined, rs('dr', '192.0.2.1'), [
      { kind: 'sysctl-set', key: 'net/ipv4/conf/all/arp_ignore', from: 3, to: 1 },
      { kind: 'address-add', dev: 'lo', vip: vip('192.0.2.1'), prefix: 32, nodad: false },
    ]);
    const second = recordAfterUp(first, rs('dr', '2001:db8::1'), [
      { kind: 'sysctl-set', key: 'net/ipv4/conf/all/arp_ignore', from: 0, to: 1 },
      { kind: 'address-add', dev: 'lo', vip: vip('192.0.2.1'), prefix: 32, nodad: false },
      { kind: 'address-add', dev: 'lo', vip: vip('2001:db8::1'), prefix: 128, nodad: true },
      { kind: 'link-set', dev: 'lo', up: false },
    ]);
    expect(second).toEqual({
      side: 'realserver',
      mode: 'dr',
      sysctls: [{ key: 'net/ipv4/conf/all/arp_ignore', before: 3, after: 1 }],
      addresses: [
        { dev: 'lo', vip: '192.0.2.1', prefix: 32, nodad: false },
        { dev: 'lo', vip: '2001:db8::1', prefix: 128, nodad: true },
      ],
      links: [],
      fouPorts: [],
    });
  });
});

describe('recordAfterDown', () => {
  const two: StateRecord = { ...DR, addresses: [...DR.addresses, { dev: 'lo', vip: '2001:db8::1', prefix: 128, nodad: true }] };

  it('forgets the VIPs taken down; keeps the rest of the record', () => {
    expect(recordAfterDown(two, ['192.0.2.1'])).toEqual({ ...DR, addresses: [{ dev: 'lo', vip: '2001:db8::1', prefix: 128, nodad: true }] });
  });

  it('none left: the record goes', () => {
    expect(recordAfterDown(two, ['192.0.2.1', '2001:db8::1'])).toBeUndefined();
    expect(recordAfterDown({ ...DR, addresses: [] }, [])).toBeUndefined();
  });
});

describe('samePort', () => {
  it('port and family both count', () => {
    expect(samePort({ port: 6080, family: 4 }, { port: 6080, family: 4 })).toBe(true);
    expect(samePort({ port: 6080, family: 4 }, { port: 6080, family: 6 })).toBe(false);
    expect(samePort({ port: 6080, family: 4 }, { port: 6081, family: 4 })).toBe(false);
  });
});
