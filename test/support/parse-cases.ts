// Builders of expected Commands and a parse runner for the parseCommandLine tests; numbers are
// written out (AF_INET 2, AF_INET6 10; TCP 6, UDP 17; MASQ 0, TUNNEL 2, DROUTE 3) rather than
// taken from src, so the tests do not check the code against its own constants.
import { PLAIN_LISTING } from '../../src/core/command.js';
import type { Command, ListOptions } from '../../src/core/command.js';
import { UsageError } from '../../src/core/errors.js';
import { parseCommandLine } from '../../src/core/parse.js';
import { parseIPv4, parseIPv6 } from '../../src/ipvs/address.js';
import type { Address } from '../../src/ipvs/address.js';
import type { DestinationConfig, ServiceConfig, ServiceKey } from '../../src/ipvs/model.js';
import { FixedNames } from './fixed-names.js';

export const v4 = (text: string): Address => parseIPv4(text)!;
export const v6 = (text: string): Address => parseIPv6(text)!;
// AF_INET 2, AF_INET6 10; IPPROTO TCP 6, UDP 17, SCTP 132.
export const tcp = (a: string, port: number): ServiceKey => ({ kind: 'addr', af: 2, protocol: 6, addr: v4(a), port });
export const udp = (a: string, port: number): ServiceKey => ({ kind: 'addr', af: 2, protocol: 17, addr: v4(a), port });
export const tcp6 = (a: string, port: number): ServiceKey => ({ kind: 'addr', af: 10, protocol: 6, addr: v6(a), port });
export const fwm = (fwmark: number, af: 2 | 10 = 2): ServiceKey => ({ kind: 'fwmark', af, fwmark });
export const svc = (key: ServiceKey, over: Partial<ServiceConfig> = {}): ServiceConfig => ({
  key,
  scheduler: 'wlc',
  persistent: false,
  onePacket: false,
  schedFlags: [],
  unnamedFlags: 0,
  timeout: 0,
  netmask: key.af === 10 ? 128 : 0xffffffff,
  pe: '',
  ...over,
});
// Forwarding: MASQ 0, TUNNEL 2, DROUTE 3 (the default). Tunnel types: ipip 0, gue 1, gre 2.
export const dest = (addr: Address, port: number, over: Partial<DestinationConfig> = {}): DestinationConfig => ({
  addr,
  port,
  forwarding: 'route',
  weight: 1,
  uThreshold: 0,
  lThreshold: 0,
  tunnelType: 'ipip',
  tunnelPort: 0,
  checksum: 'nocsum',
  ...over,
});
export const listing = (over: Partial<ListOptions> = {}): ListOptions => ({
  ...PLAIN_LISTING,
  ...over,
});

export const ARGV0 = '/sbin/ipvsadm';
export const words = (argv: string | string[]): string[] => (typeof argv === 'string' ? (argv === '' ? [] : argv.split(' ')) : argv);
export const parse = (argv: string | string[]): Promise<Command> => parseCommandLine(words(argv), { argv0: ARGV0, names: new FixedNames() });

export async function failureOf(argv: string | string[]): Promise<{ stderr: string; exit: number; kind: string }> {
  try {
    const cmd = await parse(argv);
    throw new Error(`parsed: ${JSON.stringify(cmd)}`);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return { stderr: `${e.message}\n`, exit: e.exitCode, kind: e.kind };
  }
}

export const TRY = "Try `/sbin/ipvsadm -h' or '/sbin/ipvsadm --help' for more information.\n";
