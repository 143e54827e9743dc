// IPVS generic-netlink constants, mirrored from uapi/linux/ip_vs.h (Linux 6.1; identical in
// ipvsadm 1.31's libipvs/ip_vs.h). Kernel spelling is kept in the comment of every member.

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

/** enum IPVS_CMD_* */
export const Cmd = {
  NEW_SERVICE: 1, // IPVS_CMD_NEW_SERVICE
  SET_SERVICE: 2, // IPVS_CMD_SET_SERVICE
  DEL_SERVICE: 3, // IPVS_CMD_DEL_SERVICE
  GET_SERVICE: 4, // IPVS_CMD_GET_SERVICE
  NEW_DEST: 5, // IPVS_CMD_NEW_DEST
  SET_DEST: 6, // IPVS_CMD_SET_DEST
  DEL_DEST: 7, // IPVS_CMD_DEL_DEST
  GET_DEST: 8, // IPVS_CMD_GET_DEST
  NEW_DAEMON: 9, // IPVS_CMD_NEW_DAEMON
  DEL_DAEMON: 10, // IPVS_CMD_DEL_DAEMON
  GET_DAEMON: 11, // IPVS_CMD_GET_DAEMON
  SET_CONFIG: 12, // IPVS_CMD_SET_CONFIG (libipvs: SET_TIMEOUT)
  GET_CONFIG: 13, // IPVS_CMD_GET_CONFIG (libipvs: GET_TIMEOUT)
  SET_INFO: 14, // IPVS_CMD_SET_INFO (the reply to GET_INFO)
  GET_INFO: 15, // IPVS_CMD_GET_INFO
  ZERO: 16, // IPVS_CMD_ZERO
  FLUSH: 17, // IPVS_CMD_FLUSH
} as const;

/** enum IPVS_CMD_ATTR_* (top level) */
export const CmdAttr = {
  SERVICE: 1, // IPVS_CMD_ATTR_SERVICE (nested)
  DEST: 2, // IPVS_CMD_ATTR_DEST (nested)
  DAEMON: 3, // IPVS_CMD_ATTR_DAEMON (nested)
  TIMEOUT_TCP: 4, // IPVS_CMD_ATTR_TIMEOUT_TCP (u32)
  TIMEOUT_TCP_FIN: 5, // IPVS_CMD_ATTR_TIMEOUT_TCP_FIN (u32)
  TIMEOUT_UDP: 6, // IPVS_CMD_ATTR_TIMEOUT_UDP (u32)
} as const;

/** enum IPVS_SVC_ATTR_* */
export const SvcAttr = {
  AF: 1, // IPVS_SVC_ATTR_AF (u16)
  PROTOCOL: 2, // IPVS_SVC_ATTR_PROTOCOL (u16)
  ADDR: 3, // IPVS_SVC_ATTR_ADDR (16 bytes, union nf_inet_addr)
  PORT: 4, // IPVS_SVC_ATTR_PORT (u16, network byte order)
  FWMARK: 5, // IPVS_SVC_ATTR_FWMARK (u32)
  SCHED_NAME: 6, // IPVS_SVC_ATTR_SCHED_NAME (string, max 16 with NUL)
  FLAGS: 7, // IPVS_SVC_ATTR_FLAGS (struct ip_vs_flags { u32 flags; u32 mask; })
  TIMEOUT: 8, // IPVS_SVC_ATTR_TIMEOUT (u32)
  NETMASK: 9, // IPVS_SVC_ATTR_NETMASK (u32: IPv4 mask in network order / IPv6 prefix length)
  STATS: 10, // IPVS_SVC_ATTR_STATS (nested, 32-bit counters)
  PE_NAME: 11, // IPVS_SVC_ATTR_PE_NAME (string)
  STATS64: 12, // IPVS_SVC_ATTR_STATS64 (nested, 64-bit counters)
} as const;

/** enum IPVS_DEST_ATTR_* */
export const DestAttr = {
  ADDR: 1, // IPVS_DEST_ATTR_ADDR (16 bytes)
  PORT: 2, // IPVS_DEST_ATTR_PORT (u16, network byte order)
  FWD_METHOD: 3, // IPVS_DEST_ATTR_FWD_METHOD (u32)
  WEIGHT: 4, // IPVS_DEST_ATTR_WEIGHT (u32)
  U_THRESH: 5, // IPVS_DEST_ATTR_U_THRESH (u32)
  L_THRESH: 6, // IPVS_DEST_ATTR_L_THRESH (u32)
  ACTIVE_CONNS: 7, // IPVS_DEST_ATTR_ACTIVE_CONNS (u32)
  INACT_CONNS: 8, // IPVS_DEST_ATTR_INACT_CONNS (u32)
  PERSIST_CONNS: 9, // IPVS_DEST_ATTR_PERSIST_CONNS (u32)
  STATS: 10, // IPVS_DEST_ATTR_STATS (nested)
  ADDR_FAMILY: 11, // IPVS_DEST_ATTR_ADDR_FAMILY (u16; absent before Linux 3.18)
  STATS64: 12, // IPVS_DEST_ATTR_STATS64 (nested)
  TUN_TYPE: 13, // IPVS_DEST_ATTR_TUN_TYPE (u8)
  TUN_PORT: 14, // IPVS_DEST_ATTR_TUN_PORT (u16, network byte order)
  TUN_FLAGS: 15, // IPVS_DEST_ATTR_TUN_FLAGS (u16)
} as const;

