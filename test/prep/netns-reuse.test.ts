// Records bound to the namespace, not to its reused inode (netns-marker.ts) over the fake System: a
// fresh namespace is marked on lo; a matching record is used; a deleted namespace's record met under
// the same inode is set aside with one note (text, --json, dry run) and down restores this
// namespace's own values; version 1 records and a foreign alias on lo are judged by what up left.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPrepCli } from '../../src/realserver/cli.js';
import { PrepUsageError } from '../../src/prep/errors.js';
import { MARKER_PREFIX } from '../../src/host/netns.js';
import { runCheck, runDown, runUp } from '../../src/prep/run.js';
import type { PrepRequest } from '../../src/prep/spec.js';
import type { StateContent } from '../../src/prep/state.js';
import { captureIo } from '../support/capture-io.js';
import { FakeSystem } from '../support/fake-system.js';
import type { FakeOptions } from '../support/fake-system.js';
import { reliabilityCases, reliabilityTest } from '../support/reliability.js';
import { dir, request, rs, tempDir } from './support.js';

const AI = 'net/ipv4/conf/all/arp_ignore';
const AA = 'net/ipv4/conf/all/arp_announce';
const LO_AI = 'net/ipv4/conf/lo/arp_ignore';
const INODE = '4026532110';
const downAll = (side: 'realserver' | 'director' = 'realserver'): PrepRequest => ({ side, action: 'down', spec: undefined, vips: [] });
const readContent = async (stateDir: string, side = 'realserver'): Promise<StateContent> => JSON.parse(await readFile(join(stateDir, `${side}.json`), 'utf8')) as StateContent;
const tokenOn = (sys: FakeSystem): string | undefined => sys.aliasOf('lo')?.slice(MARKER_PREFIX.length);
/** A namespace that got INODE (the kernel hands a deleted namespace's inode to the next one). */
const namespace = (o: FakeOptions = {}): FakeSystem => new FakeSystem({ netns: INODE, ...o });

/** DR up in a namespace that is then deleted without down; returns the state dir. */
async function deletedDr(): Promise<string> {
  const stateDir = await tempDir();
  const gone = namespace({ sysctls: { [AI]: 2, [AA]: 1 } });
  await runUp(request('up', rs('dr', '192.0.2.1')), gone, { stateDir });
  return stateDir;
}

describe('a fresh namespace', () => {
  it('up marks lo with a new token that the record carries; down takes the marker off again', async () => {
    const stateDir = await tempDir();
    const sys = namespace();
    const before = sys.snapshot();
    const up = await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    expect(up.notes).toEqual([]);
    expect(up.setAside).toBeUndefined();
    expect(sys.aliasOf('lo')).toMatch(new RegExp(`^${MARKER_PREFIX}[0-9a-f-]{36}$`));
    expect((await readContent(stateDir)).netns[INODE]!.marker).toBe(tokenOn(sys));
    await runDown(downAll(), sys, { stateDir });
    expect(sys.aliasOf('lo')).toBeUndefined();
    expect(sys.snapshot()).toEqual(before);
  });

  it('two namespaces get different tokens', async () => {
    const stateDir = await tempDir();
    const a = new FakeSystem({ netns: '1' });
    const b = new FakeSystem({ netns: '2' });
    await runUp(request('up', rs('dr', '192.0.2.1')), a, { stateDir });
    await runUp(request('up', rs('dr', '192.0.2.1')), b, { stateDir });
    expect(tokenOn(a)).not.toBe(tokenOn(b));
  });

  it('a dry run marks nothing', async () => {
    const stateDir = await tempDir();
    const sys = namespace();
    await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir, dryRun: true });
    expect(sys.aliasLog).toEqual([]);
  });
});

describe('a matching record', () => {
  it('is used: another mode is refused, up again is a no-op, down restores', async () => {
    const stateDir = await tempDir();
    const sys = namespace({ sysctls: { [AI]: 2 } });
    await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    await expect(runUp(request('up', rs('tun', '192.0.2.1')), sys, { stateDir })).rejects.toThrow('already set up as dr');
    expect((await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir })).steps).toEqual([]);
    expect(sys.aliasLog).toHaveLength(1);
    const down = await runDown(downAll(), sys, { stateDir });
    expect(down.notes).toEqual([]);
    expect(sys.sysctls.get(AI)).toBe(2);
  });

  it('realserver and director in one namespace share the marker; it goes with the last record', async () => {
    const stateDir = await tempDir();
    const sys = namespace();
    await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    await runUp(request('up', dir('nat', '')), sys, { stateDir });
    const token = tokenOn(sys);
    expect((await readContent(stateDir, 'director')).netns[INODE]!.marker).toBe(token);
    await runDown(downAll('realserver'), sys, { stateDir });
    expect(tokenOn(sys)).toBe(token);
    await runDown(downAll('director'), sys, { stateDir });
    expect(sys.aliasOf('lo')).toBeUndefined();
    expect(sys.aliasLog).toEqual([`lo alias ${MARKER_PREFIX}${token}`, 'lo alias ']);
  });
});

