// Reads the current state for a plan or a check: links and addresses (rtnetlink dumps), the
// sysctls involved (and the `all` partners that decide effective values), module presence and
// fou ports. Read-only; failures become SystemError naming what could not be read.
import { formatAddress } from '../ipvs/address.js';
import { AF_INET, AF_INET6 } from '../ipvs/constants.js';
import { SystemError, reasonOf } from './errors.js';
import type { Desired, LinkState, ModuleNeed, Observed, ObservedAddress, ObservedFouPort } from './model.js';
import type { StateRecord } from './state.js';
import { IFA_F_DEPRECATED, IFF_UP } from '../rtnl/client.js';
import type { IfAddress, Link } from '../rtnl/client.js';
import { maxConfPartner } from '../host/sysctl.js';
import type { SysctlValue } from '../host/sysctl.js';
import type { DaemonConfig } from '../ipvs/model.js';
import type { System } from './system.js';

export interface ObserveScope {
  readonly sysctlKeys: readonly string[];
  readonly modules: readonly ModuleNeed[];
  readonly fou: boolean;
  /** read the running sync daemons (when ip_vs is there) */
  readonly daemons?: boolean;
}

export function scopeOf(d: Desired | undefined, rec?: StateRecord): ObserveScope {
  return {
    sysctlKeys: [...(d?.sysctls.map((s) => s.key) ?? []), ...(rec?.sysctls.map((s) => s.key) ?? [])],
    modules: d?.modules ?? [],
    fou: (d?.fouPorts.length ?? 0) > 0 || (rec?.fouPorts.length ?? 0) > 0,
    ...((d?.daemons?.length ?? 0) > 0 || (rec?.daemons?.length ?? 0) > 0 ? { daemons: true } : {}),
  };
}

async function reading<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new SystemError(`cannot read ${what}: ${reasonOf(e)}`, { cause: e });
  }
}

export async function observe(sys: System, scope: ObserveScope): Promise<Observed> {
  const rtnl = await reading('the network configuration (rtnetlink)', () => sys.rtnl());
  const linkList = await reading('the interfaces', () => rtnl.links());
  const links = new Map<string, LinkState>(linkList.map((l) => [l.name, linkState(l)]));
  const addresses = toObserved(await reading('the addresses', () => rtnl.addresses()), linkList);
  const sysctls = await readSysctls(sys, scope.sysctlKeys);
  const modules = new Map<string, boolean>();
  for (const m of scope.modules) modules.set(m.name, await modulePresent(sys, m, links));
  const fouPorts = scope.fou ? await reading('the fou ports', () => fouPortsOf(sys)) : undefined;
  const daemons = scope.daemons === true ? await reading('the sync daemons', () => daemonsOf(sys)) : undefined;
  return { links, addresses, sysctls, modules, fouPorts, ...(daemons ? { daemons } : {}) };
}

const linkState = (l: Link): LinkState => ({ index: l.index, name: l.name, up: (l.flags & IFF_UP) !== 0 });

function toObserved(list: readonly IfAddress[], links: readonly Link[]): ObservedAddress[] {
  const names = new Map(links.map((l) => [l.index, l.name]));
  return list
    .filter((a) => a.family === AF_INET || a.family === AF_INET6)
    .map((a) => ({
      dev: names.get(a.index) ?? `if${a.index}`,
      index: a.index,
      family: a.family === AF_INET ? 4 : 6,
      text: formatAddress({ af: a.family === AF_INET ? AF_INET : AF_INET6, bytes: a.local }),
      prefix: a.prefix,
      ...((a.flags & IFA_F_DEPRECATED) !== 0 ? { deprecated: true } : {}),
    }));
}

/** No IPVS family (ip_vs not loaded yet) means no daemon runs. */
async function daemonsOf(sys: System): Promise<DaemonConfig[]> {
  if (!(await sys.genlFamilyExists('IPVS'))) return [];
  return (await sys.ipvs()).daemons();
}

async function readSysctls(sys: System, keys: readonly string[]): Promise<Map<string, SysctlValue | undefined>> {
  const all = new Set(keys.flatMap((k) => [k, maxConfPartner(k) ?? k]));
  const out = new Map<string, SysctlValue | undefined>();
  for (const key of all) out.set(key, await reading(`sysctl ${key}`, () => sys.sysctl.read(key)));
  return out;
}

async function modulePresent(sys: System, m: ModuleNeed, links: ReadonlyMap<string, LinkState>): Promise<boolean> {
  if (await sys.modules.isLoaded(m.name)) return true;
  if (m.marker && 'link' in m.marker) return links.has(m.marker.link);
  if (m.marker && 'genl' in m.marker) {
    const family = m.marker.genl;
    return reading(`the generic netlink family ${family}`, () => sys.genlFamilyExists(family));
  }
  return false;
}

async function fouPortsOf(sys: System): Promise<ObservedFouPort[] | undefined> {
  const fou = await sys.fou();
  return fou ? fou.ports() : undefined;
}
