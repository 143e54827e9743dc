// Command → IPVS client calls → text to print. Never writes output itself: it returns what to
// print, or throws a typed error that cli/main.ts turns into ipvsadm's stderr text and status.
import type { Address } from '../ipvs/address.js';
import { formatAddress } from '../ipvs/address.js';
import type { Change } from '../ipvs/changes.js';
import type { IpvsClient } from '../ipvs/client.js';
import { IpvsOperationError } from '../ipvs/errors.js';
import type { ServiceWithDestinations } from '../ipvs/model.js';
import type { Command, ListOptions } from './command.js';
import { FixedListingError, ListingError } from './listing-errors.js';
import type { NameTable } from '../table/names.js';
import type { NameResolver } from '../app/io.js';

// The formatters are loaded by the commands that print: a change (`-a`, `-A`, ...) never pays
// for compiling them.
export { FixedListingError, ListingError } from './listing-errors.js';

export interface ExecuteContext {
  readonly client: IpvsClient;
  readonly names: NameResolver;
  /** reads /proc/net/ip_vs_conn (for -L -c); injectable for tests */
  readonly readConnections?: () => Promise<string>;
  /** reads /proc/net/ip_vs (the default listing's destinations in one read); without it, dumps */
  readonly readServices?: () => Promise<Uint8Array>;
}

type Modifying = Extract<Command, { kind: 'add-service' | 'edit-service' | 'delete-service' | 'flush' | 'zero' | 'add-server' | 'edit-server' | 'delete-server' | 'set-timeouts' | 'start-daemon' | 'stop-daemon' }>;

/** The kernel change a modifying command stands for. */
export function changeOf(cmd: Modifying): Change {
  switch (cmd.kind) {
    case 'add-service':
    case 'edit-service':
      return { op: cmd.kind, service: cmd.service };
    case 'delete-service':
      return { op: 'delete-service', key: cmd.key };
    case 'flush':
      return { op: 'flush' };
    case 'zero':
      return cmd.key ? { op: 'zero', key: cmd.key } : { op: 'zero' };
    case 'add-server':
      return { op: 'add-dest', key: cmd.key, dest: cmd.dest };
    case 'edit-server':
      return { op: 'edit-dest', key: cmd.key, dest: cmd.dest };
    case 'delete-server':
      return { op: 'delete-dest', key: cmd.key, dest: cmd.dest };
    case 'set-timeouts':
      return { op: 'set-timeouts', timeouts: cmd.timeouts };
    case 'start-daemon':
      return { op: 'start-daemon', daemon: cmd.daemon };
    case 'stop-daemon':
      return { op: 'stop-daemon', state: cmd.state, syncId: cmd.syncId };
  }
}

export function isModifying(cmd: Command): cmd is Modifying {
  return ['add-service', 'edit-service', 'delete-service', 'flush', 'zero', 'add-server', 'edit-server', 'delete-server', 'set-timeouts', 'start-daemon', 'stop-daemon'].includes(cmd.kind);
}

async function listing<T>(run: () => Promise<T>, silent = false): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof IpvsOperationError) throw new ListingError(e, silent);
    throw e;
  }
}

/** Services (all, or one) with their destinations, in kernel order, as one consistent fetch. */
function fetchTable(client: IpvsClient, key: Extract<Command, { kind: 'list' }>['key']): Promise<ServiceWithDestinations[]> {
  return client.table(key);
}

/** Looks every address up once (in parallel) and serves the formatters synchronously. */
export async function resolveNames(names: NameResolver, addresses: readonly Address[]): Promise<NameTable> {
  const unique = new Map<string, Address>();
  for (const a of addresses) unique.set(`${a.af}/${formatAddress(a)}`, a);
  const hosts = new Map<string, string | undefined>();
  await Promise.all(
    [...unique].map(async ([k, a]) => {
      hosts.set(k, await names.nameByAddress(a));
    }),
  );
  return {
    host: (a) => hosts.get(`${a.af}/${formatAddress(a)}`),
    port: (p, proto) => names.nameByPort(p, proto),
  };
}

const NUMERIC: NameTable = { host: () => undefined, port: () => undefined };

async function nameTable(ctx: ExecuteContext, numeric: boolean, table: readonly ServiceWithDestinations[]): Promise<NameTable> {
  if (numeric) return NUMERIC;
  const { addressesToResolve } = await import('./format/list.js');
  return resolveNames(ctx.names, addressesToResolve(table));
}

/**
 * The whole table for a listing. The default layout shows of each destination only what
 * /proc/net/ip_vs has, so that file replaces one destination dump per service (checked against
 * the services dumped around it; see IpvsClient.tableFromProc); every other layout dumps.
 */
async function listingTable(ctx: ExecuteContext, key: Extract<Command, { kind: 'list' }>['key'], options: ListOptions): Promise<ServiceWithDestinations[]> {
  const read = ctx.readServices;
  const plain = !options.stats && !options.rate && !options.thresholds && !options.persistentConn && !options.tunInfo;
  if (!key && read && plain) {
    const fromProc = await listing(() => ctx.client.tableFromProc(read));
    if (fromProc) return fromProc;
  }
  return listing(() => fetchTable(ctx.client, key));
}

/**
 * The whole table for -S, which prints of each destination its method and weight (in
 * /proc/net/ip_vs) and, for tunnels only, the tunnel's type, port and flags (not in it): the
 * file stands in for the destination dumps of every service without a tunnel destination.
 */
