// A tiny in-memory IPVS for the fake kernel: services and destinations keyed as ip_vs_ctl.c keys
// them, the errno choices of Linux 6.1 (ip_vs_genl_set_cmd), and replies shaped as the
// kernel sends them (no NLA_F_NESTED, FLAGS with HASHED, STATS + STATS64 with PAD). Bytes via bytes.ts.
import { IPVS, attr, attrMap, be16, cat, cstr, nestPlain, readHostU16, readHostU32, str, u16, u32, u64, u8 } from './bytes.js';
import type { ParsedAttr } from './bytes.js';
import type { Answer, FamilyModel, SeenRequest } from './fake-kernel.js';

const { CMD, CMD_ATTR, SVC, DEST, DAEMON, STATS, INFO } = IPVS;
const E = { ENOENT: 2, ESRCH: 3, ENODEV: 19, EEXIST: 17, EINVAL: 22, ERANGE: 34, EAFNOSUPPORT: 97 } as const;
const AF_INET = 2;
const AF_INET6 = 10;
const HASHED = 0x2;

/** Ten counters in IPVS_STATS_ATTR order (CONNS … OUTBPS). */
export type StatsValues = readonly bigint[];
export const ZERO: StatsValues = Array<bigint>(10).fill(0n);

export interface KService {
  af: number;
  fwmark: number;
  protocol: number;
  addr: Buffer; // 16 bytes
  port: number;
  sched: string;
  pe: string;
  flags: number;
  timeout: number;
  /** the NETMASK payload exactly as sent (IPv4 mask bytes / IPv6 host-order prefix length) */
  netmask: Buffer;
  stats: StatsValues;
  dests: Map<string, KDest>;
}
export interface KDest {
  af: number;
  addr: Buffer;
  port: number;
  fwd: number;
  weight: number;
  uThresh: number;
  lThresh: number;
  tunType: number;
  tunPort: number;
  tunFlags: number;
  active: number;
  inact: number;
  persist: number;
  stats: StatsValues;
}

const get16 = (m: Map<number, ParsedAttr>, t: number): number | undefined => {
  const a = m.get(t);
  return a && a.payload.length === 2 ? readHostU16(a.payload) : undefined;
};
const get32 = (m: Map<number, ParsedAttr>, t: number): number | undefined => {
  const a = m.get(t);
  return a && a.payload.length === 4 ? readHostU32(a.payload) : undefined;
};

/** STATS (u32 counters, u64 bytes) or STATS64 (all u64, a PAD attribute before each value). */
export function statsNest(type: number, s: StatsValues, wide: boolean): Buffer {
  const parts = s.map((v, i) => {
    const id = i + 1;
    if (wide) return cat(attr(STATS.PAD), attr(id, u64(v)));
    return id === STATS.INBYTES || id === STATS.OUTBYTES ? attr(id, u64(v)) : attr(id, u32(Number(v & 0xffffffffn)));
  });
  return nestPlain(type, ...parts);
}

/** The key string ip_vs_ctl.c hashes on: fwmark + af, or af + protocol + addr + port. */
const svcKey = (s: Pick<KService, 'af' | 'fwmark' | 'protocol' | 'addr' | 'port'>): string =>
  s.fwmark ? `f/${s.af}/${s.fwmark}` : `a/${s.af}/${s.protocol}/${s.addr.toString('hex')}/${s.port}`;
const destKey = (d: Pick<KDest, 'af' | 'addr' | 'port'>): string => `${d.af}/${d.addr.toString('hex')}/${d.port}`;

/** ip_vs_genl_parse_service: identity always, settings when `full`; an errno when it fails. */
export function parseServiceNest(nest: Uint8Array, full: boolean): KService | number {
  const m = attrMap(nest);
  const af = get16(m, SVC.AF);
  const fwmark = get32(m, SVC.FWMARK);
  const protocol = get16(m, SVC.PROTOCOL);
  const addr = m.get(SVC.ADDR)?.payload;
  const port = m.get(SVC.PORT)?.payload;
  if (af === undefined || !(fwmark !== undefined || (protocol !== undefined && addr?.length === 16 && port?.length === 2))) return E.EINVAL;
  if (af !== AF_INET && af !== AF_INET6) return E.EAFNOSUPPORT;
  const svc: KService = {
    af,
    fwmark: fwmark ?? 0,
    protocol: fwmark ? 0 : protocol!,
    addr: fwmark ? Buffer.alloc(16) : Buffer.from(addr!),
    port: fwmark ? 0 : port!.readUInt16BE(0),
    sched: '',
    pe: '',
    flags: 0,
    timeout: 0,
    netmask: Buffer.alloc(4),
    stats: ZERO,
    dests: new Map(),
  };
  if (!full) return svc;
  const sched = m.get(SVC.SCHED_NAME);
  const flags = m.get(SVC.FLAGS)?.payload;
  const timeout = get32(m, SVC.TIMEOUT);
  const netmask = m.get(SVC.NETMASK)?.payload;
  if (!sched || flags?.length !== 8 || timeout === undefined || netmask?.length !== 4) return E.EINVAL;
  const pe = m.get(SVC.PE_NAME);
  return { ...svc, sched: cstr(sched.payload), pe: pe ? cstr(pe.payload) : '', flags: readHostU32(flags) & readHostU32(flags.subarray(4)), timeout, netmask: Buffer.from(netmask) };
}

