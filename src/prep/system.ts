// Everything preparation touches, behind one injectable interface: sysctls, modules, rtnetlink,
// fou, IPVS sync daemons, generic netlink family lookup, and the identity of the network namespace. Netlink
// clients open lazily (a dry run of a DR plan never opens a generic netlink socket).
import { NETLINK_GENERIC } from '../netlink/constants.js';
import { NetlinkConnection } from '../netlink/connection.js';
import { NetlinkError } from '../netlink/errors.js';
import { resolveFamily } from '../netlink/genl.js';
import type { TransportFactory } from '../netlink/transport.js';
import { namespaceInodeAt } from '../host/netns.js';
import { FouClient } from './fou.js';
import type { ModuleOps } from '../host/modules.js';
import { systemModules } from '../host/modules.js';
import { RtnlClient } from '../rtnl/client.js';
import { IpvsClient } from '../ipvs/client.js';
import { fileSysctls } from '../host/sysctl.js';
import type { SysctlStore } from '../host/sysctl.js';

export type RtnlOps = Pick<RtnlClient, 'links' | 'link' | 'setLink' | 'setAlias' | 'addresses' | 'addAddress' | 'deleteAddress' | 'createGre' | 'deleteLink'>;
export type FouOps = Pick<FouClient, 'ports' | 'addGue' | 'delete'>;
/** The IPVS calls preparation makes: list, start and stop connection-sync daemons. */
export type IpvsOps = Pick<IpvsClient, 'daemons' | 'apply'>;

export interface System {
  readonly sysctl: SysctlStore;
  readonly modules: ModuleOps;
  rtnl(): Promise<RtnlOps>;
  /** undefined while the fou family is not registered */
  fou(): Promise<FouOps | undefined>;
  /** the IPVS client (ip_vs must be loaded) */
  ipvs(): Promise<IpvsOps>;
  genlFamilyExists(name: string): Promise<boolean>;
  /** the inode of this process's network namespace, as text */
  netnsId(): Promise<string>;
  close(): void;
}

export interface SystemOptions {
  readonly openTransport: TransportFactory;
  /** default /proc/sys */
  readonly procSys?: string;
  /** default /sys */
  readonly sysRoot?: string;
  readonly modules?: ModuleOps;
  /** default /proc/self/ns/net */
  readonly netnsPath?: string;
}

export function createSystem(opts: SystemOptions): System {
  const closers: (() => void)[] = [];
  let rtnl: Promise<RtnlClient> | undefined;
  let fou: FouClient | undefined;
  let ipvs: Promise<IpvsClient> | undefined;
  const track = <T extends { close(): void }>(c: T): T => (closers.push(() => c.close()), c);
  return {
    sysctl: fileSysctls(opts.procSys),
    modules: opts.modules ?? systemModules(opts.sysRoot === undefined ? {} : { sysRoot: opts.sysRoot }),
    rtnl: () => (rtnl ??= RtnlClient.open(opts.openTransport).then(track)),
    async fou() {
      // Not memoised while missing: `up` may load the module between two calls.
      if (!fou) {
        const opened = await FouClient.open(opts.openTransport);
        fou = opened && track(opened);
      }
      return fou;
    },
    ipvs: () => (ipvs ??= IpvsClient.open(opts.openTransport).then(track)),
    genlFamilyExists: (name) => genlFamilyExists(opts.openTransport, name),
    netnsId: () => namespaceInodeAt(opts.netnsPath ?? '/proc/self/ns/net'),
    close: () => closers.splice(0).forEach((c) => c()),
  };
}

async function genlFamilyExists(openTransport: TransportFactory, name: string): Promise<boolean> {
  const conn = new NetlinkConnection(await openTransport(NETLINK_GENERIC));
  try {
    await resolveFamily(conn, name);
    return true;
  } catch (e) {
    if (e instanceof NetlinkError && e.errno === 2) return false;
    throw e;
  }
  finally {
    conn.close();
  }
}