async function saveTable(ctx: ExecuteContext): Promise<ServiceWithDestinations[]> {
  const read = ctx.readServices;
  if (read) {
    const fromProc = await listing(() => ctx.client.tableFromProc(read, { tunnelDetails: true }));
    if (fromProc) return fromProc;
  }
  return listing(() => fetchTable(ctx.client, undefined));
}

/**
 * `-L --json`: the whole model in every mode, so always the full dumps (counters, thresholds,
 * tunnel details, persistent connections), never /proc/net/ip_vs.
 */
async function listJson(ctx: ExecuteContext, key: Extract<Command, { kind: 'list' }>['key'], options: ListOptions): Promise<string> {
  const info = key ? undefined : await listing(() => ctx.client.info());
  const table = await listing(() => fetchTable(ctx.client, key));
  const names = options.numeric ? undefined : await nameTable(ctx, false, table);
  const { listingJson } = await import('../table/json.js');
  return listingJson({ ...(info ? { info } : {}), services: table }, options, names);
}

/** `-S --json`: every setting, so the full dumps (thresholds are not in /proc/net/ip_vs). */
async function saveJsonOf(ctx: ExecuteContext): Promise<string> {
  const services = await listing(() => fetchTable(ctx.client, undefined));
  const timeouts = await listing(() => ctx.client.timeouts());
  const daemons = await listing(() => ctx.client.daemons());
  const { saveJson } = await import('../save/json-write.js');
  return saveJson({ services, timeouts, daemons });
}

async function list(ctx: ExecuteContext, key: Extract<Command, { kind: 'list' }>['key'], options: ListOptions): Promise<Iterable<string>> {
  const info = key ? undefined : await listing(() => ctx.client.info());
  const table = await listingTable(ctx, key, options);
  const names = await nameTable(ctx, options.numeric, table);
  const { listingChunks } = await import('./format/list.js');
  return listingChunks({ ...(info ? { info } : {}), services: table }, options, names);
}

const CONN_FILE = '/proc/net/ip_vs_conn';

async function connectionsJsonOf(ctx: ExecuteContext, text: string, numeric: boolean): Promise<string> {
  const { connectionAddresses, parseConnectionFile } = await import('./format/connections.js');
  const entries = parseConnectionFile(text);
  if (entries === undefined) throw new FixedListingError(`unexpected input from ${CONN_FILE}`);
  const names = numeric ? undefined : await resolveNames(ctx.names, connectionAddresses(text));
  const { connectionsJson } = await import('./format/connections-json.js');
  return connectionsJson(entries, names);
}

/** -L -c reads the kernel's connection table from procfs, as ipvsadm 1.31 does. */
async function connections(ctx: ExecuteContext, numeric: boolean, persistentConn: boolean, json: boolean): Promise<string> {
  let text: string;
  try {
    text = await (ctx.readConnections ?? (() => Promise.reject(new Error('no reader'))))();
  } catch {
    throw new FixedListingError(`cannot open file ${CONN_FILE}`);
  }
  if (json) return connectionsJsonOf(ctx, text, numeric);
  const { connectionAddresses, formatConnections } = await import('./format/connections.js');
  const names = numeric ? NUMERIC : await resolveNames(ctx.names, connectionAddresses(text));
  const out = formatConnections(text, { numeric, persistentConn }, names);
  if (out === undefined) throw new FixedListingError(`unexpected input from ${CONN_FILE}`);
  return out;
}

/** What a command prints: text, or its chunks made as they are written (large listings). */
export type Output = string | Iterable<string>;

/** Runs one parsed command; returns the text for stdout. */
export async function execute(cmd: Command, ctx: ExecuteContext): Promise<string> {
  const out = await executeOutput(cmd, ctx);
  return typeof out === 'string' ? out : [...out].join('');
}

/** Runs one parsed command; returns what to print, listings and saves as chunks. */
export async function executeOutput(cmd: Command, ctx: ExecuteContext): Promise<Output> {
  if (isModifying(cmd)) {
    await ctx.client.apply(changeOf(cmd));
    return '';
  }
  switch (cmd.kind) {
    case 'list':
      return cmd.json ? listJson(ctx, cmd.key, cmd.options) : list(ctx, cmd.key, cmd.options);
    case 'save': {
      if (cmd.json) return saveJsonOf(ctx);
      const table = await saveTable(ctx);
      const { saveChunks } = await import('../save/format.js');
      return saveChunks(table, cmd.numeric, await nameTable(ctx, cmd.numeric, table));
    }
    case 'list-timeouts': {
      const timeouts = await listing(() => ctx.client.timeouts(), true);
      if (cmd.json) return (await import('../table/json.js')).timeoutsJson(timeouts);
      const { formatTimeouts } = await import('./format/timeouts.js');
      return formatTimeouts(timeouts);
    }
    case 'list-daemons': {
      const daemons = await listing(() => ctx.client.daemons(), true);
      if (cmd.json) return (await import('../table/json.js')).daemonsJson(daemons);
      const { formatDaemons } = await import('./format/daemons.js');
      return formatDaemons(daemons);
    }
    case 'list-connections':
      return connections(ctx, cmd.numeric, cmd.persistentConn, cmd.json === true);
    case 'restore':
    case 'help':
    case 'version':
      throw new Error(`internal error: ${cmd.kind} is handled by cli/main.ts`);
  }
}
