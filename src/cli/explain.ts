// One more line after ipvsadm's own when the kernel refused a command with a generic errno: the
// likely cause, read from the request (a real server that is not unicast, thresholds the wrong
// way round, a scheduler or engine this kernel lacks, a missing interface). Shown only
// when stderr is a terminal or IPVSADM_EXPLAIN=1 (Io.explain): 1.31's text stays as it was.
import type { Address } from '../ipvs/address.js';
import { formatAddress } from '../ipvs/address.js';
import { AF_INET } from '../ipvs/constants.js';
import type { IpvsOperationError } from '../ipvs/errors.js';
import { constants } from 'node:os';
import type { Command } from './command.js';

export type ModuleProbe = (name: string) => Promise<'loaded' | 'loadable' | 'missing'>;

const E = constants.errno;

/** Not a unicast address: unspecified, multicast, or IPv4 limited broadcast. */
function notUnicast(a: Address): boolean {
  const b = a.bytes;
  if (b.every((x) => x === 0)) return true;
  if (a.af === AF_INET) return (b[0]! & 0xf0) === 0xe0 || b.every((x) => x === 255);
  return b[0] === 0xff;
}

/** The likely cause of `error` for `cmd`, or undefined when there is nothing better to say. */
export async function explain(cmd: Command, error: IpvsOperationError, probe: ModuleProbe): Promise<string | undefined> {
  if ((cmd.kind === 'add-service' || cmd.kind === 'edit-service') && error.errno === E.ENOENT) {
    const { scheduler, pe } = cmd.service;
    if ((await probe(`ip_vs_${scheduler}`)) === 'missing') return `scheduler ${scheduler} is not available: this kernel has no module ip_vs_${scheduler}`;
    if (pe && (await probe(`ip_vs_pe_${pe}`)) === 'missing') return `persistence engine ${pe} is not available: this kernel has no module ip_vs_pe_${pe}`;
    return undefined;
  }
  if ((cmd.kind === 'add-dest' || cmd.kind === 'edit-dest') && error.errno === E.ERANGE) {
    const { lThreshold: l, uThreshold: u } = cmd.dest;
    if (l <= u) return undefined;
    const what = `the lower threshold -y ${l} is above the upper threshold ${u === 0 ? '(none given: -x 0 means no upper threshold)' : `-x ${u}`}`;
    return `${what}; give -x ${l} or more${cmd.kind === 'edit-dest' ? ' (-e sets both again: repeat -x)' : ''}`;
  }
  if ((cmd.kind === 'add-dest' || cmd.kind === 'edit-dest') && error.errno === E.EINVAL) {
    const d = cmd.dest;
    const server = formatAddress(d.addr);
    return notUnicast(d.addr) ? `real server ${server} is not a unicast address` : undefined;
  }
  if (cmd.kind === 'start-daemon' && error.errno === E.ENODEV) return `interface ${cmd.daemon.mcastIfn || '(none given)'} does not exist in this network namespace`;
  return undefined;
}
