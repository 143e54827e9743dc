// The process port every front end runs against (the 1.31 command line, realserver/director,
// lab): streams, stdin, the netlink socket factory, name look-ups, the module loader. The app
// boundary (src/app/process-io.ts) gives the real one; tests give fakes.
import type { Address } from '../ipvs/address.js';
import type { Protocol } from '../ipvs/vocabulary.js';
import type { TransportFactory } from '../netlink/transport.js';
import type { Terminal } from './terminal.js';

export interface NameResolver {
  /** gethostbyname(): IPv4 only, first address; undefined when the name does not resolve */
  hostByName(name: string): Promise<Address | undefined>;
  /** getservbyname(name, proto) */
  portByName(name: string, protocol: Protocol): number | undefined;
  /** gethostbyaddr(): /etc/hosts then DNS; undefined when there is no name */
  nameByAddress(addr: Address): Promise<string | undefined>;
  /** getservbyport(port, proto) */
  nameByPort(port: number, protocol: Protocol): string | undefined;
}

/** import() of an ES module by URL */
export type ImportModule = (url: string) => Promise<unknown>;

export interface Io {
  /** argv[0] as ipvsadm would see it; used in "Try `<argv0> -h' ..." */
  readonly argv0: string;
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  openTransport: TransportFactory;
  names: NameResolver;
  /**
   * What to do when IPVS is not there before one more try: `as131` runs `modprobe -- ip_vs` with
   * its output on ours, as ipvsadm does; `quiet` keeps modprobe's words and gives its reason for
   * failing (undefined when it loaded), for our own commands to put in their message.
   */
  loadModule(how: 'as131' | 'quiet'): Promise<string | undefined>;
  readConnections(): Promise<string>;
  /** reads /proc/net/ip_vs (optional: without it, listings dump every service's destinations) */
  readServices?(): Promise<Uint8Array>;
  /**
   * stdout is a terminal and NO_COLOR is not set (or empty): our own views may colour their text
   * (compat output never has colour). Colour only: the words and layout never depend on it.
   */
  readonly color?: boolean;
  /** stdout is a terminal: a live line may be redrawn in place (drain's counts) */
  readonly stdoutTerminal?: boolean;
  /** stderr is a terminal: long work may show a redrawn progress line there (app/progress.ts) */
  readonly stderrTerminal?: boolean;
  /**
   * stderr is a terminal, or IPVSADM_EXPLAIN=1: a refused command gets one more line after
   * ipvsadm's own, naming the likely cause (scripts comparing 1.31's text never see it)
   */
  readonly explain?: boolean;
  /** a kernel module's state, for those explanations (absent: not looked at) */
  moduleState?(name: string): Promise<'loaded' | 'loadable' | 'missing'>;
  /** the kernel's type of an address for this host (`ip route get`: `broadcast`, `local`, ...), for those explanations */
  addressType?(addr: Address): Promise<string | undefined>;
  /** bytes to stdout as they are, in order with stdout()'s text (optional: large outputs built as bytes) */
  stdoutBytes?(bytes: Uint8Array): void;
  /** resolves when what stdout() accepted so far is written (back-pressure for large listings) */
  drainStdout?(): Promise<void>;
  /**
   * import() of an ES module by URL, given by bin/ when the code runs from the one-file bundle
   * (compiled from V8's code cache, where import() is not available); absent: plain import()
   */
  readonly importModule?: ImportModule;
  /** the terminal stdout is, for a full-screen view (absent, or undefined from it: not a terminal) */
  terminal?(): Terminal | undefined;
  /** how long a netlink request may go unanswered (IPVSADM_NETLINK_TIMEOUT); NaN: set but invalid */
  readonly netlinkTimeoutMs?: number;
  /** the process's environment, for a command that takes settings from it (boot: /etc/default/ipvsadm through systemd) */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/** The environment variable that sets the netlink timeout, in seconds (process-io.ts reads it). */
export const TIMEOUT_ENV = 'IPVSADM_NETLINK_TIMEOUT';

/** Standard input could not be read (a directory, EIO): one line, and the command does nothing. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
