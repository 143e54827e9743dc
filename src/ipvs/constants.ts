// IPVS generic-netlink constants, mirrored from uapi/linux/ip_vs.h (Linux 6.1; identical in
// ipvsadm 1.31's libipvs/ip_vs.h). Each table's comment names the kernel's prefix: member X is
// <prefix>X there, so the values can be grepped against the header; a member's comment adds its
// payload type where it is an attribute.

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

/** enum IPVS_CMD_* (member X is IPVS_CMD_X) */
export const Cmd = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12, // libipvs: SET_TIMEOUT
  GET_CONFIG: 13, // libipvs: GET_TIMEOUT
  SET_INFO: 14, // the reply to GET_INFO
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

/** enum IPVS_CMD_ATTR_* (top level; member X is IPVS_CMD_ATTR_X) */
export const CmdAttr = {
  SERVICE: 1, // nested
  DEST: 2, // nested
  DAEMON: 3, // nested
  TIMEOUT_TCP: 4, // u32
  TIMEOUT_TCP_FIN: 5, // u32
  TIMEOUT_UDP: 6, // u32
} as const;

/** enum IPVS_SVC_ATTR_* (member X is IPVS_SVC_ATTR_X) */
export const SvcAttr = {
  AF: 1, // u16
  PROTOCOL: 2, // u16
  ADDR: 3, // 16 bytes, union nf_inet_addr
  PORT: 4, // u16, network byte order
  FWMARK: 5, // u32
  SCHED_NAME: 6, // string, max 16 with NUL
  FLAGS: 7, // struct ip_vs_flags { u32 flags; u32 mask; }
  TIMEOUT: 8, // u32
  NETMASK: 9, // u32: IPv4 mask in network order / IPv6 prefix length
  STATS: 10, // nested, 32-bit counters
  PE_NAME: 11, // string
  STATS64: 12, // nested, 64-bit counters
} as const;

/** enum IPVS_DEST_ATTR_* (member X is IPVS_DEST_ATTR_X) */
export const DestAttr = {
  ADDR: 1, // 16 bytes
  PORT: 2, // u16, network byte order
  FWD_METHOD: 3, // u32
  WEIGHT: 4, // u32
  U_THRESH: 5, // u32
  L_THRESH: 6, // u32
  ACTIVE_CONNS: 7, // u32
  INACT_CONNS: 8, // u32
  PERSIST_CONNS: 9, // u32
  STATS: 10, // nested
  ADDR_FAMILY: 11, // u16; absent before Linux 3.18
  STATS64: 12, // nested
  TUN_TYPE: 13, // u8
  TUN_PORT: 14, // u16, network byte order
  TUN_FLAGS: 15, // u16
} as const;

/** enum IPVS_DAEMON_ATTR_* (member X is IPVS_DAEMON_ATTR_X) */
export const DaemonAttr = {
  STATE: 1, // u32
  MCAST_IFN: 2, // string, max 16
  SYNC_ID: 3, // u32
  SYNC_MAXLEN: 4, // u16
  MCAST_GROUP: 5, // u32, address bytes in network order
  MCAST_GROUP6: 6, // 16 bytes
  MCAST_PORT: 7, // u16, host order
  MCAST_TTL: 8, // u8
} as const;

/** enum IPVS_STATS_ATTR_* (member X is IPVS_STATS_ATTR_X; u32 in STATS, u64 in STATS64) */
export const StatsAttr = {
  CONNS: 1,
  INPKTS: 2,
  OUTPKTS: 3,
  INBYTES: 4, // u64 even in STATS
  OUTBYTES: 5, // u64 even in STATS
  CPS: 6,
  INPPS: 7,
  OUTPPS: 8,
  INBPS: 9,
  OUTBPS: 10,
  PAD: 11, // alignment padding inside STATS64; skipped
} as const;

/** enum IPVS_INFO_ATTR_* (member X is IPVS_INFO_ATTR_X) */
export const InfoAttr = {
  VERSION: 1, // u32, 0x00010201 = 1.2.1
  CONN_TAB_SIZE: 2, // u32
} as const;

/** IP_VS_SVC_F_* service flags (member X is IP_VS_SVC_F_X) */
export const SvcFlag = {
  PERSISTENT: 0x0001,
  HASHED: 0x0002, // kernel-internal, appears in replies
  ONEPACKET: 0x0004,
  SCHED1: 0x0008, // flag-1, sh-fallback, mh-fallback
  SCHED2: 0x0010, // flag-2, sh-port, mh-port
  SCHED3: 0x0020, // flag-3
} as const;

/** IP_VS_CONN_F_FWD_MASK values, the forwarding method of a destination (member X is IP_VS_CONN_F_X) */
export const FwdMethod = {
  MASQ: 0,
  LOCALNODE: 1,
  TUNNEL: 2,
  DROUTE: 3,
  BYPASS: 4,
} as const;

/** enum ip_vs_tunnel_type / IP_VS_TUNNEL_ENCAP_FLAG_* */
export const TunType = { IPIP: 0, GUE: 1, GRE: 2 } as const;
export const TunFlag = { NOCSUM: 0, CSUM: 1, REMCSUM: 2 } as const;

/** IP_VS_STATE_* sync daemon states */
export const DaemonState = { NONE: 0, MASTER: 1, BACKUP: 2 } as const;

export { AF_INET, AF_INET6 } from '../netlink/constants.js';
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;

/** IP_VS_SCHEDNAME_MAXLEN, IP_VS_PENAME_MAXLEN, IP_VS_IFNAME_MAXLEN (each includes the NUL) */
export const SCHEDNAME_MAXLEN = 16;
export const PENAME_MAXLEN = 16;
export const IFNAME_MAXLEN = 16;
