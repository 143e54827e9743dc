// IpvsClient against the fake kernel: family resolution, the exact request of each operation
// (cmd, flags, attribute bytes from bytes.ts), kernel errno → ipvsadm message, pipelined applyAll.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IpvsClient } from '../../src/ipvs/client.js';
import type { Change } from '../../src/ipvs/changes.js';
import { IpvsOperationError } from '../../src/ipvs/errors.js';
import { ipv4, parseIPv4, parseIPv6 } from '../../src/ipvs/address.js';
import type { DestinationConfig, ServiceConfig, ServiceKey } from '../../src/ipvs/model.js';
import { MalformedMessageError, NetlinkError, TransportError } from '../../src/netlink/errors.js';
import { IPVS, NLM_F, attr, be16, be32, cat, nest, nestPlain, parseMessages, str, u16, u32, u8 } from '../support/bytes.js';
import { FakeKernel } from '../support/fake-kernel.js';
import type { Answer } from '../support/fake-kernel.js';
import { FakeIpvs } from '../support/fake-ipvs.js';

const { CMD, CMD_ATTR, SVC, DEST, DAEMON, INFO } = IPVS;
const ACK = NLM_F.REQUEST | NLM_F.ACK;
/** a change of a batch that is not the last of its window: answered only if it fails */
const QUIET = NLM_F.REQUEST;
const DUMP = NLM_F.REQUEST | NLM_F.DUMP;

let kernel: FakeKernel;
afterEach(() => kernel.verify());
async function open(k = new FakeKernel()): Promise<IpvsClient> {
  kernel = k;
  return IpvsClient.open(async () => kernel);
}

const V4_WIRE = Buffer.from([192, 0, 2, 1, ...Array<number>(12).fill(0)]);
const KEY: ServiceKey = { kind: 'addr', af: 2, protocol: 6, addr: ipv4([192, 0, 2, 1]), port: 80 };
const KEY_ATTRS = [attr(SVC.AF, u16(2)), attr(SVC.PROTOCOL, u16(6)), attr(SVC.ADDR, V4_WIRE), attr(SVC.PORT, be16(80))];
const KEY_NEST = nest(CMD_ATTR.SERVICE, ...KEY_ATTRS);
const SVC_CFG: ServiceConfig = { key: KEY, scheduler: 'wlc', persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 0, netmask: 0xffffffff, pe: '' };
const SVC_NEST = nest(
  CMD_ATTR.SERVICE, ...KEY_ATTRS, attr(SVC.SCHED_NAME, str('wlc')), attr(SVC.FLAGS, cat(u32(0), u32(0xffffffff))),
  attr(SVC.TIMEOUT, u32(0)), attr(SVC.NETMASK, be32(0xffffffff)),
);
const DEST_CFG: DestinationConfig = { addr: ipv4([10, 0, 0, 2]), port: 80, forwarding: 'route', weight: 1, uThreshold: 0, lThreshold: 0, tunnelType: 'ipip', tunnelPort: 0, checksum: 'nocsum' };
const DEST_NEST = nest(
  CMD_ATTR.DEST, attr(DEST.ADDR_FAMILY, u16(2)), attr(DEST.ADDR, Buffer.from([10, 0, 0, 2, ...Array<number>(12).fill(0)])), attr(DEST.PORT, be16(80)),
  attr(DEST.FWD_METHOD, u32(3)), attr(DEST.WEIGHT, u32(1)), attr(DEST.TUN_TYPE, u8(0)), attr(DEST.TUN_PORT, be16(0)), attr(DEST.TUN_FLAGS, u16(0)),
  attr(DEST.U_THRESH, u32(0)), attr(DEST.L_THRESH, u32(0)),
);

