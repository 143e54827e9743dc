// What a command gives back before it is printed: the table model it read (services with their
// real servers, info, timeouts, daemons, connection entries), the options that shape its text
// and the names looked up. execute.ts makes it; render.ts prints it as text or JSON.
import type { DaemonConfig, Info, ServiceWithDestinations, Timeouts } from '../ipvs/model.js';
import type { SaveData } from '../save/json-write.js';
import type { NameTable } from '../table/names.js';
import type { ListOptions } from '../core/command.js';
import type { ConnectionListOptions } from './format/connections.js';

/** A listing's table: the whole table with the IPVS info (`-L`), or one service without. */
export interface Listing {
  readonly info?: Info;
  readonly services: readonly ServiceWithDestinations[];
}

export type Result =
  /** a change was made: nothing to print */
  | { readonly kind: 'done' }
  | { readonly kind: 'listing'; readonly listing: Listing; readonly options: ListOptions; readonly names: NameTable }
  /** -S: the services as command lines */
  | { readonly kind: 'save'; readonly services: readonly ServiceWithDestinations[]; readonly numeric: boolean; readonly names: NameTable }
  /** -S --json: everything a restore gives back */
  | { readonly kind: 'save-all'; readonly data: SaveData }
  | { readonly kind: 'timeouts'; readonly timeouts: Timeouts }
  | { readonly kind: 'daemons'; readonly daemons: readonly DaemonConfig[] }
  /** `text`: /proc/net/ip_vs_conn as read (not empty), parsed by whichever renderer prints it */
  | { readonly kind: 'connections'; readonly text: string; readonly options: ConnectionListOptions; readonly names: NameTable };

/** How a result is printed: as ipvsadm 1.31 prints it, or as one JSON document (`--json`). */
export type OutputFormat = 'text' | 'json';

/** What a command prints: text, or its chunks made as they are written (large listings). */
export type Output = string | Iterable<string>;
