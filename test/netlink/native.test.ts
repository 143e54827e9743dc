// The native transport on this machine's own kernel (its generic netlink controller, nlctrl, is
// there without IPVS): the addon loads from its prebuilt file, sockets get the ports the kernel
// gives them, requests go out and their replies come back, and a fixed read too small for a
// reply is reported as lost replies, not passed on cut short.
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { dirname } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { NetlinkRepliesLostError } from '../../src/netlink/errors.js';
import { loadAddon, openNativeTransport } from '../../src/netlink/native.js';
import type { Transport } from '../../src/netlink/transport.js';
import { CTRL, NLMSG, NLM_F, attr, genl, nlmsg, parseAttrs, parseMessages, readHostU16, str } from '../support/bytes.js';

const NETLINK_GENERIC = 16;
const open: Transport[] = [];
afterEach(() => open.splice(0).forEach((t) => t.close()));

async function transport(readBytes?: number): Promise<Transport> {
  const t = await openNativeTransport(NETLINK_GENERIC, readBytes ? { readBytes } : {});
  open.push(t);
  return t;
}

/** Everything the socket receives until `done` says so, or the first error. */
function receive(t: Transport, done: (datagrams: Uint8Array[]) => boolean): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const got: Uint8Array[] = [];
    t.listen(
      (d) => {
        got.push(d.slice());
        if (done(got)) resolve(got);
      },
      reject,
    );
  });
}

const getFamily = (seq: number, port: number, name: string): Buffer =>
  nlmsg({ type: CTRL.ID, flags: NLM_F.REQUEST, seq, pid: port }, genl(CTRL.CMD_GETFAMILY, 1, attr(CTRL.FAMILY_NAME, str(name))));

it('two sockets of one process get distinct ports from the kernel, the first its process id', async () => {
  const a = await transport();
  const b = await transport();
  expect(a.port).toBe(process.pid);
  expect(b.port).not.toBe(a.port);
  expect(b.port).toBeGreaterThan(0);
});

it('a request goes out and its reply comes back to our port: nlctrl resolves itself', async () => {
  const t = await transport();
  const replies = receive(t, (got) => got.length === 1);
  await t.send(getFamily(7, t.port, 'nlctrl'));
  const [msg] = parseMessages((await replies)[0]!);
  expect({ type: msg!.type, seq: msg!.seq, pid: msg!.pid }).toEqual({ type: CTRL.ID, seq: 7, pid: t.port });
  const id = parseAttrs(msg!.payload.subarray(4)).find((a) => a.type === CTRL.FAMILY_ID);
  expect(readHostU16(id!.payload)).toBe(CTRL.ID);
});

it('an unknown family gets the kernel error (ENOENT) as a reply, not a transport failure', async () => {
  const t = await transport();
  const replies = receive(t, (got) => got.length === 1);
  await t.send(getFamily(8, t.port, 'no-such-family'));
  const [msg] = parseMessages((await replies)[0]!);
  expect(msg!.type).toBe(NLMSG.ERROR);
  expect(new DataView(msg!.payload.buffer, msg!.payload.byteOffset).getInt32(0, true)).toBe(-osConstants.errno.ENOENT);
});

it('fixed reads too small for a reply report lost replies with the sizes', async () => {
  const t = await transport(64);
  const failure = receive(t, () => false).then(
    () => undefined,
    (e: unknown) => e,
  );
  await t.send(getFamily(9, t.port, 'nlctrl'));
  const error = await failure;
  expect(error).toBeInstanceOf(NetlinkRepliesLostError);
  expect((error as Error).message).toMatch(/: a reply of \d+ bytes was truncated to 64$/);
});

it('without a prebuilt file for the platform the addon comes through the package loader', () => {
  const dir = dirname(createRequire(import.meta.url).resolve('netlink/package.json'));
  expect(typeof loadAddon(dir).NativeNetlink).toBe('function');
  expect(typeof loadAddon(dir, 'no-such-platform').NativeNetlink).toBe('function');
  expect(() => loadAddon('/nonexistent', 'no-such-platform')).toThrow();
});
