// ipvsadm -R over the fake kernel: 1.31's exit status rules (which errors end the restore,
// which skip one line, the final status is the last line's), CRLF input, `ipvsadm` words, and the
// ipvsadm-restore script (flush first, `#` lines dropped). Expected texts: observed from
// ipvsadm 1.31.
import { describe, expect, it } from 'vitest';
import { FixedListingError } from '../../src/cli/execute.js';
import { Cmd } from '../../src/ipvs/constants.js';
import { main } from '../../src/cli/main.js';
import { mainRestore } from '../../src/cli/scripts.js';
import { fakeKernelIo } from '../support/capture-io.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { reliabilityTest } from '../support/reliability.js';

const TRY = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n";

interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
  /** the services left in the fake kernel, as `af/addr-hex/port sched` sorted */
  readonly table: readonly string[];
}

async function runRestore(input: string, entry: 'R' | 'script' = 'R', ipvs = new FakeIpvs()): Promise<Outcome> {
  const io = fakeKernelIo({ model: ipvs }, { readStdin: async () => input });
  const code = entry === 'R' ? await main(['-R'], io) : await mainRestore([], io);
  const table = [...ipvs.services.values()].map((s) => `${s.addr.subarray(0, 4).join('.')}:${s.port} ${s.sched} ${s.dests.size}`).sort();
  return { stdout: io.out(), stderr: io.err(), code, table };
}

const A1 = '-A -t 192.0.2.1:80 -s rr';
const A2 = '-A -t 192.0.2.2:80 -s rr';
const A3 = '-A -t 192.0.2.3:80 -s rr';

describe('exit status: the last processed line', () => {
  it('all lines good: 0', async () => {
    expect(await runRestore(`${A1}\n${A2}\n`)).toEqual({ stdout: '', stderr: '', code: 0, table: ['192.0.2.1:80 rr 0', '192.0.2.2:80 rr 0'] });
  });

  it('a kernel error on a middle line is printed and the restore goes on: 0', async () => {
    const r = await runRestore(`${A1}\n${A1}\n${A2}\n`);
    expect(r).toEqual({ stdout: '', stderr: 'Service already exists\n', code: 0, table: ['192.0.2.1:80 rr 0', '192.0.2.2:80 rr 0'] });
  });

  it('a kernel error on the last line: 255', async () => {
    const r = await runRestore(`${A1}\n${A2}\n${A2}\n`);
    expect(r).toEqual({ stdout: '', stderr: 'Service already exists\n', code: 255, table: ['192.0.2.1:80 rr 0', '192.0.2.2:80 rr 0'] });
  });

  it('kernel errors of destinations likewise (Service not defined, Destination already exists)', async () => {
    const input = `-a -t 192.0.2.9:80 -r 198.51.100.1\n${A1}\n-a -t 192.0.2.1:80 -r 198.51.100.1\n-a -t 192.0.2.1:80 -r 198.51.100.1\n`;
    const r = await runRestore(input);
    expect(r).toEqual({ stdout: '', stderr: 'Service not defined\nDestination already exists\n', code: 255, table: ['192.0.2.1:80 rr 1'] });
  });

  it('a popt error skips only its line: status 255 when last, 0 when a good line follows', async () => {
    const last = await runRestore(`${A1}\n-A -t 192.0.2.2:80 -s\n`);
    expect(last).toEqual({ stdout: '', stderr: '-s: missing argument\n', code: 255, table: ['192.0.2.1:80 rr 0'] });
    const middle = await runRestore(`${A1}\n-A -t 192.0.2.2:80 --foo\n${A3}\n`);
    expect(middle).toEqual({ stdout: '', stderr: '--foo: unknown option\n', code: 0, table: ['192.0.2.1:80 rr 0', '192.0.2.3:80 rr 0'] });
  });

  it('large inputs, sent to the kernel in batches: the same per-line outcome and final status', async () => {
    const services = Array.from({ length: 2500 }, (_, i) => `-A -t 10.0.${i >> 8}.${i & 255}:80 -s rr`);
    const dupAtBatchEnd = [...services.slice(0, 999), services[0]!, ...services.slice(999)];
    const r = await runRestore(`${dupAtBatchEnd.join('\n')}\n`);
    expect({ stderr: r.stderr, code: r.code, services: r.table.length }).toEqual({ stderr: 'Service already exists\n', code: 0, services: 2500 });
    const dupLast = await runRestore(`${[...services, services[1500]!].join('\n')}\n`);
    expect({ stderr: dupLast.stderr, code: dupLast.code, services: dupLast.table.length }).toEqual({ stderr: 'Service already exists\n', code: 255, services: 2500 });
  });

  it('empty input: 0', async () => {
    expect(await runRestore('')).toEqual({ stdout: '', stderr: '', code: 0, table: [] });
  });
});