/** enum IPVS_DAEMON_ATTR_* */
export const DaemonAttr = {
  STATE: 1, // IPVS_DAEMON_ATTR_STATE (u32)
  MCAST_IFN: 2, // IPVS_DAEMON_ATTR_MCAST_IFN (string, max 16)
  SYNC_ID: 3, // IPVS_DAEMON_ATTR_SYNC_ID (u32)
  SYNC_MAXLEN: 4, // IPVS_DAEMON_ATTR_SYNC_MAXLEN (u16)
  MCAST_GROUP: 5, // IPVS_DAEMON_ATTR_MCAST_GROUP (u32, address bytes in network order)
  MCAST_GROUP6: 6, // IPVS_DAEMON_ATTR_MCAST_GROUP6 (16 bytes)
  MCAST_PORT: 7, // IPVS_DAEMON_ATTR_MCAST_PORT (u16, host order)
  MCAST_TTL: 8, // IPVS_DAEMON_ATTR_MCAST_TTL (u8)
} as const;

/** enum IPVS_STATS_ATTR_* */
export const StatsAttr = {
  CONNS: 1, // IPVS_STATS_ATTR_CONNS
  INPKTS: 2, // IPVS_STATS_ATTR_INPKTS
  OUTPKTS: 3, // IPVS_STATS_ATTR_OUTPKTS
  INBYTES: 4, // IPVS_STATS_ATTR_INBYTES (u64 even in STATS)
  OUTBYTES: 5, // IPVS_STATS_ATTR_OUTBYTES (u64 even in STATS)
  CPS: 6, // IPVS_STATS_ATTR_CPS
  INPPS: 7, // IPVS_STATS_ATTR_INPPS
  OUTPPS: 8, // IPVS_STATS_ATTR_OUTPPS
  INBPS: 9, // IPVS_STATS_ATTR_INBPS
  OUTBPS: 10, // IPVS_STATS_ATTR_OUTBPS
  PAD: 11, // IPVS_STATS_ATTR_PAD (alignment padding inside STATS64; skipped)
} as const;

/** enum IPVS_INFO_ATTR_* */
export const InfoAttr = {
  VERSION: 1, // IPVS_INFO_ATTR_VERSION (u32, 0x00010201 = 1.2.1)
  CONN_TAB_SIZE: 2, // IPVS_INFO_ATTR_CONN_TAB_SIZE (u32)
} as const;

/** IP_VS_SVC_F_* service flags */
export const SvcFlag = {
  PERSISTENT: 0x0001, // IP_VS_SVC_F_PERSISTENT
  HASHED: 0x0002, // IP_VS_SVC_F_HASHED (kernel-internal, appears in replies)
  ONEPACKET: 0x0004, // IP_VS_SVC_F_ONEPACKET
  SCHED1: 0x0008, // IP_VS_SVC_F_SCHED1 (flag-1, sh-fallback, mh-fallback)
  SCHED2: 0x0010, // IP_VS_SVC_F_SCHED2 (flag-2, sh-port, mh-port)
  SCHED3: 0x0020, // IP_VS_SVC_F_SCHED3 (flag-3)
} as const;

/** IP_VS_CONN_F_FWD_MASK values: the forwarding method of a destination */
export const FwdMethod = {
  MASQ: 0, // IP_VS_CONN_F_MASQ
  LOCALNODE: 1, // IP_VS_CONN_F_LOCALNODE
  TUNNEL: 2, // IP_VS_CONN_F_TUNNEL
  DROUTE: 3, // IP_VS_CONN_F_DROUTE
  BYPASS: 4, // IP_VS_CONN_F_BYPASS
} as const;

/** enum ip_vs_tunnel_type / IP_VS_TUNNEL_ENCAP_FLAG_* */
export const TunType = { IPIP: 0, GUE: 1, GRE: 2 } as const;
export const TunFlag = { NOCSUM: 0, CSUM: 1, REMCSUM: 2 } as const;

/** IP_VS_STATE_* sync daemon states */
export const DaemonState = { NONE: 0, MASTER: 1, BACKUP: 2 } as const;

export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;

/** IP_VS_SCHEDNAME_MAXLEN, IP_VS_PENAME_MAXLEN, IP_VS_IFNAME_MAXLEN (each includes the NUL) */
export const SCHEDNAME_MAXLEN = 16;
export const PENAME_MAXLEN = 16;
export const IFNAME_MAXLEN = 16;
