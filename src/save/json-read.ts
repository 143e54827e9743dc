// A JSON save (`ipvsadm -S --json`, kind "save"; or a `-L --json` listing, kind "table") read
// back into the settings a restore gives the kernel. Every field is checked before anything is
// applied and the first problem is named by its path. Shape: src/schema/ipvsadm.schema.json.
import { parseAddress, parseIPv4 } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';
import { AF_INET, AF_INET6 } from '../ipvs/constants.js';
import type { ChecksumMode, DaemonConfig, DestinationConfig, Reported, SchedFlag, ServiceConfig, ServiceKey, Timeouts, TunnelType } from '../ipvs/model.js';
import { CHECKSUM_MODES, DAEMON_ROLES, destinationId, FORWARDING_METHODS, protocolNumber, serviceId, TUNNEL_TYPES } from '../ipvs/vocabulary.js';
import type { Protocol } from '../ipvs/vocabulary.js';
import { JSON_VERSION } from '../table/json.js';
import { schedFlagOfWord } from '../fields/sched-flags.js';
import { decodeChecksum } from '../ipvs/value-codec.js';
import { DAEMON_FIELDS, DESTINATION_FIELDS, SERVICE_FIELDS, TIMEOUT_FIELDS } from '../fields/registry.js';
import { jsonKeys } from '../fields/outputs.js';

export interface SavedService {
  readonly service: ServiceConfig;
  readonly destinations: readonly DestinationConfig[];
  /** where it is in the document: `services[3]` */
  readonly at: string;
}

export interface SavedTable {
  /** a save has the timeouts and daemons; a listing ("table") has neither */
  readonly kind: 'save' | 'table';
  /** absent from a listing document (and from a save that chose to leave them as they are) */
  readonly timeouts?: Timeouts;
  readonly daemons: readonly DaemonConfig[];
  readonly services: readonly SavedService[];
}

/**
 * The document is not a save this version can restore; `at` is the JSON path of the problem.
 * `more`: the problems of the other services and sections, one per item (each item's first).
 */
export class SaveFormatError extends Error {
  override readonly name = 'SaveFormatError';
  constructor(
    readonly at: string,
    readonly problem: string,
    readonly more: readonly SaveFormatError[] = [],
  ) {
    super(at === '' ? problem : `${at}: ${problem}`);
  }

  /** This problem and the others found. */
  get all(): readonly SaveFormatError[] {
    return [this, ...this.more];
  }
}

/** Reads every item, collecting the first problem of each; throws them all together. */
function each<T, R>(items: readonly T[], read: (item: T, i: number) => R, problems: SaveFormatError[]): R[] {
  const out: R[] = [];
  items.forEach((item, i) => {
    try {
      out.push(read(item, i));
    } catch (e) {
      if (!(e instanceof SaveFormatError)) throw e;
      problems.push(e);
    }
  });
  return out;
}

function throwAll(problems: readonly SaveFormatError[]): void {
  const [first, ...rest] = problems;
  if (first) throw new SaveFormatError(first.at, first.problem, rest);
}

