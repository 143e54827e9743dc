// Command → IPVS client calls → the data read (result.ts), which render.ts prints as text or
// JSON. Never writes output itself; errors are typed, and cli/report.ts words them.
import type { Address } from '../ipvs/address.js';
import { formatAddress } from '../ipvs/address.js';
import type { IpvsClient } from '../ipvs/client.js';
import { IpvsOperationError } from '../ipvs/errors.js';
import type { ServiceWithDestinations } from '../ipvs/model.js';
import type { Command, ListOptions } from '../core/command.js';
import { changeOf, isModifying } from '../core/command-change.js';
import { FixedListingError, ListingError } from './listing-errors.js';
import type { NameTable } from '../table/names.js';
import type { NameResolver } from '../app/io.js';
import { outputFormat, renderText } from './render.js';
import type { OutputFormat, Result } from './result.js';

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
 * the services dumped around it; see IpvsClient.tableFromProc). --tun-info adds the tunnel's
 * type, port and flags, which only tunnel destinations show: as for -S, only the services with
 * one are dumped. Every other layout (counters, thresholds, persistent connections) dumps.
 */
async function listingTable(ctx: ExecuteContext, key: Extract<Command, { kind: 'list' }>['key'], options: ListOptions): Promise<ServiceWithDestinations[]> {
  const read = ctx.readServices;
  const fromFile = !options.stats && !options.rate && !options.thresholds && !options.persistentConn;
  if (!key && read && fromFile) {
    const fromProc = await listing(() => ctx.client.tableFromProc(read, { tunnelDetails: options.tunInfo }));
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
async function list(ctx: ExecuteContext, key: Extract<Command, { kind: 'list' }>['key'], options: ListOptions, format: OutputFormat): Promise<Result> {
  const info = key ? undefined : await listing(() => ctx.client.info());
  const table = format === 'json' ? await listing(() => fetchTable(ctx.client, key)) : await listingTable(ctx, key, options);
  const names = await nameTable(ctx, options.numeric, table);
  return { kind: 'listing', listing: { ...(info ? { info } : {}), services: table }, options, names };
}

/** `-S --json`: every setting, so the full dumps (thresholds are not in /proc/net/ip_vs). */
async function saveAll(ctx: ExecuteContext): Promise<Result> {
  return { kind: 'save-all', data: await listing(() => ctx.client.snapshot()) };
}

const CONN_FILE = '/proc/net/ip_vs_conn';

/** -L -c reads the kernel's connection table from procfs, as ipvsadm 1.31 does. */
async function connections(ctx: ExecuteContext, numeric: boolean, persistentConn: boolean): Promise<Result> {
  let text: string;
  try {
    text = await (ctx.readConnections ?? (() => Promise.reject(new Error('no reader'))))();
  } catch {
    throw new FixedListingError(`cannot open file ${CONN_FILE}`);
  }
  if (text.length === 0) throw new FixedListingError(`unexpected input from ${CONN_FILE}`);
  const options = { numeric, persistentConn };
  if (numeric) return { kind: 'connections', text, options, names: NUMERIC };
  const { connectionAddresses } = await import('./format/connections.js');
  const { parseConnectionFile } = await import('../table/connections.js');
  const names = await resolveNames(ctx.names, connectionAddresses(parseConnectionFile(text) ?? []));
  return { kind: 'connections', text, options, names };
}

/**
 * Runs one parsed command and returns what it read, for render.ts to print (the change commands:
 * `done`). It reads what `format` needs: the JSON forms take every attribute from the full dumps.
 */
export async function execute(cmd: Command, ctx: ExecuteContext, format: OutputFormat = outputFormat(cmd)): Promise<Result> {
  if (isModifying(cmd)) {
    await ctx.client.apply(changeOf(cmd));
    return { kind: 'done' };
  }
  switch (cmd.kind) {
    case 'list':
      return list(ctx, cmd.key, cmd.options, format);
    case 'save': {
      if (format === 'json') return saveAll(ctx);
      const services = await saveTable(ctx);
      return { kind: 'save', services, numeric: cmd.numeric, names: await nameTable(ctx, cmd.numeric, services) };
    }
    case 'list-timeouts':
      return { kind: 'timeouts', timeouts: await listing(() => ctx.client.timeouts(), true) };
    case 'list-daemons':
      return { kind: 'daemons', daemons: await listing(() => ctx.client.daemons(), true) };
    case 'list-connections':
      return connections(ctx, cmd.numeric, cmd.persistentConn);
    case 'restore':
    case 'help':
    case 'version':
      throw new Error(`internal error: ${cmd.kind} is handled by cli/main.ts`);
  }
}

/** Runs one parsed command and renders its result in the command's format, as one string. */
export async function executeText(cmd: Command, ctx: ExecuteContext): Promise<string> {
  const format = outputFormat(cmd);
  return renderText(await execute(cmd, ctx, format), format);
}
