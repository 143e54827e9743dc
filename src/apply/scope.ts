// `ipvsadm apply --scope`: the part of the table one apply may see and touch, so that it can
// share a director with keepalived or another manager. Items: a CIDR of virtual addresses, a
// fwmark or range (`fwmark:10-19`), a protocol (`tcp`, `udp`, `sctp`).
import { parseAddress } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';
import type { ServiceKey } from '../ipvs/model.js';
import { protocolNumber } from '../ipvs/vocabulary.js';
import type { Protocol } from '../ipvs/vocabulary.js';

export interface Scope {
  readonly networks: readonly { readonly base: Address; readonly bits: number }[];
  readonly marks: readonly { readonly from: number; readonly to: number }[];
  readonly protocols: readonly number[];
  /** the items as given, for messages */
  readonly text: string;
}

export class ScopeError extends Error {
  override readonly name = 'ScopeError';
}

const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

/** Reads the items of every --scope (each a comma-separated list). */
export function parseScope(values: readonly string[]): Scope {
  const items = values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new ScopeError('--scope: expected a CIDR (192.0.2.0/24), a fwmark or range (fwmark:10-19) or a protocol (tcp, udp, sctp)');
  const networks: { base: Address; bits: number }[] = [];
  const marks: { from: number; to: number }[] = [];
  const protocols: number[] = [];
  for (const item of items) {
    if ((PROTOCOLS as readonly string[]).includes(item)) {
      protocols.push(protocolNumber(item as Protocol));
      continue;
    }
    const mark = /^fwmark:(\d{1,10})(?:-(\d{1,10}))?$/.exec(item);
    if (mark) {
      const from = Number(mark[1]);
      const to = mark[2] === undefined ? from : Number(mark[2]);
      if (!(from >= 1 && to <= 0xffffffff && from <= to)) throw new ScopeError(`--scope ${item}: a fwmark range is 1 to 4294967295, lowest first`);
      marks.push({ from, to });
      continue;
    }
    const [addr, bits, ...rest] = item.split('/');
    const base = addr === undefined ? undefined : parseAddress(addr);
    const width = base ? base.bytes.length * 8 : 0;
    const n = bits === undefined ? width : /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
    if (!base || rest.length > 0 || n < 0 || n > width) throw new ScopeError(`--scope ${item}: not a CIDR (192.0.2.0/24, 2001:db8::/32), a fwmark (fwmark:N or fwmark:N-M) or a protocol (tcp, udp, sctp)`);
    networks.push({ base, bits: n });
  }
  return { networks, marks, protocols, text: items.join(',') };
}

function inNetwork(addr: Address, net: { readonly base: Address; readonly bits: number }): boolean {
  if (addr.af !== net.base.af) return false;
  for (let bit = 0; bit < net.bits; bit += 8) {
    const take = Math.min(8, net.bits - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((addr.bytes[bit / 8]! & mask) !== (net.base.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

/**
 * Whether a service is in scope. Without a network or mark item, every address and mark is;
 * with some, an address service must be in one of the networks and a mark service in one of the
 * ranges. Protocol items, when given, narrow address services to those protocols.
 */
export function inScope(scope: Scope | undefined, key: ServiceKey): boolean {
  if (!scope) return true;
  const placed = scope.networks.length > 0 || scope.marks.length > 0;
  if (key.kind === 'fwmark') return !placed || scope.marks.some((m) => key.fwmark >= m.from && key.fwmark <= m.to);
  if (placed && !scope.networks.some((n) => inNetwork(key.addr, n))) return false;
  return scope.protocols.length === 0 || scope.protocols.includes(key.protocol);
}
