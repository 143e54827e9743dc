// The state ipvsadm fills while it reads options (its `ipvs_command_entry`), with the defaults
// 1.31 sets before reading them, and one handler per option that validates its value in argv order.
// A handler sees the state as it is at that point of argv: -r takes the service's protocol and
// port known so far, -M the family known so far.
import type { Address } from '../ipvs/address.js';
import { AF_INET, AF_INET6, FwdMethod, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SvcFlag, TunFlag, TunType } from '../ipvs/constants.js';
import type { AddressFamily } from '../ipvs/address.js';
import type { Timeouts } from '../ipvs/model.js';
import type { CommandName, OptionName } from './matrix.js';
import type { NameResolver } from '../app/io.js';
import type { ValueOptionId } from './option-table.js';
import { andThen, ipv6WithoutMark, parseServerAddress, parseVirtualAddress } from './reference.js';
import {
  INT_MAX,
  parseFwmark,
  parseMcastGroup,
  parseNetmask,
  parsePersistence,
  parseRanged,
  parseTunType,
  truncateBytes,
} from './values.js';

export interface ServiceFields {
  af: AddressFamily;
  protocol: number;
  addr: Address | undefined;
  port: number;
  /** 0 = not a fwmark service */
  fwmark: number;
  scheduler: string;
  flags: number;
  timeout: number;
  /** IPv4: host-order u32 mask; IPv6: prefix length */
  netmask: number;
  pe: string;
}

export interface DestFields {
  addr: Address | undefined;
  port: number;
  fwdMethod: number;
  weight: number;
  uThreshold: number;
  lThreshold: number;
  tunType: number;
  tunPort: number;
  tunFlags: number;
}

export interface DaemonFields {
  state: number;
  ifn: string;
  syncId: number;
  syncMaxlen: number | undefined;
  mcastGroup: Address | undefined;
  mcastPort: number | undefined;
  mcastTtl: number | undefined;
}

export interface ParseState {
  readonly command: CommandName;
  /** tracked options seen so far (matrix names) */
  readonly present: Set<OptionName>;
  readonly svc: ServiceFields;
  readonly dest: DestFields;
  readonly daemon: DaemonFields;
  /** the raw `-b` text, parsed once every option is known (it depends on the final scheduler) */
  schedFlags: string;
  /** the three `--set` values, read from the positional words after the options */
  timeouts: Timeouts | undefined;
  /** --json (ours): the listing as JSON */
  json: boolean;
}

/** IPv4 default persistence mask 255.255.255.255, and the IPv6 one (a prefix length). */
export const NETMASK_V4_ALL = 0xffffffff;
export const NETMASK_V6_ALL = 128;

/** The entry as ipvsadm initialises it before reading options: weight 1, DR, ipip, mask /32. */
export function initialState(command: CommandName, daemonState = 0): ParseState {
  return {
    command,
    present: new Set(),
    svc: {
      af: AF_INET,
      protocol: 0,
      addr: undefined,
      port: 0,
      fwmark: 0,
      scheduler: '',
      flags: 0,
      timeout: 0,
      netmask: NETMASK_V4_ALL,
      pe: '',
    },
    dest: {
      addr: undefined,
      port: 0,
      fwdMethod: FwdMethod.DROUTE,
      weight: 1,
      uThreshold: 0,
      lThreshold: 0,
      tunType: TunType.IPIP,
      tunPort: 0,
      tunFlags: TunFlag.NOCSUM,
    },
    daemon: {
      state: daemonState,
      ifn: '',
      syncId: 0,
      syncMaxlen: undefined,
      mcastGroup: undefined,
      mcastPort: undefined,
      mcastTtl: undefined,
    },
    schedFlags: '',
    timeouts: undefined,
    json: false,
  };
}

type Handler = (s: ParseState, arg: string | undefined, names: NameResolver) => void | Promise<void>;

const text = (arg: string | undefined): string => arg ?? '';

/** -t/-u/--sctp-service: the protocol is set first; an IPv6 address resets the netmask. */
function serviceAddress(protocol: number): Handler {
  return (s, arg, names) => {
    s.svc.protocol = protocol;
    return andThen(parseVirtualAddress(text(arg), protocol, names), (hp) => {
      s.svc.af = hp.af;
      s.svc.addr = hp.addr;
      if (hp.port !== undefined) s.svc.port = hp.port;
      if (hp.af === AF_INET6) s.svc.netmask = NETMASK_V6_ALL;
    });
  };
}

