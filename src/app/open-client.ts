// Opens the IPVS client the way ipvsadm does for every front end: a generic netlink socket, the
// family resolved and the kernel asked for its version; when IPVS is not there, `modprobe ip_vs`
// (io.loadModule) and one more try. A kernel that does not answer is no reason to load a module.
// 1.31's command line lets modprobe speak on stderr; our own commands keep its words and put its
// reason in their message (IpvsUnavailableError).
import type { IpvsClient } from '../ipvs/client.js';
import { IpvsExchangeError, IpvsOperationError } from '../ipvs/errors.js';
import type { Io } from './io.js';

/** What opening a client takes from the process port. */
export type ClientPort = Pick<Io, 'openTransport' | 'loadModule' | 'netlinkTimeoutMs'>;

/** IPVS is not there even after `modprobe ip_vs`, which said why: `<1.31's text> (modprobe ip_vs: <reason>)`. */
export class IpvsUnavailableError extends IpvsOperationError {
  constructor(
    first: IpvsOperationError,
    /** modprobe's reason, without its `modprobe: FATAL: ` */
    readonly modprobe: string,
  ) {
    super(first.operation, first.errno, { cause: first });
    this.message = `${first.message} (modprobe ip_vs: ${modprobe})`;
    this.name = 'IpvsUnavailableError';
  }
}

/** The read size of a socket that dumps the whole table (see TransportOptions.readBytes). */
const DUMP_READ_BYTES = 32 * 1024;

/**
 * The client, ready (IPVS answered GET_INFO). `dumpsTable`: the socket will mostly carry the
 * whole table's dumps, and reads 32 KiB at a time. `modprobe`: how to load ip_vs (default
 * `quiet`; `as131` for 1.31's command line). Throws IpvsOperationError when IPVS is not
 * there even after loading the module, IpvsExchangeError when the kernel does not answer.
 */
export async function openClient(io: ClientPort, how: { readonly dumpsTable?: boolean; readonly modprobe?: 'as131' | 'quiet' } = {}): Promise<IpvsClient> {
  // Loaded here, not at the top: help and version never compile the client and codec.
  const { IpvsClient } = await import('../ipvs/client.js');
  const options = {
    ...(io.netlinkTimeoutMs === undefined ? {} : { timeoutMs: io.netlinkTimeoutMs }),
    ...(how.dumpsTable ? { readBytes: DUMP_READ_BYTES } : {}),
  };
  const once = async (): Promise<IpvsClient> => {
    const client = await IpvsClient.open(io.openTransport, options);
    try {
      await client.info();
      return client;
    } catch (e) {
      client.close();
      throw e;
    }
  };
  try {
    return await once();
  } catch (e) {
    // A kernel that does not answer is not a missing module: no modprobe, no second wait.
    if (e instanceof IpvsExchangeError) throw e;
    const why = await io.loadModule(how.modprobe ?? 'quiet');
    try {
      return await once();
    } catch (again) {
      throw why !== undefined && again instanceof IpvsOperationError && !(again instanceof IpvsExchangeError) ? new IpvsUnavailableError(again, why) : again;
    }
  }
}