describe('IpvsClient.open', () => {
  it('opens a NETLINK_GENERIC transport and resolves "IPVS"', async () => {
    let protocol = -1;
    kernel = new FakeKernel();
    const client = await IpvsClient.open(async (p) => ((protocol = p), kernel));
    expect(protocol).toBe(16);
    expect(kernel.seen.map((r) => [r.type, r.cmd])).toEqual([[0x10, 3]]);
    client.close();
    expect(kernel.closed).toBe(1);
  });

  it('an unknown family is init ENOPROTOOPT "Protocol not available", and the socket is closed', async () => {
    const e = await open(new FakeKernel({ families: {} })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpvsOperationError);
    expect(e).toMatchObject({ operation: 'init', errno: 92, message: 'Protocol not available' });
    expect((e as Error).cause).toBeInstanceOf(NetlinkError);
    expect(kernel.closed).toBeGreaterThanOrEqual(1);
  });

  it('a socket that cannot be opened keeps its errno (EPERM → the root message)', async () => {
    kernel = new FakeKernel();
    const e = await IpvsClient.open(() => Promise.reject(new TransportError('socket: EPERM', 1))).catch((x: unknown) => x);
    expect(e).toMatchObject({ operation: 'init', errno: 1, message: 'Permission denied (you must be root)' });
  });
});

describe('each operation sends the right request', () => {
  const reply = (cmd: number, attrs: Buffer): Answer => ({ replies: [{ cmd, attrs }] });
  const svcReply = nestPlain(CMD_ATTR.SERVICE, ...KEY_ATTRS, attr(SVC.SCHED_NAME, str('wlc')), attr(SVC.FLAGS, cat(u32(2), u32(0xffffffff))), attr(SVC.TIMEOUT, u32(0)), attr(SVC.NETMASK, be32(0xffffffff)));
  const cases: [string, (c: IpvsClient) => Promise<unknown>, number, number, Buffer, Answer?][] = [
    ['info', (c) => c.info(), CMD.GET_INFO, ACK, cat(), reply(CMD.SET_INFO, cat(attr(INFO.VERSION, u32(0x10201)), attr(INFO.CONN_TAB_SIZE, u32(4096))))],
    ['add-service', (c) => c.apply({ op: 'add-service', service: SVC_CFG }), CMD.NEW_SERVICE, ACK, SVC_NEST],
    ['edit-service', (c) => c.apply({ op: 'edit-service', service: SVC_CFG }), CMD.SET_SERVICE, ACK, SVC_NEST],
    ['delete-service', (c) => c.apply({ op: 'delete-service', key: KEY }), CMD.DEL_SERVICE, ACK, KEY_NEST],
    ['zero one', (c) => c.apply({ op: 'zero', key: KEY }), CMD.ZERO, ACK, KEY_NEST],
    ['zero all', (c) => c.apply({ op: 'zero' }), CMD.ZERO, ACK, cat()],
    ['flush', (c) => c.apply({ op: 'flush' }), CMD.FLUSH, ACK, cat()],
    ['add-dest', (c) => c.apply({ op: 'add-dest', key: KEY, dest: DEST_CFG }), CMD.NEW_DEST, ACK, cat(KEY_NEST, DEST_NEST)],
    ['edit-dest', (c) => c.apply({ op: 'edit-dest', key: KEY, dest: DEST_CFG }), CMD.SET_DEST, ACK, cat(KEY_NEST, DEST_NEST)],
    ['delete-dest', (c) => c.apply({ op: 'delete-dest', key: KEY, dest: DEST_CFG }), CMD.DEL_DEST, ACK, cat(KEY_NEST, DEST_NEST)],
    ['set-timeouts', (c) => c.apply({ op: 'set-timeouts', timeouts: { tcp: 0, tcpFin: 0, udp: 45 } }), CMD.SET_CONFIG, ACK,
      cat(attr(CMD_ATTR.TIMEOUT_TCP, u32(0)), attr(CMD_ATTR.TIMEOUT_TCP_FIN, u32(0)), attr(CMD_ATTR.TIMEOUT_UDP, u32(45)))],
    ['start-daemon', (c) => c.apply({ op: 'start-daemon', daemon: { state: 'master', mcastIfn: 'eth0', syncId: 0 } }), CMD.NEW_DAEMON, ACK,
      nest(CMD_ATTR.DAEMON, attr(DAEMON.STATE, u32(1)), attr(DAEMON.MCAST_IFN, str('eth0')), attr(DAEMON.SYNC_ID, u32(0)))],
    ['stop-daemon', (c) => c.apply({ op: 'stop-daemon', state: 'backup', syncId: 5 }), CMD.DEL_DAEMON, ACK,
      nest(CMD_ATTR.DAEMON, attr(DAEMON.STATE, u32(2)), attr(DAEMON.MCAST_IFN, str('')), attr(DAEMON.SYNC_ID, u32(5)))],
    ['services', (c) => c.services(), CMD.GET_SERVICE, DUMP, cat(), reply(CMD.NEW_SERVICE, svcReply)],
    ['service', (c) => c.service(KEY), CMD.GET_SERVICE, ACK, KEY_NEST, reply(CMD.NEW_SERVICE, svcReply)],
    ['destinations', (c) => c.destinations(KEY), CMD.GET_DEST, DUMP, KEY_NEST],
    ['timeouts', (c) => c.timeouts(), CMD.GET_CONFIG, ACK, cat(), reply(CMD.SET_CONFIG, attr(CMD_ATTR.TIMEOUT_TCP, u32(900)))],
    ['daemons', (c) => c.daemons(), CMD.GET_DAEMON, DUMP, cat()],
  ];
  it.each(cases)('%s', async (name, run, cmd, flags, attrs, answer) => {
    const client = await open();
    kernel.expect({ cmd, flags, attrs, ...(answer ? { answer } : {}) });
    // services() dumps twice: a service missing from the second dump was deleted meanwhile
    if (name === 'services') kernel.expect({ cmd, flags, attrs, ...(answer ? { answer } : {}) });
    await run(client);
    expect(kernel.familyRequests().map((r) => [r.type, r.version])).toEqual(Array(name === 'services' ? 2 : 1).fill([0x1c, 1]));
  });
});

