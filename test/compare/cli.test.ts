// `ipvsadm compare` through the command table over the fake kernel and files: the same table in
// text and JSON (exit 0), a weight, a setting, a real server and a service that differ (exit 1,
// each named), the order of an mh service in two listings (slots share) but not of rr, inputs
// without order said so, and unreadable inputs (exit 2, naming the file and the problem).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPARE_EXIT } from '../../src/app/exit-status.js';
import { dispatch } from '../../src/entry/command-table.js';
import { runOverFakeKernel } from '../support/capture-io.js';
import type { Run } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { fakeTableFrom } from '../support/fake-table.js';

const DIR = mkdtempSync(join(tmpdir(), 'compare-cli-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const ipvsadm = (ipvs: FakeIpvs, argv: string[], stdin = ''): Promise<Run> => runOverFakeKernel({ model: ipvs }, (io) => dispatch(argv, io), stdin);

const kernelWith = (lines: string[]): Promise<FakeIpvs> => fakeTableFrom(lines, true);

function file(name: string, text: string): string {
  const path = join(DIR, name);
  writeFileSync(path, text);
  return path;
}

const TABLE = [
  '-A -t 192.0.2.1:80 -s mh -b mh-port',
  '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -g -w 1',
  '-a -t 192.0.2.1:80 -r 198.51.100.2:80 -g -w 1',
  '-a -t 192.0.2.1:80 -r 198.51.100.3:80 -g -w 1',
  '-A -t 192.0.2.2:80 -s rr',
  '-a -t 192.0.2.2:80 -r 198.51.100.1:80 -g -w 1',
  '-a -t 192.0.2.2:80 -r 198.51.100.2:80 -g -w 1',
];
/** The same table reached another way: the first real server of each service removed and added again. */
const READDED = [...TABLE.filter((l) => !l.includes('-r 198.51.100.1:')), TABLE[1]!, TABLE[5]!];

describe('ipvsadm compare', () => {
  it('finds a table the same as its own save, text or JSON, and as the kernel (exit 0)', async () => {
    const ipvs = await kernelWith(TABLE);
    const text = file('same.txt', (await ipvsadm(ipvs, ['-Sn'])).stdout);
    const json = file('same.json', (await ipvsadm(ipvs, ['-S', '--json'])).stdout);
    const run = await ipvsadm(ipvs, ['compare', 'kernel', text]);
    expect(run).toMatchObject({ code: COMPARE_EXIT.SAME, stderr: '' });
    expect(run.stdout).toContain('same: 2 services');
    expect(run.stdout).toMatch(/note: real-server order not compared/);
    expect((await ipvsadm(ipvs, ['compare', json, '-'], (await ipvsadm(ipvs, ['-Sn'])).stdout)).code).toBe(COMPARE_EXIT.SAME);
  });

  it('names a weight, a scheduler flag, a real server and a service that differ (exit 1)', async () => {
    const a = file('a.txt', TABLE.join('\n') + '\n');
    const changed = TABLE.map((l) => l.replace('-r 198.51.100.2:80 -g -w 1', '-r 198.51.100.2:80 -g -w 5').replace('-b mh-port', '-b mh-fallback'));
    const b = file('b.txt', [...changed.filter((l) => !l.includes('192.0.2.2')), '-a -t 192.0.2.1:80 -r 198.51.100.9:80 -g -w 1', '-A -u 192.0.2.3:53 -s rr'].join('\n') + '\n');
    const run = await ipvsadm(new FakeIpvs(), ['compare', a, b]);
    expect(run.code).toBe(COMPARE_EXIT.DIFFERENT);
    expect(run.stdout).toContain('service tcp 192.0.2.1:80:\n  scheduler flags mh-port → mh-fallback\n');
    expect(run.stdout).toContain('  real server 198.51.100.9:80: only in B\n');
    expect(run.stdout).toContain('  real server 198.51.100.2:80: weight 1 → 5\n');
    expect(run.stdout).toContain('service tcp 192.0.2.2:80: only in A\n');
    expect(run.stdout).toContain('service udp 192.0.2.3:53: only in B\n');
    expect(run.stdout).toContain('differ: 3 of 3 services\n');
  });

  it('reports the kernel order of the mh service, with its slot share, and not of rr', async () => {
    const inOrder = await kernelWith(TABLE);
    const readded = await kernelWith(READDED);
    const listing = file('listing.json', (await ipvsadm(readded, ['-L', '-n', '--json', '--nosort'])).stdout);
    const run = await ipvsadm(inOrder, ['compare', '--json', 'kernel', listing]);
    expect(run.code, run.stderr).toBe(COMPARE_EXIT.DIFFERENT);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ same: false, orderCompared: true, a: { order: 'kernel' }, b: { order: 'listing' } });
    expect(doc.differences).toHaveLength(1);
    const [mh] = doc.differences;
    expect(mh).toMatchObject({ service: 'tcp 192.0.2.1:80', settings: [], servers: [], order: { scheduler: 'mh' } });
    expect(mh.order.a).toEqual(['198.51.100.3:80', '198.51.100.2:80', '198.51.100.1:80']);
    expect(mh.order.b).toEqual(['198.51.100.1:80', '198.51.100.3:80', '198.51.100.2:80']);
    expect(mh.order.slots.size).toBe(4093);
    expect(mh.order.slots.moved).toBeGreaterThan(0);
    const text = await ipvsadm(inOrder, ['compare', 'kernel', listing]);
    expect(text.stdout).toMatch(/mh lookup table: \d+ of 4093 slots \(\d+\.\d\d%\) send a flow to another real server/);
    expect(text.stdout).toContain('note: a listing shows the kernel order only when it was made with --nosort');
  });

  it('exits 2 naming the file and what is wrong, and refuses two standard inputs', async () => {
    const bad = file('bad.txt', '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.9:80 -r 198.51.100.1:80\n');
    const run = await ipvsadm(new FakeIpvs(), ['compare', bad, 'kernel']);
    expect(run.code).toBe(COMPARE_EXIT.TROUBLE);
    expect(run.stderr).toContain(`ipvsadm compare: ${bad}: line 2: real server 198.51.100.1:80 of tcp 192.0.2.9:80: no -A line defines that service`);
    const missing = await ipvsadm(new FakeIpvs(), ['compare', join(DIR, 'nope.txt'), 'kernel']);
    expect(missing.code).toBe(COMPARE_EXIT.TROUBLE);
    expect(missing.stderr).toMatch(/nope\.txt: ENOENT/);
    expect((await ipvsadm(new FakeIpvs(), ['compare', '-', '-'])).stderr).toContain('only one input can be -');
    expect((await ipvsadm(new FakeIpvs(), ['compare', 'kernel'])).code).toBe(COMPARE_EXIT.TROUBLE);
    expect((await ipvsadm(new FakeIpvs(), ['compare', '--mh-table-index', '7', 'kernel', 'kernel'])).code).toBe(COMPARE_EXIT.TROUBLE);
  });
});

