// IpvsClient when the kernel misbehaves or the table changes under a listing: table() fetches
// again on NLM_F_DUMP_INTR, duplicates and vanished services, and gives up with a clear error;
// timeouts, lost replies and stray replies become IpvsExchangeError with our own text and the
// exit status ipvsadm uses for the operation (cli/report.ts).
import { constants as osConstants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { IpvsClient, TABLE_ATTEMPTS } from '../../src/ipvs/client.js';
import { IpvsExchangeError } from '../../src/ipvs/errors.js';
import { parseIPv4 } from '../../src/ipvs/address.js';
import type { DestinationConfig, ServiceConfig, ServiceKey } from '../../src/ipvs/model.js';
import { ListingError } from '../../src/cli/execute.js';
import { reportError } from '../../src/cli/report.js';
import { IPVS } from '../support/bytes.js';
import { FakeKernel } from '../support/fake-kernel.js';
import type { Answer, FamilyModel, SeenRequest } from '../support/fake-kernel.js';
import { FakeIpvs } from '../support/fake-ipvs.js';
import { reliabilityCases, reliabilityTest } from '../support/reliability.js';

const { CMD } = IPVS;
const DUMP_INTR = 0x10;

/** FakeIpvs with a hook that may change the table or the answer of each request. */
class Meddling implements FamilyModel {
  readonly ipvs = new FakeIpvs();
  meddle: (req: SeenRequest, answer: Answer) => Answer = (_, a) => a;
  handle(req: SeenRequest): Answer {
    return this.meddle(req, this.ipvs.handle(req));
  }
}

const key = (port: number): ServiceKey => ({ kind: 'addr', af: 2, protocol: 6, addr: parseIPv4('192.0.2.1')!, port });
const svc = (k: ServiceKey): ServiceConfig => ({ key: k, scheduler: 'rr', persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 0, netmask: 0xffffffff, pe: '' });
const dest = (last: number): DestinationConfig => ({
  addr: parseIPv4(`198.51.100.${last}`)!, port: 80, forwarding: 'masq', weight: 1, uThreshold: 0, lThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, checksum: 'nocsum',
});

/** A client over the meddling model holding `n` services (port 1000+i) with i % 3 destinations. */
async function setup(n = 6, timeoutMs?: number): Promise<{ client: IpvsClient; model: Meddling; kernels: FakeKernel[] }> {
  const model = new Meddling();
  const kernels: FakeKernel[] = [];
  const client = await IpvsClient.open(async () => {
    const k = new FakeKernel({ model });
    kernels.push(k);
    return k;
  }, timeoutMs === undefined ? {} : { timeoutMs });
  for (let i = 0; i < n; i++) {
    await client.apply({ op: 'add-service', service: svc(key(1000 + i)) });
    for (let d = 0; d < i % 3; d++) await client.apply({ op: 'add-dest', key: key(1000 + i), dest: dest(d + 1) });
  }
  return { client, model, kernels };
}
const seen = (kernels: FakeKernel[], cmd: number, dump: boolean): number =>
  kernels.flatMap((k) => k.familyRequests()).filter((r) => r.cmd === cmd && r.dump === dump).length;
/** The table as ports → destination counts, for comparison. */
const shape = (t: { service: { key: ServiceKey }; destinations: readonly unknown[] }[]): [number, number][] =>
  t.map((e) => [e.service.key.kind === 'addr' ? e.service.key.port : -1, e.destinations.length]);
const EXPECTED = [0, 1, 2, 3, 4, 5].map((i): [number, number] => [1000 + i, i % 3]);

describe('IpvsClient.table', () => {
  it('returns every service with its destinations, in kernel order', async () => {
    const { client, kernels } = await setup();
    expect(shape(await client.table())).toEqual(EXPECTED);
    expect(shape(await client.table(key(1002)))).toEqual([[1002, 2]]);
    expect(seen(kernels, CMD.GET_SERVICE, true)).toBe(2); // the second dump checks for deletions
    expect(client.changesSeen).toBe(0);
    client.close();
  });

  it.each([
    ['the services dump', CMD.GET_SERVICE],
    ['a destination dump', CMD.GET_DEST],
  ])('fetches the whole table again when %s carries NLM_F_DUMP_INTR', async (_, cmd) => {
    reliabilityTest({ area: 'fault', item: 'DUMP_INTR retries' });
    const { client, model, kernels } = await setup();
    let injected = 0;
    model.meddle = (req, a) => (req.cmd === cmd && req.dump && injected++ === 0 ? { ...a, flagsOr: DUMP_INTR } : a);
    expect(shape(await client.table())).toEqual(EXPECTED);
    // an interrupted first services dump ends the attempt at once; a destination dump after both
    expect(seen(kernels, CMD.GET_SERVICE, true)).toBe(cmd === CMD.GET_SERVICE ? 3 : 4);
    expect(client.changesSeen).toBe(1);
    client.close();
  });

  it(`gives up after ${TABLE_ATTEMPTS} attempts with a clear error (exit 1 as a listing)`, async () => {
    reliabilityTest({ area: 'fault', item: 'DUMP_INTR retries' });
    const { client, model, kernels } = await setup();
    model.meddle = (req, a) => (req.dump ? { ...a, flagsOr: DUMP_INTR } : a);
    const e = await client.table().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpvsExchangeError);
    expect(e).toMatchObject({ operation: 'get-services', message: `the IPVS table kept changing during the listing (tried ${TABLE_ATTEMPTS} times)` });
    expect(seen(kernels, CMD.GET_SERVICE, true)).toBe(TABLE_ATTEMPTS);
    expect(reportError(new ListingError(e as IpvsExchangeError, false))).toEqual({ stderr: `ipvsadm: the IPVS table kept changing during the listing (tried ${TABLE_ATTEMPTS} times)\n`, code: 1 });
    client.close();
  });

  it('a service sent twice (the dump resumed by position after an insertion in front) is listed once', async () => {
    reliabilityTest({ area: 'fault', item: 'duplicated dump entries injected' });
    const { client, model, kernels } = await setup();
    model.meddle = (req, a) => {
      if (req.cmd !== CMD.GET_SERVICE || !req.dump) return a;
      const replies = a.replies ?? [];
      return { ...a, replies: [...replies.slice(0, 3), replies[2]!, ...replies.slice(3)] };
    };
    expect(shape(await client.table())).toEqual(EXPECTED);
    expect((await client.services()).length).toBe(6);
    expect(seen(kernels, CMD.GET_SERVICE, true)).toBe(4);
    client.close();
  });

  it('a service deleted during the services dump (it may hide the next one) starts the fetch again', async () => {
    reliabilityTest({ area: 'fault', item: 'services deleted during a listing' });
    const { client, model, kernels } = await setup();
    let dumps = 0;
    model.meddle = (req, a) => {
      if (req.cmd === CMD.GET_SERVICE && req.dump && ++dumps === 1) {
        const victim = [...model.ipvs.services.keys()].find((k) => k.endsWith('/1003'))!;
        model.ipvs.services.delete(victim); // after it was sent: the second dump misses it
      }
      return a;
    };
    expect(shape(await client.table())).toEqual(EXPECTED.filter(([port]) => port !== 1003));
    expect(seen(kernels, CMD.GET_SERVICE, true)).toBe(4);
    expect(client.changesSeen).toBe(1);
    client.close();
  });

  it('a service deleted after the services dump (empty destination dump) is a change, not an empty service', async () => {
    reliabilityTest({ area: 'fault', item: 'services deleted during a listing' });
    const { client, model, kernels } = await setup();
    model.meddle = (req, a) => {
      if (req.cmd === CMD.GET_DEST && model.ipvs.services.size === 6) {
        const victim = [...model.ipvs.services.keys()].find((k) => k.endsWith('/1002'))!;
        model.ipvs.services.delete(victim);
        return { replies: [] }; // ip_vs_genl_dump_dests ends quietly for an unknown service
      }
      return a;
    };
    expect(shape(await client.table())).toEqual(EXPECTED.filter(([port]) => port !== 1002));
    expect(seen(kernels, CMD.GET_SERVICE, true)).toBe(4);
    expect(client.changesSeen).toBe(1);
    client.close();
  });

  it('a destination dump answered ESRCH or ENOENT is a change too', async () => {
    const cases = reliabilityCases({ area: 'fault', item: 'services deleted during a listing' });
    for (const errno of [osConstants.errno.ESRCH, osConstants.errno.ENOENT]) {
      await cases.run(async () => {
        const { client, model, kernels } = await setup();
        let injected = 0;
        model.meddle = (req, a) => (req.cmd === CMD.GET_DEST && injected++ === 0 ? { errno } : a);
        expect(shape(await client.table())).toEqual(EXPECTED);
        expect(seen(kernels, CMD.GET_SERVICE, true)).toBe(4);
        client.close();
      });
    }
  });

  it('a service that vanishes for good ends a one-service listing as "No such service"', async () => {
    const { client, model } = await setup();
    model.meddle = (req, a) => {
      if (req.cmd !== CMD.GET_DEST) return a;
      model.ipvs.services.clear();
      return { replies: [] };
    };
    await expect(client.table(key(1001))).rejects.toMatchObject({ name: 'IpvsOperationError', message: 'No such service' });
    client.close();
  });

  it('stray replies (another port, an unknown seq) on every request change nothing', async () => {
    const cases = reliabilityCases({ area: 'fault', item: 'netlink replies with a foreign port or seq injected' });
    for (const stray of ['pid', 'seq'] as const) {
      await cases.run(async () => {
        const { client, model, kernels } = await setup();
        model.meddle = (_, a) => ({ ...a, stray });
        for (const k of kernels) k.perDatagram = Infinity;
        expect(shape(await client.table())).toEqual(EXPECTED);
        client.close();
      });
    }
  });
});