describe('a record of a deleted namespace with the same inode', () => {
  it('up of another mode succeeds with one note; the record goes to stale; down restores this namespace\'s own values', async () => {
    const stateDir = await deletedDr();
    const oldRecord = (await readContent(stateDir)).netns[INODE]!;
    const sys = namespace({ sysctls: { [AI]: 3, 'net/ipv4/conf/default/rp_filter': 1 } });
    const before = sys.snapshot();
    const path = join(stateDir, 'realserver.json');
    const up = await runUp(request('up', rs('tun', '192.0.2.1')), sys, { stateDir });
    expect(up.notes).toEqual([`the state record for inode ${INODE} (dr) belongs to a deleted network namespace (its marker is not on lo); set aside under "stale" in ${path}`]);
    expect(up.setAside).toEqual({ netns: INODE, mode: 'dr', reason: 'its marker is not on lo' });
    const content = await readContent(stateDir);
    expect(content.netns[INODE]).toMatchObject({ mode: 'tun', tunType: 'ipip', marker: tokenOn(sys) });
    expect(content.stale).toEqual([{ netns: INODE, setAside: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown, reason: 'its marker is not on lo', record: oldRecord }]);
    const down = await runDown(downAll(), sys, { stateDir });
    expect(down.notes).toEqual([]);
    // tun loaded ipip, which brought tunl0 (and its sysctls): compare what was there before
    const after = sys.snapshot();
    expect(Object.fromEntries(Object.keys(before.sysctls).map((k) => [k, after.sysctls[k]]))).toEqual(before.sysctls);
    expect({ ...after, sysctls: before.sysctls, links: before.links, modules: [] }).toEqual(before);
    expect(sys.sysctls.get(AI)).toBe(3);
    // the stale record stays for the operator; down never uses it
    expect((await readContent(stateDir)).stale).toHaveLength(1);
    expect((await readContent(stateDir)).netns).toEqual({});
  });

  it('lo carrying another marker is a deleted namespace\'s record too', async () => {
    const stateDir = await deletedDr();
    const sys = namespace({ links: [{ name: 'lo', up: true, alias: `${MARKER_PREFIX}someone-else` }, { name: 'eth0', up: true }] });
    const up = await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    expect(up.setAside?.reason).toBe('lo carries another marker');
    expect(tokenOn(sys)).toBe('someone-else');
    expect((await readContent(stateDir)).netns[INODE]!.marker).toBe('someone-else');
  });

  it('a dry run says it would set the record aside and writes nothing', async () => {
    const stateDir = await deletedDr();
    const text = await readFile(join(stateDir, 'realserver.json'), 'utf8');
    const sys = namespace();
    const up = await runUp(request('up', rs('tun', '192.0.2.1')), sys, { stateDir, dryRun: true });
    expect(up.notes[0]).toMatch(/belongs to a deleted network namespace \(its marker is not on lo\); it would be set aside under "stale" in /);
    expect(await readFile(join(stateDir, 'realserver.json'), 'utf8')).toBe(text);
  });

  it('up with nothing to do still sets it aside', async () => {
    const stateDir = await deletedDr();
    const sys = namespace({ sysctls: { [AI]: 1, [AA]: 2, [LO_AI]: 1, 'net/ipv4/conf/lo/arp_announce': 2 }, addresses: [{ dev: 'lo', text: '192.0.2.1', prefix: 32 }] });
    const up = await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    expect(up.steps).toEqual([]);
    expect(up.setAside?.mode).toBe('dr');
    const content = await readContent(stateDir);
    expect(content.netns).toEqual({});
    expect(content.stale).toHaveLength(1);
    expect(sys.aliasLog).toEqual([]);
  });

  it('down without --mode/--vip says the record is a deleted namespace\'s and changes nothing', async () => {
    const stateDir = await deletedDr();
    const text = await readFile(join(stateDir, 'realserver.json'), 'utf8');
    const sys = namespace();
    await expect(runDown(downAll(), sys, { stateDir })).rejects.toThrow(
      new PrepUsageError(`no state recorded for this network namespace in ${join(stateDir, 'realserver.json')} (the one under its inode ${INODE} belongs to a deleted namespace: its marker is not on lo): name what to remove with --mode and --vip`),
    );
    expect(await readFile(join(stateDir, 'realserver.json'), 'utf8')).toBe(text);
    expect(sys.log).toEqual([]);
  });

  it('down with --mode/--vip removes those VIPs and sets the record aside; the deleted namespace\'s sysctls are not "restored"', async () => {
    const stateDir = await deletedDr();
    const sys = namespace({ sysctls: { [AI]: 1 }, addresses: [{ dev: 'lo', text: '192.0.2.1', prefix: 32 }] });
    const down = await runDown(request('down', rs('dr', '192.0.2.1')), sys, { stateDir });
    expect(sys.log).toEqual(['addr del 192.0.2.1/32 lo']);
    expect(down.setAside?.reason).toBe('its marker is not on lo');
    expect(sys.sysctls.get(AI)).toBe(1);
    expect((await readContent(stateDir)).stale).toHaveLength(1);
  });

  it('check neither uses nor moves it', async () => {
    const stateDir = await deletedDr();
    const text = await readFile(join(stateDir, 'realserver.json'), 'utf8');
    const sys = namespace();
    expect((await runCheck(request('check', rs('dr', '192.0.2.1')), sys)).ready).toBe(false);
    expect(await readFile(join(stateDir, 'realserver.json'), 'utf8')).toBe(text);
  });

  it('the CLI prints the note as one line, and --json carries setAside', async () => {
    const stateDir = await deletedDr();
    const io = captureIo();
    const code = await runPrepCli('realserver', ['up', '--mode', 'tun', '--vip', '192.0.2.1', '--state-dir', stateDir], io, () => namespace());
    expect(code, io.err()).toBe(0);
    expect(io.out().split('\n').filter((l) => l.includes('deleted network namespace'))).toEqual([
      `note: the state record for inode ${INODE} (dr) belongs to a deleted network namespace (its marker is not on lo); set aside under "stale" in ${join(stateDir, 'realserver.json')}`,
    ]);
    const again = await deletedDr();
    const jsonIo = captureIo();
    expect(await runPrepCli('realserver', ['up', '--mode', 'tun', '--vip', '192.0.2.1', '--json', '--state-dir', again], jsonIo, () => namespace())).toBe(0);
    const body = JSON.parse(jsonIo.out()) as { ok: boolean; setAside: unknown; notes: string[] };
    expect(body.ok).toBe(true);
    expect(body.setAside).toEqual({ netns: INODE, mode: 'dr', reason: 'its marker is not on lo' });
    expect(body.notes[0]).toContain('belongs to a deleted network namespace');
  });
});

