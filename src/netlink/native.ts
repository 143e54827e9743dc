// The only module that touches the native netlink socket (npm `netlink`, its raw layer only:
// the package index loads every family's generated code, which is slow to start).
// Binding facts (node_modules/netlink/src/binding.cc): recvmsg and sendmsg retry EINTR
// themselves; recvmsg reports ENOBUFS (receive queue overflowed, replies dropped) as an `error`
// event and keeps the socket open; sendmsg treats ENOBUFS like EAGAIN and retries when writable,
// so a send may never complete (the connection's watchdog covers that); a poll error closes
// the socket without calling pending send callbacks.
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { NetlinkRepliesLostError, TransportError } from './errors.js';
import type { TransportFactory } from './transport.js';

/** Socket buffers large enough for a window of pipelined requests and their acks. */
const BUFFER_BYTES = 1 << 20;

interface ErrnoLike {
  errno?: number;
  code?: string;
  message?: string;
}

export const openNativeTransport: TransportFactory = async (protocol, options = {}) => {
  // require, not import(): the ESM loader would first scan the CommonJS source for its exports.
  const { RawNetlinkSocket } = createRequire(import.meta.url)('netlink/dist/raw.js') as typeof import('netlink/dist/raw.js');
  let socket: InstanceType<typeof RawNetlinkSocket>;
  try {
    // By default the binding peeks at each datagram's size and reads it into a buffer of
    // exactly that size. Fixed reads save a recvmsg per datagram and let the kernel fill
    // 32 KiB dump datagrams (10,000 services: 2,016 recvmsg -> 121), but each datagram then
    // holds a buffer that large until collected: restore's thousands of acks and failures
    // held over 100 MiB that way, so only sockets that mostly dump ask for them.
    const reads = options.readBytes ? { messagePeeking: false, msgBufferSize: options.readBytes } : {};
    socket = new RawNetlinkSocket(protocol, { recvBufferSize: BUFFER_BYTES, sendBufferSize: BUFFER_BYTES, ...reads });
  } catch (e) {
    const err = e as ErrnoLike;
    throw new TransportError(`cannot open netlink socket: ${err.message ?? String(e)}`, Math.abs(err.errno ?? 0), { cause: e });
  }
  const port = socket.address().port;
  return {
    port,
    send: (bytes) =>
      new Promise<void>((resolve, reject) => {
        socket.send(bytes, {}, (error) => {
          if (!error) return resolve();
          reject(new TransportError(`netlink send failed: ${error.message}`, Math.abs(error.errno), { cause: error }));
        });
      }),
    listen: (onDatagram, onError) => {
      // A plain view of the Buffer: the messages and attributes cut from it are then plain
      // Uint8Arrays, cheaper to make than Buffers (a dump of 10,000 services cuts 30,000).
      socket.on('message', (msg) => onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.length)));
      socket.on('truncatedMessage', (msg, rinfo) => onError(truncatedError(msg.length, rinfo.truncated)));
      socket.on('error', (error) => onError(receiveError(error)));
    },
    close: () => socket.close(),
  };
};

/** A datagram larger than the buffer the binding read it into: the rest of it is gone. */
export function truncatedError(received: number, size: number | undefined): NetlinkRepliesLostError {
  return new NetlinkRepliesLostError(`a reply of ${size ?? 'unknown'} bytes was truncated to ${received}`, osConstants.errno.EMSGSIZE);
}

/** The binding's `error` event: ENOBUFS means the kernel dropped replies; others fail the socket. */
export function receiveError(error: ErrnoLike): Error {
  const errno = Math.abs(error.errno ?? 0);
  if (errno === osConstants.errno.ENOBUFS) {
    return new NetlinkRepliesLostError('the socket receive buffer overflowed (ENOBUFS)', errno, { cause: error });
  }
  return new TransportError(`netlink receive failed: ${error.message ?? String(error)}`, errno, { cause: error });
}
