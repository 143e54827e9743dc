// `ipvsadm apply` over the fake kernel, end to end through the command table: apply onto an empty
// table and again (no change), dry runs and their statuses, a refusal midway rolled back to the
// table before, a bad file that touches nothing, --prune, --scope, --drain-wait, the lock, JSON.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { dispatch } from '../../src/entry/command-table.js';
import { runOverFakeKernel } from '../support/capture-io.js';
import type { Run } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { validJson } from '../support/json-schema.js';

const DIR = mkdtempSync(join(tmpdir(), 'apply-cli-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

async function ipvsadm(ipvs: FakeIpvs, argv: string[], stdin = ''): Promise<Run> {
  const args = argv[0] === 'apply' ? [...argv, '--lock-dir', DIR] : argv;
  return runOverFakeKernel({ model: ipvs }, (io) => dispatch(args, io), stdin);
}

const save = async (ipvs: FakeIpvs): Promise<string> => (await ipvsadm(ipvs, ['-Sn'])).stdout;

async function kernelWith(lines: string): Promise<FakeIpvs> {
  const ipvs = new FakeIpvs();
  expect(await ipvsadm(ipvs, ['-R'], lines)).toEqual({ stdout: '', stderr: '', code: 0 });
  return ipvs;
}

const WANTED = [
  '-A -t 192.0.2.1:80 -s wlc',
  '-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1',
  '-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 3',
  '-A -u 192.0.2.2:53 -s rr',
  '-a -u 192.0.2.2:53 -r 198.51.100.3:53 -g -w 1',
].join('\n');

describe('apply onto a table', () => {
  it('an empty table gets the file; the same file again changes nothing (0 both times)', async () => {
    const ipvs = new FakeIpvs();
    const first = await ipvsadm(ipvs, ['apply', '-'], WANTED);
    expect({ stderr: first.stderr, code: first.code }).toEqual({ stderr: '', code: 0 });
    expect(first.stdout.split('\n')).toEqual([
      '+ service tcp 192.0.2.1:80: scheduler wlc',
      '+ real server 198.51.100.1:80 of tcp 192.0.2.1:80: forwarding masq, weight 1',
      '+ real server 198.51.100.2:80 of tcp 192.0.2.1:80: forwarding masq, weight 3',
      '+ service udp 192.0.2.2:53: scheduler rr',
      '+ real server 198.51.100.3:53 of udp 192.0.2.2:53: forwarding route, weight 1',
      'apply: 5 changes made; the kernel matches the input',
      '',
    ]);
    const after = await save(ipvs);
    expect(after).toBe(await save(await kernelWith(WANTED)));
    expect(await ipvsadm(ipvs, ['apply', '-'], WANTED)).toEqual({ stdout: 'apply: nothing to change: the kernel matches the input\n', stderr: '', code: 0 });
    expect(await save(ipvs)).toBe(after);
  });

  it('changes in place what differs (no delete and add), keeps what is not in the file', async () => {
    const ipvs = await kernelWith(`${WANTED}\n-A -t 203.0.113.1:443 -s rr`);
    const file = WANTED.replace('-A -t 192.0.2.1:80 -s wlc', '-A -t 192.0.2.1:80 -s rr -p 300').replace('198.51.100.2:80 -m -w 3', '198.51.100.2:80 -m -w 5 -x 100').replace('-a -u 192.0.2.2:53 -r 198.51.100.3:53 -g -w 1', '-a -u 192.0.2.2:53 -r 198.51.100.4:53 -g -w 1');
    const dry = await ipvsadm(ipvs, ['apply', '--dry-run', '-'], file);
    expect(dry.code).toBe(2);
    expect(dry.stdout.split('\n')).toEqual([
      '+ real server 198.51.100.4:53 of udp 192.0.2.2:53: forwarding route, weight 1',
      '~ service tcp 192.0.2.1:80: scheduler wlc → rr, persistence none → 300 s mask 255.255.255.255',
      '~ real server 198.51.100.2:80 of tcp 192.0.2.1:80: weight 3 → 5, upper threshold 0 → 100',
      '- real server 198.51.100.3:53 of udp 192.0.2.2:53: forwarding route, weight 1',
      '= service tcp 203.0.113.1:443: not in the input, kept (--prune removes it)',
      'apply: 1 to add, 2 to change, 1 to remove (dry run: nothing was changed)',
      '',
    ]);
    const before = await save(ipvs);
    expect(await save(ipvs)).toBe(before);
    const r = await ipvsadm(ipvs, ['apply', '-'], file);
    expect(r.code).toBe(0);
    expect(await save(ipvs)).toBe(await save(await kernelWith(`${file}\n-A -t 203.0.113.1:443 -s rr`)));
    expect(await ipvsadm(ipvs, ['apply', '--dry-run', '-'], file)).toMatchObject({ code: 0 });
  });

  it('--prune removes the services the file does not have', async () => {
    const ipvs = await kernelWith(`${WANTED}\n-A -t 203.0.113.1:443 -s rr\n-a -t 203.0.113.1:443 -r 198.51.100.9 -m`);
    const r = await ipvsadm(ipvs, ['apply', '--prune', '-'], WANTED);
    expect(r.stdout).toContain('- service tcp 203.0.113.1:443: scheduler rr\n');
    expect(await save(ipvs)).toBe(await save(await kernelWith(WANTED)));
  });
});

describe('a refusal midway: everything this run made is undone', () => {
  it('a scheduler the kernel lacks: status 3, the table exactly as before, the undo counted', async () => {
    const ipvs = await kernelWith('-A -t 192.0.2.1:80 -s wlc\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1\n-A -t 192.0.2.9:80 -s rr');
    ipvs.schedulers.delete('mh');
    const before = await save(ipvs);
    const file = `${WANTED}\n-A -t 192.0.2.3:80 -s mh`;
    const r = await ipvsadm(ipvs, ['apply', '--prune', '-'], file);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('apply: + service tcp 192.0.2.3:80: scheduler mh: Scheduler or persistence engine not found\n');
    expect(r.stdout).toMatch(/\napply: rolled back: \d+ changes undone; the kernel is as it was\n$/);
    expect(await save(ipvs)).toBe(before);
  });
});

describe('a file that cannot be applied touches nothing (status 1)', () => {
  it('every problem with its line', async () => {
    const ipvs = await kernelWith('-A -t 192.0.2.1:80 -s wlc');
    const before = await save(ipvs);
    const file = ['-A -t 192.0.2.1:80 -s rr', '-a -t 192.0.2.1:80 -r 198.51.100.1 -w heavy', '# a comment', '-D -t 192.0.2.1:80', '-a -t 192.0.2.7:80 -r 198.51.100.2', '-A -t 192.0.2.1:80'].join('\n');
    expect(await ipvsadm(ipvs, ['apply', '-'], file)).toEqual({
      stdout: '',
      stderr: [
        'ipvsadm apply: <stdin>: line 2: illegal weight specified',
        'ipvsadm apply: <stdin>: line 4: apply reads -A, -a, --set and --start-daemon lines only, not -D',
        'ipvsadm apply: <stdin>: line 5: real server 198.51.100.2:80 of tcp 192.0.2.7:80: no -A line defines that service',
        'ipvsadm apply: <stdin>: line 6: service tcp 192.0.2.1:80 is already defined on line 1',
        'ipvsadm apply: nothing was changed',
        '',
      ].join('\n'),
      code: 1,
    });
    expect(await save(ipvs)).toBe(before);
  });

  it('a JSON save with a problem: its path', async () => {
    const ipvs = new FakeIpvs();
    const r = await ipvsadm(ipvs, ['apply', '-'], '{"format": "ipvsadm-ts", "version": 1, "kind": "save", "services": [{"fwmark": 0}]}');
    expect(r).toEqual({ stdout: '', stderr: 'ipvsadm apply: <stdin>: services[0].fwmark: must be an integer from 1 to 4294967295\nipvsadm apply: nothing was changed\n', code: 1 });
  });

  it('a file that cannot be read, bad options', async () => {
    const ipvs = new FakeIpvs();
    expect(await ipvsadm(ipvs, ['apply', join(DIR, 'missing')])).toMatchObject({ code: 1, stdout: '' });
    expect(await ipvsadm(ipvs, ['apply', '--drain-wait', 'soon', '-'])).toMatchObject({ code: 1, stderr: 'ipvsadm apply: --drain-wait soon: expected seconds from 0 to 86400\n' });
    expect(await ipvsadm(ipvs, ['apply', '--scope', '192.0.2.0/33', '-'])).toMatchObject({ code: 1 });
    expect(await ipvsadm(ipvs, ['apply'])).toMatchObject({ code: 1, stdout: '' });
  });
});

describe('--scope', () => {
  it('out-of-scope services are neither seen nor touched, even with --prune', async () => {
    const ipvs = await kernelWith('-A -t 192.0.2.1:80 -s rr\n-A -t 192.0.2.50:80 -s rr\n-A -t 203.0.113.1:80 -s rr\n-A -f 7 -s rr');
    const r = await ipvsadm(ipvs, ['apply', '--prune', '--scope', '192.0.2.0/24', '-'], '-A -t 192.0.2.1:80 -s wlc');
    expect(r.stdout.split('\n')).toEqual(['~ service tcp 192.0.2.1:80: scheduler rr → wlc', '- service tcp 192.0.2.50:80: scheduler rr', 'apply: 2 changes made; the kernel matches the input', '']);
    expect(await save(ipvs)).toBe(await save(await kernelWith('-A -t 192.0.2.1:80 -s wlc\n-A -t 203.0.113.1:80 -s rr\n-A -f 7 -s rr')));
  });

  it('a file service outside the scope is an error', async () => {
    const r = await ipvsadm(new FakeIpvs(), ['apply', '--scope', 'fwmark:1-9', '-'], '-A -t 192.0.2.1:80 -s wlc\n-A -f 3 -s rr');
    expect(r).toEqual({ stdout: '', stderr: 'ipvsadm apply: <stdin>: line 1: service tcp 192.0.2.1:80 is outside --scope fwmark:1-9\nipvsadm apply: nothing was changed\n', code: 1 });
  });
});

describe('--drain-wait', () => {
  it('leaving real servers get weight 0, then are watched until drained or the wait runs out, then removed', async () => {
    const ipvs = await kernelWith(`${WANTED}`);
    const file = WANTED.replace('\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 3', '');
    const leaving = (): { active: number; weight: number } => [...[...ipvs.services.values()][0]!.dests.values()].find((d) => d.addr[3] === 2)!;
    leaving().active = 2;
    const started = Date.now();
    const r = await ipvsadm(ipvs, ['apply', '--drain-wait', '0.2', '-'], file);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(r.stdout).toContain('note: --drain-wait: not drained after 0 s; removed with connections still open: 198.51.100.2:80 of tcp 192.0.2.1:80 (active 2, inactive 0, persistent 0)\n');
    expect(await save(ipvs)).not.toContain('198.51.100.2');

    const idle = await kernelWith(`${WANTED}`);
    const quick = Date.now();
    const q = await ipvsadm(idle, ['apply', '--drain-wait', '30', '-'], file);
    expect({ code: q.code, note: q.stdout.includes('note:') }).toEqual({ code: 0, note: false });
    expect(Date.now() - quick).toBeLessThan(5000);
    expect(await save(idle)).toBe(await save(ipvs));
  });
});

describe('the lock', () => {
  it('a second apply while one runs: status 5, nothing touched; a stale lock is taken over', async () => {
    const ino = statSync('/proc/self/ns/net').ino;
    const lock = join(DIR, `apply-netns-${ino}.lock`);
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(lock, `${process.pid} ${start}\n`);
    const ipvs = new FakeIpvs();
    const busy = await ipvsadm(ipvs, ['apply', '-'], WANTED);
    expect(busy).toEqual({ stdout: '', stderr: `ipvsadm apply: another ipvsadm apply (pid ${process.pid}) is changing this network namespace's table; try again when it is done; nothing was changed\n`, code: 5 });
    expect(await save(ipvs)).toBe('');
    writeFileSync(lock, '999999999 12345\n');
    expect((await ipvsadm(ipvs, ['apply', '-'], WANTED)).code).toBe(0);
    expect(() => statSync(lock)).toThrow();
  });
});

describe('--json', () => {
  it('the plan and the outcome as one document of the schema', async () => {
    const ipvs = await kernelWith('-A -t 192.0.2.1:80 -s rr');
    const doc = validJson((await ipvsadm(ipvs, ['apply', '--dry-run', '--json', '-'], WANTED)).stdout);
    expect(doc).toMatchObject({ kind: 'apply', result: { status: 'pending' } });
    expect((doc['steps'] as unknown[])[0]).toEqual({ action: 'add', object: 'real server', label: '198.51.100.1:80 of tcp 192.0.2.1:80', before: null, after: { forwarding: 'masq', weight: '1', 'upper threshold': '0', 'lower threshold': '0' } });
  });
});
