// The facts of doctor's sync-interface verdicts: each named interface's flags (RTM_GETLINK),
// read over rtnetlink as `ip link show DEV` does.
import { isKernelFailure } from '../netlink/errors.js';
import type { TransportFactory } from '../netlink/transport.js';
import { IFF_MULTICAST, IFF_RUNNING, IFF_UP, RtnlClient } from '../rtnl/client.js';
import type { LinkFact, LinkFacts } from './sync.js';

/** The state of each interface named; the errno's name when rtnetlink cannot be used at all. */
export async function readLinks(openTransport: TransportFactory, names: readonly string[]): Promise<LinkFacts> {
  let client: RtnlClient | undefined;
  try {
    client = await RtnlClient.open(openTransport);
    const out: Record<string, LinkFact> = {};
    for (const name of new Set(names)) {
      const link = await client.link(name);
      out[name] = link ? { up: (link.flags & IFF_UP) !== 0, running: (link.flags & IFF_RUNNING) !== 0, multicast: (link.flags & IFF_MULTICAST) !== 0 } : 'missing';
    }
    return out;
  } catch (e) {
    if (isKernelFailure(e)) return { error: e.message };
    throw e;
  } finally {
    client?.close();
  }
}
