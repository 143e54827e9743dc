// Settings for several directors: the --ha presets (pair, ecmp), the connection-sync daemons and
// the net.ipv4.vs sysctls they need, each with the reason an operator is shown. Options → HaSpec
// (checked), HaSpec → sysctl and daemon needs (pure). Values and defaults are those of Linux 6.1.
import { formatAddress } from '../ipvs/address.js';
import type { Address } from '../ipvs/address.js';
import type { DaemonConfig, DaemonRole } from '../ipvs/model.js';
import { parseMcastGroup } from '../core/values.js';
import type { SysctlValue } from '../host/sysctl.js';
import { PrepUsageError } from './errors.js';
import type { DaemonNeed, HaPreset, HaSpec, HaSysctlOption, SyncDaemonSpec, SyncRole, SysctlNeed } from './model.js';

/** The net.ipv4.vs sysctls this command sets, by option name. */
const HA_SYSCTLS = {
  'sync-version': 'sync_version',
  'sync-threshold': 'sync_threshold',
  'sync-refresh-period': 'sync_refresh_period',
  'sloppy-tcp': 'sloppy_tcp',
  'sloppy-sctp': 'sloppy_sctp',
  'expire-nodest-conn': 'expire_nodest_conn',
  'expire-quiescent-template': 'expire_quiescent_template',
  'conn-reuse-mode': 'conn_reuse_mode',
  'backup-only': 'backup_only',
} as const satisfies Record<HaSysctlOption, string>;

/** The options as the command line gives them. */
export interface RawHaOptions {
  readonly ha?: string;
  readonly sync?: string;
  readonly mcastInterface?: string;
  readonly syncid?: string;
  readonly syncMaxlen?: string;
  readonly mcastGroup?: string;
  readonly mcastPort?: string;
  readonly mcastTtl?: string;
  readonly syncVersion?: string;
  readonly syncThreshold?: string;
  readonly syncRefreshPeriod?: string;
  readonly sloppyTcp?: string;
  readonly sloppySctp?: string;
  readonly expireNodestConn?: string;
  readonly expireQuiescentTemplate?: string;
  readonly connReuseMode?: string;
  readonly backupOnly?: string;
}

const RAW_KEYS: Readonly<Record<HaSysctlOption, keyof RawHaOptions>> = {
  'sync-version': 'syncVersion',
  'sync-threshold': 'syncThreshold',
  'sync-refresh-period': 'syncRefreshPeriod',
  'sloppy-tcp': 'sloppyTcp',
  'sloppy-sctp': 'sloppySctp',
  'expire-nodest-conn': 'expireNodestConn',
  'expire-quiescent-template': 'expireQuiescentTemplate',
  'conn-reuse-mode': 'connReuseMode',
  'backup-only': 'backupOnly',
};

/** What each preset sets; explicit options override. The reasons are in WHY and the man page. */
const PRESETS: Readonly<Record<HaPreset, { role: SyncRole; sysctls: Partial<Record<HaSysctlOption, SysctlValue>> }>> = {
  pair: { role: 'both', sysctls: { 'sync-version': 1, 'sync-threshold': '3 10', 'expire-nodest-conn': 1, 'expire-quiescent-template': 1 } },
  ecmp: { role: 'none', sysctls: { 'sloppy-tcp': 1, 'sloppy-sctp': 1, 'expire-nodest-conn': 1 } },
};

export function haOptionsGiven(raw: RawHaOptions): boolean {
  return Object.values(pickHa(raw)).some((v) => v !== undefined);
}

function pickHa(raw: RawHaOptions): RawHaOptions {
  const { ha, sync, mcastInterface, syncid, syncMaxlen, mcastGroup, mcastPort, mcastTtl } = raw;
  const sysctls = Object.fromEntries(Object.values(RAW_KEYS).map((k) => [k, raw[k]]));
  return { ha, sync, mcastInterface, syncid, syncMaxlen, mcastGroup, mcastPort, mcastTtl, ...sysctls };
}

function integer(option: string, text: string, min: number, max: number): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < min || Number(text) > max) throw new PrepUsageError(`--${option} ${text}: expected an integer ${min}..${max}`);
  return Number(text);
}

function choice<T extends string>(option: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new PrepUsageError(`--${option} ${text}: expected one of ${choices.join(', ')}`);
}

/** `3 10` or `3,10`: send at the 3rd packet, then every 10th (0 = only on state changes). */
function threshold(text: string): string {
  const parts = text.trim().split(/[\s,]+/);
  const bad = parts.length !== 2 || !parts.every((p) => /^[0-9]+$/.test(p));
  const [first, period] = parts.map(Number) as [number, number];
  // the kernel refuses a first threshold at or above a non-zero period (EINVAL)
  if (bad || (period !== 0 && first >= period)) throw new PrepUsageError(`--sync-threshold ${text}: expected two integers "THRESHOLD PERIOD" with THRESHOLD < PERIOD (or PERIOD 0)`);
  return `${first} ${period}`;
}

