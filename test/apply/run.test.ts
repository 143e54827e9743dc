// apply as a transaction, over the fake kernel with faults where the kernel acted before the
// failure: changes made whose replies are lost or come after the timeout, a refusal in the middle
// of a window (the rest of the window is made), a change acknowledged but not made. Each is undone
// from the table read back, and the status is what the last read says: 3 only when the table
// equals the one before; 4 naming what is left when an undo is refused, when a change outside
// apply's reach appears, or when the table cannot be read back. Then --drain-wait's watch.
import { describe, expect, it } from 'vitest';
import { runApplyCli } from '../../src/apply/cli.js';
import { runApply } from '../../src/apply/run.js';
import { openClient } from '../../src/app/open-client.js';
import { mkdtempSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeenRequest, Answer } from '../support/fake-kernel.js';
import { IPVS } from '../support/bytes.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { main } from '../../src/cli/main.js';
import { readDesired } from '../../src/core/desired.js';
import { FixedNames } from '../support/fixed-names.js';

const { CMD } = IPVS;
const LOCKS = mkdtempSync(join(tmpdir(), 'apply-run-'));
const CHANGES: readonly number[] = [CMD.NEW_SERVICE, CMD.SET_SERVICE, CMD.DEL_SERVICE, CMD.NEW_DEST, CMD.SET_DEST, CMD.DEL_DEST, CMD.SET_CONFIG, CMD.NEW_DAEMON, CMD.DEL_DAEMON];
/** the client's reply timeout in these tests */
const TIMEOUT_MS = 80;

/** A fake IPVS whose answer to some requests is changed by `fault`. */
class FaultyIpvs extends FakeIpvs {
  readonly log: number[] = [];
  constructor(private readonly fault: (req: SeenRequest, self: FaultyIpvs) => Answer | undefined) {
    super();
  }
  override handle(req: SeenRequest): Answer {
    this.log.push(req.cmd);
    return this.fault(req, this) ?? super.handle(req);
  }
  /** What the kernel does with the request, without the fault. */
  carryOut(req: SeenRequest): Answer {
    return super.handle(req);
  }
}

async function run(ipvs: FakeIpvs, argv: string[], stdin = ''): Promise<{ stdout: string; stderr: string; code: number }> {
  const io = fakeKernelIo({ model: ipvs }, { readStdin: async () => stdin, netlinkTimeoutMs: TIMEOUT_MS });
  const code = argv[0] === '-R' || argv[0] === '-Sn' ? await main(argv, io) : await runApplyCli([...argv, '--lock-dir', LOCKS], io);
  return { stdout: io.out(), stderr: io.err(), code };
}

const save = async (ipvs: FakeIpvs): Promise<string> => (await run(ipvs, ['-Sn'])).stdout;
const lastLine = (text: string): string => text.trimEnd().split('\n').pop()!;

const BASE = '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1';
/** BASE with a weight changed, a real server and a service added: 3 changes in one window */
const WANTED = `${BASE.replace('198.51.100.2:80 -m -w 1', '198.51.100.2:80 -m -w 4')}\n-a -t 192.0.2.1:80 -r 198.51.100.3:80 -m -w 2\n-A -u 192.0.2.5:53 -s rr`;

/** A kernel holding BASE whose replies to the first `n` changes of the apply are handled by `lose`. */
async function losing(n: number, lose: (a: Answer) => Answer): Promise<FaultyIpvs> {
  let armed = false;
  let left = n;
  const ipvs = new FaultyIpvs((req, self) => {
    if (!armed || !CHANGES.includes(req.cmd) || left === 0) return undefined;
    left--;
    return lose(self.carryOut(req));
  });
  await run(ipvs, ['-R'], BASE);
  armed = true;
  return ipvs;
}

