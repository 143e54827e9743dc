// What the listing and the save text say alike of a service: its protocol number as libipvs
// keeps it and its persistence granularity. Observed from ipvsadm 1.31's -L and -S.
import { AF_INET, AF_INET6 } from '../ipvs/constants.js';
import type { ServiceConfig } from '../ipvs/model.js';

/** IPPROTO of a service as libipvs stores it (fwmark services: 0). */
export function serviceProtocolNumber(svc: ServiceConfig): number {
  return svc.key.kind === 'addr' ? svc.key.protocol : 0;
}

/** inet_ntoa of a host-order u32 mask: 0xffffff00 → 255.255.255.0. */
export function dottedMask(mask: number): string {
  const m = mask >>> 0;
  return [m >>> 24, (m >>> 16) & 0xff, (m >>> 8) & 0xff, m & 0xff].join('.');
}

/** The persistence granularity when it is not the default (/32 or /128), else undefined. */
export function persistenceMask(svc: ServiceConfig): string | undefined {
  if (svc.key.af === AF_INET) return svc.netmask >>> 0 === 0xffffffff ? undefined : dottedMask(svc.netmask);
  if (svc.key.af === AF_INET6) return svc.netmask === 128 ? undefined : String(svc.netmask | 0);
  return undefined;
}