/** Restore input is JSON when its first character other than white space (or a BOM) is `{`. */
export function isJsonSave(text: string): boolean {
  return /^\s*\{/.test(text);
}

/** Largest timeout ipvsadm sets (31 days), as -p and --set check it. */
const MAX_TIMEOUT = 2678400;
const INT_MAX = 2147483647;

/** Reads a whole JSON save; throws SaveFormatError naming the first problem of each item. */
export function readJsonSave(text: string): SavedTable {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, '')); // a byte order mark some editors write
  } catch (e) {
    throw new SaveFormatError('', `not valid JSON: ${syntaxProblem(text, e)}`);
  }
  const root = object(doc, '');
  if (root.get('format') !== 'ipvsadm-ts') throw new SaveFormatError('format', 'must be "ipvsadm-ts" (a document of `ipvsadm -S --json` or `ipvsadm -L --json`)');
  const version = root.get('version');
  if (version !== JSON_VERSION) {
    const newer = typeof version === 'number' && version > JSON_VERSION;
    throw new SaveFormatError('version', newer ? `${version} is newer than this ipvsadm reads (${JSON_VERSION})` : `must be ${JSON_VERSION}`);
  }
  const kind = root.get('kind');
  if (kind !== 'save' && kind !== 'table') throw new SaveFormatError('kind', 'must be "save" or "table" to restore (timeouts, daemons and connections documents are not tables)');
  const listing = kind === 'table';
  root.only(listing ? ['format', 'version', 'kind', 'services', 'ipvs'] : ['format', 'version', 'kind', 'services', 'timeouts', 'daemons']);
  const problems: SaveFormatError[] = [];
  const services = each(array(root.required('services'), 'services'), (s, i) => readService(s, `services[${i}]`, listing), problems);
  each([services], (list) => unique(list, (s) => serviceId(s.service.key), 'the same service as'), problems);
  if (listing) {
    throwAll(problems);
    return { kind, daemons: [], services };
  }
  const [timeouts] = root.has('timeouts') ? each([root.get('timeouts')], (t) => readTimeouts(t, 'timeouts'), problems) : [];
  const daemons = root.has('daemons') ? each(array(root.get('daemons'), 'daemons'), (d, i) => readDaemon(d, `daemons[${i}]`), problems) : [];
  each([daemons], (list) => unique(list.map((d, i) => ({ d, at: `daemons[${i}]` })), ({ d }) => String(d.state), 'the same daemon state as'), problems);
  throwAll(problems);
  return { kind, ...(timeouts ? { timeouts } : {}), daemons, services };
}

