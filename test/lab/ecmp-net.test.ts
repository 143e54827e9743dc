// The ECMP fleet's network and BIRD configurations as text: next hops read from ip(8)'s route
// listings (one path and several), every address and namespace of a layout distinct, the router's
// BGP sessions one per director with the fleet's VIPs accepted, and each director announcing them.
import { describe, expect, it } from 'vitest';
import { directorBirdConfig, routerBirdConfig, VIP_PROTOCOL } from '../../src/lab/ha/bird.js';
import { ECMP_NET, fleetCommands, fleetLayout, parseNextHops } from '../../src/lab/ha/ecmp-net.js';

describe('parseNextHops', () => {
  it('reads a multipath route, a single path and no route', () => {
    const multi = '192.0.2.10 proto bird metric 32 \n\tnexthop via 198.18.0.13 dev eth0 weight 1 \n\tnexthop via 198.18.0.11 dev eth0 weight 1 \n';
    expect(parseNextHops(multi)).toEqual(['198.18.0.11', '198.18.0.13']);
    expect(parseNextHops('192.0.2.10 via 198.18.0.12 dev eth0 proto bird metric 32 \n')).toEqual(['198.18.0.12']);
    expect(parseNextHops('')).toEqual([]);
  });
});

describe('fleetLayout and fleetCommands', () => {
  it('gives every host its own namespace and address, each added once', () => {
    const layout = fleetLayout(3, 3);
    const hosts = [...layout.directors, ...layout.servers];
    expect(new Set(hosts.map((h) => h.name)).size).toBe(6);
    const addrs = [ECMP_NET.router.addr, ...hosts.map((h) => h.addr)];
    expect(new Set(addrs).size).toBe(7);
    const cmds = fleetCommands(layout);
    for (const a of addrs) expect(cmds.filter((c) => c.includes(` ${a}/24 `))).toHaveLength(1);
    // veth names have at most 15 characters (IFNAMSIZ - 1)
    for (const m of cmds.join('\n').matchAll(/ip link add (\S+)/g)) expect(m[1]!.length).toBeLessThanOrEqual(15);
  });
});

describe('BIRD configurations', () => {
  const peers = [1, 2].map((i) => ECMP_NET.director(i));
  it('the router has one session per director and merges their paths', () => {
    const text = routerBirdConfig(ECMP_NET.router, peers, ['192.0.2.10', '192.0.2.11']);
    expect(text.match(/^protocol bgp \S+ from director \{ neighbor (\S+) as (\d+); \}$/gm)).toEqual([
      `protocol bgp d1 from director { neighbor ${peers[0]!.addr} as ${peers[0]!.asn}; }`,
      `protocol bgp d2 from director { neighbor ${peers[1]!.addr} as ${peers[1]!.asn}; }`,
    ]);
    expect(text).toContain('merge paths on;');
    expect(text).toContain('import where net ~ [ 192.0.2.10/32, 192.0.2.11/32 ]');
  });

  it('a director announces its VIPs from the protocol the health gate toggles', () => {
    const text = directorBirdConfig(peers[0]!, ECMP_NET.router, ['192.0.2.10']);
    expect(text).toContain(`protocol static ${VIP_PROTOCOL} {`);
    expect(text).toContain('route 192.0.2.10/32 blackhole;');
    expect(text).toContain(`neighbor ${ECMP_NET.router.addr} as ${ECMP_NET.router.asn};`);
    expect(text).toContain(`export where proto = "${VIP_PROTOCOL}";`);
  });
});