describe('kernel refusals become IpvsOperationError with ipvsadm wording', () => {
  it.each<[string, (c: IpvsClient) => Promise<unknown>, number, number, string, string]>([
    ['add-service', (c) => c.apply({ op: 'add-service', service: SVC_CFG }), CMD.NEW_SERVICE, 17, 'add-service', 'Service already exists'],
    ['add-service', (c) => c.apply({ op: 'add-service', service: SVC_CFG }), CMD.NEW_SERVICE, 2, 'add-service', 'Scheduler or persistence engine not found'],
    ['delete-service', (c) => c.apply({ op: 'delete-service', key: KEY }), CMD.DEL_SERVICE, 3, 'delete-service', 'No such service'],
    ['add-dest', (c) => c.apply({ op: 'add-dest', key: KEY, dest: DEST_CFG }), CMD.NEW_DEST, 3, 'add-dest', 'Service not defined'],
    ['edit-dest', (c) => c.apply({ op: 'edit-dest', key: KEY, dest: DEST_CFG }), CMD.SET_DEST, 34, 'edit-dest', 'Numerical result out of range'],
    ['service', (c) => c.service(KEY), CMD.GET_SERVICE, 3, 'get-service', 'No such service'],
    ['services', (c) => c.services(), CMD.GET_SERVICE, 1, 'get-services', 'Permission denied (you must be root)'],
    ['start-daemon', (c) => c.apply({ op: 'start-daemon', daemon: { state: 'master', mcastIfn: 'eth9', syncId: 0 } }), CMD.NEW_DAEMON, 19, 'start-daemon', 'No such device'],
  ])('%s errno %i', async (_n, run, cmd, errno, operation, message) => {
    const client = await open();
    kernel.expect({ cmd, flags: cmd === CMD.GET_SERVICE && operation === 'get-services' ? DUMP : ACK, answer: { errno, extack: { msg: 'from the kernel' } } });
    const e = await run(client).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IpvsOperationError);
    expect(e).toMatchObject({ operation, errno, message });
    expect((e as Error).cause).toMatchObject({ errno, extack: { message: 'from the kernel' } });
  });

  it('a malformed reply is EINVAL (as libipvs), keeping the decode error as cause', async () => {
    const client = await open();
    kernel.expect({ cmd: CMD.GET_SERVICE, flags: DUMP, answer: { replies: [{ cmd: CMD.NEW_SERVICE, attrs: nestPlain(CMD_ATTR.SERVICE, ...KEY_ATTRS) }] } });
    const e = await client.services().catch((x: unknown) => x);
    expect(e).toMatchObject({ operation: 'get-services', errno: 22, message: 'Invalid operation.  Possibly wrong module version, address not unicast, ...' });
    expect((e as Error).cause).toBeInstanceOf(MalformedMessageError);
    expect(((e as Error).cause as Error).message).toMatch(/in get-services\.SERVICE: (FLAGS|SCHED_NAME|TIMEOUT|NETMASK) is missing/);
  });

  it('GET_INFO answered by a bare ACK is EINVAL', async () => {
    const client = await open();
    kernel.expect({ cmd: CMD.GET_INFO, flags: ACK });
    await expect(client.info()).rejects.toMatchObject({ operation: 'init', errno: 22 });
  });
});

