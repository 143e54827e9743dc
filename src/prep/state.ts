// The state file: what `up` changed in each network namespace (found by the netns inode, proven
// by the marker of netns-marker.ts), so `down` restores the values from before `up` and removes
// only the VIPs `up` added. Format: { "version": 2, "netns": { "<inode>": StateRecord },
// "stale": [StaleRecord] }, one file per side; version 1 files (no markers, no stale) are read.
// Every namespace's `up` and `down` rewrites the same file: each read-modify-write holds the lock
// of the state files (host/lock.ts), so two namespaces never lose each other's record.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { removeFile, writeFileAtomic } from '../host/files.js';
import { stateLock, takeLockIfPermitted } from '../host/lock.js';
import { SystemError } from './errors.js';
import type { Family, FouNeed, HaPreset, Side, Spec, Step, SyncRole } from './model.js';
import { formatAddress, parseAddress } from '../ipvs/address.js';
import type { DaemonConfig, DaemonRole } from '../ipvs/model.js';
import type { SysctlValue } from '../host/sysctl.js';

export const DEFAULT_STATE_DIR = '/run/ipvsadm-ts';

export const stateFile = (dir: string, side: Side): string => join(dir, `${side}.json`);

export interface RecordedAddress {
  readonly dev: string;
  /** canonical text */
  readonly vip: string;
  readonly prefix: number;
  readonly nodad: boolean;
}

export interface StateRecord {
  readonly side: Side;
  readonly mode: string;
  readonly tunType?: string;
  readonly tunPort?: number;
  /** GRE with checksums (--tun-csum) */
  readonly csum?: boolean;
  /** the token of the namespace's marker on lo; absent in version 1 records and where lo had another alias */
  readonly marker?: string;
  /** sysctl values from before the first `up` that changed them (and the value it set; not in version 1), in the order changed */
  readonly sysctls: readonly RecordedSysctl[];
  /** addresses `up` added (not those that were there already) */
  readonly addresses: readonly RecordedAddress[];
  /** links `up` brought up */
  readonly links: readonly string[];
  /** fou receive ports `up` opened */
  readonly fouPorts: readonly FouNeed[];
  /** tunnel devices `up` created (absent in records without any) */
  readonly tunnels?: readonly RecordedTunnel[];
  /** sync daemons `up` started (absent in records without any) */
  readonly daemons?: readonly RecordedDaemon[];
  /** the settings for several directors the first `up` with them was given (absent: none) */
  readonly haSettings?: RecordedHa;
}

/** The --ha preset and the sync role an `up` set up. */
export interface RecordedHa {
  readonly preset?: HaPreset;
  readonly sync: SyncRole;
}

/** What a director spec sets up for several directors; undefined without --ha/--sync/sysctl options. */
export function recordedHa(spec: Spec): RecordedHa | undefined {
  if (spec.side !== 'director' || !spec.ha) return undefined;
  return { ...(spec.ha.preset ? { preset: spec.ha.preset } : {}), sync: spec.ha.sync?.role ?? 'none' };
}

const isRecordedHa = (v: unknown): boolean => {
  const h = v as Partial<Record<keyof RecordedHa, unknown>> | null;
  return typeof h === 'object' && h !== null && (h.preset === undefined || h.preset === 'pair' || h.preset === 'ecmp') && ['master', 'backup', 'both', 'none'].includes(h.sync as string);
};

/** A sync daemon as started: the daemon's settings with the multicast group as text. */
export interface RecordedDaemon {
  readonly state: DaemonRole;
  readonly mcastIfn: string;
  readonly syncId: number;
  readonly syncMaxlen?: number;
  readonly mcastGroup?: string;
  readonly mcastPort?: number;
  readonly mcastTtl?: number;
}

export function recordDaemon(d: DaemonConfig): RecordedDaemon {
  const { mcastGroup, ...rest } = d;
  return { ...rest, ...(mcastGroup ? { mcastGroup: formatAddress(mcastGroup) } : {}) };
}

/** undefined when the recorded group does not parse */
export function daemonFromRecord(r: RecordedDaemon): DaemonConfig | undefined {
  const { mcastGroup, ...rest } = r;
  if (mcastGroup === undefined) return rest;
  const group = parseAddress(mcastGroup);
  return group && { ...rest, mcastGroup: group };
}

export interface RecordedSysctl {
  readonly key: string;
  readonly before: SysctlValue;
  readonly after?: SysctlValue;
}

export interface RecordedTunnel {
  readonly dev: string;
  readonly type: 'gre' | 'ip6gre';
  /** canonical text */
  readonly local: string;
}

