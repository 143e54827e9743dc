// `ipvsadm -S` / `ipvsadm-save`: the table as -A/-a command lines that `ipvsadm -R` reads back,
// sorted like the listing. Order of options observed from ipvsadm 1.31; one deliberate fix:
// fwmarks ≥ 2^31 are written unsigned (`-f 4294967295`), where ipvsadm writes `-f -1`.
import { AF_INET6 } from '../ipvs/constants.js';
import type { Destination, DestinationConfig, Service, ServiceConfig, ServiceWithDestinations } from '../ipvs/model.js';
import { protocolOf } from '../ipvs/vocabulary.js';
import { DESTINATION_FIELDS, SERVICE_FIELDS } from '../fields/registry.js';
import { saveOptions } from '../fields/outputs.js';
import type { Registry } from '../fields/spec.js';
import type { Protocol } from '../ipvs/vocabulary.js';
import { formatAddrPort } from '../table/addr-port.js';
import { serviceProtocolNumber } from '../fields/service-text.js';
import { u32 } from '../fields/printf.js';
import { sortDestinations, sortServices } from '../table/sort.js';
import type { NameTable } from '../table/names.js';

/** The option naming a protocol's service; ipvsadm has none for other protocols. */
function protocolOption(protocol: number): string {
  const known = protocolOf(protocol);
  return known ? OPTION_OF[known] : '--xxx-service';
}

const OPTION_OF: Readonly<Record<Protocol, string>> = { tcp: '-t', udp: '-u', sctp: '--sctp-service' };

/** `-t 192.0.2.1:80`, `-f 1`, `-f 2 -6` (the mark unsigned, so that it restores). */
export function saveServiceSpec(svc: Service, numeric: boolean, names: NameTable): string {
  const k = svc.key;
  if (k.kind === 'fwmark') return `-f ${u32(k.fwmark)}${k.af === AF_INET6 ? ' -6' : ''}`;
  return `${protocolOption(k.protocol)} ${formatAddrPort(k.addr, k.port, k.protocol, numeric, names)}`;
}

/** `-A <svc> -s <sched>` [-p T [-M mask]] [--pe name] [-o] [-b flags] — -b may be empty (`-b `). */
export function serviceLine<S extends ServiceConfig>(svc: S, spec: string, fields: Registry<S>): string {
  return `-A ${spec}${saveOptions(fields, svc)}`;
}

/** `-a <svc> -r <server> -g|-i|-m -w <weight>` and a tunnel's options; thresholds are never saved. */
function destLine(d: Destination, svc: Service, spec: string, numeric: boolean, names: NameTable): string {
  const server = formatAddrPort(d.addr, d.port, serviceProtocolNumber(svc), numeric, names);
  return `-a ${spec} -r ${server}${saveOptions<DestinationConfig>(DESTINATION_FIELDS, d)}`;
}

/**
 * The save text, one newline-terminated line per service and destination, services and
 * destinations in the listing's default order; the empty string for an empty table.
 */
export function formatSave(services: readonly ServiceWithDestinations[], numeric: boolean, names: NameTable): string {
  return [...saveChunks(services, numeric, names)].join('');
}

/** Services per chunk of saveChunks. */
const SERVICES_PER_CHUNK = 100;

/** The same text as formatSave, in chunks of whole lines, made as they are read. */
export function* saveChunks(services: readonly ServiceWithDestinations[], numeric: boolean, names: NameTable): Generator<string> {
  let chunk = '';
  let count = 0;
  for (const { service, destinations } of sortServices(services)) {
    const spec = saveServiceSpec(service, numeric, names);
    chunk += serviceLine<ServiceConfig>(service, spec, SERVICE_FIELDS) + '\n';
    for (const d of sortDestinations(destinations)) chunk += destLine(d, service, spec, numeric, names) + '\n';
    if (++count % SERVICES_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
