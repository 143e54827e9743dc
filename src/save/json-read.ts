// A JSON save (`ipvsadm -S --json`, kind "save"; or a `-L --json` listing, kind "table") read
// back into the settings a restore gives the kernel. Every field is checked before anything is
// applied and the first problem is named by its path. Shape: src/schema/ipvsadm.schema.json; each
// setting is read by its field in the registry (src/fields/), this module reads the identities.
import { parseAddress } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';
import { AF_INET, AF_INET6 } from '../ipvs/constants.js';
import type { DaemonConfig, DestinationConfig, ServiceConfig, ServiceKey, Timeouts } from '../ipvs/model.js';
import { destinationId, protocolNumber, serviceId } from '../ipvs/vocabulary.js';
import type { Protocol } from '../ipvs/vocabulary.js';
import { JSON_VERSION } from '../table/json.js';
import { DAEMON_FIELDS, DESTINATION_FIELDS, SERVICE_FIELDS, TIMEOUT_FIELDS } from '../fields/registry.js';
import { jsonKeys, readMembers } from '../fields/outputs.js';
import type { MemberReader, Registry } from '../fields/spec.js';

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
class Fields implements MemberReader {
  constructor(
    private readonly members: Readonly<Record<string, unknown>>,
    readonly at: string,
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.members, key);
  }

  get(key: string): unknown {
    return this.has(key) ? this.members[key] : undefined;
  }

  value(key: string): unknown {
    return this.required(key);
  }

  required(key: string): unknown {
    if (!this.has(key)) throw new SaveFormatError(this.at, `"${key}" is missing`);
    return this.members[key];
  }

  path(key: string): string {
    return this.at === '' ? key : `${this.at}.${key}`;
  }

  only(keys: readonly string[]): void {
    const extra = Object.keys(this.members).find((k) => !keys.includes(k));
    if (extra !== undefined) throw new SaveFormatError(this.path(extra), 'is not a field this document has');
  }

  // MemberReader, for the fields of the registry to read their members with
  integer(key: string, min: number, max: number): number {
    return integer(this, key, min, max);
  }

  name(key: string, maxBytes: number): string {
    return string(this, key, maxBytes);
  }

  oneOf<T extends string>(key: string, names: readonly T[]): T {
    return oneOf(this, key, names);
  }

  boolean(key: string): boolean {
    return boolean(this, key);
  }

  array(key: string): unknown[] {
    return array(this.required(key), this.path(key));
  }

  member(key: string): Fields | null {
    const v = this.required(key);
    return v === null ? null : object(v, this.path(key));
  }

  fail(path: string, problem: string): never {
    throw new SaveFormatError(path, problem);
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

/** The settings of one object of a document, each read by its field of `registry`. */
export function readSettings<M>(registry: Registry<M>, value: unknown, at: string, identity: Partial<M>): M {
  return readMembers(registry, object(value, at), identity);
}

function readService(value: unknown, at: string, listing: boolean): SavedService {
  const f = object(value, at);
  const identity = f.has('fwmark') ? ['fwmark', 'family'] : ['protocol', 'address', 'family', 'port'];
  f.only([...identity, ...jsonKeys<ServiceConfig>(SERVICE_FIELDS, listing), 'destinations', ...(listing ? LISTING_SERVICE_FIELDS : [])]);
  const service = readMembers<ServiceConfig>(SERVICE_FIELDS, f, { key: readKey(f) });
  const dests = array(f.required('destinations'), f.path('destinations')).map((d, i) => ({ d: readDestination(d, `${f.path('destinations')}[${i}]`, listing), at: `${f.path('destinations')}[${i}]` }));
  unique(dests, ({ d }) => destinationId(d), 'the same real server as');
  return { service, destinations: dests.map(({ d }) => d), at };
}

function readDestination(value: unknown, at: string, listing: boolean): DestinationConfig {
  const f = object(value, at);
  f.only(['address', 'family', 'port', ...jsonKeys<DestinationConfig>(DESTINATION_FIELDS, listing), ...(listing ? LISTING_DEST_FIELDS : [])]);
  const addr = address(f);
  return readMembers<DestinationConfig>(DESTINATION_FIELDS, f, { addr, port: integer(f, 'port', 0, 65535) });
}

function readTimeouts(value: unknown, at: string): Timeouts {
  const f = object(value, at);
  f.only(jsonKeys<Timeouts>(TIMEOUT_FIELDS, false));
  return readMembers<Timeouts>(TIMEOUT_FIELDS, f, {});
}

function readDaemon(value: unknown, at: string): DaemonConfig {
  const f = object(value, at);
  f.only(jsonKeys<DaemonConfig>(DAEMON_FIELDS, false));
  return readMembers<DaemonConfig>(DAEMON_FIELDS, f, {});
}