/** `Unexpected token '}' … at line 3, column 5` from JSON.parse's message and position. */
function syntaxProblem(text: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const at = /at position (\d+)/.exec(message);
  const first = message.split('\n')[0] ?? '';
  if (!at) return first.replace(/, ".*" is not valid JSON$/s, '');
  const pos = Number(at[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${first.replace(/ in JSON at position \d+.*$/s, '')} at line ${line}, column ${column}`;
}

function unique<T extends { readonly at: string }>(items: readonly T[], id: (item: T) => string, says: string): void {
  const seen = new Map<string, string>();
  for (const item of items) {
    const key = id(item);
    const first = seen.get(key);
    if (first !== undefined) throw new SaveFormatError(item.at, `${says} ${first}`);
    seen.set(key, item.at);
  }
}

/** A JSON object being read: its keys checked against what may be there. */
class Fields {
  constructor(
    private readonly value: Readonly<Record<string, unknown>>,
    readonly at: string,
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.value, key);
  }

  get(key: string): unknown {
    return this.has(key) ? this.value[key] : undefined;
  }

  required(key: string): unknown {
    if (!this.has(key)) throw new SaveFormatError(this.at, `"${key}" is missing`);
    return this.value[key];
  }

  path(key: string): string {
    return this.at === '' ? key : `${this.at}.${key}`;
  }

  only(keys: readonly string[]): void {
    const extra = Object.keys(this.value).find((k) => !keys.includes(k));
    if (extra !== undefined) throw new SaveFormatError(this.path(extra), 'is not a field this document has');
  }
}

function object(value: unknown, at: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SaveFormatError(at, 'must be an object');
  return new Fields(value as Record<string, unknown>, at);
}

function array(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new SaveFormatError(at, 'must be an array');
  return value;
}

function integer(f: Fields, key: string, min: number, max: number): number {
  const v = f.required(key);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new SaveFormatError(f.path(key), `must be an integer from ${min} to ${max}`);
  return v;
}

function string(f: Fields, key: string, maxBytes: number): string {
  const v = f.required(key);
  if (typeof v !== 'string' || v === '' || Buffer.byteLength(v) > maxBytes || v.includes('\0')) {
    throw new SaveFormatError(f.path(key), `must be a name of 1 to ${maxBytes} bytes`);
  }
  return v;
}

function oneOf<T extends string>(f: Fields, key: string, names: readonly T[]): T {
  const v = f.required(key);
  if (typeof v !== 'string' || !(names as readonly string[]).includes(v)) throw new SaveFormatError(f.path(key), `must be one of ${names.map((n) => `"${n}"`).join(', ')}`);
  return v as T;
}

function boolean(f: Fields, key: string): boolean {
  const v = f.required(key);
  if (typeof v !== 'boolean') throw new SaveFormatError(f.path(key), 'must be true or false');
  return v;
}

/** `address` in `family` ("inet" or "inet6"). */
function address(f: Fields): Address {
  const family = oneOf(f, 'family', ['inet', 'inet6'] as const);
  const text = f.required('address');
  const addr = typeof text === 'string' ? parseAddress(text) : undefined;
  if (!addr) throw new SaveFormatError(f.path('address'), 'must be an IPv4 or IPv6 address');
  if (addr.af !== (family === 'inet' ? AF_INET : AF_INET6)) throw new SaveFormatError(f.path('address'), `is not an address of family "${family}"`);
  return addr;
}

const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];
/** What a listing document has beside the settings: names found, the raw flags, counts and counters. */
const LISTING_SERVICE_FIELDS = ['hostname', 'portName', 'stats', 'rates'];
const LISTING_DEST_FIELDS = ['hostname', 'portName', 'activeConnections', 'inactiveConnections', 'persistentConnections', 'stats', 'rates'];

function readKey(f: Fields): ServiceKey {
  if (f.has('fwmark')) {
    const fwmark = integer(f, 'fwmark', 1, 0xffffffff);
    return { kind: 'fwmark', af: oneOf(f, 'family', ['inet', 'inet6'] as const) === 'inet' ? AF_INET : AF_INET6, fwmark };
  }
  const protocol = oneOf(f, 'protocol', PROTOCOLS);
  const addr = address(f);
  return { kind: 'addr', af: addr.af, protocol: protocolNumber(protocol), addr, port: integer(f, 'port', 0, 65535) };
}

function readService(value: unknown, at: string, listing: boolean): SavedService {
  const f = object(value, at);
  const identity = f.has('fwmark') ? ['fwmark', 'family'] : ['protocol', 'address', 'family', 'port'];
  f.only([...identity, ...jsonKeys<ServiceConfig>(SERVICE_FIELDS, listing), 'destinations', ...(listing ? LISTING_SERVICE_FIELDS : [])]);
  const key = readKey(f);
  const scheduler = string(f, 'scheduler', 15);
  const schedFlags = new Set<SchedFlag>();
  array(f.required('schedulerFlags'), f.path('schedulerFlags')).forEach((word, i) => {
    const found = typeof word === 'string' ? schedFlagOfWord(word, scheduler) : { problem: 'invalid' as const };
    if ('problem' in found) throw new SaveFormatError(`${f.path('schedulerFlags')}[${i}]`, found.problem === 'incompatible' ? `is not a flag of scheduler "${scheduler}"` : 'is not a scheduler flag (flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback, mh-port)');
    schedFlags.add(found.flag);
  });
  const persistence = readPersistence(f.required('persistence'), f.path('persistence'), key.af);
  const onePacket = boolean(f, 'onePacket');
  const pe = f.required('pe') === null ? '' : string(f, 'pe', 16);
  const flags = { persistent: persistence !== undefined, onePacket, schedFlags: [...schedFlags].sort(), unnamedFlags: 0 };
  const service: ServiceConfig = { key, scheduler, ...flags, timeout: persistence?.timeout ?? 0, netmask: persistence?.netmask ?? (key.af === AF_INET6 ? 128 : 0xffffffff), pe };
  const dests = array(f.required('destinations'), f.path('destinations')).map((d, i) => ({ d: readDestination(d, `${f.path('destinations')}[${i}]`, listing), at: `${f.path('destinations')}[${i}]` }));
  unique(dests, ({ d }) => destinationId(d), 'the same real server as');
  return { service, destinations: dests.map(({ d }) => d), at };
}

function readPersistence(value: unknown, at: string, af: number): { timeout: number; netmask: number } | undefined {
  if (value === null) return undefined;
  const f = object(value, at);
  f.only(['timeout', 'netmask']);
  const timeout = integer(f, 'timeout', 1, MAX_TIMEOUT);
  if (af === AF_INET6) return { timeout, netmask: integer(f, 'netmask', 1, 128) };
  const mask = f.required('netmask');
  const parsed = typeof mask === 'string' ? parseIPv4(mask) : undefined;
  if (!parsed) throw new SaveFormatError(f.path('netmask'), 'must be a dotted IPv4 mask such as "255.255.255.0"');
  const b = parsed.bytes;
  return { timeout, netmask: ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0 };
}


function readDestination(value: unknown, at: string, listing: boolean): DestinationConfig {
  const f = object(value, at);
  f.only(['address', 'family', 'port', ...jsonKeys<DestinationConfig>(DESTINATION_FIELDS, listing), ...(listing ? LISTING_DEST_FIELDS : [])]);
  const addr = address(f);
  const port = integer(f, 'port', 0, 65535);
  const forwarding = oneOf(f, 'forwarding', FORWARDING_METHODS);
  const weight = integer(f, 'weight', 0, INT_MAX);
  const uThreshold = integer(f, 'upperThreshold', 0, INT_MAX);
  const lThreshold = integer(f, 'lowerThreshold', 0, INT_MAX);
  const tunnel = f.required('tunnel');
  const base: DestinationConfig = { addr, port, forwarding, weight, uThreshold, lThreshold, tunnelType: 'ipip', tunnelPort: 0, checksum: 'nocsum' };
  if (forwarding !== 'tunnel') {
    if (tunnel !== null) throw new SaveFormatError(f.path('tunnel'), 'must be null unless forwarding is "tunnel"');
    return base;
  }
  return { ...base, ...readTunnel(tunnel, f.path('tunnel')) };
}

function readTunnel(value: unknown, at: string): { tunnelType: TunnelType; tunnelPort: number; checksum: Reported<ChecksumMode> } {
  if (value === null) throw new SaveFormatError(at, 'must say the tunnel type of a "tunnel" real server');
  const f = object(value, at);
  const type = oneOf(f, 'type', TUNNEL_TYPES);
  f.only(type === 'ipip' ? ['type'] : type === 'gre' ? ['type', 'checksum'] : ['type', 'port', 'checksum']);
  const tunnelPort = type === 'gue' ? integer(f, 'port', 1, 65535) : 0;
  return { tunnelType: type, tunnelPort, checksum: type === 'ipip' ? 'nocsum' : checksum(f) };
}

/** `"nocsum"`, `"csum"`, `"remcsum"`, or the flag bits as a number (a listing writes 3 that way). */
function checksum(f: Fields): Reported<ChecksumMode> {
  const v = f.required('checksum');
  if (typeof v === 'number') return decodeChecksum(integer(f, 'checksum', 0, 65535));
  const mode = CHECKSUM_MODES.find((m) => m === v);
  if (mode !== undefined) return mode;
  throw new SaveFormatError(f.path('checksum'), 'must be "nocsum", "csum", "remcsum" or the flag bits as a number');
}

function readTimeouts(value: unknown, at: string): Timeouts {
  const f = object(value, at);
  f.only(jsonKeys<Timeouts>(TIMEOUT_FIELDS, false));
  return { tcp: integer(f, 'tcp', 0, MAX_TIMEOUT), tcpFin: integer(f, 'tcpFin', 0, MAX_TIMEOUT), udp: integer(f, 'udp', 0, MAX_TIMEOUT) };
}

function readDaemon(value: unknown, at: string): DaemonConfig {
  const f = object(value, at);
  f.only(jsonKeys<DaemonConfig>(DAEMON_FIELDS, false));
  const state = oneOf(f, 'state', DAEMON_ROLES);
  const daemon: DaemonConfig = { state, mcastIfn: string(f, 'interface', 15), syncId: integer(f, 'syncId', 0, 255) };
  const group = f.has('group') ? mcastGroup(f) : undefined;
  return {
    ...daemon,
    ...(f.has('syncMaxlen') ? { syncMaxlen: integer(f, 'syncMaxlen', 1, 65507) } : {}),
    ...(group ? { mcastGroup: group } : {}),
    ...(f.has('port') ? { mcastPort: integer(f, 'port', 1, 65535) } : {}),
    ...(f.has('ttl') ? { mcastTtl: integer(f, 'ttl', 1, 255) } : {}),
  };
}

/** A multicast group: IPv4 224.0.0.0/4 or IPv6 ff00::/8, as --mcast-group takes it. */
function mcastGroup(f: Fields): Address {
  const text = f.get('group');
  const addr = typeof text === 'string' ? parseAddress(text) : undefined;
  const multicast = addr && (addr.af === AF_INET ? (addr.bytes[0]! & 0xf0) === 0xe0 : addr.bytes[0] === 0xff);
  if (!addr || !multicast) throw new SaveFormatError(f.path('group'), 'must be a multicast address (224.0.0.0/4 or ff00::/8)');
  return addr;
}