/** A record found under a reused inode, kept for the operator (never used by `down`). */
export interface StaleRecord {
  /** the inode it was filed under */
  readonly netns: string;
  /** when it was set aside (ISO 8601) */
  readonly setAside: string;
  readonly reason: string;
  readonly record: StateRecord;
}

export interface StateContent {
  readonly version: 2;
  readonly netns: Readonly<Record<string, StateRecord>>;
  readonly stale: readonly StaleRecord[];
}

/** Stale records kept per file: the most recent ones (a container host deletes namespaces all day). */
export const STALE_KEPT = 32;

const EMPTY: StateContent = { version: 2, netns: {}, stale: [] };

export async function readState(path: string): Promise<StateContent> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY;
    throw new SystemError(`cannot read the state file ${path}: ${(e as Error).message}`, { cause: e });
  }
  const parsed: unknown = (() => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  })();
  if (!isStateContent(parsed)) {
    throw new SystemError(`the state file ${path} is not one this version wrote; move it away to continue (down then cannot restore the sysctls it recorded)`);
  }
  return { version: 2, netns: parsed.netns, stale: parsed.version === 2 ? (parsed.stale ?? []) : [] };
}

type FileContent = { version: 1; netns: Record<string, StateRecord> } | { version: 2; netns: Record<string, StateRecord>; stale?: StaleRecord[] };

function isStateContent(v: unknown): v is FileContent {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as { version?: unknown; netns?: unknown; stale?: unknown };
  if ((o.version !== 1 && o.version !== 2) || typeof o.netns !== 'object' || o.netns === null) return false;
  // version 1 wrote neither markers nor stale records
  const records = Object.values(o.netns);
  if (o.version === 1) return o.stale === undefined && records.every((r) => isRecord(r) && r.marker === undefined);
  return records.every(isRecord) && (o.stale === undefined || (Array.isArray(o.stale) && o.stale.every(isStale)));
}

function isStale(v: unknown): v is StaleRecord {
  const s = v as Partial<Record<keyof StaleRecord, unknown>> | null;
  return typeof s === 'object' && s !== null && typeof s.netns === 'string' && typeof s.setAside === 'string' && typeof s.reason === 'string' && isRecord(s.record);
}

function isRecord(v: unknown): v is StateRecord {
  const r = v as Partial<Record<keyof StateRecord, unknown>> | null;
  return (
    typeof r === 'object' && r !== null &&
    (r.side === 'realserver' || r.side === 'director') && typeof r.mode === 'string' &&
    (r.marker === undefined || typeof r.marker === 'string') &&
    Array.isArray(r.sysctls) && r.sysctls.every((s: { key?: unknown; before?: unknown; after?: unknown }) => typeof s?.key === 'string' && isSysctlValue(s.before) && (s.after === undefined || isSysctlValue(s.after))) &&
    (r.daemons === undefined || (Array.isArray(r.daemons) && r.daemons.every(isRecordedDaemon))) &&
    (r.haSettings === undefined || isRecordedHa(r.haSettings)) &&
    Array.isArray(r.addresses) && r.addresses.every((a: Partial<RecordedAddress>) => typeof a?.dev === 'string' && typeof a.vip === 'string' && Number.isInteger(a.prefix)) &&
    Array.isArray(r.links) && r.links.every((l) => typeof l === 'string') &&
    Array.isArray(r.fouPorts) && r.fouPorts.every((f: Partial<FouNeed>) => Number.isInteger(f?.port) && (f.family === 4 || f.family === 6)) &&
    (r.tunnels === undefined || (Array.isArray(r.tunnels) && r.tunnels.every((t: Partial<RecordedTunnel>) => typeof t?.dev === 'string' && (t.type === 'gre' || t.type === 'ip6gre') && typeof t.local === 'string')))
  );
}

const isSysctlValue = (v: unknown): boolean => Number.isInteger(v) || (typeof v === 'string' && /^-?[0-9]+( -?[0-9]+)+$/.test(v));

function isRecordedDaemon(v: unknown): boolean {
  const d = v as Partial<Record<keyof RecordedDaemon, unknown>> | null;
  const optInt = (x: unknown): boolean => x === undefined || Number.isInteger(x);
  return (
    typeof d === 'object' && d !== null && (d.state === 'master' || d.state === 'backup') && typeof d.mcastIfn === 'string' && Number.isInteger(d.syncId) &&
    optInt(d.syncMaxlen) && optInt(d.mcastPort) && optInt(d.mcastTtl) && (d.mcastGroup === undefined || typeof d.mcastGroup === 'string')
  );
}

/** Who writes (named to a writer that waits) and how long to wait for another writer. */
export interface WriterLock {
  readonly holder?: string;
  readonly waitMs?: number;
}

/** How long a write waits for another: each holds the lock only while it reads and writes the file. */
export const STATE_LOCK_WAIT_MS = 30_000;