/** ip_vs_genl_parse_dest: ADDR + PORT always, the settings when `full`. af 0 = not sent. */
export function parseDestNest(nest: Uint8Array, full: boolean): KDest | number {
  const m = attrMap(nest);
  const addr = m.get(DEST.ADDR)?.payload;
  const port = m.get(DEST.PORT)?.payload;
  if (addr?.length !== 16 || port?.length !== 2) return E.EINVAL;
  const n = (t: number): number => get32(m, t) ?? 0;
  const d: KDest = {
    af: get16(m, DEST.ADDR_FAMILY) ?? 0,
    addr: Buffer.from(addr),
    port: port.readUInt16BE(0),
    fwd: n(DEST.FWD_METHOD) & 7,
    weight: n(DEST.WEIGHT),
    uThresh: n(DEST.U_THRESH),
    lThresh: n(DEST.L_THRESH),
    tunType: m.get(DEST.TUN_TYPE)?.payload[0] ?? 0,
    tunPort: m.get(DEST.TUN_PORT)?.payload.readUInt16BE(0) ?? 0,
    tunFlags: get16(m, DEST.TUN_FLAGS) ?? 0,
    active: 0,
    inact: 0,
    persist: 0,
    stats: ZERO,
  };
  if (full && [DEST.FWD_METHOD, DEST.WEIGHT, DEST.U_THRESH, DEST.L_THRESH].some((t) => !m.has(t))) return E.EINVAL;
  return d;
}

/** Which counter nests a reply carries: Linux ≥ 4.1 sends both, older kernels STATS only. */
export interface StatsShape {
  readonly stats32?: boolean;
  readonly stats64?: boolean;
}
const statsNests = (type32: number, type64: number, s: StatsValues, o: StatsShape): Buffer[] => [
  ...(o.stats32 ?? true ? [statsNest(type32, s, false)] : []),
  ...(o.stats64 ?? true ? [statsNest(type64, s, true)] : []),
];

/** The SERVICE nest of a GET_SERVICE reply, in ip_vs_genl_fill_service order. */
export function serviceReply(s: KService, shape: StatsShape = {}): Buffer {
  const id = s.fwmark
    ? [attr(SVC.FWMARK, u32(s.fwmark))]
    : [attr(SVC.PROTOCOL, u16(s.protocol)), attr(SVC.ADDR, s.addr), attr(SVC.PORT, be16(s.port))];
  return nestPlain(
    CMD_ATTR.SERVICE,
    attr(SVC.AF, u16(s.af)),
    ...id,
    attr(SVC.SCHED_NAME, str(s.sched)),
    ...(s.pe ? [attr(SVC.PE_NAME, str(s.pe))] : []),
    attr(SVC.FLAGS, cat(u32(s.flags | HASHED), u32(0xffffffff))),
    attr(SVC.TIMEOUT, u32(s.timeout)),
    attr(SVC.NETMASK, s.netmask),
    ...statsNests(SVC.STATS, SVC.STATS64, s.stats, shape),
  );
}

/** The DEST nest of a GET_DEST reply, in ip_vs_genl_fill_dest order (ADDR_FAMILY near the end). */
export function destReply(d: KDest, withFamily = true, shape: StatsShape = {}): Buffer {
  return nestPlain(
    CMD_ATTR.DEST,
    attr(DEST.ADDR, d.addr),
    attr(DEST.PORT, be16(d.port)),
    attr(DEST.FWD_METHOD, u32(d.fwd)),
    attr(DEST.WEIGHT, u32(d.weight)),
    attr(DEST.TUN_TYPE, u8(d.tunType)),
    attr(DEST.TUN_PORT, be16(d.tunPort)),
    attr(DEST.TUN_FLAGS, u16(d.tunFlags)),
    attr(DEST.U_THRESH, u32(d.uThresh)),
    attr(DEST.L_THRESH, u32(d.lThresh)),
    attr(DEST.ACTIVE_CONNS, u32(d.active)),
    attr(DEST.INACT_CONNS, u32(d.inact)),
    attr(DEST.PERSIST_CONNS, u32(d.persist)),
    ...(withFamily ? [attr(DEST.ADDR_FAMILY, u16(d.af))] : []),
    ...statsNests(DEST.STATS, DEST.STATS64, d.stats, shape),
  );
}

