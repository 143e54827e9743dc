// The checks ipvsadm 1.31 makes after the option matrix (all exit 2) and the construction of the
// typed Command from the parsed entry with 1.31's defaults (wlc, eth0, DR/TUN port forcing).
import { ipv4 } from '../ipvs/address.js';
import { IPPROTO_UDP } from '../ipvs/constants.js';
import type { DaemonConfig, DaemonRole, DestinationConfig, ServiceConfig, ServiceKey } from '../ipvs/model.js';
import { decodeChecksum, decodeDaemonRoles, decodeForwarding, decodeServiceFlags, decodeTunnelType } from '../ipvs/value-codec.js';
import type { Command, ListOptions } from './command.js';
import { fail } from './errors.js';
import { checkTunnelOptions } from './matrix.js';
import type { CommandName } from './matrix.js';
import type { ParseState } from './parse-state.js';

/** ipvsadm's default scheduler and sync-daemon interface. */
export const DEFAULT_SCHEDULER = 'wlc';
export const DEFAULT_MCAST_IFN = 'eth0';

function serviceKey(s: ParseState): ServiceKey {
  const { af, fwmark, protocol, port } = s.svc;
  if (fwmark !== 0) return { kind: 'fwmark', af, fwmark };
  // The matrix makes -t/-u/--sctp-service/-f required wherever a key is built.
  return { kind: 'addr', af, protocol, addr: s.svc.addr ?? ipv4([0, 0, 0, 0]), port };
}

/** -A/-E: zero port without persistence, -o only for UDP, then the default scheduler. */
function serviceConfig(s: ParseState): ServiceConfig {
  const { fwmark, port, protocol } = s.svc;
  const flags = decodeServiceFlags(s.svc.flags);
  if (fwmark === 0 && port === 0 && !flags.persistent) {
    throw fail('Zero port specified for non-persistent service');
  }
  if (flags.onePacket && fwmark === 0 && protocol !== IPPROTO_UDP) {
    throw fail('One-Packet Scheduling is only for UDP virtual services');
  }
  const { scheduler, timeout, netmask, pe } = s.svc;
  return { key: serviceKey(s), scheduler: scheduler || DEFAULT_SCHEDULER, ...flags, timeout, netmask, pe };
}

function destination(s: ParseState): DestinationConfig {
  const d = s.dest;
  return {
    addr: d.addr ?? ipv4([0, 0, 0, 0]),
    port: d.port,
    forwarding: decodeForwarding(d.fwdMethod),
    weight: d.weight,
    uThreshold: d.uThreshold,
    lThreshold: d.lThreshold,
    tunnelType: decodeTunnelType(d.tunType),
    tunnelPort: d.tunPort,
    checksum: decodeChecksum(d.tunFlags),
  };
}

const TUNNEL_OPTION_NAMES = ['tun-type', 'tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum'] as const;

/** -a/-e only (not -d): forced port, family and tunnel checks. */
function checkedDestination(s: ParseState): DestinationConfig {
  const { dest, svc } = s;
  const forwarding = decodeForwarding(dest.fwdMethod);
  const tunnel = forwarding === 'tunnel';
  // DR and TUN cannot change the port, so ipvsadm silently uses the virtual port.
  if (svc.fwmark === 0 && (tunnel || forwarding === 'route')) dest.port = svc.port;
  if (dest.addr !== undefined && dest.addr.af !== svc.af && !tunnel) {
    throw fail('Different address family is allowed only for tunneling servers');
  }
  if (!tunnel && TUNNEL_OPTION_NAMES.some((o) => s.present.has(o))) {
    throw fail('Tunnel options conflict with forward method');
  }
  const type = decodeTunnelType(dest.tunType);
  checkTunnelOptions(typeof type === 'string' ? type : 'ipip', s.present);
  return destination(s);
}

function listOptions(s: ParseState): ListOptions {
  const has = (o: Parameters<typeof s.present.has>[0]): boolean => s.present.has(o);
  return {
    numeric: has('numeric'),
    exact: has('exact'),
    nosort: has('nosort'),
    stats: has('stats'),
    rate: has('rate'),
    thresholds: has('thresholds'),
    persistentConn: has('persistent-conn'),
    tunInfo: has('tun-info'),
  };
}

