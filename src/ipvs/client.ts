// IPVS operations over generic netlink: the typed API the CLI uses. One private request path
// turns every failure into an IpvsOperationError (operation + errno), as libipvs reports them.
// Listings are fetched again when the table changed under them (see table()).
import { AttributeSet, AttributeWriter } from '../netlink/attributes.js';
import { CHANGE_CMD, encodeChange } from './changes.js';
import type { Change } from './changes.js';
import type { ConnectionOptions, ReplyVisitor } from '../netlink/connection.js';
import { NETLINK_GENERIC } from '../netlink/constants.js';
import { MalformedMessageError, NetlinkError, NetlinkExchangeError, TransportError } from '../netlink/errors.js';
import { GenlClient } from '../netlink/genl.js';
import type { GenlPayload } from '../netlink/message.js';
import type { TransportFactory } from '../netlink/transport.js';
import { constants as osConstants } from 'node:os';
import { CmdAttr, Cmd, IPVS_GENL_NAME, IPVS_GENL_VERSION } from './constants.js';
import { decodeDaemons, decodeInfo, decodeService, decodeTimeouts, putServiceKeyNest } from './codec.js';
import { IpvsExchangeError, IpvsOperationError, exchangeError } from './errors.js';
import type { IpvsOperation } from './errors.js';
import { destinationId, serviceId } from './vocabulary.js';
import { parseProcServices, procServiceId } from './proc-services.js';
import type { ProcServiceId } from './proc-services.js';
import { ListedInProc, listedInProc } from './proc-table.js';
import { TableChanged, hasDuplicates, isGone, isInterrupted } from './table-change.js';
import { readService, readServiceWithoutStats } from './service-reader.js';
import { readDestination } from './dest-reader.js';
import type { DaemonConfig, Destination, Info, Service, ServiceKey, ServiceWithDestinations, Snapshot, Timeouts } from './model.js';

const { EAGAIN, EINVAL, ENOENT, ENOPROTOOPT } = osConstants.errno;

/** How many times a listing is fetched in all when the table changes under it. */
export const TABLE_ATTEMPTS = 5;

export interface ProcTableOptions {
  /** how often the file and the dumps may disagree before the answer is undefined */
  readonly attempts?: number;
  /** dump the destinations of services with a tunnel destination (type, port, flags: for -S) */
  readonly tunnelDetails?: boolean;
  /** above this many services the destinations are dumped, not read from the file (PROC_MAX_SERVICES) */
  readonly maxServices?: number;
}

/**
 * The most services for which /proc/net/ip_vs stands in for the destination dumps. The file is
 * read 4 KiB per read() and Linux (6.1) finds each read's first line by walking the table from its
 * start, so reading it costs the square of the table; the dumps cost about the same per service at
 * any size. Measured in the user-mode kernel (bench growth case, 10,000 and 50,000 services x 4):
 * the file's `-Ln` took 0.41 then 0.84 ms a service, `-Sn` 0.43 then 1.52, the dumps' `--stats`
 * 1.14 then 0.81: they meet near 50,000, so from 40,000 on the dumps are taken.
 */
export const PROC_MAX_SERVICES = 40_000;

/** Options of the client's sockets (the app boundary reads them from the environment). */
export interface ClientOptions extends ConnectionOptions {
  /** the socket's fixed read size (TransportOptions.readBytes), for clients that mostly dump */
  readonly readBytes?: number;
}

/** Sockets used for destination dumps of a large table, and the services worth one more socket. */
const DUMP_SOCKETS = 8;
const DUMPS_PER_LANE = 64;
/**
 * The fixed read size of those sockets (TransportOptions.readBytes): one recvmsg per datagram
 * instead of a peek and a read, and a buffer per datagram that holds the largest dump datagram
 * the kernel makes before it has seen a larger read (NLMSG_GOODSIZE: at most 8 KiB, whatever
 * the page size). A 32 KiB buffer each, as the services dump reads, made 20,000 of them for
 * 10,000 services, all garbage.
 */
const DEST_READ_BYTES = 8192;

