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

export interface TransportOptions {
  /**
   * Read every datagram into a buffer of this many bytes instead of peeking at its size first:
   * one recvmsg per datagram, and the kernel (which sizes dump replies by the largest read it
   * has seen) packs dumps into datagrams of up to 32 KiB. For sockets that mostly dump.
   */
  readonly readBytes?: number;
}

/** Opens a transport for a netlink protocol (NETLINK_GENERIC for IPVS). */
export type TransportFactory = (protocol: number, options?: TransportOptions) => Promise<Transport>;
