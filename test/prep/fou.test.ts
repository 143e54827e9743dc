// fou.ts: FOU_CMD_ADD/DEL attributes byte for byte (port in network order), FOU_CMD_GET replies
// decoded, and FouClient against the fake generic netlink kernel (family lookup, cmd + flags).
import { endianness } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { MalformedMessageError, NetlinkError } from '../../src/netlink/errors.js';
import { FOU_GENL_NAME, FouClient, decodePort, encodeAddGue, encodeDel } from '../../src/prep/fou.js';
import { NLM_F, attr, be16, cat, u8 } from '../support/bytes.js';
import { FakeKernel } from '../support/fake-kernel.js';

// uapi/linux/fou.h, written out here
const CMD = { ADD: 1, DEL: 2, GET: 3 };
const ATTR = { PORT: 1, AF: 2, IPPROTO: 3, TYPE: 4 };
const ENCAP = { DIRECT: 1, GUE: 2 };

describe('encoding', () => {
  it('add GUE, IPv4: port (be16), AF_INET, type GUE; no ipproto', () => {
    expect(Buffer.from(encodeAddGue(6080, 4))).toEqual(cat(attr(ATTR.PORT, be16(6080)), attr(ATTR.AF, u8(2)), attr(ATTR.TYPE, u8(ENCAP.GUE))));
    if (endianness() === 'LE') expect(Buffer.from(encodeAddGue(6080, 4)).toString('hex')).toBe('0600010017c00000' + '0500020002000000' + '0500040002000000');
  });

  it('add GUE, IPv6: AF_INET6', () => {
    expect(Buffer.from(encodeAddGue(5555, 6))).toEqual(cat(attr(ATTR.PORT, be16(5555)), attr(ATTR.AF, u8(10)), attr(ATTR.TYPE, u8(ENCAP.GUE))));
  });

  it('del: port and family only', () => {
    expect(Buffer.from(encodeDel(6080, 6))).toEqual(cat(attr(ATTR.PORT, be16(6080)), attr(ATTR.AF, u8(10))));
    expect(Buffer.from(encodeDel(1, 4))).toEqual(cat(attr(ATTR.PORT, be16(1)), attr(ATTR.AF, u8(2))));
  });
});

describe('decodePort', () => {
  const port = (...extra: Buffer[]): Buffer => cat(attr(ATTR.PORT, be16(6080)), ...extra);

  it.each([
    [[attr(ATTR.AF, u8(2)), attr(ATTR.IPPROTO, u8(4)), attr(ATTR.TYPE, u8(ENCAP.GUE))], { port: 6080, family: 4, type: 'gue' }],
    [[attr(ATTR.AF, u8(10)), attr(ATTR.TYPE, u8(ENCAP.DIRECT))], { port: 6080, family: 6, type: 'direct' }],
    [[attr(ATTR.AF, u8(2)), attr(ATTR.TYPE, u8(7))], { port: 6080, family: 4, type: 'unknown' }],
    [[], { port: 6080, family: 4, type: 'unknown' }],
  ])('%#: %j', (extra, expected) => {
    expect(decodePort(port(...extra))).toEqual(expected);
  });

  it('the port is read in network byte order', () => {
    expect(decodePort(attr(ATTR.PORT, Buffer.from([0x17, 0xc0]))).port).toBe(6080);
  });

  it('no port, or a port of the wrong size, is malformed', () => {
    expect(() => decodePort(attr(ATTR.AF, u8(2)))).toThrow(new MalformedMessageError('FOU_CMD_GET', 'PORT is missing'));
    expect(() => decodePort(attr(ATTR.PORT, u8(1)))).toThrow(new MalformedMessageError('FOU_CMD_GET', 'PORT: expected 2 bytes, got 1'));
  });
});

let kernel: FakeKernel | undefined;
afterEach(() => {
  kernel?.verify();
  kernel = undefined;
});

describe('FouClient', () => {
  const FAMILIES = { fou: { id: 0x1e, version: 1 } };

  it('resolves the "fou" family and dumps the ports (FOU_CMD_GET, REQUEST|DUMP)', async () => {
    expect(FOU_GENL_NAME).toBe('fou');
    kernel = new FakeKernel({ families: FAMILIES });
    const k = kernel;
    const client = await FouClient.open(async () => k);
    expect(client).toBeDefined();
    k.expect({
      cmd: CMD.GET,
      flags: NLM_F.REQUEST | NLM_F.DUMP,
      attrs: Buffer.alloc(0),
      answer: {
        replies: [
          { cmd: CMD.GET, attrs: cat(attr(ATTR.PORT, be16(6080)), attr(ATTR.AF, u8(2)), attr(ATTR.TYPE, u8(ENCAP.GUE))) },
          { cmd: CMD.GET, attrs: cat(attr(ATTR.PORT, be16(5555)), attr(ATTR.AF, u8(10)), attr(ATTR.IPPROTO, u8(41)), attr(ATTR.TYPE, u8(ENCAP.DIRECT))) },
        ],
      },
    });
    expect(await client!.ports()).toEqual([
      { port: 6080, family: 4, type: 'gue' },
      { port: 5555, family: 6, type: 'direct' },
    ]);
    expect(k.familyRequests().map((r) => r.type)).toEqual([0x1e]);
  });

  it('addGue and delete send FOU_CMD_ADD / FOU_CMD_DEL with REQUEST|ACK and the exact attributes', async () => {
    kernel = new FakeKernel({ families: FAMILIES });
    const k = kernel;
    const client = (await FouClient.open(async () => k))!;
    k.expect(
      { cmd: CMD.ADD, flags: NLM_F.REQUEST | NLM_F.ACK, attrs: cat(attr(ATTR.PORT, be16(6080)), attr(ATTR.AF, u8(2)), attr(ATTR.TYPE, u8(ENCAP.GUE))) },
      { cmd: CMD.DEL, flags: NLM_F.REQUEST | NLM_F.ACK, attrs: cat(attr(ATTR.PORT, be16(6080)), attr(ATTR.AF, u8(10))) },
      { cmd: CMD.ADD, flags: NLM_F.REQUEST | NLM_F.ACK, answer: { errno: 17 } },
    );
    await client.addGue(6080, 4);
    await client.delete(6080, 6);
    const e = await client.addGue(6080, 4).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e).toMatchObject({ errno: 17 });
    client.close();
    expect(k.closed).toBe(1);
  });

  it('no fou family (module not loaded): undefined, and the socket is closed', async () => {
    kernel = new FakeKernel({ families: {} });
    const k = kernel;
    expect(await FouClient.open(async () => k)).toBeUndefined();
    expect(k.closed).toBe(1);
  });
});
