// The modifying operations of IPVS as data (Change) and their encoding: the command and the
// attributes each is sent with (ip_vs_genl_set_cmd's inputs, Linux 6.1). Pure bytes; no I/O.
import { AttributeWriter } from '../netlink/attributes.js';
import { putDaemonNest, putDestNest, putServiceKeyNest, putServiceNest, putTimeouts } from './codec.js';
import { Cmd } from './constants.js';
import type { DaemonConfig, DestinationConfig, ServiceConfig, ServiceKey, Timeouts } from './model.js';

/** One modifying operation, for pipelined application (restore, bulk apply). */
export type Change =
  | { readonly op: 'add-service' | 'edit-service'; readonly service: ServiceConfig }
  | { readonly op: 'delete-service'; readonly key: ServiceKey }
  | { readonly op: 'zero'; readonly key?: ServiceKey }
  | { readonly op: 'flush' }
  | { readonly op: 'add-dest' | 'edit-dest' | 'delete-dest'; readonly key: ServiceKey; readonly dest: DestinationConfig }
  | { readonly op: 'set-timeouts'; readonly timeouts: Timeouts }
  | { readonly op: 'start-daemon'; readonly daemon: DaemonConfig }
  | { readonly op: 'stop-daemon'; readonly state: number; readonly syncId: number };

/** The generic netlink command of each change. */
export const CHANGE_CMD = {
  'add-service': Cmd.NEW_SERVICE,
  'edit-service': Cmd.SET_SERVICE,
  'delete-service': Cmd.DEL_SERVICE,
  zero: Cmd.ZERO,
  flush: Cmd.FLUSH,
  'add-dest': Cmd.NEW_DEST,
  'edit-dest': Cmd.SET_DEST,
  'delete-dest': Cmd.DEL_DEST,
  'set-timeouts': Cmd.SET_CONFIG,
  'start-daemon': Cmd.NEW_DAEMON,
  'stop-daemon': Cmd.DEL_DAEMON,
} as const satisfies Record<Change['op'], number>;

/** One writer for every change encoded (synchronously, one at a time): a restore encodes 50,000. */
const changeWriter = new AttributeWriter();

/** A change's attributes (copied out of the shared writer). */
export function encodeChange(c: Change): Uint8Array {
  const w = changeWriter.reset();
  switch (c.op) {
    case 'add-service':
    case 'edit-service':
      putServiceNest(w, c.service);
      break;
    case 'delete-service':
      putServiceKeyNest(w, c.key);
      break;
    case 'zero':
      if (c.key) putServiceKeyNest(w, c.key);
      break;
    case 'flush':
      break;
    case 'add-dest':
    case 'edit-dest':
    case 'delete-dest':
      putServiceKeyNest(w, c.key);
      putDestNest(w, c.dest);
      break;
    case 'set-timeouts':
      putTimeouts(w, c.timeouts);
      break;
    case 'start-daemon':
      putDaemonNest(w, c.daemon);
      break;
    case 'stop-daemon':
      putDaemonNest(w, { state: c.state, mcastIfn: '', syncId: c.syncId });
      break;
  }
  return w.finish();
}