describe('changes the kernel made whose replies never came', () => {
  it('replies lost: the exchange times out, the read-back finds all three changes made and undoes them (status 3)', async () => {
    const ipvs = await losing(3, (a) => ({ ...a, silent: true }));
    const before = await save(ipvs);
    const r = await run(ipvs, ['-'], WANTED);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`apply: + real server 198.51.100.3:80 of tcp 192.0.2.1:80: forwarding masq, weight 2: netlink: no reply from the kernel to NEW_DEST within 0.08 s\n`);
    expect(lastLine(r.stdout)).toBe('apply: rolled back: 3 changes undone; the kernel is as it was');
    expect(await save(ipvs)).toBe(before);
  });

  it('replies late, after the timeout (they reach a closed socket during the rollback): undone the same (status 3)', async () => {
    const ipvs = await losing(3, (a) => ({ ...a, lateMs: TIMEOUT_MS * 2 }));
    const before = await save(ipvs);
    const r = await run(ipvs, ['-'], WANTED);
    expect(r.code).toBe(3);
    expect(lastLine(r.stdout)).toBe('apply: rolled back: 3 changes undone; the kernel is as it was');
    await new Promise((wake) => setTimeout(wake, TIMEOUT_MS * 3));
    expect(await save(ipvs)).toBe(before);
  });

  it('the socket loses replies (ENOBUFS) after the kernel made the changes: undone (status 3)', async () => {
    const { receiveError } = await import('../../src/netlink/native.js');
    const enobufs = receiveError({ errno: osConstants.errno.ENOBUFS, message: 'recvmsg failed' });
    const ipvs = await losing(3, () => ({ socketError: enobufs }));
    const before = await save(ipvs);
    const r = await run(ipvs, ['-'], WANTED);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('netlink: replies from the kernel were lost: the socket receive buffer overflowed (ENOBUFS)\n');
    expect(lastLine(r.stdout)).toBe('apply: rolled back: 3 changes undone; the kernel is as it was');
    expect(await save(ipvs)).toBe(before);
  });
});

describe('a refusal in the middle of a window', () => {
  it('the kernel makes the changes after the refused one too: all nine are undone (status 3)', async () => {
    const ipvs = new FaultyIpvs(() => undefined);
    await run(ipvs, ['-R'], BASE);
    const before = await save(ipvs);
    const services = Array.from({ length: 10 }, (_, i) => `-A -u 192.0.2.${10 + i}:53 -s ${i === 4 ? 'mh' : 'rr'}`);
    ipvs.schedulers.delete('mh');
    ipvs.log.length = 0;
    const r = await run(ipvs, ['-'], `${BASE}\n${services.join('\n')}`);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('apply: + service udp 192.0.2.14:53: scheduler mh: Scheduler or persistence engine not found\n');
    // the ten adds went in one sendmsg; the kernel handled the five after the refusal as well
    expect(ipvs.log.filter((c) => c === CMD.NEW_SERVICE)).toHaveLength(10);
    expect(lastLine(r.stdout)).toBe('apply: rolled back: 9 changes undone; the kernel is as it was');
    expect(await save(ipvs)).toBe(before);
  });
});

describe('the check after applying', () => {
  it('a change acknowledged but not made is found; what was made is undone (status 3)', async () => {
    const ipvs = new FaultyIpvs((req) => (req.cmd === CMD.SET_DEST ? {} : undefined)); // edits "succeed" and do nothing
    await run(ipvs, ['-R'], BASE);
    const before = await save(ipvs);
    const r = await run(ipvs, ['-'], BASE.replace('198.51.100.2:80 -m -w 1', '198.51.100.2:80 -m -w 4') + '\n-A -u 192.0.2.5:53 -s rr');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('apply: verify: the kernel does not hold what the file says after applying (~ real server 198.51.100.2:80 of tcp 192.0.2.1:80: weight 1 → 4)\n');
    // the edit was never made: only the service added is there to undo
    expect(lastLine(r.stdout)).toBe('apply: rolled back: 1 change undone; the kernel is as it was');
    expect(await save(ipvs)).toBe(before);
  });
});

describe('the reads', () => {
  it('one read to plan; the check reads every service and the real servers of the services changed only', async () => {
    const ipvs = new FaultyIpvs(() => undefined);
    const table = [1, 2, 3, 4].map((i) => `-A -t 192.0.2.${i}:80 -s rr\n-a -t 192.0.2.${i}:80 -r 198.51.100.1:80 -m -w 1`).join('\n');
    await run(ipvs, ['-R'], table);
    ipvs.log.length = 0;
    const changed = table.replace('192.0.2.2:80 -r 198.51.100.1:80 -m -w 1', '192.0.2.2:80 -r 198.51.100.1:80 -m -w 5');
    expect((await run(ipvs, ['-'], changed)).code).toBe(0);
    const count = (cmd: number): number => ipvs.log.filter((c) => c === cmd).length;
    // planning: the services (twice: a change in between shows) and four real server dumps; the check: the services again and one dump
    expect({ services: count(CMD.GET_SERVICE), dests: count(CMD.GET_DEST), edits: count(CMD.SET_DEST) }).toEqual({ services: 4, dests: 5, edits: 1 });
    ipvs.log.length = 0;
    expect((await run(ipvs, ['-'], changed)).code).toBe(0);
    expect({ services: count(CMD.GET_SERVICE), dests: count(CMD.GET_DEST) }).toEqual({ services: 2, dests: 4 });
  });
});

