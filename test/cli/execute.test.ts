// execute.ts on its own: which commands change the kernel (isModifying), the change each stands
// for (changeOf) and the request it sends, and how a failed listing is reported (silent or not).
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/core/command.js';
import { FixedListingError, ListingError, execute } from '../../src/cli/execute.js';
import { changeOf, isModifying } from '../../src/core/command-change.js';
import type { ExecuteContext } from '../../src/cli/execute.js';
import { parseCommandLine } from '../../src/core/parse.js';
import { IpvsClient } from '../../src/ipvs/client.js';
import { IpvsOperationError } from '../../src/ipvs/errors.js';
import { IPVS } from '../support/bytes.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { FakeKernel } from '../support/fake-kernel.js';
import type { FamilyModel } from '../support/fake-kernel.js';
import { FixedNames } from '../support/fixed-names.js';

const { CMD } = IPVS;
const { ESRCH, EPERM } = constants.errno;

const parse = (line: string): Promise<Command> => parseCommandLine(line.split(' ').filter(Boolean), { argv0: 'ipvsadm', names: new FixedNames() });

/** A client over one FakeKernel on `model`; `kernels` collects every socket it opened. */
async function contextOn(model: FamilyModel, readConnections?: () => Promise<string>): Promise<{ ctx: ExecuteContext; kernels: FakeKernel[] }> {
  const kernels: FakeKernel[] = [];
  const client = await IpvsClient.open(async () => {
    const k = new FakeKernel({ model });
    kernels.push(k);
    return k;
  });
  return { ctx: { client, names: new FixedNames(), ...(readConnections ? { readConnections } : {}) }, kernels };
}

/** A FakeIpvs holding one TCP service with one real server, refusing `refuse` commands with `errno`. */
function table(refuse: Partial<Record<number, number>> = {}): FamilyModel {
  const ipvs = new FakeIpvs();
  return {
    handle: (req) => {
      const errno = refuse[req.cmd];
      return errno !== undefined ? { errno } : ipvs.handle(req);
    },
  };
}

async function seed(ctx: ExecuteContext): Promise<void> {
  for (const line of ['-A -t 192.0.2.1:80', '-a -t 192.0.2.1:80 -r 198.51.100.1 -m']) await execute(await parse(line), ctx);
}

const MODIFYING: readonly { argv: string; kind: Command['kind']; op: string; cmd: number; before?: string }[] = [
  { argv: '-A -t 192.0.2.2:80 -s rr', kind: 'add-service', op: 'add-service', cmd: CMD.NEW_SERVICE },
  { argv: '-E -t 192.0.2.1:80 -s rr', kind: 'edit-service', op: 'edit-service', cmd: CMD.SET_SERVICE },
  { argv: '-D -t 192.0.2.1:80', kind: 'delete-service', op: 'delete-service', cmd: CMD.DEL_SERVICE },
  { argv: '-C', kind: 'flush', op: 'flush', cmd: CMD.FLUSH },
  { argv: '-Z', kind: 'zero', op: 'zero', cmd: CMD.ZERO },
  { argv: '-Z -t 192.0.2.1:80', kind: 'zero', op: 'zero', cmd: CMD.ZERO },
  { argv: '-a -t 192.0.2.1:80 -r 198.51.100.2 -m', kind: 'add-dest', op: 'add-dest', cmd: CMD.NEW_DEST },
  { argv: '-e -t 192.0.2.1:80 -r 198.51.100.1 -m -w 4', kind: 'edit-dest', op: 'edit-dest', cmd: CMD.SET_DEST },
  { argv: '-d -t 192.0.2.1:80 -r 198.51.100.1', kind: 'delete-dest', op: 'delete-dest', cmd: CMD.DEL_DEST },
  { argv: '--set 10 20 30', kind: 'set-timeouts', op: 'set-timeouts', cmd: CMD.SET_CONFIG },
  { argv: '--start-daemon master --mcast-interface eth0', kind: 'start-daemon', op: 'start-daemon', cmd: CMD.NEW_DAEMON },
  { argv: '--stop-daemon master', kind: 'stop-daemon', op: 'stop-daemon', cmd: CMD.DEL_DAEMON, before: '--start-daemon master --mcast-interface eth0' },
];

