// A small NETLINK_ROUTE fake that answers RTM_GETLINK by name: known links with their flags, any
// other name refused with ENODEV, a name mapped to an errno refused with it (rtnl and gate tests).
import { attr, cat, cstr, i32, nlmsg, nlmsgerr, parseMessages, str, u16, u32, u8, attrMap } from './bytes.js';
import { ManualTransport } from './fake-kernel.js';

// Written out from uapi/linux/rtnetlink.h, if_link.h and if.h (not imported from src).
const RTM_NEWLINK = 16;
const IFLA_IFNAME = 3;
export const FLAG = { UP: 0x1, RUNNING: 0x40, MULTICAST: 0x1000 };

/** Knows links by name (name → flags); a name mapped to an errno is refused with it. */
export class LinkKernel extends ManualTransport {
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
