// BIRD 2 configurations of an ECMP fleet: the router learns a VIP/32 from every director by eBGP and
// installs one multipath kernel route; each director announces the VIP from a static protocol that
// a health gate can disable (`birdc -s SOCK disable vip`) to withdraw the route.

/** A BGP speaker: its address (also its router ID) and its AS number. */
export interface BgpPeer {
  readonly addr: string;
  readonly asn: number;
}

/**
 * Short timers: a lost session is noticed in 3 s rather than BGP's default 4 minutes, and one that
 * ended in an error (a hold timer expiry) is tried again after 1 s rather than BIRD's default 60.
 */
const TIMERS = ['hold time 3;', 'keepalive time 1;', 'connect retry time 1;', 'connect delay time 1;', 'error wait time 1, 5;'];

/** Name of the director's static protocol that carries the VIP (what the health gate toggles). */
export const VIP_PROTOCOL = 'vip';

const indent = (lines: readonly string[], by = '  '): string[] => lines.map((l) => `${by}${l}`);

/**
 * The router: every learned VIP/32 (only the fleet's VIPs are accepted) goes into the kernel, with
 * the equal routes of several directors merged into one ECMP route.
 */
export function routerBirdConfig(router: BgpPeer, directors: readonly BgpPeer[], vips: readonly string[]): string {
  const accept = vips.map((v) => `${v}/32`).join(', ');
  return [
    `router id ${router.addr};`,
    'protocol device { scan time 1; }',
    'protocol kernel {',
    '  ipv4 { import none; export all; };',
    '  merge paths on;',
    '}',
    'template bgp director {',
    ...indent([`local ${router.addr} as ${router.asn};`, ...TIMERS]),
    `  ipv4 { import where net ~ [ ${accept} ]; export none; };`,
    '}',
    ...directors.map((d, i) => `protocol bgp d${i + 1} from director { neighbor ${d.addr} as ${d.asn}; }`),
    '',
  ].join('\n');
}

/** A director: announces its VIPs to the router (next hop: itself) and learns nothing. */
export function directorBirdConfig(director: BgpPeer, router: BgpPeer, vips: readonly string[]): string {
  return [
    `router id ${director.addr};`,
    'protocol device { scan time 1; }',
    `protocol static ${VIP_PROTOCOL} {`,
    '  ipv4;',
    ...vips.map((v) => `  route ${v}/32 blackhole;`),
    '}',
    'protocol bgp uplink {',
    ...indent([`local ${director.addr} as ${director.asn};`, `neighbor ${router.addr} as ${router.asn};`, ...TIMERS]),
    `  ipv4 { import none; export where proto = "${VIP_PROTOCOL}"; };`,
    '}',
    '',
  ].join('\n');
}
