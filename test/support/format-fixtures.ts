// Small builders of model objects for the formatter tests; every field not given takes the
// value the kernel reports for a fresh object (weight 1, DR, /32 mask, zero counters).
import { parseAddress, type Address } from '../../src/ipvs/address.js';
import { AF_INET, AF_INET6 } from '../../src/ipvs/constants.js';
import {
  ZERO_STATS,
  type Destination,
  type Service,
  type ServiceWithDestinations,
  type Stats,
} from '../../src/ipvs/model.js';
import { PLAIN_LISTING } from '../../src/core/command.js';
import type { ListOptions } from '../../src/core/command.js';

export function addr(text: string): Address {
  const a = parseAddress(text);
  if (!a) throw new Error(`bad address in test: ${text}`);
  return a;
}

type ServiceExtras = Partial<Omit<Service, 'key' | 'stats'>> & { stats?: Partial<Stats> };

function serviceDefaults(af: number, extras: ServiceExtras): Omit<Service, 'key'> {
  return {
    scheduler: 'wlc',
    persistent: false,
    onePacket: false,
    schedFlags: [],
    unnamedFlags: 0,
    timeout: 0,
    netmask: af === AF_INET6 ? 128 : 0xffffffff,
    pe: '',
    ...extras,
    stats: { ...ZERO_STATS, ...extras.stats },
  };
}

/** An address service: `svc(6, '192.0.2.1', 80, {...})`. */
export function svc(protocol: number, address: string, port: number, extras: ServiceExtras = {}): Service {
  const a = addr(address);
  return { key: { kind: 'addr', af: a.af, protocol, addr: a, port }, ...serviceDefaults(a.af, extras) };
}

/** A fwmark service. */
export function fwm(mark: number, extras: ServiceExtras & { ipv6?: boolean } = {}): Service {
  const { ipv6, ...rest } = extras;
  const af = ipv6 ? AF_INET6 : AF_INET;
  return { key: { kind: 'fwmark', af, fwmark: mark }, ...serviceDefaults(af, rest) };
}

type DestExtras = Partial<Omit<Destination, 'addr' | 'port' | 'stats'>> & { stats?: Partial<Stats> };

export function dest(address: string, port: number, extras: DestExtras = {}): Destination {
  return {
    addr: addr(address),
    port,
    forwarding: 'route',
    weight: 1,
    uThreshold: 0,
    lThreshold: 0,
    tunnelType: 'ipip',
    tunnelPort: 0,
    checksum: 'nocsum',
    activeConns: 0,
    inactConns: 0,
    persistConns: 0,
    ...extras,
    stats: { ...ZERO_STATS, ...extras.stats },
  };
}

export function entry(service: Service, ...destinations: Destination[]): ServiceWithDestinations {
  return { service, destinations };
}

export const NUMERIC: ListOptions = { ...PLAIN_LISTING, numeric: true };

export function opts(extra: Partial<ListOptions> = {}): ListOptions {
  return { ...NUMERIC, ...extra };
}

/** Spec blocks mark each end of line with `|`; strip it and split into lines. */
export function specLines(block: string): string[] {
  return block
    .trim()
    .split('\n')
    .map((l) => {
      if (!l.endsWith('|')) throw new Error(`spec line without end marker: ${l}`);
      return l.slice(0, -1);
    });
}

/** The text a formatter prints for these lines. */
export function specText(block: string): string {
  return specLines(block).join('\n') + '\n';
}
