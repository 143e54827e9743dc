// `ipvsadm completion values ...`, what the scripts ask at a Tab: the kernel's services, one
// service's real servers, the namespaces under /run/netns. Quiet by design: no IPVS, no
// permission, a service that is not there — no values, never a message (and no modprobe).
import { readdirSync } from 'node:fs';
import type { Io } from '../app/io.js';
import { NETNS_DIR } from '../app/netns.js';
import { openClient } from '../app/open-client.js';
import type { ClientPort } from '../app/open-client.js';
import { parseServiceReference } from '../core/reference.js';
import type { ServiceReference } from '../core/reference.js';
import { formatAddress } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';
import { AF_INET } from '../ipvs/constants.js';
import type { ServiceKey } from '../ipvs/model.js';
import { protocolNumber } from '../ipvs/vocabulary.js';

/** The service options the values take, as the scripts pass them (ipvsadm's long spellings). */
const SERVICE_OPTIONS: Readonly<Record<string, ServiceReference['kind']>> = {
  '--tcp-service': 'tcp',
  '--udp-service': 'udp',
  '--sctp-service': 'sctp',
  '--fwmark-service': 'fwmark',
};

/** A netlink request of completion waits at most this long (unless IPVSADM_NETLINK_TIMEOUT says). */
const QUICK_TIMEOUT_MS = 2000;

/** What a values request asks for, or why it is not one. */
export type ValuesRequest =
  | { readonly what: 'netns' }
  | { readonly what: 'services'; readonly kind?: ServiceReference['kind'] }
  | { readonly what: 'dests'; readonly service: ServiceReference }
  | { readonly error: string };

/** `netns`, `services [OPTION]`, `dests OPTION SERVICE [-6]` read. */
export function parseValuesRequest(argv: readonly string[]): ValuesRequest {
  const [what, option, text, v6, ...rest] = argv;
  const kind = option === undefined ? undefined : SERVICE_OPTIONS[option];
  if (what === 'netns' && argv.length === 1) return { what };
  if (what === 'services' && argv.length <= 2 && (option === undefined || kind)) return { what, ...(kind ? { kind } : {}) };
  if (what === 'dests' && kind && text !== undefined && rest.length === 0 && (v6 === undefined || v6 === '-6')) {
    return { what, service: { kind, text, ...(v6 ? { ipv6: true } : {}) } };
  }
  return { error: `values: expected netns, services [--tcp-service|--udp-service|--sctp-service|--fwmark-service], or dests OPTION SERVICE [-6]` };
}

/** The names of the namespaces `ip netns add` made (none when the directory is not there). */
export function namespaces(dir = NETNS_DIR): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** An address and port as the command line takes them back: 192.0.2.1:80, [2001:db8::1]:80. */
function addrPort(addr: Address, port: number): string {
  return addr.af === AF_INET ? `${formatAddress(addr)}:${port}` : `[${formatAddress(addr)}]:${port}`;
}

/** How a service of `kind` is named after its option, or undefined when it is of another kind. */
function serviceText(key: ServiceKey, kind: ServiceReference['kind'] | undefined): string | undefined {
  if (key.kind === 'fwmark') return kind === undefined || kind === 'fwmark' ? String(key.fwmark) : undefined;
  if (kind !== undefined && (kind === 'fwmark' || protocolNumber(kind) !== key.protocol)) return undefined;
  return addrPort(key.addr, key.port);
}

/** The client, never loading a module: completion must not change the host. */
function quietPort(io: Io): ClientPort {
  return {
    openTransport: io.openTransport,
    loadModule: async () => {
      throw new Error('completion does not load ip_vs');
    },
    netlinkTimeoutMs: io.netlinkTimeoutMs ?? QUICK_TIMEOUT_MS,
  };
}

/** The values asked for, each once; none when the kernel cannot be read (for any reason). */
export async function liveValues(request: Exclude<ValuesRequest, { error: string }>, io: Io, netnsDir = NETNS_DIR): Promise<string[]> {
  if (request.what === 'netns') return namespaces(netnsDir);
  try {
    const key = request.what === 'dests' ? await parseServiceReference(request.service, io.names) : undefined;
    const client = await openClient(quietPort(io));
    try {
      if (key) return [...new Set((await client.destinations(key)).map((d) => addrPort(d.addr, d.port)))];
      const kind = request.what === 'services' ? request.kind : undefined;
      const names = (await client.services()).map((s) => serviceText(s.key, kind));
      return [...new Set(names.filter((n): n is string => n !== undefined))];
    } finally {
      client.close();
    }
  } catch {
    return [];
  }
}
