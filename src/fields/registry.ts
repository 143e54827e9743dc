// The field registry: each setting of a service, a real server, a sync daemon and the timeouts
// described once — the netlink attribute, the 1.31 option, the listing's word or column, the
// JSON key, the save option, how apply compares it and the metric that carries it.
import type { DaemonConfig, DestinationConfig, ServiceConfig, Timeouts } from '../ipvs/model.js';
import { TUNNEL_PARTS } from './words.js';
import { sameAddress, sameList } from './spec.js';
import type { Registry } from './spec.js';

const tunnels = (d: DestinationConfig): boolean => d.forwarding === 'tunnel';
const tunnelPart = (part: 'port' | 'checksum') => (d: DestinationConfig): boolean =>
  tunnels(d) && typeof d.tunnelType === 'string' && TUNNEL_PARTS[d.tunnelType][part];

export const SERVICE_FIELDS = {
  key: { attribute: 'IPVS_SVC_ATTR_AF, PROTOCOL, ADDR, PORT or FWMARK', option: '-t|-u|--sctp-service|-f', text: null, json: 'protocol, address, family, port or fwmark', save: '-t|-u|--sctp-service|-f', apply: { notCompared: 'the identity of the service' }, metric: 'service' },
  scheduler: { attribute: 'IPVS_SVC_ATTR_SCHED_NAME', option: '-s', text: 'scheduler', json: 'scheduler', save: '-s', apply: { label: 'scheduler' }, metric: 'scheduler' },
  schedFlags: { attribute: 'IPVS_SVC_ATTR_FLAGS', option: '-b', text: '(flags)', json: 'schedulerFlags', save: '-b', apply: { label: 'scheduler flags', equal: sameList }, metric: null },
  unnamedFlags: { attribute: 'IPVS_SVC_ATTR_FLAGS', option: null, text: null, json: 'flags', save: null, apply: { notCompared: 'bits no input of ours sets' }, metric: null },
  persistent: { attribute: 'IPVS_SVC_ATTR_FLAGS', option: '-p', text: 'persistent', json: 'persistence', save: '-p', apply: { label: 'persistence' }, metric: null },
  timeout: { attribute: 'IPVS_SVC_ATTR_TIMEOUT', option: '-p', text: 'persistent', json: 'persistence.timeout', save: '-p', apply: { label: 'persistence', relevant: (s) => s.persistent }, metric: null },
  netmask: { attribute: 'IPVS_SVC_ATTR_NETMASK', option: '-M', text: 'mask', json: 'persistence.netmask', save: '-M', apply: { label: 'persistence', relevant: (s) => s.persistent }, metric: null },
  onePacket: { attribute: 'IPVS_SVC_ATTR_FLAGS', option: '-o', text: 'ops', json: 'onePacket', save: '-o', apply: { label: 'one-packet' }, metric: null },
  pe: { attribute: 'IPVS_SVC_ATTR_PE_NAME', option: '--pe', text: 'pe', json: 'pe', save: '--pe', apply: { label: 'pe' }, metric: null },
} as const satisfies Registry<ServiceConfig>;