/**
 * Writes the record of one namespace (undefined removes it; a file with no record and no stale
 * record is deleted), under the lock of the state files. With `setAside`, the record still filed
 * under `netns` that it holds moves to the stale records first (a second write with the same
 * `setAside` moves nothing).
 */
export async function writeRecord(path: string, netns: string, record: StateRecord | undefined, setAside?: StaleRecord, writer: WriterLock = {}): Promise<void> {
  // a writer that may not make the lock file may not write the state file either: that write says so
  const lock = await takeLockIfPermitted(stateLock(dirname(path), writer.holder ?? 'ipvsadm', writer.waitMs ?? STATE_LOCK_WAIT_MS));
  try {
    await rewrite(path, netns, record, setAside);
  } finally {
    lock.release();
  }
}

async function rewrite(path: string, netns: string, record: StateRecord | undefined, setAside: StaleRecord | undefined): Promise<void> {
  const current = await readState(path);
  const { [netns]: filed, ...rest } = current.netns;
  const moving = setAside !== undefined && filed !== undefined && JSON.stringify(filed) === JSON.stringify(setAside.record);
  const stale = moving ? [...current.stale, setAside].slice(-STALE_KEPT) : current.stale;
  const netnsNext = record ? { ...rest, [netns]: record } : rest;
  if (Object.keys(netnsNext).length === 0 && stale.length === 0) {
    await removeFile(path);
    return;
  }
  const next = { version: 2, netns: netnsNext, ...(stale.length > 0 ? { stale } : {}) };
  await writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
}

export function emptyRecord(spec: Spec): StateRecord {
  const tun =
    spec.side === 'realserver' && spec.mode === 'tun'
      ? { tunType: spec.tunType, ...(spec.tunType === 'gue' ? { tunPort: spec.tunPort } : {}), ...(spec.csumLocals ? { csum: true } : {}) }
      : {};
  return { side: spec.side, mode: spec.mode, ...tun, sysctls: [], addresses: [], links: [], fouPorts: [] };
}

/** The record after a successful `up` that performed `done` (each step as performed). */
export function recordAfterUp(old: StateRecord | undefined, spec: Spec, done: readonly Step[]): StateRecord {
  const base = old ?? emptyRecord(spec);
  const sysctls = [...base.sysctls];
  const addresses = [...base.addresses];
  const links = [...base.links];
  const fouPorts = [...base.fouPorts];
  const tunnels = [...(base.tunnels ?? [])];
  const daemons = [...(base.daemons ?? [])];
  for (const s of done) {
    if (s.kind === 'daemon-start' && !daemons.some((d) => d.state === s.daemon.state)) daemons.push(recordDaemon(s.daemon));
    if (s.kind === 'tunnel-add' && !tunnels.some((t) => t.dev === s.dev)) tunnels.push({ dev: s.dev, type: s.type, local: s.local.text });
    if (s.kind === 'sysctl-set' && s.from !== undefined && !sysctls.some((x) => x.key === s.key)) sysctls.push({ key: s.key, before: s.from, after: s.to });
    if (s.kind === 'address-add' && !addresses.some((a) => a.dev === s.dev && a.vip === s.vip.text)) {
      addresses.push({ dev: s.dev, vip: s.vip.text, prefix: s.prefix, nodad: s.nodad });
    }
    if (s.kind === 'link-set' && s.up && !links.includes(s.dev)) links.push(s.dev);
    if (s.kind === 'fou-add' && !fouPorts.some((f) => samePort(f, s))) fouPorts.push({ port: s.port, family: s.family });
  }
  const haSettings = base.haSettings ?? recordedHa(spec);
  return { ...base, sysctls, addresses, links, fouPorts, ...(tunnels.length > 0 ? { tunnels } : {}), ...(daemons.length > 0 ? { daemons } : {}), ...(haSettings ? { haSettings } : {}) };
}

/** The record as written now: with the namespace's marker, or without one when lo could not carry it. */
export function withMarker(record: StateRecord, token: string | undefined): StateRecord {
  const { marker: _old, ...rest } = record;
  return token === undefined ? rest : { ...rest, marker: token };
}

/**
 * The record after a successful `down` of `vips`: those addresses are forgotten; when none is
 * left, `down` also restored everything else and the record goes (undefined).
 */
export function recordAfterDown(old: StateRecord, vips: readonly string[]): StateRecord | undefined {
  const addresses = old.addresses.filter((a) => !vips.includes(a.vip));
  return addresses.length === 0 ? undefined : { ...old, addresses };
}

export const samePort = (a: { port: number; family: Family }, b: { port: number; family: Family }): boolean =>
  a.port === b.port && a.family === b.family;
