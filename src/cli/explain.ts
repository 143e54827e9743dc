// One more line after ipvsadm's own when the kernel refused a command with a generic errno: the
// likely cause, read from the request and, where it takes more, from what the kernel says
// (ExplainProbes): a real server that is not unicast, link-local, or a broadcast address of a
// network of this host; thresholds the wrong way round; a scheduler or engine this kernel lacks;
// a missing interface; a sync daemon and real servers of the other family, which the kernel
// refuses together. Shown only when stderr is a terminal or IPVSADM_EXPLAIN=1 (Io.explain):
// 1.31's text stays as it was. Causes observed in Linux 6.1 (test/kernel/explain.test.ts).
import type { Address } from '../ipvs/address.js';
import { formatAddress } from '../ipvs/address.js';
import { AF_INET } from '../ipvs/constants.js';
import type { IpvsOperationError } from '../ipvs/errors.js';
import type { DaemonConfig, ServiceWithDestinations } from '../ipvs/model.js';
import { serviceId } from '../ipvs/vocabulary.js';
import { constants } from 'node:os';
import type { Command } from '../core/command.js';

export type ModuleProbe = (name: string) => Promise<'loaded' | 'loadable' | 'missing'>;

/** What an explanation may ask beyond the request. */
export interface ExplainProbes {
  readonly moduleState: ModuleProbe;
  /** the kernel's type of an address for this host, as `ip route get` names it (`broadcast`, `local`, ...) */
  readonly addressType?: (addr: Address) => Promise<string | undefined>;
  /** the table and the sync daemons as they are now (undefined: they could not be read) */
  readonly table?: () => Promise<{ readonly services: readonly ServiceWithDestinations[]; readonly daemons: readonly DaemonConfig[] } | undefined>;
}

const E = constants.errno;

/** Not a unicast address: unspecified, multicast, or IPv4 limited broadcast. */
function notUnicast(a: Address): boolean {
  const b = a.bytes;
  if (b.every((x) => x === 0)) return true;
  if (a.af === AF_INET) return (b[0]! & 0xf0) === 0xe0 || b.every((x) => x === 255);
  return b[0] === 0xff;
}

/** fe80::/10 */
const linkLocal = (a: Address): boolean => a.af !== AF_INET && a.bytes[0] === 0xfe && (a.bytes[1]! & 0xc0) === 0x80;

/** The likely cause of `error` for `cmd`, or undefined when there is nothing better to say. */
export async function explain(cmd: Command, error: IpvsOperationError, probes: ExplainProbes): Promise<string | undefined> {
  if ((cmd.kind === 'add-service' || cmd.kind === 'edit-service') && error.errno === E.ENOENT) {
    const { scheduler, pe } = cmd.service;
    if ((await probes.moduleState(`ip_vs_${scheduler}`)) === 'missing') return `scheduler ${scheduler} is not available: this kernel has no module ip_vs_${scheduler}`;
    if (pe && (await probes.moduleState(`ip_vs_pe_${pe}`)) === 'missing') return `persistence engine ${pe} is not available: this kernel has no module ip_vs_pe_${pe}`;
    return undefined;
  }
  if ((cmd.kind === 'add-dest' || cmd.kind === 'edit-dest') && error.errno === E.ERANGE) {
    const { lThreshold: l, uThreshold: u } = cmd.dest;
    if (l <= u) return undefined;
    const what = `the lower threshold -y ${l} is above the upper threshold ${u === 0 ? '(none given: -x 0 means no upper threshold)' : `-x ${u}`}`;
    return `${what}; give -x ${l} or more${cmd.kind === 'edit-dest' ? ' (-e sets both again: repeat -x)' : ''}`;
  }
  if ((cmd.kind === 'add-dest' || cmd.kind === 'edit-dest') && error.errno === E.EINVAL) {
    const d = cmd.dest;
    const server = formatAddress(d.addr);
    if (notUnicast(d.addr)) return `real server ${server} is not a unicast address`;
    if (linkLocal(d.addr)) return `real server ${server} is a link-local address: IPVS takes IPv6 real servers by global address only`;
    if (d.addr.af !== cmd.key.af && d.forwarding === 'tunnel') {
      const running = (await probes.table?.())?.daemons ?? [];
      if (running.length > 0) return `a sync daemon is running, and the kernel refuses real servers of the other address family than their service while one runs (their connections cannot be synced); stop it (--stop-daemon) first`;
    }
    if (d.addr.af === AF_INET && (await probes.addressType?.(d.addr)) === 'broadcast') return `real server ${server} is a broadcast address of a network on this host`;
    return undefined;
  }
  if (cmd.kind === 'start-daemon' && error.errno === E.ENODEV) return `interface ${cmd.daemon.mcastIfn || '(none given)'} does not exist in this network namespace`;
  if (cmd.kind === 'start-daemon' && error.errno === E.EINVAL) {
    const services = (await probes.table?.())?.services ?? [];
    const mixed = services.flatMap((s) => s.destinations.filter((d) => d.addr.af !== s.service.key.af).map((d) => `${formatAddress(d.addr)} of ${serviceId(s.service.key)}`));
    if (mixed.length > 0) {
      const named = mixed.length > 3 ? `${mixed.slice(0, 3).join(', ')} and ${mixed.length - 3} more` : mixed.join(', ');
      return `the kernel starts no sync daemon while real servers of the other address family than their service exist (${named}): their connections cannot be synced`;
    }
  }
  return undefined;
}