describe('applyAll', () => {
  const changes: Change[] = [
    { op: 'add-service', service: SVC_CFG },
    { op: 'add-dest', key: KEY, dest: DEST_CFG },
    { op: 'add-dest', key: KEY, dest: DEST_CFG },
    { op: 'set-timeouts', timeouts: { tcp: 1, tcpFin: 2, udp: 3 } },
    { op: 'delete-service', key: { ...KEY, port: 81 } },
  ];

  it('pipelines every change in one sendmsg, only the last asking for an ACK; per-change results in order', async () => {
    const client = await open();
    kernel.expect(
      { cmd: CMD.NEW_SERVICE, flags: QUIET, attrs: SVC_NEST },
      { cmd: CMD.NEW_DEST, flags: QUIET, attrs: cat(KEY_NEST, DEST_NEST) },
      { cmd: CMD.NEW_DEST, flags: QUIET, answer: { errno: 17 } },
      { cmd: CMD.SET_CONFIG, flags: QUIET },
      { cmd: CMD.DEL_SERVICE, flags: ACK, answer: { errno: 3 } },
    );
    const sendsBefore = kernel.sent.length;
    const out = await client.applyAll(changes);
    expect(kernel.sent.length - sendsBefore).toBe(1);
    expect(out.map((e) => e && [e.operation, e.message])).toEqual([
      undefined, undefined, ['add-dest', 'Destination already exists'], undefined, ['delete-service', 'No such service'],
    ]);
  });

  it('splits into windows: 5 changes, window 2 → 3 sendmsg calls', async () => {
    const client = await open();
    kernel.perDatagram = Infinity;
    kernel.expect(
      ...changes.map((c, i) => ({ cmd: { 'add-service': 1, 'add-dest': 5, 'set-timeouts': 12, 'delete-service': 3 }[c.op as string]!, flags: i % 2 === 1 || i === 4 ? ACK : QUIET })),
    );
    const out = await client.applyAll(changes, 2);
    expect(out).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(kernel.sent.slice(1).map((s) => parseMessages(s).length)).toEqual([2, 2, 1]);
  });
});