/** Any failure below this layer, as the errno ipvsadm would report (libipvs: EINVAL otherwise). */
export function toOperationError(op: IpvsOperation, e: unknown): IpvsOperationError {
  if (e instanceof IpvsOperationError) return e;
  if (e instanceof NetlinkError) return new IpvsOperationError(op, e.errno, { cause: e });
  if (e instanceof NetlinkExchangeError) return exchangeError(op, e);
  if (e instanceof TransportError && e.errno) return new IpvsOperationError(op, e.errno, { cause: e });
  if (e instanceof MalformedMessageError || e instanceof TransportError) return new IpvsOperationError(op, EINVAL, { cause: e });
  throw e;
}

const attrsOf = (p: GenlPayload, where: string): AttributeSet => new AttributeSet(p.attrs, where, CmdAttr);

export class IpvsClient {
  /** Fetches of a listing started again because the table changed under them (for tests). */
  changesSeen = 0;

  private constructor(
    private readonly genl: GenlClient,
    private readonly openTransport: TransportFactory,
    private readonly options: ClientOptions,
  ) {}

  /**
   * Opens a socket and resolves the IPVS family. No family (ip_vs not loaded) is reported as
   * ENOPROTOOPT, which is what ipvsadm ends up with after its legacy fallback. `timeoutMs`: how
   * long any request or dump may go without a reply (default 5 s).
   */
  static async open(openTransport: TransportFactory, options: ClientOptions = {}): Promise<IpvsClient> {
    try {
      // GenlClient.open closes the transport itself when the family cannot be resolved.
      const transport = await openTransport(NETLINK_GENERIC, options.readBytes ? { readBytes: options.readBytes } : {});
      const genl = await GenlClient.open(transport, IPVS_GENL_NAME, options);
      return new IpvsClient(genl, openTransport, options);
    } catch (e) {
      if (e instanceof NetlinkError && e.errno === ENOENT) throw new IpvsOperationError('init', ENOPROTOOPT, { cause: e });
      throw toOperationError('init', e);
    }
  }

  close(): void {
    this.genl.close();
  }