const NOT_MODIFYING: readonly { argv: string; kind: Command['kind'] }[] = [
  { argv: '-Ln', kind: 'list' },
  { argv: '-Ln -t 192.0.2.1:80', kind: 'list' },
  { argv: '-Lnc', kind: 'list-connections' },
  { argv: '-L --timeout', kind: 'list-timeouts' },
  { argv: '-L --daemon', kind: 'list-daemons' },
  { argv: '-Sn', kind: 'save' },
  { argv: '-R', kind: 'restore' },
  { argv: '-h', kind: 'help' },
  { argv: '-v', kind: 'version' },
];

describe('isModifying and changeOf', () => {
  for (const m of MODIFYING) {
    it(`${m.argv}: ${m.kind} → ${m.op}, one request`, async () => {
      const cmd = await parse(m.argv);
      expect(cmd.kind).toBe(m.kind);
      if (!isModifying(cmd)) throw new Error(`${m.kind} is not modifying`);
      const change = changeOf(cmd);
      expect(change.op).toBe(m.op);
      // the change carries the command's own payload, nothing lost on the way
      const { kind: _kind, ...payload } = cmd;
      const { op: _op, ...carried } = change;
      expect(carried).toEqual(payload);
      const { ctx, kernels } = await contextOn(table());
      await seed(ctx);
      if (m.before) await execute(await parse(m.before), ctx);
      const before = kernels[0]!.familyRequests().length;
      expect(await execute(cmd, ctx)).toEqual({ kind: 'done' });
      expect(kernels[0]!.familyRequests().slice(before).map((r) => r.cmd)).toEqual([m.cmd]);
    });
  }
  for (const n of NOT_MODIFYING) {
    it(`${n.argv}: ${n.kind} is not modifying`, async () => {
      const cmd = await parse(n.argv);
      expect(cmd.kind).toBe(n.kind);
      expect(isModifying(cmd)).toBe(false);
    });
  }
});

describe('a refused change', () => {
  it('throws the operation error with the kernel errno (main reports it)', async () => {
    const { ctx } = await contextOn(table());
    const e = await execute(await parse('-D -t 192.0.2.9:80'), ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpvsOperationError);
    expect(e).toMatchObject({ operation: 'delete-service', errno: ESRCH });
  });
});

describe('failed listings', () => {
  const cases: readonly { argv: string; refuse: number; silent: boolean }[] = [
    { argv: '-Ln', refuse: CMD.GET_SERVICE, silent: false },
    { argv: '-Ln', refuse: CMD.GET_INFO, silent: false },
    { argv: '-Ln', refuse: CMD.GET_DEST, silent: false },
    { argv: '-Sn', refuse: CMD.GET_SERVICE, silent: false },
    { argv: '-L --timeout', refuse: CMD.GET_CONFIG, silent: true },
    { argv: '-L --daemon', refuse: CMD.GET_DAEMON, silent: true },
  ];
  for (const c of cases) {
    it(`${c.argv} with command ${c.refuse} refused: ListingError, ${c.silent ? 'silent' : 'printed'}`, async () => {
      const refusing = await contextOn(table({ [c.refuse]: EPERM }));
      await seed(refusing.ctx);
      const e = await execute(await parse(c.argv), refusing.ctx).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ListingError);
      expect((e as ListingError).silent).toBe(c.silent);
      expect((e as ListingError).cause).toBeInstanceOf(IpvsOperationError);
      expect((e as ListingError).message).toBe('Permission denied (you must be root)');
    });
  }
  it('-L -t of a missing service: ListingError "No such service", printed', async () => {
    const { ctx } = await contextOn(table());
    const e = await execute(await parse('-Ln -t 192.0.2.9:80'), ctx).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ListingError);
    expect(e).toMatchObject({ silent: false, message: 'No such service' });
  });
  it('-L -c without a readable connection file: cannot open file', async () => {
    const { ctx } = await contextOn(table(), () => Promise.reject(new Error('ENOENT')));
    await expect(execute(await parse('-Lnc'), ctx)).rejects.toThrow(new FixedListingError('cannot open file /proc/net/ip_vs_conn'));
  });
  it('-L -c of an empty connection file: unexpected input', async () => {
    const { ctx } = await contextOn(table(), async () => '');
    await expect(execute(await parse('-Lnc'), ctx)).rejects.toThrow(new FixedListingError('unexpected input from /proc/net/ip_vs_conn'));
  });
  it('restore, help and version are not for execute()', async () => {
    const { ctx } = await contextOn(table());
    for (const argv of ['-R', '-h', '-v']) await expect(execute(await parse(argv), ctx)).rejects.toThrow(/handled by cli\/main\.ts/);
  });
});
