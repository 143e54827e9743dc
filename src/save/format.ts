// `ipvsadm -S` / `ipvsadm-save`: the table as -A/-a command lines that `ipvsadm -R` reads back,
// sorted like the listing. Order of options observed from ipvsadm 1.31; one deliberate fix:
// fwmarks ≥ 2^31 are written unsigned (`-f 4294967295`), where ipvsadm writes `-f -1`.
import { AF_INET6 } from '../ipvs/constants.js';
import type { Destination, ForwardingMethod, Reported, Service, ServiceWithDestinations } from '../ipvs/model.js';
import { protocolOf } from '../ipvs/vocabulary.js';
import { tunnelOptions } from '../fields/words.js';
import type { Protocol } from '../ipvs/vocabulary.js';
import { formatAddrPort } from '../table/addr-port.js';
import { persistenceMask, serviceProtocolNumber } from '../table/service-text.js';
import { i32, u32 } from '../table/printf.js';
import { schedFlagsText } from '../table/sched-flags.js';
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
function serviceLine(svc: Service, spec: string): string {
  let line = `-A ${spec} -s ${svc.scheduler}`;
  if (svc.persistent) {
    const mask = persistenceMask(svc);
    line += ` -p ${u32(svc.timeout)}${mask === undefined ? '' : ` -M ${mask}`}`;
  }
  if (svc.pe) line += ` --pe ${svc.pe}`;
  if (svc.onePacket) line += ' -o';
  const flags = schedFlagsText(svc.scheduler, svc.schedFlags);
  if (flags !== undefined) line += ` -b ${flags}`;
  return line;
}

/** -m (masq), -i (tunnel), -g (route, local — and bypass or unknown, which have no option). */
function forwardOption(forwarding: Reported<ForwardingMethod>): string {
  return forwarding === 'masq' ? '-m' : forwarding === 'tunnel' ? '-i' : '-g';
}

function destLine(d: Destination, svc: Service, spec: string, numeric: boolean, names: NameTable): string {
  const server = formatAddrPort(d.addr, d.port, serviceProtocolNumber(svc), numeric, names);
  return `-a ${spec} -r ${server} ${forwardOption(d.forwarding)} -w ${i32(d.weight)}${tunnelOptions(d)}`;
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
    chunk += serviceLine(service, spec) + '\n';
    for (const d of sortDestinations(destinations)) chunk += destLine(d, service, spec, numeric, names) + '\n';
    if (++count % SERVICES_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