describe('against the in-memory IPVS (fake-ipvs.ts)', () => {
  const withModel = async (): Promise<{ client: IpvsClient; ipvs: FakeIpvs }> => {
    const ipvs = new FakeIpvs();
    return { client: await open(new FakeKernel({ model: ipvs })), ipvs };
  };
  const V6KEY: ServiceKey = { kind: 'addr', af: 10, protocol: 17, addr: parseIPv6('2001:db8::10')!, port: 53 };
  const FWM: ServiceKey = { kind: 'fwmark', af: 2, fwmark: 42 };
  const svc = (key: ServiceKey, over: Partial<ServiceConfig> = {}): ServiceConfig => ({
    key, scheduler: 'rr', persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 0, netmask: key.af === 2 ? 0xffffffff : 128, pe: '', ...over,
  });
  const ZERO_STATS = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };
  const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'no error', (e: unknown) => (e instanceof IpvsOperationError ? e.message : e));

  it('add → list round trip for IPv4, IPv6 and fwmark services and their destinations', async () => {
    const { client } = await withModel();
    const configs = [svc(KEY, { persistent: true, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 360, netmask: 0xffffff00, pe: 'sip' }), svc(V6KEY, { scheduler: 'sh', persistent: false, onePacket: false, schedFlags: [1, 2], unnamedFlags: 0, netmask: 64 }), svc(FWM, { scheduler: 'wlc' })];
    for (const service of configs) await client.apply({ op: 'add-service', service });
    expect(await client.services()).toEqual(configs.map((c) => ({ ...c, stats: ZERO_STATS })));
    const v6dest: DestinationConfig = { ...DEST_CFG, addr: parseIPv6('2001:db8::2')!, forwarding: 'tunnel', weight: 3, uThreshold: 10, lThreshold: 2, tunnelType: 'gue', tunnelPort: 6080, checksum: 'csum' };
    await client.apply({ op: 'add-dest', key: KEY, dest: DEST_CFG });
    await client.apply({ op: 'add-dest', key: KEY, dest: v6dest }); // mixed family: tunnel only
    const extra = { activeConns: 0, inactConns: 0, persistConns: 0, stats: ZERO_STATS };
    expect(await client.destinations(KEY)).toEqual([{ ...DEST_CFG, ...extra }, { ...v6dest, ...extra }]);
    expect(await client.destinations(V6KEY)).toEqual([]);
    expect(await client.service(FWM)).toEqual({ ...configs[2], stats: ZERO_STATS });
  });

  it('edit replaces settings; delete removes; flush empties', async () => {
    const { client } = await withModel();
    await client.apply({ op: 'add-service', service: svc(KEY) });
    await client.apply({ op: 'add-dest', key: KEY, dest: DEST_CFG });
    await client.apply({ op: 'edit-service', service: svc(KEY, { scheduler: 'lc', persistent: true, timeout: 60 }) });
    await client.apply({ op: 'edit-dest', key: KEY, dest: { ...DEST_CFG, weight: 9 } });
    expect(await client.service(KEY)).toMatchObject({ scheduler: 'lc', persistent: true, timeout: 60 });
    expect((await client.destinations(KEY)).map((d) => d.weight)).toEqual([9]);
    await client.apply({ op: 'delete-dest', key: KEY, dest: DEST_CFG });
    expect(await client.destinations(KEY)).toEqual([]);
    await client.apply({ op: 'add-service', service: svc(FWM) });
    await client.apply({ op: 'delete-service', key: KEY });
    expect((await client.services()).map((s) => s.key)).toEqual([FWM]);
    await client.apply({ op: 'flush' });
    expect(await client.services()).toEqual([]);
  });

  it('refuses like Linux 6.1, with ipvsadm’s messages', async () => {
    const { client } = await withModel();
    const add = (service: ServiceConfig): Promise<unknown> => failure(client.apply({ op: 'add-service', service }));
    const dest = (op: 'add-dest' | 'edit-dest' | 'delete-dest', d: DestinationConfig, key: ServiceKey = KEY): Promise<unknown> => failure(client.apply({ op, key, dest: d }));
    expect(await add(svc(KEY, { scheduler: 'RR' }))).toBe('Scheduler or persistence engine not found');
    expect(await add(svc(KEY, { pe: 'nope' }))).toBe('Scheduler or persistence engine not found');
    expect(await add(svc(KEY))).toBe('no error');
    expect(await add(svc(KEY))).toBe('Service already exists');
    expect(await failure(client.apply({ op: 'edit-service', service: svc(FWM) }))).toBe('No such service');
    expect(await failure(client.apply({ op: 'delete-service', key: FWM }))).toBe('No such service');
    expect(await failure(client.apply({ op: 'zero', key: FWM }))).toBe('No such service');
    expect(await failure(client.service(FWM))).toBe('No such service');
    expect(await dest('add-dest', DEST_CFG, FWM)).toBe('Service not defined');
    expect(await dest('add-dest', DEST_CFG)).toBe('no error');
    expect(await dest('add-dest', DEST_CFG)).toBe('Destination already exists');
    expect(await dest('add-dest', { ...DEST_CFG, port: 81, lThreshold: 5 })).toBe('Numerical result out of range');
    expect(await dest('add-dest', { ...DEST_CFG, addr: ipv4([224, 1, 1, 1]) })).toBe('Invalid operation.  Possibly wrong module version, address not unicast, ...');
    expect(await dest('add-dest', { ...DEST_CFG, addr: parseIPv6('2001:db8::2')! })).toBe('Invalid operation.  Possibly wrong module version, address not unicast, ...');
    expect(await dest('edit-dest', { ...DEST_CFG, port: 8080 })).toBe('No such destination');
    expect(await dest('delete-dest', { ...DEST_CFG, addr: parseIPv6('2001:db8::2')! })).toBe('No such destination');
    expect(await dest('delete-dest', DEST_CFG, FWM)).toBe('Service not defined');
  });

  it('timeouts: 0 keeps the old value', async () => {
    const { client } = await withModel();
    expect(await client.timeouts()).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
    await client.apply({ op: 'set-timeouts', timeouts: { tcp: 0, tcpFin: 0, udp: 45 } });
    expect(await client.timeouts()).toEqual({ tcp: 900, tcpFin: 120, udp: 45 });
  });

  it('snapshot: info, every service with its destinations, timeouts and daemons, as each read alone', async () => {
    const { client } = await withModel();
    await client.applyAll([
      { op: 'add-service', service: SVC_CFG },
      { op: 'add-dest', key: KEY, dest: DEST_CFG },
      { op: 'set-timeouts', timeouts: { tcp: 901, tcpFin: 0, udp: 45 } },
      { op: 'start-daemon', daemon: { state: 'backup', mcastIfn: 'eth0', syncId: 3 } },
    ]);
    const snap = await client.snapshot();
    expect(snap).toEqual({ info: await client.info(), services: await client.table(), timeouts: { tcp: 901, tcpFin: 120, udp: 45 }, daemons: await client.daemons() });
    expect(snap.services.map((s) => s.destinations.length)).toEqual([1]);
    expect(snap.daemons.map((d) => [d.state, d.mcastIfn, d.syncId])).toEqual([['backup', 'eth0', 3]]);
  });

  it('daemons: start, list, start twice, stop, stop twice, unknown interface', async () => {
    const { client } = await withModel();
    const start = (mcastIfn: string): Promise<unknown> => failure(client.apply({ op: 'start-daemon', daemon: { state: 'master', mcastIfn, syncId: 7 } }));
    const stop = (): Promise<unknown> => failure(client.apply({ op: 'stop-daemon', state: 'master', syncId: 0 }));
    expect(await start('eth9')).toBe('No such device');
    expect(await start('eth0')).toBe('no error');
    expect(await start('eth0')).toBe('Daemon has already run');
    expect(await client.daemons()).toEqual([{ state: 'master', mcastIfn: 'eth0', syncId: 7, syncMaxlen: 1472, mcastPort: 8848, mcastTtl: 1, mcastGroup: ipv4([224, 0, 0, 81]) }]);
    expect(await stop()).toBe('no error');
    expect(await stop()).toBe('No daemon is running');
    expect(await client.daemons()).toEqual([]);
  });

  it('applyAll against the model: a restore-like batch, failures in place, state as applied', async () => {
    const { client } = await withModel();
    const out = await client.applyAll([
      { op: 'add-service', service: svc(KEY) },
      { op: 'add-service', service: svc(KEY) },
      { op: 'add-dest', key: KEY, dest: DEST_CFG },
      { op: 'add-dest', key: FWM, dest: DEST_CFG },
      { op: 'add-service', service: svc(FWM) },
      { op: 'add-dest', key: FWM, dest: DEST_CFG },
    ]);
    expect(out.map((e) => e?.message)).toEqual([undefined, 'Service already exists', undefined, 'Service not defined', undefined, undefined]);
    expect((await client.services()).length).toBe(2);
    expect((await client.destinations(FWM)).length).toBe(1);
  });
});