export const DESTINATION_FIELDS = {
  addr: { attribute: 'IPVS_DEST_ATTR_ADDR_FAMILY, ADDR', option: '-r', text: 'RemoteAddress', json: 'address, family', save: '-r', apply: { notCompared: 'the identity of the real server' }, metric: 'server_address' },
  port: { attribute: 'IPVS_DEST_ATTR_PORT', option: '-r', text: 'RemoteAddress', json: 'port', save: '-r', apply: { notCompared: 'the identity of the real server' }, metric: 'server_port' },
  forwarding: { attribute: 'IPVS_DEST_ATTR_FWD_METHOD', option: '-g|-i|-m', text: 'Forward', json: 'forwarding', save: '-g|-i|-m', apply: { label: 'forwarding' }, metric: 'forwarding' },
  weight: { attribute: 'IPVS_DEST_ATTR_WEIGHT', option: '-w', text: 'Weight', json: 'weight', save: '-w', apply: { label: 'weight' }, metric: 'ipvs_destination_weight' },
  uThreshold: { attribute: 'IPVS_DEST_ATTR_U_THRESH', option: '-x', text: 'UThreshold', json: 'upperThreshold', save: null, apply: { label: 'upper threshold' }, metric: 'ipvs_destination_upper_threshold' },
  lThreshold: { attribute: 'IPVS_DEST_ATTR_L_THRESH', option: '-y', text: 'LThreshold', json: 'lowerThreshold', save: null, apply: { label: 'lower threshold' }, metric: 'ipvs_destination_lower_threshold' },
  tunnelType: { attribute: 'IPVS_DEST_ATTR_TUN_TYPE', option: '--tun-type', text: 'TunnelInfo', json: 'tunnel.type', save: '--tun-type', apply: { label: 'tunnel', relevant: tunnels }, metric: 'tunnel' },
  tunnelPort: { attribute: 'IPVS_DEST_ATTR_TUN_PORT', option: '--tun-port', text: 'TunnelInfo', json: 'tunnel.port', save: '--tun-port', apply: { label: 'tunnel', relevant: tunnelPart('port') }, metric: null },
  checksum: { attribute: 'IPVS_DEST_ATTR_TUN_FLAGS', option: '--tun-nocsum|--tun-csum|--tun-remcsum', text: 'TunnelInfo', json: 'tunnel.checksum', save: '--tun-nocsum|--tun-csum|--tun-remcsum', apply: { label: 'tunnel', relevant: tunnelPart('checksum') }, metric: null },
} as const satisfies Registry<DestinationConfig>;

/** Optional settings of a daemon are compared only where the file gives them. */
const given = (k: keyof DaemonConfig) => (d: DaemonConfig): boolean => d[k] !== undefined;

export const DAEMON_FIELDS = {
  state: { attribute: 'IPVS_DAEMON_ATTR_STATE', option: '--start-daemon', text: 'master|backup', json: 'state', save: null, apply: { notCompared: 'the identity of the daemon' }, metric: null },
  mcastIfn: { attribute: 'IPVS_DAEMON_ATTR_MCAST_IFN', option: '--mcast-interface', text: 'mcast', json: 'interface', save: null, apply: { label: 'interface' }, metric: null },
  syncId: { attribute: 'IPVS_DAEMON_ATTR_SYNC_ID', option: '--syncid', text: 'syncid', json: 'syncId', save: null, apply: { label: 'sync id' }, metric: null },
  syncMaxlen: { attribute: 'IPVS_DAEMON_ATTR_SYNC_MAXLEN', option: '--sync-maxlen', text: 'maxlen', json: 'syncMaxlen', save: null, apply: { label: 'maximum length', wanted: given('syncMaxlen') }, metric: null },
  mcastGroup: { attribute: 'IPVS_DAEMON_ATTR_MCAST_GROUP, MCAST_GROUP6', option: '--mcast-group', text: 'group', json: 'group', save: null, apply: { label: 'group', equal: sameAddress, wanted: given('mcastGroup') }, metric: null },
  mcastPort: { attribute: 'IPVS_DAEMON_ATTR_MCAST_PORT', option: '--mcast-port', text: 'port', json: 'port', save: null, apply: { label: 'port', wanted: given('mcastPort') }, metric: null },
  mcastTtl: { attribute: 'IPVS_DAEMON_ATTR_MCAST_TTL', option: '--mcast-ttl', text: 'ttl', json: 'ttl', save: null, apply: { label: 'ttl', wanted: given('mcastTtl') }, metric: null },
} as const satisfies Registry<DaemonConfig>;

/** A timeout of 0 in a file keeps the kernel's, as --set does. */
const set = (k: keyof Timeouts) => (t: Timeouts): boolean => t[k] !== 0;

export const TIMEOUT_FIELDS = {
  tcp: { attribute: 'IPVS_CMD_ATTR_TIMEOUT_TCP', option: '--set', text: 'tcp', json: 'tcp', save: null, apply: { label: 'tcp', wanted: set('tcp') }, metric: 'tcp' },
  tcpFin: { attribute: 'IPVS_CMD_ATTR_TIMEOUT_TCP_FIN', option: '--set', text: 'tcpfin', json: 'tcpFin', save: null, apply: { label: 'tcp fin', wanted: set('tcpFin') }, metric: 'tcpfin' },
  udp: { attribute: 'IPVS_CMD_ATTR_TIMEOUT_UDP', option: '--set', text: 'udp', json: 'udp', save: null, apply: { label: 'udp', wanted: set('udp') }, metric: 'udp' },
} as const satisfies Registry<Timeouts>;
