// The services of a GET_SERVICE dump matched with what /proc/net/ip_vs lists of them: each listed
// service keeps the file's columns (ListedInProc), any sign of a change between the two reads is a
// TableChanged, and the services the file leaves out are returned for their destination dumps.
import { NOT_LISTED } from './proc-services.js';
import type { ProcServiceId, ProcServices } from './proc-services.js';
import { TableChanged } from './table-change.js';
import type { Destination, Service, ServiceWithDestinations } from './model.js';

/**
 * A service with the destinations the file lists, made anew each time they are read: a listing
 * of 10,000 services then keeps columns, not 40,000 objects, until each is printed.
 */
export class ListedInProc implements ServiceWithDestinations {
  constructor(
    readonly service: Service,
    private readonly file: ProcServices,
    private readonly entry: number,
  ) {}

  get destinations(): Destination[] {
    return this.file.destinations(this.entry);
  }

  /** Whether a destination is a tunnel (the file lacks its type, port and flags). */
  get hasTunnel(): boolean {
    return this.file.hasMethod(this.entry, 'tunnel');
  }
}

/**
 * `services` (dumped before the file was read; `ids` their ids in the file) with the file's
 * destinations, in dump order; `unlisted` the places of the services the file leaves out, whose
 * slots in `out` are still empty. Throws TableChanged when the two reads disagree.
 */
export function listedInProc(services: readonly Service[], ids: readonly ProcServiceId[], parsed: ProcServices): { out: ServiceWithDestinations[]; unlisted: number[] } {
  const out: ServiceWithDestinations[] = [];
  const unlisted: number[] = [];
  services.forEach((service, i) => {
    if (!parsed.lists(ids[i]!)) return void unlisted.push(i);
    const entry = parsed.entry(ids[i]!);
    if (entry === NOT_LISTED || !parsed.schedulerIs(entry, service.scheduler) || parsed.hasDuplicateDestinations(entry)) throw new TableChanged();
    out[i] = new ListedInProc(service, parsed, entry);
  });
  // Nothing in the file but dumped services: one added or hidden from the dump by a change in
  // between is a difference. Dumped services may be missing from it, though, and not only by
  // a change: Linux (6.1 at least) leaves services out of the file while another network
  // namespace has IPVS services too (about half of 10,000, measured), so reading it again
  // would not help.
  if (parsed.size !== services.length - unlisted.length) throw new TableChanged();
  return { out, unlisted };
}