describe('records without a marker: judged by what up left', () => {
  const v1 = (record: object): string => JSON.stringify({ version: 1, netns: { [INODE]: record } });
  const drV1 = { side: 'realserver', mode: 'dr', sysctls: [{ key: AI, before: 3 }], addresses: [{ dev: 'lo', vip: '192.0.2.1', prefix: 32, nodad: false }], links: [], fouPorts: [] };

  it('a version 1 record whose VIPs are all in place is this namespace\'s: down restores it', async () => {
    const stateDir = await tempDir();
    await writeFile(join(stateDir, 'realserver.json'), v1(drV1));
    const sys = namespace({ sysctls: { [AI]: 1 }, addresses: [{ dev: 'lo', text: '192.0.2.1', prefix: 32 }] });
    const down = await runDown(downAll(), sys, { stateDir });
    expect(down.setAside).toBeUndefined();
    expect(sys.log).toEqual(['addr del 192.0.2.1/32 lo', `sysctl ${AI} 1->3`]);
  });

  it('a version 1 record is marked (and the file made version 2) by the next write', async () => {
    const stateDir = await tempDir();
    await writeFile(join(stateDir, 'realserver.json'), v1(drV1));
    const sys = namespace({ sysctls: { [AI]: 1 }, addresses: [{ dev: 'lo', text: '192.0.2.1', prefix: 32 }] });
    await runUp(request('up', rs('dr', '192.0.2.2')), sys, { stateDir });
    const content = await readContent(stateDir);
    expect(content.version).toBe(2);
    expect(content.netns[INODE]!.marker).toBe(tokenOn(sys));
    expect(content.netns[INODE]!.sysctls[0]).toEqual({ key: AI, before: 3 });
  });

  it('a version 1 record whose VIP is missing is set aside', async () => {
    const stateDir = await tempDir();
    await writeFile(join(stateDir, 'realserver.json'), v1(drV1));
    const sys = namespace({ sysctls: { [AI]: 1 } });
    const up = await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    expect(up.setAside?.reason).toBe('recorded without a marker, and 192.0.2.1 is not on lo');
    expect(up.steps.some((s) => s.kind === 'address-add')).toBe(true);
  });

  it('a version 1 record without VIPs: its sysctls decide (still away from their earlier values, or not)', async () => {
    const natV1 = { side: 'director', mode: 'nat', sysctls: [{ key: 'net/ipv4/ip_forward', before: 0 }], addresses: [], links: [], fouPorts: [] };
    for (const [forward, stale] of [[1, false], [0, true]] as const) {
      const stateDir = await tempDir();
      await writeFile(join(stateDir, 'director.json'), v1(natV1));
      const down = await runDown(downAll('director'), namespace({ sysctls: { 'net/ipv4/ip_forward': forward } }), { stateDir }).catch((e: unknown) => e);
      if (stale) expect((down as Error).message).toContain('recorded without a marker, and net.ipv4.ip_forward is not as up left it');
      else expect(down).toMatchObject({ steps: [{ kind: 'sysctl-set', key: 'net/ipv4/ip_forward', from: 1, to: 0 }] });
    }
  });

  it('lo with an alias of its own: left alone, the record unmarked and judged by its VIPs; a deleted one\'s is still caught', async () => {
    const stateDir = await tempDir();
    const links = [{ name: 'lo', up: true, alias: 'loopback of rack 7' }, { name: 'eth0', up: true }];
    const sys = namespace({ sysctls: { [AI]: 2 }, links });
    await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir });
    expect(sys.aliasOf('lo')).toBe('loopback of rack 7');
    expect((await readContent(stateDir)).netns[INODE]!.marker).toBeUndefined();
    expect((await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir })).setAside).toBeUndefined();
    const fresh = namespace({ links });
    const up = await runUp(request('up', rs('tun', '192.0.2.1')), fresh, { stateDir });
    expect(up.setAside?.reason).toBe('recorded without a marker, and 192.0.2.1 is not on lo');
    await runDown(downAll(), sys, { stateDir }).catch(() => undefined);
    expect(sys.aliasLog).toEqual([]);
  });
});

