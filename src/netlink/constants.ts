// Generic netlink constants, mirrored from uapi/linux/netlink.h and genetlink.h (Linux 6.1).
// Kernel spelling kept in the comments so the values can be grepped against the headers.

export const NETLINK_GENERIC = 16; // NETLINK_GENERIC (socket protocol)

/** struct nlmsghdr: u32 len, u16 type, u16 flags, u32 seq, u32 pid */
export const NLMSG_HDRLEN = 16;
/** struct genlmsghdr: u8 cmd, u8 version, u16 reserved */
export const GENL_HDRLEN = 4;
/** struct nlattr: u16 len, u16 type */
export const NLA_HDRLEN = 4;
export const NLA_F_NESTED = 0x8000; // NLA_F_NESTED
export const NLA_F_NET_BYTEORDER = 0x4000; // NLA_F_NET_BYTEORDER
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

export const MsgType = {
  NOOP: 1, // NLMSG_NOOP
  ERROR: 2, // NLMSG_ERROR
  DONE: 3, // NLMSG_DONE
  OVERRUN: 4, // NLMSG_OVERRUN
  MIN_DATA: 0x10, // NLMSG_MIN_TYPE: types below are the protocol's own messages
} as const;

export const Flag = {
  REQUEST: 0x01, // NLM_F_REQUEST
  MULTI: 0x02, // NLM_F_MULTI
  ACK: 0x04, // NLM_F_ACK
  ECHO: 0x08, // NLM_F_ECHO
  DUMP_INTR: 0x10, // NLM_F_DUMP_INTR
  ROOT: 0x100, // NLM_F_ROOT
  MATCH: 0x200, // NLM_F_MATCH
  DUMP: 0x300, // NLM_F_DUMP = ROOT | MATCH
  /** in NLMSG_ERROR: the echoed request was cut to its header */
  CAPPED: 0x100, // NLM_F_CAPPED
  /** in NLMSG_ERROR: extended-ack TLVs follow */
  ACK_TLVS: 0x200, // NLM_F_ACK_TLVS
} as const;

/** enum nlmsgerr_attrs (extended ack TLVs) */
export const ExtAckAttr = {
  MSG: 1, // NLMSGERR_ATTR_MSG (string)
  OFFS: 2, // NLMSGERR_ATTR_OFFS (u32 offset of the offending attribute)
  COOKIE: 3, // NLMSGERR_ATTR_COOKIE
  POLICY: 4, // NLMSGERR_ATTR_POLICY
  MISS_TYPE: 5, // NLMSGERR_ATTR_MISS_TYPE (u32)
  MISS_NEST: 6, // NLMSGERR_ATTR_MISS_NEST (u32)
} as const;

/** The generic netlink controller family */
export const GENL_ID_CTRL = 0x10; // GENL_ID_CTRL
export const CtrlCmd = {
  GETFAMILY: 3, // CTRL_CMD_GETFAMILY
} as const;
export const CtrlAttr = {
  FAMILY_ID: 1, // CTRL_ATTR_FAMILY_ID (u16)
  FAMILY_NAME: 2, // CTRL_ATTR_FAMILY_NAME (string)
  VERSION: 3, // CTRL_ATTR_VERSION (u32)
} as const;
