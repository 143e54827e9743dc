// Name resolution seam for the CLI: host and service names in arguments (-t vip:http), and the
// reverse look-ups of listings without -n. The system implementation lives in system-names.ts;
// tests inject a fixed table.
import type { Protocol } from '../ipvs/vocabulary.js';
import type { Address } from '../ipvs/address.js';

/**
 * Names already looked up, for the pure formatters: execute.ts resolves every address a listing
 * needs (through a NameResolver) before formatting, so formatting stays synchronous and pure.
 */
export interface NameTable {
  /** host name of an address, or undefined to print it numerically */
  host(addr: Address): string | undefined;
  /** service name of a port for that protocol, or undefined to print the number */
  port(port: number, protocol: Protocol): string | undefined;
}