describe('marking fails', () => {
  it('an alias that cannot be set rolls up back; a failed --persist takes the new marker off', async () => {
    const cases = reliabilityCases({ area: 'fault', item: 'namespace marker: alias write refused, --persist failing after marking' });
    const stateDir = await tempDir();
    await cases.run(async () => {
      const sys = namespace().failOn('link.alias', 'lo', { errno: 1 });
      const before = sys.snapshot();
      const e = await runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir }).catch((x: unknown) => x);
      expect((e as Error).message).toContain('cannot mark the network namespace (alias of lo): Operation not permitted');
      expect(sys.snapshot()).toEqual(before);
    });

    await cases.run(async () => {
      const other = namespace();
      const otherBefore = other.snapshot();
      const persist = join(stateDir, 'no-such-dir-file', 'x.conf');
      await writeFile(join(stateDir, 'no-such-dir-file'), '');
      await expect(runUp(request('up', rs('dr', '192.0.2.1')), other, { stateDir, persist })).rejects.toThrow(/cannot write/);
      expect(other.snapshot()).toEqual(otherBefore);
      expect(other.aliasLog).toHaveLength(2);
    });
  });

  it('a rollback that fails too records what remains, unmarked if lo cannot be marked; down still restores it (by its sysctls)', async () => {
    reliabilityTest({ area: 'fault', item: 'namespace marker: rollback and marking both failing' });
    const stateDir = await tempDir();
    const sys = namespace({ sysctls: { [AI]: 3 } })
      .failOn('address.add')
      .failOn('sysctl.write', AI, { skip: 1, times: 1 })
      .failOn('link.alias');
    await expect(runUp(request('up', rs('dr', '192.0.2.1')), sys, { stateDir })).rejects.toMatchObject({ remaining: [{ key: AI }] });
    const rec = (await readContent(stateDir)).netns[INODE]!;
    expect(rec).toMatchObject({ sysctls: [{ key: AI, before: 3, after: 1 }], addresses: [] });
    expect(rec.marker).toBeUndefined();
    const down = await runDown(downAll(), sys, { stateDir });
    expect(down.setAside).toBeUndefined();
    expect(sys.sysctls.get(AI)).toBe(3);
  });
});