interface KDaemon {
  state: number;
  ifn: string;
  syncId: number;
}

/** Services, destinations, timeouts and daemons, answering like Linux 6.1's ip_vs_ctl.c. */
export class FakeIpvs implements FamilyModel {
  readonly services = new Map<string, KService>();
  readonly timeouts = { tcp: 900, tcpFin: 120, udp: 300 };
  readonly daemons: KDaemon[] = [];
  schedulers = new Set(['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh']);
  pes = new Set(['sip']);
  interfaces = new Set(['lo', 'eth0']);
  /** dump destinations as Linux does (ip_vs_add_dest() puts a new one at the head: newest first) */
  destsNewestFirst = false;

  handle(req: SeenRequest): Answer {
    const top = attrMap(req.attrs);
    const svcNest = top.get(CMD_ATTR.SERVICE)?.payload;
    switch (req.cmd) {
      case CMD.GET_INFO:
        return { replies: [{ cmd: CMD.SET_INFO, attrs: cat(attr(INFO.VERSION, u32(0x00010201)), attr(INFO.CONN_TAB_SIZE, u32(4096))) }] };
      case CMD.GET_CONFIG: {
        const t = this.timeouts;
        return { replies: [{ cmd: CMD.SET_CONFIG, attrs: cat(attr(CMD_ATTR.TIMEOUT_TCP, u32(t.tcp)), attr(CMD_ATTR.TIMEOUT_TCP_FIN, u32(t.tcpFin)), attr(CMD_ATTR.TIMEOUT_UDP, u32(t.udp))) }] };
      }
      case CMD.SET_CONFIG: {
        const v = (t: number): number => get32(top, t) ?? 0;
        this.timeouts.tcp = v(CMD_ATTR.TIMEOUT_TCP) || this.timeouts.tcp; // 0 keeps the old value
        this.timeouts.tcpFin = v(CMD_ATTR.TIMEOUT_TCP_FIN) || this.timeouts.tcpFin;
        this.timeouts.udp = v(CMD_ATTR.TIMEOUT_UDP) || this.timeouts.udp;
        return {};
      }
      case CMD.FLUSH:
        this.services.clear();
        return {};
      case CMD.GET_SERVICE: {
        if (req.dump) return { replies: [...this.services.values()].map((s) => ({ cmd: CMD.NEW_SERVICE, attrs: serviceReply(s) })) };
        const found = this.find(svcNest);
        return typeof found === 'number' ? { errno: found } : { replies: [{ cmd: CMD.NEW_SERVICE, attrs: serviceReply(found) }] };
      }
      case CMD.GET_DEST: {
        // ip_vs_genl_dump_dests: an unknown service ends the dump quietly (an empty list).
        const found = this.find(svcNest);
        const added = typeof found === 'number' ? [] : [...found.dests.values()];
        const dests = this.destsNewestFirst ? added.reverse() : added;
        return { replies: dests.map((d) => ({ cmd: CMD.NEW_DEST, attrs: destReply(d) })) };
      }
      case CMD.GET_DAEMON:
        return { replies: this.daemons.map((d) => ({ cmd: CMD.NEW_DAEMON, attrs: daemonReply(d) })) };
      case CMD.NEW_DAEMON:
      case CMD.DEL_DAEMON:
        return this.daemon(req.cmd, top.get(CMD_ATTR.DAEMON)?.payload);
      case CMD.ZERO:
        if (!svcNest) return this.zeroAll();
        break;
    }
    return this.serviceCommand(req.cmd, svcNest, top.get(CMD_ATTR.DEST)?.payload);
  }

  /** The service the nest names: the service, ESRCH when absent, or the parse errno. */
  private find(nest: Uint8Array | undefined): KService | number {
    if (!nest) return E.EINVAL;
    const key = parseServiceNest(nest, false);
    if (typeof key === 'number') return key;
    return this.services.get(svcKey(key)) ?? E.ESRCH;
  }

