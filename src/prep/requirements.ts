// What each mode needs, as data: Spec → Desired (pure). The facts behind it are the LVS
// conventions checked by hand in the user-mode kernel (each noted where it is used) and the kernel's
// tunnel drivers: the fallback device each module creates in every namespace.
import { confKey } from '../host/sysctl.js';
import { hostPrefix } from './model.js';
import type { AddressNeed, Desired, DirectorSpec, Family, FouNeed, ModuleNeed, RealserverSpec, Spec, SysctlNeed, TunnelNeed, Vip } from './model.js';
import type { TunnelType } from '../ipvs/vocabulary.js';
import { haDaemons, haSysctls } from './ha.js';

const IPIP: ModuleNeed = { name: 'ipip', marker: { link: 'tunl0' } };
const IP6_TUNNEL: ModuleNeed = { name: 'ip6_tunnel', marker: { link: 'ip6tnl0' } };
const FOU: ModuleNeed = { name: 'fou', marker: { genl: 'fou' } };
export const IP_VS: ModuleNeed = { name: 'ip_vs', marker: { genl: 'IPVS' } };

interface Tunnel {
  /** the fallback device the module creates; it receives every packet of its kind */
  readonly dev: string;
  readonly modules: readonly ModuleNeed[];
}

/**
 * Decapsulation per tunnel type and VIP family. GUE is fou's UDP receive port handing the inner
 * packet to the ipip (IPv4) or ip6ip6 (IPv6) handler, so it needs that module as well.
 */
export const TUNNELS: Readonly<Record<TunnelType, Readonly<Record<Family, Tunnel>>>> = {
  ipip: { 4: { dev: 'tunl0', modules: [IPIP] }, 6: { dev: 'ip6tnl0', modules: [IP6_TUNNEL] } },
  gue: { 4: { dev: 'tunl0', modules: [IPIP, FOU] }, 6: { dev: 'ip6tnl0', modules: [IP6_TUNNEL, FOU] } },
  gre: {
    4: { dev: 'gre0', modules: [{ name: 'ip_gre', marker: { link: 'gre0' } }] },
    6: { dev: 'ip6gre0', modules: [{ name: 'ip6_gre', marker: { link: 'ip6gre0' } }] },
  },
};

export function desiredState(spec: Spec): Desired {
  return spec.side === 'realserver' ? realserverNeeds(spec) : directorNeeds(spec);
}

const families = (vips: readonly Vip[]): Family[] => ([4, 6] as const).filter((f) => vips.some((v) => v.family === f));

function address(dev: string | undefined, vip: Vip): AddressNeed {
  return { dev, vip, prefix: hostPrefix(vip.family), nodad: vip.family === 6 };
}

/** ARP: answer only for addresses of the receiving interface (1), announce the best local source (2). */
function arpSysctls(devs: readonly string[]): SysctlNeed[] {
  return devs.flatMap((d) => [
    { key: confKey(4, d, 'arp_ignore'), value: 1 },
    { key: confKey(4, d, 'arp_announce'), value: 2 },
  ]);
}