describe('errors that end the restore at once', () => {
  it('a validation error (fail): 2, later lines not run', async () => {
    const r = await runRestore(`${A1}\n-A -t 192.0.2.2:80 # x\n${A3}\n`);
    expect(r).toEqual({ stdout: '', stderr: 'unexpected argument #\n', code: 2, table: ['192.0.2.1:80 rr 0'] });
  });

  it('a line not starting with a command (a # comment): Try..., 255, later lines not run', async () => {
    const r = await runRestore(`${A1}\n# a comment\n${A3}\n`);
    expect(r).toEqual({ stdout: '', stderr: TRY, code: 255, table: ['192.0.2.1:80 rr 0'] });
  });

  it('a nested -R: Try..., 255', async () => {
    const r = await runRestore(`${A1}\n-R\n${A3}\n`);
    expect(r).toEqual({ stdout: '', stderr: TRY, code: 255, table: ['192.0.2.1:80 rr 0'] });
  });

  it('a listing failure: 1, later lines not run', async () => {
    const r = await runRestore(`${A1}\n-L -t 192.0.2.9:80\n${A3}\n`);
    expect(r).toEqual({ stdout: '', stderr: 'No such service\n', code: 1, table: ['192.0.2.1:80 rr 0'] });
  });

  it('-h: usage on stdout, 0, later lines not run', async () => {
    const r = await runRestore(`${A1}\n-h\n${A1}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toBe('');
    expect(r.stderr).toBe('');
    expect(r.table).toEqual(['192.0.2.1:80 rr 0']);
  });

  it('ends even after a kernel error earlier (the fail status wins over the earlier 255)', async () => {
    const r = await runRestore(`${A1}\n${A1}\n-A -t 192.0.2.2:80 -p abc\n`);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith('Service already exists\n')).toBe(true);
  });
});

describe('input forms', () => {
  it('CRLF input restores the same table as LF input', async () => {
    const lf = `${A1}\n-a -t 192.0.2.1:80 -r 198.51.100.1 -m\n${A2}\n`;
    const crlf = lf.replaceAll('\n', '\r\n');
    const r = await runRestore(crlf);
    expect(r).toEqual({ stdout: '', stderr: '', code: 0, table: ['192.0.2.1:80 rr 1', '192.0.2.2:80 rr 0'] });
    expect(r).toEqual(await runRestore(lf));
  });

  it('drops the word ipvsadm: saved command lines restore', async () => {
    const r = await runRestore(`ipvsadm ${A1}\nipvsadm -a ipvsadm -t 192.0.2.1:80 -r 198.51.100.1\nipvsadm\n`);
    expect(r).toEqual({ stdout: '', stderr: '', code: 0, table: ['192.0.2.1:80 rr 1'] });
  });

  it('a NUL-only line is an empty first word: Try..., 255 (1.31 observed)', async () => {
    expect(await runRestore(`${A1}\n\0\0\n${A2}\n`)).toEqual({ stdout: '', stderr: TRY, code: 255, table: ['192.0.2.1:80 rr 0'] });
  });
});

describe('ipvsadm-restore', () => {
  it('flushes first, drops lines starting with #, keeps indented ones', async () => {
    const ipvs = new FakeIpvs();
    await runRestore(`${A3}\n`, 'R', ipvs);
    const r = await runRestore(`# saved\n${A1}\n${A2}\n`, 'script', ipvs);
    expect(r).toEqual({ stdout: '', stderr: '', code: 0, table: ['192.0.2.1:80 rr 0', '192.0.2.2:80 rr 0'] });
    const indented = await runRestore(`${A1}\n  # indented\n${A2}\n`, 'script');
    expect(indented).toEqual({ stdout: '', stderr: TRY, code: 255, table: ['192.0.2.1:80 rr 0'] });
  });

  it('input that cannot be read: its one line and status, and no flush (deliberate fix: 1.31 flushes)', async () => {
    const ipvs = new FakeIpvs();
    await runRestore(`${A3}\n`, 'R', ipvs);
    const io = fakeKernelIo({ model: ipvs }, { readStdin: () => Promise.reject(new FixedListingError('cannot read standard input: Is a directory')) });
    expect(await mainRestore([], io)).toBe(1);
    expect({ out: io.out(), err: io.err() }).toEqual({ out: '', err: 'cannot read standard input: Is a directory\n' });
    expect(ipvs.services.size).toBe(1);
  });
});

describe('a kernel that stops answering during a restore', () => {
  it('says so once (not once per change of the batch) and ends with 255', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink timeouts injected (restore)' });
    const ipvs = new FakeIpvs();
    let seenNew = 0;
    const model = {
      handle: (req: Parameters<FakeIpvs['handle']>[0]) => (req.cmd === Cmd.NEW_SERVICE && ++seenNew >= 2 ? { silent: true } : ipvs.handle(req)),
    };
    const input = `${A1}\n${A2}\n${A3}\n-A -t 192.0.2.4:80 -s rr\n-A -t 192.0.2.5:80 -s rr\n`;
    const io = fakeKernelIo({ model }, { readStdin: async () => input, netlinkTimeoutMs: 200 });
    const code = await main(['-R'], io);
    expect(io.err()).toBe('ipvsadm: netlink: no reply from the kernel to NEW_SERVICE within 0.2 s\n');
    expect(code).toBe(255);
    expect(io.out()).toBe('');
    expect([...ipvs.services.values()]).toHaveLength(1);
  });
});
