// The seam between the netlink protocol code and the native socket: everything above this
// interface is tested against a fake kernel (test/support/fake-kernel.ts) without root.

export interface Transport {
  /** The port id the socket is bound to; replies carry it as nlmsg_pid. */
  readonly port: number;
  /** One sendmsg() carrying one or more complete netlink messages. */
  send(bytes: Uint8Array): Promise<void>;
  /** Registers the receiver of every datagram, and of socket errors. */
  listen(onDatagram: (datagram: Uint8Array) => void, onError: (error: Error) => void): void;
  close(): void;
}

/** Opens a transport for a netlink protocol (NETLINK_GENERIC for IPVS). */
export type TransportFactory = (protocol: number) => Promise<Transport>;
