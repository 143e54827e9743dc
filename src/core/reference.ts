// References to a virtual service (-t, -u, --sctp-service ADDR[:PORT]; -f MARK, with -6 for an
// IPv6 mark) and to one of its real servers (-r ADDR[:PORT]), read as ipvsadm 1.31 reads them and
// refused with its messages (UsageError, exit 2). The 1.31 grammar and every front end that names
// a service or a real server (drain, top) read them here.
import type { Command as CommanderCommand } from 'commander';
import type { Address } from '../ipvs/address.js';
import { AF_INET, AF_INET6, IPPROTO_TCP } from '../ipvs/constants.js';
import type { ServiceKey } from '../ipvs/model.js';
import { protocolNumber } from '../ipvs/vocabulary.js';
import type { Protocol } from '../ipvs/vocabulary.js';
import type { NameResolver } from '../app/io.js';
import { fail } from './errors.js';
import type { UsageError } from './errors.js';
import { parseFwmark, parseHostPort } from './values.js';
import type { HostPort } from './values.js';

/** A service as a command line names it: the option's kind, its text, and -6 when given. */
export interface ServiceReference {
  readonly kind: Protocol | 'fwmark';
  readonly text: string;
  /** -6: only a firewall-mark service takes it */
  readonly ipv6?: boolean;
}

/** A real server of a service: its address and port. */
export interface ServerAddress {
  readonly addr: Address;
  readonly port: number;
}

/** `f(value)`, after `value` settles when it is a promise (numeric addresses need no look-up). */
export function andThen<T, U>(value: T | Promise<T>, f: (v: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/** -6 before (or without) -f. The message carries its own newline: ipvsadm prints an empty line after it. */
export function ipv6WithoutMark(): UsageError {
  return fail('-6 used before -f\n');
}

/** -t/-u/--sctp-service ADDR[:PORT], a port name looked up for `protocol`; port undefined when none is written. */
export function parseVirtualAddress(text: string, protocol: number, names: NameResolver): HostPort | Promise<HostPort> {
  return andThen(parseHostPort(text, protocol, names), (hp) => {
    if (!hp) throw fail('illegal virtual server address[:port] specified');
    return hp;
  });
}

/** -r ADDR[:PORT], a port name looked up for `protocol`; the port is `servicePort` when none is written. */
export function parseServerAddress(text: string, protocol: number, servicePort: number, names: NameResolver): ServerAddress | Promise<ServerAddress> {
  return andThen(parseHostPort(text, protocol, names), (hp) => {
    if (!hp) throw fail('illegal real server address[:port] specified');
    return { addr: hp.addr, port: hp.port ?? servicePort };
  });
}

/** The key of the service a reference names. 1.31 reads the service before -6, so its message wins. */
export async function parseServiceReference(ref: ServiceReference, names: NameResolver): Promise<ServiceKey> {
  const key = ref.kind === 'fwmark' ? markKey(ref) : await addressKey(ref.kind, ref.text, names);
  if (ref.ipv6 && ref.kind !== 'fwmark') throw ipv6WithoutMark();
  return key;
}

function markKey(ref: ServiceReference): ServiceKey {
  return { kind: 'fwmark', af: ref.ipv6 ? AF_INET6 : AF_INET, fwmark: parseFwmark(ref.text) };
}

async function addressKey(kind: Protocol, text: string, names: NameResolver): Promise<ServiceKey> {
  const protocol = protocolNumber(kind);
  const hp = await parseVirtualAddress(text, protocol, names);
  return { kind: 'addr', af: hp.af, protocol, addr: hp.addr, port: hp.port ?? 0 };
}

/**
 * A real server of the service `key`: its port names are looked up as the service's protocol's
 * (TCP for a mark service, as 1.31 sets it), and its port defaults to the service's (0 for a mark).
 */
export function parseServerReference(text: string, key: ServiceKey, names: NameResolver): Promise<ServerAddress> {
  const protocol = key.kind === 'addr' ? key.protocol : IPPROTO_TCP;
  return Promise.resolve(parseServerAddress(text, protocol, key.kind === 'addr' ? key.port : 0, names));
}

/** The service options of a front end that names one service as 1.31 does (drain, top). */
export interface ServiceOptions {
  readonly tcpService?: string;
  readonly udpService?: string;
  readonly sctpService?: string;
  readonly fwmarkService?: string;
  readonly ipv6?: boolean;
}

/** How a front end spells each kind of service option, as 1.31 does, and the words of its help. */
const SERVICE_OPTIONS: readonly (readonly [ServiceReference['kind'], string, string])[] = [
  ['tcp', '-t, --tcp-service <vip:port>', 'TCP service'],
  ['udp', '-u, --udp-service <vip:port>', 'UDP service'],
  ['sctp', '--sctp-service <vip:port>', 'SCTP service'],
  ['fwmark', '-f, --fwmark-service <mark>', 'firewall-mark service'],
];

/** Adds -t, -u, --sctp-service, -f and -6 to a front end; `lead` starts each help text (`the`, `only this`). */
export function addServiceOptions(cmd: CommanderCommand, lead: string): CommanderCommand {
  for (const [, flags, what] of SERVICE_OPTIONS) cmd.option(flags, `${lead} ${what}`);
  return cmd.option('-6, --ipv6', 'with -f: the IPv6 mark service');
}

/** The services the options name, in option order, each with -6 when given. */
export function serviceReferences(o: ServiceOptions): ServiceReference[] {
  const all: [ServiceReference['kind'], string | undefined][] = [
    ['tcp', o.tcpService],
    ['udp', o.udpService],
    ['sctp', o.sctpService],
    ['fwmark', o.fwmarkService],
  ];
  const ipv6 = o.ipv6 === true ? { ipv6: true } : {};
  return all.flatMap(([kind, text]) => (text === undefined ? [] : [{ kind, text, ...ipv6 }]));
}