describe('destinationsOfEach (dumps spread over several sockets)', () => {
  /** A client whose every socket is a fake kernel over one IPVS model, the sockets kept in order. */
  async function clientOverSockets(): Promise<{ client: IpvsClient; sockets: FakeKernel[] }> {
    const ipvs = new FakeIpvs();
    const sockets: FakeKernel[] = [];
    const client = await IpvsClient.open(async () => {
      const k = new FakeKernel({ model: ipvs });
      sockets.push(k);
      return k;
    });
    return { client, sockets };
  }

  it('returns each service its own destinations, in key order, and closes the extra sockets', async () => {
    const { client, sockets: kernels } = await clientOverSockets();
    const keys: ServiceKey[] = [];
    for (let i = 0; i < 200; i++) {
      const key: ServiceKey = { kind: 'addr', af: 2, protocol: 6, addr: parseIPv4('192.0.2.1')!, port: 1000 + i };
      keys.push(key);
      await client.apply({ op: 'add-service', service: { key, scheduler: 'rr', persistent: false, onePacket: false, schedFlags: [], unnamedFlags: 0, timeout: 0, netmask: 0xffffffff, pe: '' } });
      // service i gets i % 3 destinations whose last octet names the service
      for (let d = 0; d < i % 3; d++) {
        await client.apply({ op: 'add-dest', key, dest: { ...DEST_CFG, addr: parseIPv4(`198.51.${d}.${i % 250}`)! } });
      }
    }
    const all = await client.destinationsOfEach(keys, 4);
    expect(all.map((ds) => ds.length)).toEqual(keys.map((_, i) => i % 3));
    all.forEach((ds, i) => ds.forEach((d) => expect(d.addr.bytes[3]).toBe(i % 250)));
    expect(kernels.length).toBe(4);
    expect(kernels.slice(1).map((k) => k.closed)).toEqual([1, 1, 1]);
    // the extra sockets reuse the resolved family: no CTRL_CMD_GETFAMILY on them
    expect(kernels.slice(1).every((k) => k.familyRequests().length === k.seen.length)).toBe(true);
    client.close();
  });

  it('reads a whole table with every timer frozen: nothing waits on a timer or a poll interval between dumps', async () => {
    const { client, sockets } = await clientOverSockets();
    for (let i = 0; i < 300; i++) {
      const key: ServiceKey = { kind: 'addr', af: 2, protocol: 6, addr: parseIPv4(`192.0.2.${1 + (i % 250)}`)!, port: 1000 + Math.floor(i / 250) };
      await client.apply({ op: 'add-service', service: { ...SVC_CFG, key } });
      for (let d = 0; d < 4; d++) await client.apply({ op: 'add-dest', key, dest: { ...DEST_CFG, addr: parseIPv4(`198.51.100.${1 + d}`)!, port: 8080 + d } });
    }
    // The fake kernel answers on the next turn of the event loop (setImmediate), as a socket
    // becomes readable; timers (the connection's watchdog included) never fire from here on.
    const turn = globalThis.setImmediate;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      let table: Awaited<ReturnType<IpvsClient['table']>> | undefined;
      const reading = client.table().then((t) => (table = t));
      // a GET_SERVICE dump twice, then 300 GET_DEST dumps over 5 sockets (60 each, one turn apiece)
      let turns = 0;
      while (!table && turns < 1000) {
        await new Promise<void>((r) => turn(r));
        turns++;
      }
      expect(table, `the listing did not finish in ${turns} turns of the event loop with timers frozen`).toBeDefined();
      await reading;
      expect(table!.length).toBe(300);
      expect(table!.every((e) => e.destinations.length === 4)).toBe(true);
      expect(sockets.length).toBe(5);
      expect(turns).toBeLessThan(100);
    } finally {
      vi.useRealTimers();
      client.close();
    }
  });
});
