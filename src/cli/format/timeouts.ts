// `ipvsadm -L --timeout`: one line with the tcp, tcpfin and udp timeouts, as ipvsadm 1.31
// prints them (each a C int, so values above 2^31-1 print negative).
import type { Timeouts } from '../../ipvs/model.js';
import { i32 } from '../../table/printf.js';

/** `Timeout (tcp tcpfin udp): 900 120 300` plus newline. */
export function formatTimeouts(t: Timeouts): string {
  return `Timeout (tcp tcpfin udp): ${i32(t.tcp)} ${i32(t.tcpFin)} ${i32(t.udp)}\n`;
}
