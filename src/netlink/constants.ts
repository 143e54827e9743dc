// Generic netlink constants, mirrored from uapi/linux/netlink.h and genetlink.h (Linux 6.1).
// Each table's comment names the kernel's prefix (member X is <prefix>X there), so the values can
// be grepped against the headers.

export const NETLINK_GENERIC = 16; // NETLINK_GENERIC (socket protocol)

/** Address families (linux/socket.h): the one definition every layer above uses. */
export const AF_INET = 2; // AF_INET
export const AF_INET6 = 10; // AF_INET6

/** struct nlmsghdr: u32 len, u16 type, u16 flags, u32 seq, u32 pid */
export const NLMSG_HDRLEN = 16;
/** struct genlmsghdr: u8 cmd, u8 version, u16 reserved */
export const GENL_HDRLEN = 4;
/** struct nlattr: u16 len, u16 type */
export const NLA_HDRLEN = 4;
export const NLA_F_NESTED = 0x8000; // NLA_F_NESTED
export const NLA_F_NET_BYTEORDER = 0x4000; // NLA_F_NET_BYTEORDER
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

/** NLMSG_* message types */
export const MsgType = {
  NOOP: 1,
  ERROR: 2,
  DONE: 3,
  OVERRUN: 4,
  MIN_DATA: 0x10, // NLMSG_MIN_TYPE: types below are the protocol's own messages
} as const;

/** NLM_F_* header flags */
export const Flag = {
  REQUEST: 0x01,
  MULTI: 0x02,
  ACK: 0x04,
  ECHO: 0x08,
  DUMP_INTR: 0x10,
  ROOT: 0x100,
  MATCH: 0x200,
  DUMP: 0x300, // NLM_F_DUMP = ROOT | MATCH
  /** in NLMSG_ERROR: the echoed request was cut to its header */
  CAPPED: 0x100,
  /** in NLMSG_ERROR: extended-ack TLVs follow */
  ACK_TLVS: 0x200,
} as const;

/** enum nlmsgerr_attrs (extended ack TLVs; member X is NLMSGERR_ATTR_X) */
export const ExtAckAttr = {
  MSG: 1, // string
  OFFS: 2, // u32 offset of the offending attribute
  COOKIE: 3,
  POLICY: 4,
  MISS_TYPE: 5, // u32
  MISS_NEST: 6, // u32
} as const;

/** The generic netlink controller family */
export const GENL_ID_CTRL = 0x10; // GENL_ID_CTRL
/** CTRL_CMD_* */
export const CtrlCmd = {
  GETFAMILY: 3,
} as const;
/** CTRL_ATTR_* */
export const CtrlAttr = {
  FAMILY_ID: 1, // u16
  FAMILY_NAME: 2, // string
  VERSION: 3, // u32
} as const;