function realserverNeeds(spec: RealserverSpec): Desired {
  const fams = families(spec.vips);
  const v4 = fams.includes(4);
  const userDev = spec.dev === undefined ? [] : [spec.dev];
  const base = { spec, exclusiveVips: true, devices: unique(['lo', ...userDev]) };
  if (spec.mode === 'dr') {
    return {
      ...base,
      modules: [],
      sysctls: v4 ? orderSysctls(arpSysctls(['all', 'lo', ...userDev])) : [],
      links: ['lo'],
      addresses: spec.vips.map((v) => address('lo', v)),
      fouPorts: [],
    };
  }
  const created = csumTunnels(spec);
  // With checksums, the VIPs go on the created device; the module's fallback device cannot expect them.
  const tunnel = (f: Family): Tunnel => {
    const own = created.find((t) => t.local.family === f);
    const base = TUNNELS[spec.tunType][f];
    return own ? { ...base, dev: own.dev } : base;
  };
  // rp_filter: decapsulated packets arrive on the tunnel device with the client's source, which
  // routes out another interface; the kernel uses max(all, dev), and default covers a device the
  // module creates in namespaces made later.
  const rpFilter = v4 ? ['all', 'default', tunnel(4).dev].map((d) => ({ key: confKey(4, d, 'rp_filter'), value: 0 })) : [];
  const fouPorts: FouNeed[] = spec.tunType === 'gue' ? fams.map((family) => ({ port: spec.tunPort, family })) : [];
  return {
    ...base,
    modules: uniqueBy(fams.flatMap((f) => tunnel(f).modules), (m) => m.name),
    sysctls: orderSysctls([...(v4 ? arpSysctls(['all', ...userDev]) : []), ...rpFilter]),
    links: unique(fams.map((f) => tunnel(f).dev)),
    addresses: spec.vips.map((v) => address(tunnel(v.family).dev, v)),
    fouPorts,
    ...(created.length > 0 ? { tunnels: created } : {}),
  };
}

/** Names of the devices created for GRE with checksums (IFNAMSIZ: at most 15 bytes). */
export const CSUM_TUNNEL_DEV: Readonly<Record<Family, string>> = { 4: 'lvsgre', 6: 'lvsgre6' };

function csumTunnels(spec: RealserverSpec): TunnelNeed[] {
  if (spec.tunType !== 'gre' || !spec.csumLocals) return [];
  return spec.csumLocals.map((local) => ({ dev: CSUM_TUNNEL_DEV[local.family], type: local.family === 4 ? 'gre' : 'ip6gre', local }));
}

function directorNeeds(spec: DirectorSpec): Desired {
  const fams = families(spec.vips);
  const sysctls: SysctlNeed[] = [];
  if (spec.mode === 'nat') {
    // Replies from the real servers are forwarded (and un-NATed) by the director.
    if (fams.length === 0 || fams.includes(4)) {
      sysctls.push({ key: 'net/ipv4/ip_forward', value: 1 });
      // A one-armed director (clients and real servers behind one interface) would otherwise send
      // the real servers ICMP redirects to the client, and their replies would skip the un-NAT.
      // The kernel ORs all and the device, so both must be 0.
      for (const d of ['all', ...(spec.dev === undefined ? [] : [spec.dev])]) sysctls.push({ key: confKey(4, d, 'send_redirects'), value: 0 });
    }
    if (fams.includes(6)) sysctls.push({ key: 'net/ipv6/conf/all/forwarding', value: 1 });
  }
  const dev = spec.dev;
  const daemons = spec.ha ? haDaemons(spec.ha) : [];
  // the sync interface must exist; it is not ours to bring up (check reports it when down)
  const syncDev = spec.ha?.sync ? [spec.ha.sync.mcastIfn] : [];
  return {
    spec,
    exclusiveVips: false,
    devices: unique([...(dev === undefined ? [] : [dev]), ...syncDev]),
    modules: [IP_VS],
    sysctls: [...sysctls, ...(spec.ha ? haSysctls(spec.ha) : [])],
    links: dev === undefined ? [] : [dev],
    addresses: spec.vips.map((v) => address(dev, v)),
    fouPorts: [],
    ...(daemons.length > 0 ? { daemons } : {}),
  };
}

/** all first, then default, then devices in first-mention order; duplicates dropped. */
function orderSysctls(list: readonly SysctlNeed[]): SysctlNeed[] {
  const rank = (key: string): number => (/\/conf\/all\//.test(key) ? 0 : /\/conf\/default\//.test(key) ? 1 : 2);
  return uniqueBy(list, (s) => s.key)
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s.key) - rank(b.s.key) || a.i - b.i)
    .map(({ s }) => s);
}

function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}

function uniqueBy<T>(list: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((t) => !seen.has(key(t)) && (seen.add(key(t)), true));
}