  private async call<T>(op: IpvsOperation, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw toOperationError(op, e);
    }
  }

  private request(op: IpvsOperation, cmd: number, attrs?: Uint8Array): Promise<GenlPayload[]> {
    return this.call(op, () => this.genl.request({ cmd, ...(attrs ? { attrs } : {}) }, IPVS_GENL_VERSION));
  }

  private dump(op: IpvsOperation, cmd: number, attrs?: Uint8Array): Promise<GenlPayload[]> {
    return this.call(op, () => this.genl.dump({ cmd, ...(attrs ? { attrs } : {}) }, IPVS_GENL_VERSION));
  }

  private decodeOne<T>(op: IpvsOperation, replies: GenlPayload[], decode: (a: AttributeSet) => T): T {
    const [first] = this.decodeAll(op, replies, decode);
    if (first === undefined) throw toOperationError(op, new MalformedMessageError(op, 'no reply'));
    return first;
  }

  private decodeAll<T>(op: IpvsOperation, replies: GenlPayload[], decode: (a: AttributeSet) => T): T[] {
    try {
      return replies.map((r) => decode(attrsOf(r, op)));
    } catch (e) {
      throw toOperationError(op, e);
    }
  }

  async info(): Promise<Info> {
    return this.decodeOne('init', await this.request('init', Cmd.GET_INFO), decodeInfo);
  }

  /** Every service, fetched again when the dump shows the table changing (see table()). */
  services(): Promise<Service[]> {
    return this.untilStable(() => this.servicesOnce());
  }

  /**
   * The kernel resumes a multipart dump by position, with no generation: a service added in
   * front of the position between two parts sends one entry twice (dropped here, nothing is
   * hidden), a service deleted in front of it hides the next one. Such a deleted service was
   * sent already, so a second dump that misses a service of the first means: fetch again.
   */
  private async servicesOnce(): Promise<Service[]> {
    const first = await this.dumpServices();
    const again = new Set((await this.dumpServiceKeys()).map(serviceId));
    if (first.some((s) => !again.has(serviceId(s.key)))) throw new TableChanged();
    const seen = new Set<string>();
    return first.filter((s) => !seen.has(serviceId(s.key)) && (seen.add(serviceId(s.key)), true));
  }

  /**
   * One GET_SERVICE dump, each service decoded as its reply arrives (nothing of the replies is
   * kept); an interrupted dump is a TableChanged.
   */
  private dumpServices(counters = true): Promise<Service[]> {
    return this.noteChange(async () => {
      const out: Service[] = [];
      const visit: ReplyVisitor = counters
        ? (bytes, dv, begin, end) => out.push(readService(bytes, dv, begin, end, 'get-services'))
        : (bytes, dv, begin, end) => out.push(readServiceWithoutStats(bytes, dv, begin, end, 'get-services'));
      await this.call('get-services', () => this.genl.dumpEach({ cmd: Cmd.GET_SERVICE }, visit, IPVS_GENL_VERSION));
      return out;
    });
  }

  /** The same dump, decoding only each service's key (a second look at what is there). */
  private dumpServiceKeys(): Promise<ServiceKey[]> {
    return this.noteChange(async () => {
      const out: ServiceKey[] = [];
      const visit: ReplyVisitor = (bytes, dv, begin, end) => out.push(readServiceWithoutStats(bytes, dv, begin, end, 'get-services').key);
      await this.call('get-services', () => this.genl.dumpEach({ cmd: Cmd.GET_SERVICE }, visit, IPVS_GENL_VERSION));
      return out;
    });
  }

  /**
   * Services (all, or the one of `key`) with their destinations, as one consistent listing. The
   * kernel's dumps carry no generation (IPVS never sets NLM_F_DUMP_INTR, though it is honoured),
   * so signs of a change are looked for: a dump interrupted, a service deleted during the services
   * dump (servicesOnce), a destination twice, a destination dump of a service deleted since
   * (GET_DEST answers it with ESRCH/ENOENT, or with an empty dump, so services without
   * destinations are asked for again). On a sign the whole fetch starts again, at most
   * `attempts` times in all.
   */
  table(key?: ServiceKey, attempts = TABLE_ATTEMPTS): Promise<ServiceWithDestinations[]> {
    return this.untilStable(() => this.tableOnce(key), attempts);
  }

  private async tableOnce(key: ServiceKey | undefined): Promise<ServiceWithDestinations[]> {
    const services = key ? [await this.service(key)] : await this.servicesOnce();
    const dests = await this.checkedDestinations(services.map((s) => s.key));
    return services.map((service, i) => ({ service, destinations: dests[i]! }));
  }

  /**
   * The destinations of each service, or TableChanged at a sign that one changed or went away
   * meanwhile: a destination twice, a dump answered ESRCH/ENOENT, or an empty dump of a service
   * that is gone (asked with GET_SERVICE).
   */
  private async checkedDestinations(keys: readonly ServiceKey[]): Promise<Destination[][]> {
    const dests = await this.noteChange(() => this.destinationsOfEach(keys), true);
    if (dests.some((d) => hasDuplicates(d, destinationId))) throw new TableChanged();
    const empty = keys.filter((_, i) => dests[i]!.length === 0);
    if (empty.length && (await this.anyGone(empty))) throw new TableChanged();
    return dests;
  }

  /** Whether any of `keys` no longer exists (GET_SERVICE, pipelined). */
  private async anyGone(keys: readonly ServiceKey[]): Promise<boolean> {
    const reqs = keys.map((k) => {
      const w = new AttributeWriter();
      putServiceKeyNest(w, k);
      return { cmd: Cmd.GET_SERVICE, attrs: w.finish() };
    });
    const outcomes = await this.call('get-service', () => this.genl.batch(reqs, IPVS_GENL_VERSION));
    const errors = outcomes.flatMap((o) => (o.ok ? [] : [toOperationError('get-service', o.error)]));
    if (errors.some(isGone)) return true;
    if (errors[0]) throw errors[0];
    return false;
  }

  /** Runs `fetch`; a dump interrupted (or, with `gone`, a service vanished) is a TableChanged. */
  private async noteChange<T>(fetch: () => Promise<T>, gone = false): Promise<T> {
    try {
      return await fetch();
    } catch (e) {
      if (isInterrupted(e) || (gone && isGone(e))) throw new TableChanged();
      throw e;
    }
  }

  private async untilStable<T>(fetch: () => Promise<T>, attempts = TABLE_ATTEMPTS): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetch();
      } catch (e) {
        if (!(e instanceof TableChanged)) throw e;
        this.changesSeen++;
        if (attempt >= attempts) {
          throw new IpvsExchangeError('get-services', EAGAIN, `the IPVS table kept changing during the listing (tried ${attempts} times)`);
        }
      }
    }
  }

  /**
   * Every service with the destinations /proc/net/ip_vs shows (all the default listing prints),
   * or undefined where that file cannot stand in for the destination dumps: unreadable, not in
   * Linux's format, or naming a service ambiguously (fwmark services of both families sharing a
   * mark) or not at all (a protocol without a kernel name). Consistent as table() is: services
   * are dumped before the read, and the file must list nothing else, each once, with the same
   * scheduler (a service the dump hid, or one added or changed since, is a difference); services
   * it leaves out get their destinations dumped (and checked as table() checks them). On a
   * difference the whole fetch starts again, and after `attempts` the answer is undefined (the
   * caller dumps). Counters are not read: every stats is ZERO_STATS.
   */
  async tableFromProc(read: () => Promise<Uint8Array>, options: ProcTableOptions = {}): Promise<ServiceWithDestinations[] | undefined> {
    const attempts = options.attempts ?? TABLE_ATTEMPTS;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const table = await this.tableFromProcOnce(read, options.maxServices ?? PROC_MAX_SERVICES);
        return table && options.tunnelDetails ? await this.withTunnelDetails(table) : table;
      } catch (e) {
        if (!(e instanceof TableChanged)) throw e;
        this.changesSeen++;
      }
    }
    return undefined; // the file and the dumps kept disagreeing: let the dumps decide
  }

  /**
   * The file names a tunnel destination's method but not its tunnel type, port or flags: the
   * services that have one get their destinations dumped, and those must be the ones the file
   * listed (a service gone or changed in between starts the fetch again).
   */
  private async withTunnelDetails(table: ServiceWithDestinations[]): Promise<ServiceWithDestinations[]> {
    // services not in the file were dumped whole: they have their tunnel details already
    const tunnelled = table.flatMap((e, i) => (e instanceof ListedInProc && e.hasTunnel ? [i] : []));
    if (tunnelled.length === 0) return table;
    const dumped = await this.noteChange(() => this.destinationsOfEach(tunnelled.map((i) => table[i]!.service.key)), true);
    const out: ServiceWithDestinations[] = table.slice();
    tunnelled.forEach((i, k) => {
      const fresh = dumped[k]!;
      const listed = new Set(table[i]!.destinations.map(destinationId));
      if (fresh.length !== listed.size || fresh.some((d) => !listed.has(destinationId(d)))) throw new TableChanged();
      out[i] = { service: table[i]!.service, destinations: fresh };
    });
    return out;
  }

  private async tableFromProcOnce(read: () => Promise<Uint8Array>, maxServices: number): Promise<ServiceWithDestinations[] | undefined> {
    const services = await this.dumpServices(false);
    if (services.length > maxServices) {
      const dests = await this.checkedDestinations(services.map((s) => s.key));
      return services.map((service, i) => ({ service, destinations: dests[i]! }));
    }
    const ids = services.map((s) => procServiceId(s.key));
    if (ids.some((id) => id === undefined) || new Set(ids).size !== ids.length) return undefined;
    let text: Uint8Array;
    try {
      text = await read();
    } catch {
      return undefined;
    }
    const parsed = parseProcServices(text);
    if (!parsed) return undefined;
    const { out, unlisted } = listedInProc(services, ids as ProcServiceId[], parsed);
    if (unlisted.length > 0) {
      const dests = await this.checkedDestinations(unlisted.map((i) => services[i]!.key));
      unlisted.forEach((i, k) => (out[i] = { service: services[i]!, destinations: dests[k]! }));
    }
    return out;
  }

  async service(key: ServiceKey): Promise<Service> {
    const w = new AttributeWriter();
    putServiceKeyNest(w, key);
    return this.decodeOne('get-service', await this.request('get-service', Cmd.GET_SERVICE, w.finish()), decodeService);
  }

  /** The destinations of one service, each decoded as its reply arrives (no reply is kept). */
  async destinations(key: ServiceKey): Promise<Destination[]> {
    const w = new AttributeWriter();
    putServiceKeyNest(w, key);
    const out: Destination[] = [];
    const visit: ReplyVisitor = (bytes, dv, begin, end) => out.push(readDestination(bytes, dv, begin, end, key.af, 'get-dests'));
    await this.call('get-dests', () => this.genl.dumpEach({ cmd: Cmd.GET_DEST, attrs: w.finish() }, visit, IPVS_GENL_VERSION));
    return out;
  }

  /**
   * The destinations of many services. The kernel dumps one service's destinations per request
   * and a socket holds one dump at a time, so the dumps are spread over `parallel` sockets; the
   * result is in the order of `keys`.
   */
  async destinationsOfEach(keys: readonly ServiceKey[], parallel = DUMP_SOCKETS): Promise<Destination[][]> {
    const out: Destination[][] = new Array<Destination[]>(keys.length);
    const lanes = Math.max(1, Math.min(parallel, Math.ceil(keys.length / DUMPS_PER_LANE)));
    const clients: IpvsClient[] = [this];
    try {
      for (let i = 1; i < lanes; i++) {
        const transport = await this.call('get-dests', () => this.openTransport(NETLINK_GENERIC, { readBytes: DEST_READ_BYTES }));
        clients.push(new IpvsClient(GenlClient.withFamily(transport, this.genl.family, this.options), this.openTransport, this.options));
      }
      let next = 0;
      await Promise.all(
        clients.map(async (client) => {
          for (let i = next++; i < keys.length; i = next++) out[i] = await client.destinations(keys[i]!);
        }),
      );
    } finally {
      for (const c of clients.slice(1)) c.close();
    }
    return out;
  }

  /** The whole state: info, every service with its destinations, the timeouts, the daemons. */
  async snapshot(): Promise<Snapshot> {
    const info = await this.info();
    const services = await this.table();
    return { info, services, timeouts: await this.timeouts(), daemons: await this.daemons() };
  }

  async timeouts(): Promise<Timeouts> {
    return this.decodeOne('get-timeouts', await this.request('get-timeouts', Cmd.GET_CONFIG), decodeTimeouts);
  }

  async daemons(): Promise<DaemonConfig[]> {
    return this.decodeAll('get-daemons', await this.dump('get-daemons', Cmd.GET_DAEMON), decodeDaemons).flat();
  }

  /** One modifying operation; throws IpvsOperationError when the kernel refuses it. */
  async apply(change: Change): Promise<void> {
    await this.request(change.op, CHANGE_CMD[change.op], encodeChange(change));
  }

  /**
   * Many operations pipelined in order; each gets its own result (undefined = done). Only a
   * failure is answered, plus the last change of each window (see BatchOptions.fenced).
   */
  async applyAll(changes: readonly Change[], window?: number): Promise<(IpvsOperationError | undefined)[]> {
    const reqs = changes.map((c) => ({ cmd: CHANGE_CMD[c.op], attrs: encodeChange(c) }));
    const options = { fenced: true, ...(window !== undefined ? { window } : {}) };
    const outcomes = await this.call('init', () => this.genl.batch(reqs, IPVS_GENL_VERSION, options));
    return outcomes.map((o, i) => (o.ok ? undefined : toOperationError(changes[i]!.op, o.error)));
  }
}
