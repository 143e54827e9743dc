// The only module that touches the native netlink socket: the addon of npm `netlink` (its
// NativeNetlink class, src/binding.cc), loaded straight from its prebuilt file. The package's
// JavaScript (an EventEmitter around the class, and node-gyp-build's search of build/ and
// prebuilds/ directories) costs two modules and about 40 file system calls at each start.
// Binding facts (node_modules/netlink/src/binding.cc): recvmsg and sendmsg retry EINTR
// themselves; recvmsg reports ENOBUFS (receive queue overflowed, replies dropped) to the error
// callback and keeps the socket open; sendmsg treats ENOBUFS like EAGAIN and retries when
// writable, so a send may never complete (the connection's watchdog covers that); a poll error
// closes the socket without calling pending send callbacks.
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { NetlinkRepliesLostError, TransportError } from './errors.js';
import type { TransportFactory } from './transport.js';

/** Socket buffers large enough for a window of pipelined requests and their acks. */
const BUFFER_BYTES = 1 << 20;

interface ErrnoLike {
  errno?: number;
  code?: string;
  message?: string;
}

/** What the addon's NativeNetlink object offers (the part used here). */
interface NativeSocket {
  bind(port: number, groups: number): void;
  address(): { port: number };
  send(port: number, groups: number, data: Uint8Array, callback: (error?: ErrnoLike) => void): void;
  close(): void;
  setRecvBufferSize(bytes: number): void;
  setSendBufferSize(bytes: number): void;
}

export interface NativeBinding {
  NativeNetlink: new (
    protocol: number,
    /** 0: peek at each datagram's size first; otherwise the size of every read */
    readBytes: number,
    onMessage: (msg: Buffer, info: { truncated?: number }) => void,
    onError: (error: ErrnoLike) => void,
  ) => NativeSocket;
}

let binding: NativeBinding | undefined;

function loadBinding(): NativeBinding {
  return (binding ??= loadAddon(dirname(createRequire(import.meta.url).resolve('netlink/package.json'))));
}

/**
 * The addon of the `netlink` package in `dir`: its prebuilt file for `platform` (by default this
 * one), as node-gyp-build would pick it on glibc (the only one the package ships per platform);
 * anything else (a build from source, another libc) through the package's own loader.
 */
export function loadAddon(dir: string, platform = `${process.platform}-${process.arch}`): NativeBinding {
  const module = { exports: {} as NativeBinding };
  try {
    process.dlopen(module, join(dir, 'prebuilds', platform, 'node.napi.node'));
    return module.exports;
  } catch {
    return createRequire(join(dir, 'package.json'))('node-gyp-build')(dir) as NativeBinding;
  }
}

export const openNativeTransport: TransportFactory = async (protocol, options = {}) => {
  let socket: NativeSocket;
  let onDatagram: (bytes: Uint8Array) => void = () => {};
  let onFailure: (error: Error) => void = () => {};
  try {
    // By default the binding peeks at each datagram's size and reads it into a buffer of
    // exactly that size. Fixed reads save a recvmsg per datagram and let the kernel fill
    // 32 KiB dump datagrams (10,000 services: 2,016 recvmsg -> 121), but each datagram then
    // holds a buffer that large until collected: restore's thousands of acks and failures
    // held over 100 MiB that way, so only sockets that mostly dump ask for them.
    socket = new (loadBinding().NativeNetlink)(
      protocol,
      options.readBytes ?? 0,
      // A plain view of the Buffer: the messages and attributes cut from it are then plain
      // Uint8Arrays, cheaper to make than Buffers (a dump of 10,000 services cuts 30,000).
      (msg, info) =>
        info.truncated ? onFailure(truncatedError(msg.length, info.truncated)) : onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.length)),
      (error) => onFailure(receiveError(error)),
    );
  } catch (e) {
    throw openError(e);
  }
  try {
    socket.setRecvBufferSize(BUFFER_BYTES);
    socket.setSendBufferSize(BUFFER_BYTES);
    // Port 0: the kernel picks a free one (the process id first).
    socket.bind(0, 0);
  } catch (e) {
    socket.close();
    throw openError(e);
  }
  const port = socket.address().port;
  return {
    port,
    send: (bytes) =>
      new Promise<void>((resolve, reject) => {
        socket.send(0, 0, bytes, (error) => {
          if (!error) return resolve();
          reject(new TransportError(`netlink send failed: ${error.message ?? String(error)}`, Math.abs(error.errno ?? 0), { cause: error }));
        });
      }),
    listen: (datagram, failure) => {
      onDatagram = datagram;
      onFailure = failure;
    },
    close: () => socket.close(),
  };
};

function openError(e: unknown): TransportError {
  const err = e as ErrnoLike;
  return new TransportError(`cannot open netlink socket: ${err.message ?? String(e)}`, Math.abs(err.errno ?? 0), { cause: e });
}

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
