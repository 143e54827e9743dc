// Checked user input → Spec: VIP lists, interface names, tunnel options and their combinations.
// Interface name rules mirror the kernel's dev_valid_name() (net/core/dev.c).
import { AF_INET } from '../ipvs/constants.js';
import { formatAddress, parseAddress } from '../ipvs/address.js';
import { PrepUsageError } from './errors.js';
import type { Action, DirectorMode, RealserverMode, Side, Spec, Vip } from './model.js';
import type { TunnelType } from '../ipvs/vocabulary.js';
import { haOptionsGiven, parseHa } from './ha.js';
import type { RawHaOptions } from './ha.js';

/** GUE receive port when --tun-port is not given (ipvsadm has no default; 6080 is customary). */
export const DEFAULT_GUE_PORT = 6080;

/** Parses `ADDR[,ADDR...]` lists (each --vip may hold several); duplicates collapse. */
export function parseVips(values: readonly string[]): Vip[] {
  const out: Vip[] = [];
  for (const item of values.flatMap((v) => v.split(','))) {
    const text = item.trim();
    if (text === '') throw new PrepUsageError('--vip: empty address in the list');
    if (text.includes('/')) throw new PrepUsageError(`--vip ${text}: a VIP is one address, without a prefix length (it becomes a /32 or /128 host route)`);
    const vip = vipFromText(text);
    if (!vip) throw new PrepUsageError(`--vip ${text}: not an IPv4 or IPv6 address`);
    if (!out.some((v) => v.text === vip.text)) out.push(vip);
  }
  return out;
}

/** A recorded VIP's text back to a Vip (undefined if it does not parse). */
export function vipFromText(text: string): Vip | undefined {
  const address = parseAddress(text);
  return address && { family: address.af === AF_INET ? 4 : 6, text: formatAddress(address), address };
}

/** As dev_valid_name(): 1..15 bytes, not `.`/`..`, no `/`, `:` or whitespace. */
export function checkIfname(name: string): string {
  const bad =
    name.length === 0 || Buffer.byteLength(name) > 15 || name === '.' || name === '..' || /[/:\s]/.test(name);
  if (bad) throw new PrepUsageError(`--dev ${JSON.stringify(name)}: not a valid interface name`);
  return name;
}

/** Options as the command line gives them (all optional; buildSpec checks what each action needs). */
export interface RawOptions extends RawHaOptions {
  readonly mode?: string;
  readonly vip?: readonly string[];
  readonly dev?: string;
  readonly tunType?: string;
  readonly tunPort?: string;
  readonly tunCsum?: boolean;
  readonly tunLocal?: readonly string[];
}

const REALSERVER_MODES: readonly RealserverMode[] = ['dr', 'tun'];
const DIRECTOR_MODES: readonly DirectorMode[] = ['nat', 'dr', 'tun'];
const TUN_TYPES: readonly TunnelType[] = ['ipip', 'gue', 'gre'];

function parseChoice<T extends string>(option: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new PrepUsageError(`${option} ${value}: expected one of ${choices.join(', ')}`);
}

export function parsePort(text: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new PrepUsageError(`--tun-port ${text}: expected a port number 1..65535`);
  }
  return Number(text);
}

/** What one command asks for; `down` may leave the mode (spec) to the state file. */
export interface PrepRequest {
  readonly side: Side;
  readonly action: Action;
  readonly spec: Spec | undefined;
  /** the VIPs named on the command line (also when spec is undefined) */
  readonly vips: readonly Vip[];
}

export function buildRequest(side: Side, action: Action, raw: RawOptions): PrepRequest {
  const vips = parseVips(raw.vip ?? []);
  return { side, action, vips, spec: buildSpec(side, action, raw, vips) };
}

function buildSpec(side: Side, action: Action, raw: RawOptions, vips: readonly Vip[]): Spec | undefined {
  const dev = raw.dev === undefined ? undefined : checkIfname(raw.dev);
  if (haOptionsGiven(raw) && (side !== 'director' || raw.mode === undefined)) {
    throw new PrepUsageError(side === 'director' ? '--ha, --sync and the sync sysctl options need --mode (without it, down takes everything from the state file)' : '--ha, --sync and the sync sysctl options are director options');
  }
  if (raw.mode === undefined) {
    if (action !== 'down') throw new PrepUsageError('--mode is required');
    if (raw.tunType !== undefined || raw.tunPort !== undefined || raw.tunCsum || raw.tunLocal) throw new PrepUsageError('--tun-type, --tun-port, --tun-csum and --tun-local need --mode tun');
    if (dev !== undefined) throw new PrepUsageError('--dev needs --mode (without it, down takes everything from the state file)');
    return undefined;
  }
  if (side === 'director') {
    if (raw.tunType !== undefined || raw.tunPort !== undefined) throw new PrepUsageError('--tun-type and --tun-port are real-server options (the director sets them per real server with ipvsadm -a)');
    const mode = parseChoice('--mode', raw.mode, DIRECTOR_MODES);
    const ha = parseHa(raw, dev);
    return { side, mode, vips, ...(dev !== undefined ? { dev } : {}), ...(ha ? { ha } : {}) };
  }
  const mode = parseChoice('--mode', raw.mode, REALSERVER_MODES);
  if (vips.length === 0 && action !== 'down') throw new PrepUsageError('--vip is required');
  const tunType = raw.tunType === undefined ? 'ipip' : parseChoice('--tun-type', raw.tunType, TUN_TYPES);
  if (mode !== 'tun' && (raw.tunType !== undefined || raw.tunPort !== undefined)) {
    throw new PrepUsageError('--tun-type and --tun-port apply to --mode tun only');
  }
  if (raw.tunPort !== undefined && tunType !== 'gue') throw new PrepUsageError('--tun-port applies to --tun-type gue only');
  const tunPort = raw.tunPort === undefined ? DEFAULT_GUE_PORT : parsePort(raw.tunPort);
  const csumLocals = parseCsum(raw, mode, tunType, vips);
  return { side, mode, vips, tunType, tunPort, ...(csumLocals ? { csumLocals } : {}), ...(dev !== undefined ? { dev } : {}) };
}

/**
 * --tun-csum (GRE only: GUE ports take checksums as they are) needs --tun-local: the real
 * server's own address the director sends to, one per VIP family.
 */
function parseCsum(raw: RawOptions, mode: RealserverMode, tunType: TunnelType, vips: readonly Vip[]): Vip[] | undefined {
  if (!raw.tunCsum) {
    if (raw.tunLocal !== undefined) throw new PrepUsageError('--tun-local goes with --tun-csum');
    return undefined;
  }
  if (mode !== 'tun' || tunType !== 'gre') throw new PrepUsageError('--tun-csum applies to --tun-type gre only (GUE ports accept checksums as they are)');
  let locals: Vip[];
  try {
    locals = parseVips(raw.tunLocal ?? []);
  } catch (e) {
    throw new PrepUsageError((e as Error).message.replace(/^--vip/, '--tun-local'));
  }
  const families = [...new Set(vips.map((v) => v.family))];
  for (const f of families) {
    const n = locals.filter((l) => l.family === f).length;
    if (n !== 1) throw new PrepUsageError(`--tun-csum needs --tun-local with exactly one IPv${f} address of this real server (the one the director sends to); got ${n}`);
  }
  const extra = locals.find((l) => !families.includes(l.family));
  if (extra) throw new PrepUsageError(`--tun-local ${extra.text}: no IPv${extra.family} VIP to receive for`);
  return locals;
}
