// The word tables of the values that several outputs print: a checksum mode as the listing's
// TunnelInfo column and as a save option, and a tunnel destination's encapsulation in each of
// the five outputs (listing column, save options, JSON, apply plan, metric label). A code the
// kernel reported without a name prints as each output always printed it.
import type { ChecksumMode, DestinationConfig, Reported, TunnelType } from '../ipvs/model.js';

/** How each checksum mode is written where it is not its own name (JSON and the plan use the name). */
export const CHECKSUM_WORDS: Readonly<Record<ChecksumMode, { readonly column: string; readonly option: string }>> = {
  nocsum: { column: '-c', option: '--tun-nocsum' },
  csum: { column: '+c', option: '--tun-csum' },
  remcsum: { column: 'r+c', option: '--tun-remcsum' },
};

/** Which settings a tunnel type has beside its type: GUE a UDP port and a checksum, GRE a checksum. */
export const TUNNEL_PARTS: Readonly<Record<TunnelType, { readonly port: boolean; readonly checksum: boolean }>> = {
  ipip: { port: false, checksum: false },
  gue: { port: true, checksum: true },
  gre: { port: false, checksum: true },
};

type Tunnel = Pick<DestinationConfig, 'forwarding' | 'tunnelType' | 'tunnelPort' | 'checksum'>;

/** The parts of a tunnel destination's encapsulation, or undefined when it does not tunnel. */
function tunnelParts(d: Tunnel): { type: Reported<TunnelType>; port?: number; checksum?: Reported<ChecksumMode> } | undefined {
  if (d.forwarding !== 'tunnel') return undefined;
  const parts = typeof d.tunnelType === 'string' ? TUNNEL_PARTS[d.tunnelType] : undefined;
  return { type: d.tunnelType, ...(parts?.port ? { port: d.tunnelPort } : {}), ...(parts?.checksum ? { checksum: d.checksum } : {}) };
}

const columnWord = (c: Reported<ChecksumMode>): string => (typeof c === 'string' ? CHECKSUM_WORDS[c].column : '?');
const optionWord = (c: Reported<ChecksumMode>): string => (typeof c === 'string' ? ` ${CHECKSUM_WORDS[c].option}` : '');

/** The listing's TunnelInfo column: `n/a`, `ipip`, `gue:<port>:<flag>`, `gre:<flag>`. */
export function tunnelColumn(d: Tunnel): string {
  const t = tunnelParts(d);
  if (!t || typeof t.type === 'number') return 'n/a';
  return [t.type, ...(t.port !== undefined ? [String(t.port)] : []), ...(t.checksum !== undefined ? [columnWord(t.checksum)] : [])].join(':');
}

/** The save line's tunnel options (` --tun-type gue --tun-port 6080 --tun-csum`), or ''. */
export function tunnelOptions(d: Tunnel): string {
  const t = tunnelParts(d);
  if (!t || typeof t.type === 'number') return '';
  return ` --tun-type ${t.type}${t.port !== undefined ? ` --tun-port ${t.port}` : ''}${t.checksum !== undefined ? optionWord(t.checksum) : ''}`;
}

/** The JSON `tunnel`: null, or its type with the port and checksum the type has. */
export function tunnelJson(d: Tunnel): { type: string | number; port?: number; checksum?: string | number } | null {
  return tunnelParts(d) ?? null;
}

/** The apply plan's tunnel text: `ipip`, `gue port 6080 csum`, `gre nocsum`, `type 7`. */
export function tunnelPlanText(d: Tunnel): string {
  const t = tunnelParts(d);
  if (!t) return '';
  const type = typeof t.type === 'number' ? `type ${t.type}` : t.type;
  const checksum = t.checksum === undefined ? '' : ` ${typeof t.checksum === 'number' ? `flags ${t.checksum}` : t.checksum}`;
  return `${type}${t.port !== undefined ? ` port ${t.port}` : ''}${checksum}`;
}

/** The metrics' `tunnel` label: the type (or its code), '' when the destination does not tunnel. */
export function tunnelLabel(d: Tunnel): string {
  return d.forwarding === 'tunnel' ? String(d.tunnelType) : '';
}
