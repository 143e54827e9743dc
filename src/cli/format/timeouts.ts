// `ipvsadm -L --timeout`: one line with the tcp, tcpfin and udp timeouts, as ipvsadm 1.31
// prints them (each a C int, so values above 2^31-1 print negative).
import type { Timeouts } from '../../ipvs/model.js';
import { TIMEOUT_FIELDS } from '../../fields/registry.js';
import { textPieces } from '../../fields/outputs.js';

/** `Timeout (tcp tcpfin udp): 900 120 300` plus newline. */
export function formatTimeouts(t: Timeouts): string {
  const words = Object.values(TIMEOUT_FIELDS).map((f) => f.text.word);
  return `Timeout (${words.join(' ')}): ${textPieces<Timeouts>(TIMEOUT_FIELDS, t).join(' ')}\n`;
}
