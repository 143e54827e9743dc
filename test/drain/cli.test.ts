// `ipvsadm drain` over the fake kernel: weight 0 at once (other settings kept), --wait until the
// counts reach 0 (active only by default, inactive too with --until all), --timeout, --delete,
// a missing real server or service, 1.31's argument messages, JSON lines, the warnings, and the
// lock of the table it shares with apply.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tableLock, takeLock } from '../../src/host/lock.js';
import { dispatch } from '../../src/entry/command-table.js';
import { drainWarnings } from '../../src/drain/run.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { IPVS } from '../support/bytes.js';

const LOCKS = mkdtempSync(join(tmpdir(), 'drain-cli-'));
afterAll(() => rmSync(LOCKS, { recursive: true, force: true }));

async function run(ipvs: FakeIpvs, argv: string[], terminal: { stdoutTerminal?: boolean; color?: boolean } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const io = fakeKernelIo({ model: ipvs }, terminal);
  const args = argv[0] === 'drain' ? [...argv, '--poll', '5', '--lock-dir', LOCKS] : argv;
  const code = await dispatch(args, io);
  return { stdout: io.out(), stderr: io.err(), code };
}

async function kernel(): Promise<FakeIpvs> {
  const ipvs = new FakeIpvs();
  const io = fakeKernelIo({ model: ipvs }, { readStdin: async () => '-A -t 192.0.2.1:80 -s wrr\n-a -t 192.0.2.1:80 -r 198.51.100.1:8080 -m -w 3 -x 50\n-a -t 192.0.2.1:80 -r 198.51.100.2:8080 -m -w 1' });
  expect(await dispatch(['-R'], io)).toBe(0);
  return ipvs;
}

const dest1 = (ipvs: FakeIpvs) => [...[...ipvs.services.values()][0]!.dests.values()].find((d) => d.addr[3] === 1)!;
const save = async (ipvs: FakeIpvs): Promise<string> => (await run(ipvs, ['-Sn'])).stdout;