/** -L's option conflicts, then the listing variant: -c, a service, --timeout, --daemon, or everything. */
function listCommand(s: ParseState): Command {
  const has = (o: Parameters<typeof s.present.has>[0]): boolean => s.present.has(o);
  const special = has('connection') || has('timeout') || has('daemon');
  const columns = has('stats') || has('rate') || has('thresholds');
  if ((special && columns) || ((has('timeout') || has('daemon')) && has('persistent-conn'))) {
    throw fail('options conflicts in the list command');
  }
  const options = listOptions(s);
  if (has('connection')) {
    return { kind: 'list-connections', numeric: options.numeric, persistentConn: options.persistentConn };
  }
  if (has('service-address')) return { kind: 'list', key: serviceKey(s), options };
  if (has('timeout')) return { kind: 'list-timeouts' };
  if (has('daemon')) return { kind: 'list-daemons' };
  return { kind: 'list', options };
}

/**
 * -Z with a service whose fwmark, address and port are all zero (`-t 0.0.0.0:0`) zeroes every
 * service, as libipvs then sends no service attribute at all.
 */
function zeroCommand(s: ParseState): Command {
  if (!s.present.has('service-address')) return { kind: 'zero' };
  const key = serviceKey(s);
  if (key.kind === 'addr' && key.port === 0 && key.addr.bytes.every((b) => b === 0)) return { kind: 'zero' };
  return { kind: 'zero', key };
}

/** The role --start-daemon/--stop-daemon named (parseDaemonState gives exactly one). */
const daemonRole = (s: ParseState): DaemonRole => decodeDaemonRoles(s.daemon.state)[0] ?? 'master';

function startDaemon(s: ParseState): DaemonConfig {
  const d = s.daemon;
  return {
    state: daemonRole(s),
    mcastIfn: d.ifn || DEFAULT_MCAST_IFN,
    syncId: d.syncId,
    ...(d.syncMaxlen !== undefined ? { syncMaxlen: d.syncMaxlen } : {}),
    ...(d.mcastGroup !== undefined ? { mcastGroup: d.mcastGroup } : {}),
    ...(d.mcastPort !== undefined ? { mcastPort: d.mcastPort } : {}),
    ...(d.mcastTtl !== undefined ? { mcastTtl: d.mcastTtl } : {}),
  };
}

const BUILDERS = {
  'add-service': (s) => ({ kind: 'add-service', service: serviceConfig(s) }),
  'edit-service': (s) => ({ kind: 'edit-service', service: serviceConfig(s) }),
  'delete-service': (s) => ({ kind: 'delete-service', key: serviceKey(s) }),
  flush: () => ({ kind: 'flush' }),
  list: listCommand,
  'add-server': (s) => ({ kind: 'add-dest', key: serviceKey(s), dest: checkedDestination(s) }),
  'delete-server': (s) => ({ kind: 'delete-dest', key: serviceKey(s), dest: destination(s) }),
  'edit-server': (s) => ({ kind: 'edit-dest', key: serviceKey(s), dest: checkedDestination(s) }),
  set: (s) => ({ kind: 'set-timeouts', timeouts: s.timeouts ?? { tcp: 0, tcpFin: 0, udp: 0 } }),
  'start-daemon': (s) => ({ kind: 'start-daemon', daemon: startDaemon(s) }),
  'stop-daemon': (s) => ({ kind: 'stop-daemon', state: daemonRole(s), syncId: s.daemon.syncId }),
  restore: () => ({ kind: 'restore' }),
  save: (s) => ({ kind: 'save', numeric: s.present.has('numeric') }),
  zero: zeroCommand,
} satisfies Record<CommandName, (s: ParseState) => Command>;

/** Runs ipvsadm's post-matrix checks and returns the Command (throws UsageError, exit 2). */
export function buildCommand(s: ParseState): Command {
  return BUILDERS[s.command](s);
}