describe('ipvsadm compare: fo', () => {
  it('reports the order of an fo service only when the first real server of the highest weight differs', async () => {
    const lines = (weights: number[]) => ['-A -t 192.0.2.5:80 -s fo', ...weights.map((w, i) => `-a -t 192.0.2.5:80 -r 198.51.100.${i + 1}:80 -g -w ${w}`)];
    const reversed = (l: string[]) => [l[0]!, ...l.slice(1).reverse()];
    const listing = async (l: string[], name: string) => file(name, (await ipvsadm(await kernelWith(l), ['-L', '-n', '--json', '--nosort'])).stdout);
    const tied = await ipvsadm(new FakeIpvs(), ['compare', '--json', await listing(lines([5, 5, 1]), 'fo-a.json'), await listing(reversed(lines([5, 5, 1])), 'fo-b.json')]);
    expect(tied.code).toBe(COMPARE_EXIT.DIFFERENT);
    expect(JSON.parse(tied.stdout).differences[0].order.chosen).toEqual({ a: '198.51.100.2:80', b: '198.51.100.1:80' });
    const single = await ipvsadm(new FakeIpvs(), ['compare', await listing(lines([1, 5, 1]), 'fo-c.json'), await listing(reversed(lines([1, 5, 1])), 'fo-d.json')]);
    expect(single).toMatchObject({ code: COMPARE_EXIT.SAME, stderr: '' });
  });
});
