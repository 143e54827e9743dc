// The "fou" generic netlink family: UDP receive ports that strip a GUE (or direct) encapsulation,
// as iproute2's `ip fou add port P gue` opens them. Ids from uapi/linux/fou.h (Linux 6.1).
// Wire quirk: FOU_ATTR_PORT is declared u16 but carries the port in network byte order.
import { AttributeSet, AttributeWriter } from '../netlink/attributes.js';
import { AF_INET, AF_INET6, NETLINK_GENERIC } from '../netlink/constants.js';
import { NetlinkError } from '../netlink/errors.js';
import { GenlClient } from '../netlink/genl.js';
import type { TransportFactory } from '../netlink/transport.js';
import type { Family, FouType, ObservedFouPort } from './model.js';

export const FOU_GENL_NAME = 'fou';
export const FouCmd = { ADD: 1, DEL: 2, GET: 3 } as const; // FOU_CMD_*
export const FouAttr = {
  PORT: 1, // FOU_ATTR_PORT (be16)
  AF: 2, // FOU_ATTR_AF (u8)
  IPPROTO: 3, // FOU_ATTR_IPPROTO (u8)
  TYPE: 4, // FOU_ATTR_TYPE (u8)
} as const;
export const FouEncap = { DIRECT: 1, GUE: 2 } as const; // FOU_ENCAP_*
const ENOENT = 2;

const afOf = (family: Family): number => (family === 4 ? AF_INET : AF_INET6);

/** FOU_CMD_ADD for a GUE port: port, family, type; no ipproto (GUE carries it per packet). */
export function encodeAddGue(port: number, family: Family): Uint8Array {
  return new AttributeWriter().be16(FouAttr.PORT, port).u8(FouAttr.AF, afOf(family)).u8(FouAttr.TYPE, FouEncap.GUE).finish();
}

/** FOU_CMD_DEL: port and family select the (unbound) receiver. */
export function encodeDel(port: number, family: Family): Uint8Array {
  return new AttributeWriter().be16(FouAttr.PORT, port).u8(FouAttr.AF, afOf(family)).finish();
}

export function decodePort(attrs: Uint8Array): ObservedFouPort {
  const set = new AttributeSet(attrs, 'FOU_CMD_GET', FouAttr);
  const type = set.u8(FouAttr.TYPE);
  const fouType: FouType = type === FouEncap.GUE ? 'gue' : type === FouEncap.DIRECT ? 'direct' : 'unknown';
  return { port: set.required(FouAttr.PORT, set.be16), family: set.u8(FouAttr.AF) === AF_INET6 ? 6 : 4, type: fouType };
}

export class FouClient {
  private constructor(private readonly genl: GenlClient) {}

  /** undefined when the family is not registered (the fou module is not loaded). */
  static async open(openTransport: TransportFactory): Promise<FouClient | undefined> {
    try {
      return new FouClient(await GenlClient.open(await openTransport(NETLINK_GENERIC), FOU_GENL_NAME));
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === ENOENT) return undefined;
      throw e;
    }
  }

  async ports(): Promise<ObservedFouPort[]> {
    return (await this.genl.dump({ cmd: FouCmd.GET })).map((r) => decodePort(r.attrs));
  }

  async addGue(port: number, family: Family): Promise<void> {
    await this.genl.request({ cmd: FouCmd.ADD, attrs: encodeAddGue(port, family) });
  }

  async delete(port: number, family: Family): Promise<void> {
    await this.genl.request({ cmd: FouCmd.DEL, attrs: encodeDel(port, family) });
  }

  close(): void {
    this.genl.close();
  }
}
