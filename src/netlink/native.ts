// The only module that touches the native netlink socket (npm `netlink`, its raw layer only:
// the package index loads every family's generated code, which is slow to start).
import { TransportError } from './errors.js';
import type { TransportFactory } from './transport.js';

/** Socket buffers large enough for a window of pipelined requests and their acks. */
const BUFFER_BYTES = 1 << 20;

interface ErrnoLike {
  errno?: number;
  code?: string;
  message?: string;
}

export const openNativeTransport: TransportFactory = async (protocol) => {
  const { RawNetlinkSocket } = await import('netlink/dist/raw.js');
  let socket: InstanceType<typeof RawNetlinkSocket>;
  try {
    socket = new RawNetlinkSocket(protocol, { recvBufferSize: BUFFER_BYTES, sendBufferSize: BUFFER_BYTES });
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
      socket.on('message', (msg) => onDatagram(msg));
      socket.on('truncatedMessage', () => onError(new TransportError('netlink reply truncated', 0)));
      socket.on('error', (error) =>
        onError(new TransportError(`netlink receive failed: ${error.message}`, Math.abs(error.errno), { cause: error })),
      );
    },
    close: () => socket.close(),
  };
};