describe('drain', () => {
  it('sets the weight to 0 and keeps every other setting; exit 0 without waiting', async () => {
    const ipvs = await kernel();
    const r = await run(ipvs, ['drain', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080']);
    expect(r).toEqual({ stdout: 'drain: 198.51.100.1:8080 of tcp 192.0.2.1:80: weight 3 → 0\n', stderr: '', code: 0 });
    expect(dest1(ipvs)).toMatchObject({ weight: 0, uThresh: 50, fwd: 0 });
  });

  it('--wait: until no active connection; inactive ones do not hold it by default', async () => {
    const ipvs = await kernel();
    Object.assign(dest1(ipvs), { active: 2, inact: 7 });
    // the counts the kernel reports at each read of the real servers: 2 (found), 2, 1, 1, 0
    let reads = 0;
    const handle = ipvs.handle.bind(ipvs);
    ipvs.handle = (req) => {
      if (req.cmd === IPVS.CMD.GET_DEST) dest1(ipvs).active = [2, 2, 1, 1][reads++] ?? 0;
      return handle(req);
    };
    const r = await run(ipvs, ['drain', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080', '--wait', '--delete']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      'drain: 198.51.100.1:8080 of tcp 192.0.2.1:80: weight 3 → 0',
      'drain: waiting: active 2, inactive 7, persistent 0 (0 s)',
      'drain: waiting: active 1, inactive 7, persistent 0 (0 s)',
      'drain: drained after 0 s (active 0, inactive 7, persistent 0)',
      'drain: deleted',
      '',
    ]);
    expect(await save(ipvs)).not.toContain('198.51.100.1');
  });

  it('on a terminal the counts are one redrawn line, NO_COLOR or not (it is not colour)', async () => {
    for (const color of [true, false]) {
      const ipvs = await kernel();
      Object.assign(dest1(ipvs), { active: 2, inact: 7 });
      let reads = 0;
      const handle = ipvs.handle.bind(ipvs);
      ipvs.handle = (req) => {
        if (req.cmd === IPVS.CMD.GET_DEST) dest1(ipvs).active = [2, 2, 1][reads++] ?? 0;
        return handle(req);
      };
      const r = await run(ipvs, ['drain', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080', '--wait'], { stdoutTerminal: true, color });
      expect(r.stdout, `color ${color}`).toBe(
        'drain: 198.51.100.1:8080 of tcp 192.0.2.1:80: weight 3 → 0\n' +
          '\r\x1b[2Kdrain: waiting: active 2, inactive 7, persistent 0 (0 s)' +
          '\r\x1b[2Kdrain: waiting: active 1, inactive 7, persistent 0 (0 s)\n' +
          'drain: drained after 0 s (active 0, inactive 7, persistent 0)\n',
      );
    }
  });

  it('--wait reads that service\'s real servers, never the whole table', async () => {
    const ipvs = await kernel();
    const seen: string[] = [];
    const handle = ipvs.handle.bind(ipvs);
    ipvs.handle = (req) => {
      seen.push(`${req.cmd}${req.dump ? ' dump' : ''}`);
      if (req.cmd === IPVS.CMD.GET_DEST) dest1(ipvs).active = seen.filter((c) => c.startsWith(`${IPVS.CMD.GET_DEST} `)).length < 3 ? 1 : 0;
      return handle(req);
    };
    expect((await run(ipvs, ['drain', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080', '--wait'])).code).toBe(0);
    const { GET_SERVICE, GET_DEST, SET_DEST, GET_INFO } = IPVS.CMD;
    expect(seen.filter((c) => c !== `${GET_INFO}`)).toEqual([`${GET_SERVICE}`, `${GET_DEST} dump`, `${SET_DEST}`, `${GET_DEST} dump`, `${GET_DEST} dump`]);
  });

  it('--until all waits for inactive connections too; --timeout gives up with exit 1, the server kept at weight 0', async () => {
    const ipvs = await kernel();
    Object.assign(dest1(ipvs), { active: 0, inact: 4 });
    const r = await run(ipvs, ['drain', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080', '--wait', '--until', 'all', '--timeout', '0.05', '--delete']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\ndrain: timed out after 0 s \(active 0, inactive 4, persistent 0\); the weight stays 0\n$/);
    expect(r.stderr).toContain('--until all waits for inactive connections too');
    expect(dest1(ipvs).weight).toBe(0);
  });

  it('--json: one object per line for each event', async () => {
    const ipvs = await kernel();
    const r = await run(ipvs, ['drain', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080', '--wait', '--json']);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e['event'])).toEqual(['weight', 'drained']);
    expect(events[0]).toEqual({ event: 'weight', server: '198.51.100.1:8080', service: 'tcp 192.0.2.1:80', before: 3 });
  });

  it('no such real server or service: exit 2, nothing changed; bad arguments with 1.31 messages', async () => {
    const ipvs = await kernel();
    const before = await save(ipvs);
    expect(await run(ipvs, ['drain', '-t', '192.0.2.1:80', '-r', '198.51.100.9:8080'])).toEqual({
      stdout: '',
      stderr: 'ipvsadm drain: real server 198.51.100.9:8080 is not in service tcp 192.0.2.1:80; nothing was changed\n',
      code: 2,
    });
    expect(await run(ipvs, ['drain', '-t', '192.0.2.7:80', '-r', '198.51.100.1:8080'])).toMatchObject({ code: 2, stderr: 'ipvsadm drain: No such service; nothing was changed\n' });
    expect(await run(ipvs, ['drain', '-t', '192.0.2.1:80'])).toMatchObject({ code: 2, stderr: 'ipvsadm drain: name the real server: -r ADDR[:PORT]\n' });
    expect(await run(ipvs, ['drain', '-t', '192.0.2.1:80', '-u', '192.0.2.1:53', '-r', 'x'])).toMatchObject({ code: 2 });
    expect(await run(ipvs, ['drain', '-t', '192.0.2.1:99999', '-r', '198.51.100.1'])).toMatchObject({ code: 2, stderr: 'ipvsadm drain: illegal virtual server address[:port] specified\n' });
    expect(await run(ipvs, ['drain', '-t', '192.0.2.1:80', '-r', '198.51.100.1', '--timeout', 'soon', '--wait'])).toMatchObject({ code: 2 });
    expect(await save(ipvs)).toBe(before);
  });
});

describe('the lock of the table', () => {
  it('drain waits while an apply holds it, changes the weight once it is free, and leaves no lock behind', async () => {
    const ipvs = await kernel();
    const held = await takeLock(await tableLock(LOCKS, 'ipvsadm apply', 0));
    let freed = 0;
    setTimeout(() => {
      freed = Date.now();
      held.release();
    }, 300);
    const r = await run(ipvs, ['drain', '-t', '192.0.2.1:80', '-r', '198.51.100.1:8080']);
    expect(r.code, r.stderr).toBe(0);
    expect(freed).toBeGreaterThan(0);
    expect(dest1(ipvs).weight).toBe(0);
    expect(readdirSync(LOCKS)).toEqual([]);
  });
});

describe('drainWarnings', () => {
  it('names the sysctls that keep a drain from finishing', () => {
    const req = { wait: true, remove: true, until: 'active' as const };
    expect(drainWarnings({ expireQuiescentTemplate: 1, connReuseMode: 1, expireNodestConn: 0 }, true, req)).toEqual([]);
    expect(drainWarnings({ expireQuiescentTemplate: 0 }, true, req)[0]).toMatch(/expire_quiescent_template is 0/);
    expect(drainWarnings({ expireQuiescentTemplate: 0 }, false, req)).toEqual([]);
    expect(drainWarnings({ connReuseMode: 0 }, false, req)[0]).toMatch(/conn_reuse_mode is 0/);
    expect(drainWarnings({ expireNodestConn: 1 }, false, { ...req, wait: false })[0]).toMatch(/expire_nodest_conn is 1/);
  });
});
