// The modifying operations of IPVS as data (Change) and their encoding: the command and the
// attributes each is sent with (ip_vs_genl_set_cmd's inputs, Linux 6.1). Pure bytes; no I/O.
import { AttributeWriter } from '../netlink/attributes.js';
import { putDaemonNest, putDestNest, putServiceKeyNest, putServiceNest, putTimeouts } from './codec.js';
import { Cmd } from './constants.js';
import type { DaemonConfig, DaemonRole, DestinationConfig, ServiceConfig, ServiceKey, Timeouts } from './model.js';

/** One modifying operation, for pipelined application (restore, bulk apply). */
export type Change =
  | { readonly op: 'add-service' | 'edit-service'; readonly service: ServiceConfig }
  | { readonly op: 'delete-service'; readonly key: ServiceKey }
  | { readonly op: 'zero'; readonly key?: ServiceKey }
  | { readonly op: 'flush' }
  | { readonly op: 'add-dest' | 'edit-dest' | 'delete-dest'; readonly key: ServiceKey; readonly dest: DestinationConfig }
  | { readonly op: 'set-timeouts'; readonly timeouts: Timeouts }
  | { readonly op: 'start-daemon'; readonly daemon: DaemonConfig }
  | { readonly op: 'stop-daemon'; readonly state: DaemonRole; readonly syncId: number };

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

/** Writes the attributes of one kind of change. */
type AttributesOf<Op extends Change['op']> = (w: AttributeWriter, c: Extract<Change, { readonly op: Op }>) => void;

const serviceNest = (w: AttributeWriter, c: { readonly service: ServiceConfig }): void => putServiceNest(w, c.service);
const keyNest = (w: AttributeWriter, c: { readonly key?: ServiceKey }): void => {
  if (c.key) putServiceKeyNest(w, c.key);
};
const keyAndDestNests = (w: AttributeWriter, c: { readonly key: ServiceKey; readonly dest: DestinationConfig }): void => {
  putServiceKeyNest(w, c.key);
  putDestNest(w, c.dest);
};

/** The attributes each change is sent with (zero without a key: every counter). */
const ATTRIBUTES: { readonly [Op in Change['op']]: AttributesOf<Op> } = {
  'add-service': serviceNest,
  'edit-service': serviceNest,
  'delete-service': keyNest,
  zero: keyNest,
  flush: () => {},
  'add-dest': keyAndDestNests,
  'edit-dest': keyAndDestNests,
  'delete-dest': keyAndDestNests,
  'set-timeouts': (w, c) => putTimeouts(w, c.timeouts),
  'start-daemon': (w, c) => putDaemonNest(w, c.daemon),
  'stop-daemon': (w, c) => putDaemonNest(w, { state: c.state, mcastIfn: '', syncId: c.syncId }),
};

/** A change's attributes (copied out of the shared writer). */
export function encodeChange(c: Change): Uint8Array {
  const w = changeWriter.reset();
  (ATTRIBUTES[c.op] as AttributesOf<Change['op']>)(w, c);
  return w.finish();
}