describe('exchange failures as ipvsadm reports them', () => {
  it('a listing the kernel never answers: exit 1, the command and the timeout named', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink timeouts injected' });
    const { client, model } = await setup(2, 250);
    model.meddle = (req, a) => (req.cmd === CMD.GET_SERVICE && req.dump ? { silent: true } : a);
    const e = await client.table().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpvsExchangeError);
    expect(e).toMatchObject({ operation: 'get-services', errno: osConstants.errno.ETIMEDOUT });
    expect(reportError(new ListingError(e as IpvsExchangeError, true))).toEqual({ stderr: 'ipvsadm: netlink: no reply from the kernel to GET_SERVICE dump within 0.25 s\n', code: 1 });
    client.close();
  });

  it('a change the kernel never answers: exit 255', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink timeouts injected' });
    const { client, model } = await setup(0, 250);
    model.meddle = (req, a) => (req.cmd === CMD.NEW_SERVICE ? { silent: true } : a);
    const e = await client.apply({ op: 'add-service', service: svc(key(80)) }).catch((x: unknown) => x);
    expect(reportError(e)).toEqual({ stderr: 'ipvsadm: netlink: no reply from the kernel to NEW_SERVICE within 0.25 s\n', code: 255 });
    client.close();
  });

  it('the extra sockets of destination dumps time out too', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink timeouts injected' });
    const { client, model } = await setup(200, 1500);
    let dests = 0;
    model.meddle = (req, a) => (req.cmd === CMD.GET_DEST && ++dests === 150 ? { silent: true } : a);
    const e = await client.table().catch((x: unknown) => x);
    expect((e as Error).message).toBe('netlink: no reply from the kernel to GET_DEST dump within 1.5 s');
    client.close();
  });

  it('replies lost to a receive buffer overflow fail the listing, never shorten it', async () => {
    reliabilityTest({ area: 'fault', item: 'netlink socket errors injected' });
    const { client, model } = await setup();
    const { receiveError } = await import('../../src/netlink/native.js');
    const enobufs = receiveError({ errno: osConstants.errno.ENOBUFS, message: 'recvmsg failed' });
    model.meddle = (req, a) => (req.cmd === CMD.GET_SERVICE && req.dump ? { socketError: enobufs } : a);
    const e = await client.table().catch((x: unknown) => x);
    expect(reportError(new ListingError(e as IpvsExchangeError, false))).toEqual({
      stderr: 'ipvsadm: netlink: replies from the kernel were lost: the socket receive buffer overflowed (ENOBUFS)\n',
      code: 1,
    });
    client.close();
  });
});
