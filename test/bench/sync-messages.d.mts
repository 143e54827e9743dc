// Types of test/bench/sync-messages.mjs for the unit tests.
export interface SyncConnection {
  readonly protocol: number;
  readonly state: number;
  readonly client: number;
  readonly clientPort: number;
  readonly virtual: number;
  readonly virtualPort: number;
  readonly dest: number;
  readonly destPort: number;
  readonly timeout: number;
}
export declare const HEADER_BYTES: number;
export declare const CONN_BYTES: number;
export declare const MAX_CONNS_PER_MESSAGE: number;
export declare const SYNC_MTU: number;
export declare function connection(i: number, timeout: number): SyncConnection;
export declare function syncMessage(syncid: number, conns: readonly SyncConnection[]): Buffer;
export declare function syncMessages(syncid: number, from: number, to: number, timeout: number): Buffer[];
