// `ipvsadm -L` / `-l` / `--list` text: the version line, the mode's two title lines, then each
// service line followed by its destination lines. Layout observed from ipvsadm 1.31's
// output in every mode.
import type { Address } from '../../ipvs/address.js';
import type { Info, ServiceWithDestinations } from '../../ipvs/model.js';
import { ipvsVersionText } from '../../ipvs/vocabulary.js';
import type { ListOptions } from '../../core/command.js';
import type { NameTable } from '../../table/names.js';
import { uniqueAddresses } from '../../table/addr-port.js';
import { DestHeads, formatDestLine, formatServiceLine, listMode, type ListMode } from './list-lines.js';
import { padLeft, padRight } from '../../fields/printf.js';
import { DESTINATION_FIELDS } from '../../fields/registry.js';
import { sortDestinations, sortServices } from '../../table/sort.js';

const PROT_TITLE = padRight('Prot LocalAddress:Port', 33);
const REMOTE_TITLE = '  -> RemoteAddress:Port';
const SCHED_TITLE = 'Prot LocalAddress:Port Scheduler Flags';
/** The column titles of a real server's settings: the registry's words. */
const { forwarding: FORWARD, weight: WEIGHT, tunnelType: TUNNEL, uThreshold: UPPER, lThreshold: LOWER } = Object.fromEntries(
  (['forwarding', 'weight', 'tunnelType', 'uThreshold', 'lThreshold'] as const).map((k) => [k, DESTINATION_FIELDS[k].text.word]),
) as Record<'forwarding' | 'weight' | 'tunnelType' | 'uThreshold' | 'lThreshold', string>;
const FORWARD_TITLE = `  -> RemoteAddress:Port           ${FORWARD} ${WEIGHT} ActiveConn InActConn`;
const TUNNEL_TITLE = `  -> RemoteAddress:Port           ${FORWARD} ${padRight(TUNNEL, 13)} ${WEIGHT} ActiveConn InActConn`;
const CONN_COLUMNS: [string, number][] = [['ActiveConn', 10], ['InActConn', 10]];

/** The two title lines of a mode (no final newline). */
export function listTitle(mode: ListMode): string {
  const right8 = (cols: string[]) => PROT_TITLE + cols.map((c) => ' ' + padLeft(c, 8)).join('');
  const left = (cols: [string, number][]) => PROT_TITLE + cols.map(([c, w]) => ' ' + padRight(c, w)).join('');
  switch (mode) {
    case 'stats':
      return `${right8(['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'])}\n${REMOTE_TITLE}`;
    case 'rate':
      return `${right8(['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'])}\n${REMOTE_TITLE}`;
    case 'thresholds': // %-10s columns: the line ends with a space
      return `${left([[UPPER, 10], [LOWER, 10], ...CONN_COLUMNS])}\n${REMOTE_TITLE}`;
    case 'persistent-conn':
      return `${left([[WEIGHT, 9], ['PersistConn', 11], ...CONN_COLUMNS])}\n${REMOTE_TITLE}`;
    case 'tun-info':
      return `${SCHED_TITLE}\n${TUNNEL_TITLE}`;
    case 'default':
      return `${SCHED_TITLE}\n${FORWARD_TITLE}`;
  }
}

/** `IP Virtual Server version 1.2.1 (size=4096)` (no final newline). */
export function versionLine(info: Info): string {
  return `IP Virtual Server version ${ipvsVersionText(info.version)} (size=${info.connTabSize | 0})`;
}

/** A service's line and its destinations' lines, each ending in a newline. */
function serviceBlock(entry: ServiceWithDestinations, mode: ListMode, o: ListOptions, names: NameTable, heads: DestHeads): string {
  const dests = o.nosort ? entry.destinations : sortDestinations(entry.destinations);
  let text = formatServiceLine(entry.service, mode, o, names) + '\n';
  for (const d of dests) text += formatDestLine(d, entry.service, mode, o, names, heads) + '\n';
  return text;
}

/**
 * The whole listing, newline-terminated, exactly as ipvsadm 1.31 prints it. With `info`: the
 * full listing (`-L`), which starts with the version line; without: a single service
 * (`-L -t VIP`), which does not. Services and destinations are sorted unless `nosort` (the
 * caller then passes the kernel's order). Names come from `names` unless `numeric`.
 */
export function formatListing(
  data: { readonly info?: Info; readonly services: readonly ServiceWithDestinations[] },
  options: ListOptions,
  names: NameTable,
): string {
  return [...listingChunks(data, options, names)].join('');
}

/** Services per chunk of listingChunks: about 4 to 40 KiB of text. */
const SERVICES_PER_CHUNK = 100;

/** The same text as formatListing, in chunks of whole lines, made as they are read. */
export function* listingChunks(
  data: { readonly info?: Info; readonly services: readonly ServiceWithDestinations[] },
  options: ListOptions,
  names: NameTable,
): Generator<string> {
  const mode = listMode(options);
  const services = options.nosort ? data.services : sortServices(data.services);
  const heads = new DestHeads();
  yield `${[...(data.info ? [versionLine(data.info)] : []), listTitle(mode)].join('\n')}\n`;
  for (let i = 0; i < services.length; i += SERVICES_PER_CHUNK) {
    let chunk = '';
    for (let j = i; j < Math.min(i + SERVICES_PER_CHUNK, services.length); j++) chunk += serviceBlock(services[j]!, mode, options, names, heads);
    yield chunk;
  }
}

/** Every address a listing or save of these services shows, once each, for name look-up. */
export function addressesToResolve(services: readonly ServiceWithDestinations[]): Address[] {
  return uniqueAddresses(
    services.flatMap(({ service, destinations }) => [
      ...(service.key.kind === 'addr' ? [service.key.addr] : []),
      ...destinations.map((d) => d.addr),
    ]),
  );
}