function sysctlValue(option: HaSysctlOption, text: string): SysctlValue {
  if (option === 'sync-threshold') return threshold(text);
  if (option === 'sync-refresh-period') return integer(option, text, 0, 2_000_000);
  // a bitmap: 1 reschedules a reused port of a TIME_WAIT entry, 2 of a FIN_WAIT one too
  if (option === 'conn-reuse-mode') return integer(option, text, 0, 3);
  return integer(option, text, 0, 1);
}

/** Checked options → HaSpec; undefined when no option for several directors was given. */
export function parseHa(raw: RawHaOptions, dev: string | undefined): HaSpec | undefined {
  if (!haOptionsGiven(raw)) return undefined;
  const { preset, role } = presetAndRole(raw.ha, raw.sync);
  const sysctls: Partial<Record<HaSysctlOption, SysctlValue>> = { ...(preset ? PRESETS[preset].sysctls : {}) };
  for (const option of Object.keys(RAW_KEYS) as HaSysctlOption[]) {
    const text = raw[RAW_KEYS[option]];
    if (text !== undefined) sysctls[option] = sysctlValue(option, text);
  }
  // a refresh period replaces the packet threshold as the resend rule: drop the preset's threshold
  if (raw.syncRefreshPeriod !== undefined && raw.syncThreshold === undefined && preset) delete sysctls['sync-threshold'];
  const sync = role === 'none' ? undefined : syncDaemon(raw, role, dev);
  if (!sync && DAEMON_OPTIONS.some(([key]) => raw[key] !== undefined)) throw new PrepUsageError('--mcast-interface, --syncid, --sync-maxlen and --mcast-group/-port/-ttl need a sync daemon (--sync master|backup|both, or --ha pair)');
  if (sysctls['backup-only'] === 1 && sync?.role !== 'backup' && sync?.role !== 'both') throw new PrepUsageError('--backup-only 1 needs a backup daemon (--sync backup or both): it acts only while one runs');
  return { ...(preset ? { preset } : {}), ...(sync ? { sync } : {}), sysctls };
}

const DAEMON_OPTIONS: readonly (readonly [keyof RawHaOptions, string])[] = [
  ['mcastInterface', 'mcast-interface'],
  ['syncid', 'syncid'],
  ['syncMaxlen', 'sync-maxlen'],
  ['mcastGroup', 'mcast-group'],
  ['mcastPort', 'mcast-port'],
  ['mcastTtl', 'mcast-ttl'],
];

function syncDaemon(raw: RawHaOptions, role: SyncDaemonSpec['role'], dev: string | undefined): SyncDaemonSpec {
  const mcastIfn = raw.mcastInterface ?? dev;
  if (mcastIfn === undefined) throw new PrepUsageError('a sync daemon needs --mcast-interface (or --dev): the interface facing the other directors');
  if (mcastIfn === '' || Buffer.byteLength(mcastIfn) > 15 || /[/:\s]/.test(mcastIfn)) throw new PrepUsageError(`--mcast-interface ${JSON.stringify(mcastIfn)}: not a valid interface name`);
  return {
    role,
    mcastIfn,
    syncId: raw.syncid === undefined ? 0 : integer('syncid', raw.syncid, 0, 255),
    ...(raw.syncMaxlen !== undefined ? { syncMaxlen: integer('sync-maxlen', raw.syncMaxlen, 1, 65507) } : {}),
    ...(raw.mcastGroup !== undefined ? { mcastGroup: mcastGroup(raw.mcastGroup) } : {}),
    ...(raw.mcastPort !== undefined ? { mcastPort: integer('mcast-port', raw.mcastPort, 1, 65535) } : {}),
    ...(raw.mcastTtl !== undefined ? { mcastTtl: integer('mcast-ttl', raw.mcastTtl, 1, 255) } : {}),
  };
}

function mcastGroup(text: string): Address {
  try {
    return parseMcastGroup(text);
  } catch {
    throw new PrepUsageError(`--mcast-group ${text}: expected an IPv4 224.0.0.0/4 or IPv6 ff00::/8 address`);
  }
}

/** Why each setting matters for several directors (check shows it when the setting is not met). */
const WHY: Readonly<Record<HaSysctlOption, string>> = {
  'sync-version': 'master and backup must use the same sync message format (1: the current one, with IPv6 and persistence data; 0 only for legacy peers)',
  'sync-threshold': 'an entry is sent at its THRESHOLD-th packet, then every PERIOD packets: a lower period lets the backup learn connections sooner and keeps their timeouts fresh there',
  'sync-refresh-period': 'entries are resent on state changes and then after this many seconds, instead of by packet count',
  'sloppy-tcp': 'a director that gets a TCP flow mid-stream (ECMP moved it here) schedules it from any packet instead of dropping it; with mh every director picks the same real server',
  'sloppy-sctp': 'as sloppy_tcp, for SCTP flows that arrive mid-association',
  'expire-nodest-conn': 'a connection whose real server is gone is dropped at its next packet, so the client retries on one that exists instead of hanging until the entry times out',
  'expire-quiescent-template': 'persistence templates of a real server at weight 0 expire, so persistent clients leave a drained server after a failover too',
  'conn-reuse-mode':
    'a new connection from a client port that an entry still holds (TIME_WAIT, NAT; FIN_WAIT too with 2, DR) is scheduled afresh with 1 (the kernel default) or 2; with 0 it goes to the old entry\'s real server, even one gone or at weight 0 after a failover or a drain (0 also stops expire_nodest_conn for such ports)',
  'backup-only': 'while the backup daemon runs, this host does not schedule connections: a backup that is also a real server must not loop DR/TUN packets back',
};

