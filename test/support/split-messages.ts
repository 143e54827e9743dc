// A datagram's messages as objects, the way walkMessages (src/netlink/message.ts) visits them:
// for tests that look at what was sent or fuzz the framing.
import { view } from '../../src/netlink/endian.js';
import { walkMessages } from '../../src/netlink/message.js';
import type { NetlinkMessage } from '../../src/netlink/message.js';

export function splitMessages(datagram: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  walkMessages(datagram, view(datagram), (type, flags, seq, pid, start, end) => out.push({ type, flags, seq, pid, payload: datagram.subarray(start, end) }));
  return out;
}
