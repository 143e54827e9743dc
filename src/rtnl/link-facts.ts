// Interface facts for verdicts (doctor's sync checks, the director's readiness gate): each named
// interface's flags (RTM_GETLINK, as `ip link show DEV`), and one way to read over rtnetlink where
// a refusal of the kernel is a fact to show, not a crash.
import { isKernelFailure } from '../netlink/errors.js';
import type { TransportFactory } from '../netlink/transport.js';
import { IFF_MULTICAST, IFF_RUNNING, IFF_UP, RtnlClient } from './client.js';

/** What rtnetlink says of one interface; 'missing' when there is no such link. */
export type LinkFact = { readonly up: boolean; readonly running: boolean; readonly multicast: boolean } | 'missing';

/** interface name → its state; or why links could not be read */
export type LinkFacts = Readonly<Record<string, LinkFact>> | { readonly error: string };

/**
 * `read` over a fresh rtnetlink socket, closed after; a refusal of the kernel (no socket, no
 * permission) becomes `{ error }` for the verdicts to show, anything else is thrown.
 */
export async function readOverRtnl<T>(openTransport: TransportFactory, read: (client: RtnlClient) => Promise<T>): Promise<T | { readonly error: string }> {
  let client: RtnlClient | undefined;
  try {
    client = await RtnlClient.open(openTransport);
    return await read(client);
  } catch (e) {
    if (isKernelFailure(e)) return { error: e.message };
    throw e;
  } finally {
    client?.close();
  }
}

/** The state of each interface named; the errno's name when rtnetlink cannot be used at all. */
export function readLinks(openTransport: TransportFactory, names: readonly string[]): Promise<LinkFacts> {
  return readOverRtnl(openTransport, async (client) => {
    const out: Record<string, LinkFact> = {};
    for (const name of new Set(names)) {
      const link = await client.link(name);
      out[name] = link ? { up: (link.flags & IFF_UP) !== 0, running: (link.flags & IFF_RUNNING) !== 0, multicast: (link.flags & IFF_MULTICAST) !== 0 } : 'missing';
    }
    return out;
  });
}
