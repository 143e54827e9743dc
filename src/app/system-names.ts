// The real NameResolver: /etc/services for getservbyname/getservbyport, getaddrinfo (IPv4) for
// gethostbyname, and /etc/hosts then a time-bounded PTR query for gethostbyaddr. Mirrors what
// glibc's "files" and "dns" sources give ipvsadm 1.31 when it parses hosts and ports and
// when it names addresses in a listing.
import { readFileSync } from 'node:fs';
import type { Resolver } from 'node:dns/promises';
import { formatAddress, parseIPv4, parseIPv6 } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';
import type { NameResolver } from './io.js';
import type { Protocol } from '../ipvs/vocabulary.js';

/** /etc/services indexed both ways; the first line that matches wins, as with glibc. */
export interface ServiceTable {
  /** `${protocol}/${name or alias}` → port */
  readonly byName: ReadonlyMap<string, number>;
  /** `${protocol}/${port}` → official name */
  readonly byPort: ReadonlyMap<string, string>;
}

/** Words of a line of a glibc "files" database, without its `#` comment. */
function words(line: string): string[] {
  const hash = line.indexOf('#');
  return (hash < 0 ? line : line.slice(0, hash)).split(/[ \t]+/).filter((w) => w !== '');
}

/** Parses /etc/services text: `name port/protocol [aliases…] [# comment]`. */
export function parseServicesFile(text: string): ServiceTable {
  const byName = new Map<string, number>();
  const byPort = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [name, portProto, ...aliases] = words(line);
    const m = portProto === undefined ? null : /^([0-9]+)\/([^/]+)$/.exec(portProto);
    if (name === undefined || !m) continue;
    const port = Number(m[1]);
    if (port > 65535) continue;
    const proto = m[2]!;
    for (const n of [name, ...aliases]) if (!byName.has(`${proto}/${n}`)) byName.set(`${proto}/${n}`, port);
    if (!byPort.has(`${proto}/${port}`)) byPort.set(`${proto}/${port}`, name);
  }
  return { byName, byPort };
}

export interface HostsEntry {
  readonly addr: Address;
  /** canonical name first, then aliases */
  readonly names: readonly string[];
}

/** Parses /etc/hosts text: `address name [aliases…] [# comment]`; bad addresses are skipped. */
export function parseHostsFile(text: string): HostsEntry[] {
  const out: HostsEntry[] = [];
  for (const line of text.split('\n')) {
    const [addrText, ...names] = words(line);
    if (addrText === undefined || names.length === 0) continue;
    const addr = parseIPv4(addrText) ?? parseIPv6(addrText);
    if (addr) out.push({ addr, names });
  }
  return out;
}

/** The first /etc/hosts name of an address (glibc's gethostbyaddr "files" source). */
export function hostsNameOf(entries: readonly HostsEntry[], addr: Address): string | undefined {
  const same = (a: Address): boolean => a.af === addr.af && a.bytes.every((b, i) => b === addr.bytes[i]);
  return entries.find((e) => same(e.addr))?.names[0];
}

/** Whether nsswitch.conf's `hosts:` line lists `dns` (no line or no file: glibc asks DNS). */
export function hostsUseDns(nsswitch: string | undefined): boolean {
  const line = nsswitch?.split('\n').find((l) => /^hosts\s*:/.test(l));
  return line === undefined || words(line.replace(/^hosts\s*:/, '')).includes('dns');
}

export interface SystemNamesOptions {
  readonly servicesPath?: string;
  readonly hostsPath?: string;
  readonly nsswitchPath?: string;
  /** bound on one reverse DNS query, in ms (default 500) */
  readonly reverseTimeoutMs?: number;
}

function readTextSync(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function readText(path: string): Promise<string | undefined> {
  // node:fs/promises and node:dns/promises are loaded on first use: most commands need neither.
  const { readFile } = await import('node:fs/promises');
  return readFile(path, 'utf8').catch(() => undefined);
}

/**
 * Reverse look-ups read /etc/hosts first, then ask DNS for a PTR record through c-ares (not
 * getnameinfo, which would hold a libuv thread for the whole resolver timeout), one try bounded by
 * `reverseTimeoutMs`. After a timeout or an unreachable server DNS is not asked again by this
 * resolver, so a listing of many addresses on a host without network costs one timeout at most.
 */
export function systemNameResolver(options: SystemNamesOptions = {}): NameResolver {
  let services: ServiceTable | undefined;
  const table = (): ServiceTable => (services ??= parseServicesFile(readTextSync(options.servicesPath ?? '/etc/services') ?? ''));
  const hosts = lazy(async () => parseHostsFile((await readText(options.hostsPath ?? '/etc/hosts')) ?? ''));
  const useDns = lazy(async () => hostsUseDns(await readText(options.nsswitchPath ?? '/etc/nsswitch.conf')));
  const reverse = reverseDns(options.reverseTimeoutMs ?? 500);
  const cache = new Map<string, Promise<string | undefined>>();
  const byAddress = async (addr: Address): Promise<string | undefined> =>
    hostsNameOf(await hosts(), addr) ?? ((await useDns()) ? reverse(formatAddress(addr)) : undefined);
  return {
    hostByName: async (name) => {
      if (name === '') return undefined;
      const { lookup } = await import('node:dns/promises');
      const found = await lookup(name, { family: 4 }).catch(() => undefined);
      return found === undefined ? undefined : parseIPv4(found.address);
    },
    portByName: (name, protocol: Protocol) => table().byName.get(`${protocol}/${name}`),
    nameByPort: (port, protocol: Protocol) => table().byPort.get(`${protocol}/${port}`),
    nameByAddress: (addr) => {
      const key = formatAddress(addr);
      let hit = cache.get(key);
      if (hit === undefined) cache.set(key, (hit = byAddress(addr)));
      return hit;
    },
  };
}

function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

// Codes that say the server is not there (as opposed to "no such name").
const DNS_UNREACHABLE = new Set(['ETIMEOUT', 'ECONNREFUSED', 'ECANCELLED', 'EFILE']);

function reverseDns(timeoutMs: number): (ip: string) => Promise<string | undefined> {
  let resolver: Resolver | undefined;
  let disabled = false;
  return async (ip) => {
    if (disabled) return undefined;
    if (resolver === undefined) {
      const dns = await import('node:dns/promises');
      resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
    }
    const start = Date.now();
    try {
      return (await resolver.reverse(ip))[0];
    } catch (e) {
      // A slow failure is a server that does not answer, whatever code c-ares reports for it.
      const code = (e as { code?: string }).code ?? '';
      if (DNS_UNREACHABLE.has(code) || Date.now() - start >= timeoutMs) disabled = true;
      return undefined;
    }
  };
}
