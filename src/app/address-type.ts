// The kernel's type of an address for this host, as `ip route get` names it (`broadcast` for a
// network's broadcast address, `local` for one of its own, ...), through rtnetlink: what the
// explanation of a refused real server asks (cli/explain.ts). Loaded only then.
import type { Address } from '../ipvs/address.js';
import { isKernelFailure } from '../netlink/errors.js';
import type { TransportFactory } from '../netlink/transport.js';
import { RtnlClient } from '../rtnl/client.js';
import { routeTypeName } from '../rtnl/route.js';

/** The type's name; undefined when the kernel has no route or cannot be asked. */
export async function addressType(openTransport: TransportFactory, addr: Address): Promise<string | undefined> {
  let client: RtnlClient | undefined;
  try {
    client = await RtnlClient.open(openTransport);
    const r = await client.routeTo(addr.bytes);
    return 'error' in r ? undefined : routeTypeName(r.type);
  } catch (e) {
    if (isKernelFailure(e)) return undefined;
    throw e;
  } finally {
    client?.close();
  }
}