/** The sysctls the HA settings need, in option order. */
export function haSysctls(ha: HaSpec): SysctlNeed[] {
  return (Object.keys(HA_SYSCTLS) as HaSysctlOption[]).flatMap((option) => {
    const value = ha.sysctls[option];
    return value === undefined ? [] : [{ key: `net/ipv4/vs/${HA_SYSCTLS[option]}`, value, why: WHY[option] }];
  });
}

const DAEMON_WHY: Readonly<Record<DaemonRole, string>> = {
  master: "sends this director's connection entries to the other directors, so they can carry its established connections on after a failover",
  backup: "receives the other directors' connection entries; without it a failover to this director resets every established connection",
};

/**
 * The sync daemons a director must run for `--ha` and `--sync` as `director up` reads them (the
 * preset's role unless --sync says otherwise; none without either). Throws PrepUsageError.
 */
export function syncRolesWanted(ha: string | undefined, sync: string | undefined): DaemonRole[] {
  const { role } = presetAndRole(ha, sync);
  return role === 'both' ? ['master', 'backup'] : role === 'none' ? [] : [role];
}

/** --ha and --sync checked: the preset, and the sync role (the preset's unless --sync is given). */
function presetAndRole(ha: string | undefined, sync: string | undefined): { preset?: HaPreset; role: SyncRole } {
  const preset = ha === undefined ? undefined : choice('ha', ha, ['pair', 'ecmp'] as const);
  const role = sync === undefined ? (preset ? PRESETS[preset].role : 'none') : choice('sync', sync, ['master', 'backup', 'both', 'none'] as const);
  return { ...(preset ? { preset } : {}), role };
}

const BOTH_WHY = ' (both roles: a master that only sends comes back empty after a reboot and resets connections at failback)';

/** The daemons to run: one per role, master first. */
export function haDaemons(ha: HaSpec): DaemonNeed[] {
  const s = ha.sync;
  if (!s) return [];
  const roles: DaemonRole[] = s.role === 'both' ? ['master', 'backup'] : [s.role];
  return roles.map((state) => ({ daemon: daemonConfig(s, state), why: DAEMON_WHY[state] + (s.role === 'both' ? BOTH_WHY : '') }));
}

function daemonConfig(s: SyncDaemonSpec, state: DaemonRole): DaemonConfig {
  const { role: _role, ...rest } = s;
  return { state, ...rest };
}

/** A short label: `pair`, `ecmp`, `sync both`, … for the mode line. */
export function haLabel(ha: HaSpec): string {
  return [ha.preset, ha.sync && !(ha.preset === 'pair' && ha.sync.role === 'both') ? `sync ${ha.sync.role}` : undefined].filter(Boolean).join(', ') || 'ha settings';
}

/** A running daemon satisfies a wanted one when role, interface and sync ID match, and every option given. */
export function daemonMatches(want: DaemonConfig, got: DaemonConfig): boolean {
  const same = <T>(w: T | undefined, g: T | undefined): boolean => w === undefined || w === g;
  return (
    want.state === got.state && want.mcastIfn === got.mcastIfn && want.syncId === got.syncId &&
    same(want.syncMaxlen, got.syncMaxlen) && same(want.mcastPort, got.mcastPort) && same(want.mcastTtl, got.mcastTtl) &&
    (want.mcastGroup === undefined || (got.mcastGroup !== undefined && formatAddress(want.mcastGroup) === formatAddress(got.mcastGroup)))
  );
}

/** `master (syncid 7, eth0)`, with the options given. */
export function daemonLabel(d: DaemonConfig): string {
  const extra = [
    d.syncMaxlen !== undefined ? `maxlen ${d.syncMaxlen}` : '',
    d.mcastGroup !== undefined ? `group ${formatAddress(d.mcastGroup)}` : '',
    d.mcastPort !== undefined ? `port ${d.mcastPort}` : '',
    d.mcastTtl !== undefined ? `ttl ${d.mcastTtl}` : '',
  ].filter((x) => x !== '');
  return `${d.state} (syncid ${d.syncId}, ${d.mcastIfn}${extra.map((x) => `, ${x}`).join('')})`;
}