/** -r: parsed with the service's protocol and port as known at this point of argv (a later -t does not change it). */
const realServer: Handler = (s, arg, names) =>
  andThen(parseServerAddress(text(arg), s.svc.protocol, s.svc.port, names), (server) => {
    s.dest.addr = server.addr;
    s.dest.port = server.port;
  });

const fwmarkService: Handler = (s, arg) => {
  // ipvsadm sets a family and a protocol even though a fwmark service uses neither.
  s.svc.af = AF_INET;
  s.svc.protocol = IPPROTO_TCP;
  s.svc.fwmark = parseFwmark(text(arg));
};

const ipv6: Handler = (s) => {
  if (s.svc.fwmark === 0) throw ipv6WithoutMark();
  s.svc.af = AF_INET6;
  s.svc.netmask = NETMASK_V6_ALL;
};

const ranged =
  (set: (s: ParseState, v: number) => void, min: number, max: number, message: string): Handler =>
  (s, arg) =>
    set(s, parseRanged(text(arg), min, max, message));

const flagOnly: Handler = () => undefined;

/** What each non-command option does to the entry (tracking is done by the caller). */
export const OPTION_HANDLERS = {
  'tcp-service': serviceAddress(IPPROTO_TCP),
  'udp-service': serviceAddress(IPPROTO_UDP),
  'sctp-service': serviceAddress(IPPROTO_SCTP),
  'fwmark-service': fwmarkService,
  scheduler: (s, arg) => void (s.svc.scheduler = truncateBytes(text(arg), 15)),
  persistent: (s, arg) => {
    s.svc.flags |= SvcFlag.PERSISTENT;
    s.svc.timeout = parsePersistence(arg);
  },
  netmask: async (s, arg, names) => void (s.svc.netmask = await parseNetmask(text(arg), s.svc.af, names)),
  'real-server': realServer,
  masquerading: (s) => void (s.dest.fwdMethod = FwdMethod.MASQ),
  ipip: (s) => void (s.dest.fwdMethod = FwdMethod.TUNNEL),
  gatewaying: (s) => void (s.dest.fwdMethod = FwdMethod.DROUTE),
  weight: ranged((s, v) => (s.dest.weight = v), 0, INT_MAX, 'illegal weight specified'),
  'u-threshold': ranged((s, v) => (s.dest.uThreshold = v), 0, INT_MAX, 'illegal u_threshold specified'),
  'l-threshold': ranged((s, v) => (s.dest.lThreshold = v), 0, INT_MAX, 'illegal l_threshold specified'),
  numeric: flagOnly,
  connection: flagOnly,
  'mcast-interface': (s, arg) => void (s.daemon.ifn = truncateBytes(text(arg), 15)),
  syncid: ranged((s, v) => (s.daemon.syncId = v), 0, 255, 'illegal syncid specified'),
  timeout: flagOnly,
  daemon: flagOnly,
  stats: flagOnly,
  rate: flagOnly,
  thresholds: flagOnly,
  'persistent-conn': flagOnly,
  nosort: flagOnly,
  sort: flagOnly,
  exact: flagOnly,
  ipv6,
  ops: (s) => void (s.svc.flags |= SvcFlag.ONEPACKET),
  pe: (s, arg) => void (s.svc.pe = truncateBytes(text(arg), 16)),
  'sched-flags': (s, arg) => void (s.schedFlags = text(arg)),
  'mcast-group': (s, arg) => void (s.daemon.mcastGroup = parseMcastGroup(text(arg))),
  'mcast-port': ranged((s, v) => (s.daemon.mcastPort = v), 1, 65535, 'illegal mcast-port specified'),
  'mcast-ttl': ranged((s, v) => (s.daemon.mcastTtl = v), 1, 255, 'illegal mcast-ttl specified'),
  // 65535 minus the IP (20) and UDP (8) headers.
  'sync-maxlen': ranged((s, v) => (s.daemon.syncMaxlen = v), 1, 65507, 'illegal sync-maxlen specified'),
  'tun-info': flagOnly,
  json: (s) => void (s.json = true),
  'tun-type': (s, arg) => void (s.dest.tunType = parseTunType(text(arg))),
  'tun-port': ranged((s, v) => (s.dest.tunPort = v), 1, 65535, 'illegal tunnel port specified'),
  'tun-nocsum': (s) => void (s.dest.tunFlags |= TunFlag.NOCSUM),
  'tun-csum': (s) => void (s.dest.tunFlags |= TunFlag.CSUM),
  'tun-remcsum': (s) => void (s.dest.tunFlags |= TunFlag.REMCSUM),
} satisfies Record<ValueOptionId, Handler>;