  /** ip_vs_genl_set_cmd for the service and destination commands. */
  private serviceCommand(cmd: number, nest: Uint8Array | undefined, destNest: Uint8Array | undefined): Answer {
    if (!nest) return { errno: E.EINVAL };
    const parsed = parseServiceNest(nest, cmd === CMD.NEW_SERVICE || cmd === CMD.SET_SERVICE);
    if (typeof parsed === 'number') return { errno: parsed };
    const svc = this.services.get(svcKey(parsed));
    if (cmd === CMD.NEW_SERVICE) {
      if (svc) return { errno: E.EEXIST };
      return this.checkService(parsed) ?? (this.services.set(svcKey(parsed), parsed), {});
    }
    if (!svc) return { errno: E.ESRCH };
    switch (cmd) {
      case CMD.SET_SERVICE:
        return this.checkService(parsed) ?? (Object.assign(svc, { ...parsed, dests: svc.dests, stats: svc.stats }), {});
      case CMD.DEL_SERVICE:
        this.services.delete(svcKey(svc));
        return {};
      case CMD.ZERO:
        svc.stats = ZERO;
        svc.dests.forEach((d) => (d.stats = ZERO));
        return {};
    }
    if (!destNest) return { errno: E.EINVAL };
    const dest = parseDestNest(destNest, cmd !== CMD.DEL_DEST);
    if (typeof dest === 'number') return { errno: dest };
    if (dest.af === 0) dest.af = svc.af; // not sent before Linux 3.18: the service's family
    if (dest.af !== svc.af && cmd !== CMD.DEL_DEST && dest.fwd !== 2) return { errno: E.EINVAL }; // mixed family: tunnel only
    const key = destKey(dest);
    const existing = svc.dests.get(key);
    if (cmd === CMD.DEL_DEST) return existing ? (svc.dests.delete(key), {}) : { errno: E.ENOENT };
    if (dest.weight > 0x7fffffff || dest.lThresh > dest.uThresh) return { errno: E.ERANGE };
    if (cmd === CMD.NEW_DEST) {
      if (existing) return { errno: E.EEXIST };
      if (!isUnicast(dest)) return { errno: E.EINVAL };
      svc.dests.set(key, dest);
      return {};
    }
    if (!existing) return { errno: E.ENOENT };
    // ip_vs_edit_dest changes the settings; the connection counts and counters stay
    Object.assign(existing, { ...dest, active: existing.active, inact: existing.inact, persist: existing.persist, stats: existing.stats });
    return {};
  }

  private checkService(s: KService): Answer | undefined {
    if (!this.schedulers.has(s.sched) || (s.pe && !this.pes.has(s.pe))) return { errno: E.ENOENT };
    if (s.af === AF_INET6 && !(readHostU32(s.netmask) >= 1 && readHostU32(s.netmask) <= 128)) return { errno: E.EINVAL };
    return undefined;
  }

  private zeroAll(): Answer {
    for (const s of this.services.values()) {
      s.stats = ZERO;
      s.dests.forEach((d) => (d.stats = ZERO));
    }
    return {};
  }

  private daemon(cmd: number, nest: Uint8Array | undefined): Answer {
    const m = nest ? attrMap(nest) : new Map<number, ParsedAttr>();
    const state = get32(m, DAEMON.STATE);
    const ifn = m.get(DAEMON.MCAST_IFN);
    const syncId = get32(m, DAEMON.SYNC_ID);
    if (state === undefined) return { errno: E.EINVAL };
    const at = this.daemons.findIndex((d) => d.state === state);
    if (cmd === CMD.DEL_DAEMON) return at < 0 ? { errno: E.ESRCH } : (this.daemons.splice(at, 1), {});
    if (!ifn || syncId === undefined) return { errno: E.EINVAL };
    if (at >= 0) return { errno: E.EEXIST };
    if (!this.interfaces.has(cstr(ifn.payload))) return { errno: E.ENODEV };
    this.daemons.push({ state, ifn: cstr(ifn.payload), syncId });
    return {};
  }
}

/** inet_addr_type() must say unicast: no 0.0.0.0, multicast, broadcast, or IPv6 ::/multicast. */
function isUnicast(d: KDest): boolean {
  if (d.af === AF_INET) return !(d.addr.readUInt32BE(0) === 0 || d.addr[0]! >= 224);
  return !(d.addr.every((b) => b === 0) || d.addr[0] === 0xff);
}

/** ip_vs_genl_dump_daemon with the defaults the kernel reports for an IPv4 group. */
function daemonReply(d: KDaemon): Buffer {
  return nestPlain(
    CMD_ATTR.DAEMON,
    attr(DAEMON.STATE, u32(d.state)),
    attr(DAEMON.MCAST_IFN, str(d.ifn)),
    attr(DAEMON.SYNC_ID, u32(d.syncId)),
    attr(DAEMON.SYNC_MAXLEN, u16(1472)),
    attr(DAEMON.MCAST_PORT, u16(8848)),
    attr(DAEMON.MCAST_TTL, u8(1)),
    attr(DAEMON.MCAST_GROUP, Buffer.from([224, 0, 0, 81])),
  );
}