/** A service another manager adds: `tcp IP:443`, wlc, as the fake keys it. */
function another(ipvs: FakeIpvs, ip: string): void {
  const addr = Buffer.alloc(16);
  Buffer.from(ip.split('.').map(Number)).copy(addr);
  const s = { ...[...ipvs.services.values()][0]!, addr, port: 443, sched: 'wlc', dests: new Map() };
  ipvs.services.set(`a/${s.af}/${s.protocol}/${addr.toString('hex')}/443`, s);
}

describe('a rollback that cannot be completed', () => {
  it('an undo the kernel refuses: status 4, the change left named', async () => {
    const ipvs = new FaultyIpvs((req) => (req.cmd === CMD.DEL_SERVICE ? { errno: 1 } : undefined)); // EPERM
    ipvs.schedulers.delete('mh');
    await run(ipvs, ['-R'], BASE);
    const r = await run(ipvs, ['-'], `${BASE}\n-A -u 192.0.2.5:53 -s rr\n-A -u 192.0.2.6:53 -s mh`);
    expect(r.code).toBe(4);
    expect(r.stdout.split('\n').slice(-5)).toEqual([
      'apply: + service udp 192.0.2.6:53: scheduler mh: Scheduler or persistence engine not found',
      '  undo refused: - service udp 192.0.2.5:53: scheduler rr: Permission denied (you must be root)',
      'apply: rollback incomplete: 0 changes undone, 1 could not be; the table read back differs from the table before in:',
      '  not undone: + service udp 192.0.2.5:53: scheduler rr',
      '',
    ]);
  });

  it('a change outside apply appears during the rollback: status 4, that difference named; outside --scope it is not compared', async () => {
    for (const scoped of [false, true]) {
      let other = false;
      const ipvs = new FaultyIpvs((req, self) => {
        if (req.cmd !== CMD.DEL_SERVICE || other) return undefined;
        other = true; // another manager adds a service while apply undoes its own
        const a = self.carryOut(req);
        for (const ip of ['192.0.2.99', '203.0.113.9']) another(self, ip);
        return a;
      });
      ipvs.schedulers.delete('mh');
      await run(ipvs, ['-R'], BASE);
      const r = await run(ipvs, [...(scoped ? ['--scope', '192.0.2.0/28'] : []), '-'], `${BASE}\n-A -t 192.0.2.5:80 -s rr\n-A -t 192.0.2.6:80 -s mh`);
      expect(r.stdout).toContain('apply: + service tcp 192.0.2.6:80: scheduler mh: Scheduler or persistence engine not found\n');
      if (scoped) {
        expect({ code: r.code, last: lastLine(r.stdout) }).toEqual({ code: 3, last: 'apply: rolled back: 1 change undone; the kernel is as it was' });
        continue;
      }
      expect(r.code).toBe(4);
      expect(r.stdout.split('\n').slice(-4)).toEqual([
        'apply: rollback incomplete: 1 change undone, 2 could not be; the table read back differs from the table before in:',
        '  not undone: + service tcp 192.0.2.99:443: scheduler wlc',
        '  not undone: + service tcp 203.0.113.9:443: scheduler wlc',
        '',
      ]);
    }
  });

  it('the table cannot be read back after a failure: status 4, the rollback not claimed', async () => {
    let failed = false;
    const ipvs = new FaultyIpvs((req) => {
      if (req.cmd === CMD.NEW_SERVICE && req.attrs.includes(Buffer.from('mh\0'))) failed = true;
      if (failed && req.cmd === CMD.GET_SERVICE && req.dump) return { errno: 1 };
      return undefined;
    });
    ipvs.schedulers.delete('mh');
    await run(ipvs, ['-R'], BASE);
    const r = await run(ipvs, ['-'], `${BASE}\n-A -u 192.0.2.5:53 -s rr\n-A -u 192.0.2.6:53 -s mh`);
    expect(r.code).toBe(4);
    expect(lastLine(r.stdout)).toBe('apply: rollback not verified: the table could not be read back (Permission denied (you must be root)); 0 changes undone; what this run changed may remain');
    expect(ipvs.services.size).toBe(2); // and indeed the added service remains
  });
});

