// Byte-order helpers. Netlink headers and most attributes are in host order (picked once from
// os.endianness()); ports and IPv4 masks travel in network order (big endian).
import { endianness } from 'node:os';

export const HOST_LE = endianness() === 'LE';

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** n rounded up to a multiple of 4, for any u32 length (`(n + 3) & ~3` wraps through int32 from 2^31). */
export const align4 = (n: number): number => n + (-n & 3);
