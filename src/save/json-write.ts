// `ipvsadm -S --json` / `ipvsadm-save --json`: the whole table as one document of kind "save" —
// services and real servers with every setting (thresholds, tunnels, persistence, pe), the
// timeouts and the sync daemons; numeric, without counters. json-read.ts reads it back.
import type { Snapshot } from '../ipvs/model.js';
import { daemonObjects, document, savedServiceJson, timeoutsObject } from '../table/json.js';
import { sortServices } from '../table/sort.js';

/** What the save holds of a snapshot (the IPVS info is the kernel's, not the table's). */
export type SaveData = Pick<Snapshot, 'services' | 'timeouts' | 'daemons'>;

/** The save document, services and real servers in the listing's order. */
export function saveJson(data: SaveData): string {
  return document('save', {
    timeouts: timeoutsObject(data.timeouts),
    daemons: daemonObjects(data.daemons),
    services: sortServices(data.services).map(savedServiceJson),
  });
}
