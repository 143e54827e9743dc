// run.ts over the fake kernel with faults: a kernel that takes a change but does not make it
// (the check after applying finds it: all undone, status 3); an undo the kernel refuses too
// (rollback incomplete, status 4, what remains named); drains before removals, in order.
import { describe, expect, it } from 'vitest';
import { runApplyCli } from '../../src/apply/cli.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeenRequest, Answer } from '../support/fake-kernel.js';
import { IPVS } from '../support/bytes.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { main } from '../../src/cli/main.js';

const { CMD } = IPVS;
const LOCKS = mkdtempSync(join(tmpdir(), 'apply-run-'));

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
}

async function run(ipvs: FakeIpvs, argv: string[], stdin = ''): Promise<{ stdout: string; stderr: string; code: number }> {
  const io = fakeKernelIo({ model: ipvs }, { readStdin: async () => stdin });
  const code = argv[0] === '-R' || argv[0] === '-Sn' ? await main(argv, io) : await runApplyCli([...argv, '--lock-dir', LOCKS], io);
  return { stdout: io.out(), stderr: io.err(), code };
}

const BASE = '-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.1:80 -r 198.51.100.1:80 -m -w 1\n-a -t 192.0.2.1:80 -r 198.51.100.2:80 -m -w 1';

describe('the check after applying', () => {
  it('a change acknowledged but not made is found; everything is undone (status 3)', async () => {
    const ipvs = new FaultyIpvs((req) => (req.cmd === CMD.SET_DEST ? {} : undefined)); // edits "succeed" and do nothing
    await run(ipvs, ['-R'], BASE);
    const before = (await run(ipvs, ['-Sn'])).stdout;
    const r = await run(ipvs, ['-'], BASE.replace('198.51.100.2:80 -m -w 1', '198.51.100.2:80 -m -w 4') + '\n-A -u 192.0.2.5:53 -s rr');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('apply: verify: the kernel does not hold what the file says after applying (~ real server 198.51.100.2:80 of tcp 192.0.2.1:80: weight 1 → 4)\n');
    expect(r.stdout).toMatch(/apply: rolled back: 2 changes undone; the kernel is as it was\n$/);
    expect((await run(ipvs, ['-Sn'])).stdout).toBe(before);
  });
});

describe('an undo the kernel refuses', () => {
  it('rollback incomplete: status 4, what could not be undone is named', async () => {
    const ipvs = new FaultyIpvs((req) => {
      if (req.cmd === CMD.DEL_SERVICE) return { errno: 1 }; // EPERM
      return undefined;
    });
    ipvs.schedulers.delete('mh');
    await run(ipvs, ['-R'], BASE);
    const r = await run(ipvs, ['-'], `${BASE}\n-A -u 192.0.2.5:53 -s rr\n-A -u 192.0.2.6:53 -s mh`);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('apply: + service udp 192.0.2.6:53: scheduler mh: Scheduler or persistence engine not found\n');
    expect(r.stdout).toContain('apply: rollback incomplete: 0 changes undone, 1 could not be\n');
    expect(r.stdout).toContain('  not undone: add-service udp 192.0.2.5:53 (undo delete-service udp 192.0.2.5:53: Permission denied (you must be root))\n');
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
});