describe('--drain-wait', () => {
  it('every leaving real server (of a pruned service too) is set to weight 0 before any removal', async () => {
    const ipvs = new FaultyIpvs(() => undefined);
    await run(ipvs, ['-R'], `${BASE}\n-A -u 192.0.2.5:53 -s rr\n-a -u 192.0.2.5:53 -r 198.51.100.3:53 -m -w 2`);
    ipvs.log.length = 0;
    const r = await run(ipvs, ['--prune', '--drain-wait', '0', '-'], BASE.replace('\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1', ''));
    expect(r.code).toBe(0);
    const changes = ipvs.log.filter((c) => ([CMD.SET_DEST, CMD.DEL_DEST, CMD.DEL_SERVICE] as number[]).includes(c));
    expect(changes).toEqual([CMD.DEL_DEST, CMD.DEL_SERVICE]); // --drain-wait 0: no drain
    await run(ipvs, ['-R'], `-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1\n-A -u 192.0.2.5:53 -s rr\n-a -u 192.0.2.5:53 -r 198.51.100.3:53 -m -w 2`);
    ipvs.log.length = 0;
    const drained = await run(ipvs, ['--prune', '--drain-wait', '0.05', '-'], BASE.replace('\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1', ''));
    expect(drained.code).toBe(0);
    expect(ipvs.log.filter((c) => ([CMD.SET_DEST, CMD.DEL_DEST, CMD.DEL_SERVICE] as number[]).includes(c))).toEqual([CMD.SET_DEST, CMD.SET_DEST, CMD.DEL_DEST, CMD.DEL_SERVICE]);
  });

  it('waits until no active connection, reading only the real servers of the services concerned, then removes', async () => {
    const ipvs = new FaultyIpvs(() => undefined);
    await run(ipvs, ['-R'], `${BASE}\n-A -u 192.0.2.5:53 -s rr\n-a -u 192.0.2.5:53 -r 198.51.100.3:53 -m -w 2`);
    const svc = [...ipvs.services.values()].find((s) => s.protocol === 6)!;
    const rs2 = [...svc.dests.values()].find((d) => d.addr[3] === 2)!;
    // the active count the kernel reports at each read: 3, 2, 2, 0 (inactive ones do not hold it)
    const actives = [3, 2, 2];
    let reads = 0;
    ipvs.handle = ((handle) => (req: SeenRequest): Answer => {
      if (req.cmd === CMD.GET_DEST && rs2.weight === 0) Object.assign(rs2, { active: actives[reads++] ?? 0, inact: 5 });
      return handle(req);
    })(ipvs.handle.bind(ipvs));
    const io = fakeKernelIo({ model: ipvs });
    const client = await openClient(io);
    const desired = await readDesired(`${BASE.replace('\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1', '')}\n-A -u 192.0.2.5:53 -s rr\n-a -u 192.0.2.5:53 -r 198.51.100.3:53 -m -w 2`, new FixedNames());
    let clock = 0;
    const slept: number[] = [];
    ipvs.log.length = 0;
    const { outcome, plan } = await runApply(client, desired, {
      dryRun: false,
      prune: false,
      drainWaitMs: 60_000,
      pollMs: 1000,
      connect: () => openClient(io),
      clock: { now: () => clock, sleep: async (ms) => void (slept.push(ms), (clock += ms)) },
    });
    client.close();
    expect(outcome).toEqual({ kind: 'applied', steps: 1 });
    expect(plan.notes).toEqual([]);
    expect(slept).toEqual([1000, 1000, 1000]);
    // weight 0, four reads of that one service's real servers (no dump of the services), the removal
    expect(ipvs.log.slice(ipvs.log.indexOf(CMD.SET_DEST), ipvs.log.indexOf(CMD.DEL_DEST) + 1)).toEqual([CMD.SET_DEST, CMD.GET_DEST, CMD.GET_DEST, CMD.GET_DEST, CMD.GET_DEST, CMD.DEL_DEST]);
    expect(await save(ipvs)).not.toContain('198.51.100.2');
  });
});
