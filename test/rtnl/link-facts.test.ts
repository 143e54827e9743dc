// readLinks over a small NETLINK_ROUTE fake: each named interface asked once by RTM_GETLINK, its
// flags read as up (IFF_UP), carrier (IFF_RUNNING) and multicast (IFF_MULTICAST); ENODEV is
// 'missing'; any other refusal is the error of the whole reading.
import { describe, expect, it } from 'vitest';
import { readLinks } from '../../src/rtnl/link-facts.js';
import { attr, cat, cstr, i32, nlmsg, nlmsgerr, parseMessages, str, u16, u32, u8, attrMap } from '../support/bytes.js';
import { ManualTransport } from '../support/fake-kernel.js';

// Written out from uapi/linux/rtnetlink.h, if_link.h and if.h (not imported from src).
const RTM_NEWLINK = 16;
const IFLA_IFNAME = 3;
const FLAG = { UP: 0x1, RUNNING: 0x40, MULTICAST: 0x1000 };

/** Knows links by name (name → flags); a name mapped to an errno is refused with it. */
class LinkKernel extends ManualTransport {
  readonly asked: string[] = [];
  constructor(private readonly links: Readonly<Record<string, { flags: number } | { errno: number }>>) {
    super();
  }
  protected override handle(bytes: Buffer): void {
    const out = parseMessages(bytes).flatMap((m) => {
      const name = cstr(attrMap(m.payload.subarray(16)).get(IFLA_IFNAME)!.payload);
      this.asked.push(name);
      const link = this.links[name] ?? { errno: 19 };
      if ('errno' in link) return [nlmsgerr({ request: m.raw, errno: link.errno, pid: this.port })];
      const ifinfomsg = cat(u8(0), u8(0), u16(1), i32(this.asked.length), u32(link.flags), u32(0));
      return [nlmsg({ type: RTM_NEWLINK, flags: 0, seq: m.seq, pid: this.port }, cat(ifinfomsg, attr(IFLA_IFNAME, str(name)))), nlmsgerr({ request: m.raw, errno: 0, pid: this.port })];
    });
    setImmediate(() => this.deliver(...out));
  }
}

describe('readLinks', () => {
  it('flags of each name, once each; a missing link is missing', async () => {
    const k = new LinkKernel({ eth0: { flags: FLAG.UP | FLAG.RUNNING | FLAG.MULTICAST }, dummy0: { flags: FLAG.UP | FLAG.RUNNING }, eth1: { flags: FLAG.MULTICAST } });
    const links = await readLinks(async () => k, ['eth0', 'dummy0', 'eth0', 'eth1', 'gone0']);
    expect(links).toEqual({
      eth0: { up: true, running: true, multicast: true },
      dummy0: { up: true, running: true, multicast: false },
      eth1: { up: false, running: false, multicast: true },
      gone0: 'missing',
    });
    expect(k.asked).toEqual(['eth0', 'dummy0', 'eth1', 'gone0']);
    expect(k.closed).toBe(1);
  });

  it('a refusal other than ENODEV is the error of the whole reading', async () => {
    const links = await readLinks(async () => new LinkKernel({ eth0: { errno: 1 } }), ['eth0']);
    expect(links).toEqual({ error: expect.stringMatching(/EPERM|not permitted/) as string });
  });
});
