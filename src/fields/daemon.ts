// The settings of a connection-sync daemon and the connection timeouts, each described once:
// attribute and 1.31 option, listing piece, JSON member and schema, how apply compares and
// shows it, metric. Neither is part of the 1.31 save text. Texts as ipvsadm 1.31 prints them.
import { formatAddress, parseAddress } from '../ipvs/address.js';
import { AF_INET } from '../ipvs/constants.js';
import { DAEMON_ROLES } from '../ipvs/vocabulary.js';
import type { Address } from '../ipvs/address.js';
import type { DaemonConfig, Timeouts } from '../ipvs/model.js';
import { i32, u32 } from './printf.js';
import { MAX_TIMEOUT, sameAddress } from './spec.js';
import type { FieldSpec, Json, MemberReader, Registry } from './spec.js';

const U32_SCHEMA = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;

/** A multicast group: IPv4 224.0.0.0/4 or IPv6 ff00::/8, as --mcast-group takes it. */
function readGroup(r: MemberReader, key: string): Address {
  const text = r.value(key);
  const addr = typeof text === 'string' ? parseAddress(text) : undefined;
  const multicast = addr && (addr.af === AF_INET ? (addr.bytes[0]! & 0xf0) === 0xe0 : addr.bytes[0] === 0xff);
  return addr && multicast ? addr : r.fail(r.path(key), 'must be a multicast address (224.0.0.0/4 or ff00::/8)');
}

type Optional = 'syncMaxlen' | 'mcastGroup' | 'mcastPort' | 'mcastTtl';

/** How an optional setting is written: in the listing (`%u`), in JSON and the plan, its schema, its equality. */
interface Kind<V> {
  readonly read: (r: MemberReader, key: string) => V;
  readonly column: (v: V) => string;
  readonly json: (v: V) => Json;
  readonly plan: (v: V) => string;
  readonly schema: Json;
  readonly equal?: (a: V | undefined, b: V | undefined) => boolean;
}

const NUMBER = (maximum: number, min: number, max: number): Kind<number> => ({ read: (r, key) => r.integer(key, min, max), column: u32, json: (v) => v, plan: String, schema: { type: 'integer', minimum: 0, maximum } });
const ADDRESS: Kind<Address> = { read: readGroup, column: formatAddress, json: formatAddress, plan: formatAddress, schema: { type: 'string' }, equal: sameAddress };

/**
 * An optional setting of a daemon: left out of the listing when 0 or absent, of JSON and the
 * plan when absent, and compared only where the file gives it.
 */
function optional<K extends Optional>(key: K, attribute: string, option: string, word: string, jsonKey: string, label: string, kind: Kind<NonNullable<DaemonConfig[K]>>): FieldSpec<DaemonConfig, K> {
  type V = NonNullable<DaemonConfig[K]>;
  const value = (d: DaemonConfig): V | undefined => (d[key] ?? undefined) as V | undefined;
  return {
    attribute,
    option,
    text: { word, show: (d) => (value(d) ? `${word}=${kind.column(value(d)!)}` : '') },
    json: { key: jsonKey, optional: true, write: (d) => (value(d) === undefined ? undefined : kind.json(value(d)!)), read: (r) => (r.has(jsonKey) ? { [key]: kind.read(r, jsonKey) } : {}), schema: kind.schema },
    save: null,
    apply: { label, wanted: (d) => value(d) !== undefined, show: (d) => (value(d) === undefined ? undefined : kind.plan(value(d)!)), ...(kind.equal ? { equal: kind.equal as (a: DaemonConfig[K], b: DaemonConfig[K]) => boolean } : {}) },
    metric: null,
  };
}

export const DAEMON_FIELDS = {
  state: {
    attribute: 'IPVS_DAEMON_ATTR_STATE',
    option: '--start-daemon|--stop-daemon',
    text: { along: 'the head of the line' },
    json: { key: 'state', write: (d) => d.state, read: (r) => ({ state: r.oneOf('state', DAEMON_ROLES) }), schema: { enum: ['master', 'backup'] } },
    save: null,
    apply: { notCompared: 'the identity of the daemon' },
    metric: { label: 'state', value: (d) => d.state },
  },
  mcastIfn: {
    attribute: 'IPVS_DAEMON_ATTR_MCAST_IFN',
    option: '--mcast-interface',
    text: { word: 'mcast', show: (d) => `mcast=${d.mcastIfn}` },
    json: { key: 'interface', write: (d) => d.mcastIfn, read: (r) => ({ mcastIfn: r.name('interface', 15) }), schema: { type: 'string' } },
    save: null,
    apply: { label: 'interface', show: (d) => d.mcastIfn },
    metric: { label: 'interface', value: (d) => d.mcastIfn },
  },
  syncId: {
    attribute: 'IPVS_DAEMON_ATTR_SYNC_ID',
    option: '--syncid',
    text: { word: 'syncid', show: (d) => `syncid=${i32(d.syncId)}` },
    json: { key: 'syncId', write: (d) => d.syncId >>> 0, read: (r) => ({ syncId: r.integer('syncId', 0, 255) }), schema: U32_SCHEMA },
    save: null,
    apply: { label: 'sync id', show: (d) => String(d.syncId) },
    metric: { label: 'sync_id', value: (d) => String(d.syncId >>> 0) },
  },
  syncMaxlen: optional('syncMaxlen', 'IPVS_DAEMON_ATTR_SYNC_MAXLEN', '--sync-maxlen', 'maxlen', 'syncMaxlen', 'maximum length', NUMBER(65535, 1, 65507)),
  mcastGroup: optional('mcastGroup', 'IPVS_DAEMON_ATTR_MCAST_GROUP, MCAST_GROUP6', '--mcast-group', 'group', 'group', 'group', ADDRESS),
  mcastPort: optional('mcastPort', 'IPVS_DAEMON_ATTR_MCAST_PORT', '--mcast-port', 'port', 'port', 'port', NUMBER(65535, 1, 65535)),
  mcastTtl: optional('mcastTtl', 'IPVS_DAEMON_ATTR_MCAST_TTL', '--mcast-ttl', 'ttl', 'ttl', 'ttl', NUMBER(255, 1, 255)),
} as const satisfies Registry<DaemonConfig>;

/** A timeout of 0 in a file keeps the kernel's, as --set does. */
const set = (k: keyof Timeouts) => (t: Timeouts): boolean => t[k] !== 0;

/** One timeout: its attribute, listing word, JSON key, plan label and the metric's protocol label. */
const timeout = (key: keyof Timeouts, attribute: string, word: string, label: string) =>
  ({
    attribute,
    option: '--set',
    text: { word, show: (t: Timeouts) => i32(t[key]) },
    json: { key, write: (t: Timeouts) => t[key] >>> 0, read: (r: MemberReader) => ({ [key]: r.integer(key, 0, MAX_TIMEOUT) }), schema: U32_SCHEMA },
    save: null,
    apply: { label, wanted: set(key), show: (t: Timeouts) => `${t[key]} s` },
    metric: { label: word, value: (t: Timeouts) => String(t[key] >>> 0) },
  }) as const;

export const TIMEOUT_FIELDS = {
  tcp: timeout('tcp', 'IPVS_CMD_ATTR_TIMEOUT_TCP', 'tcp', 'tcp'),
  tcpFin: timeout('tcpFin', 'IPVS_CMD_ATTR_TIMEOUT_TCP_FIN', 'tcpfin', 'tcp fin'),
  udp: timeout('udp', 'IPVS_CMD_ATTR_TIMEOUT_UDP', 'udp', 'udp'),
} as const satisfies Registry<Timeouts>;
