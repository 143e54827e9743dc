// readLinks over a small NETLINK_ROUTE fake: each named interface asked once by RTM_GETLINK, its
// flags read as up (IFF_UP), carrier (IFF_RUNNING) and multicast (IFF_MULTICAST); ENODEV is
// 'missing'; any other refusal is the error of the whole reading.
import { describe, expect, it } from 'vitest';
import { readLinks } from '../../src/rtnl/link-facts.js';
import { FLAG, LinkKernel } from '../support/fake-links.js';

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
