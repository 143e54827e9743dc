// The settings of a connection-sync daemon and the connection timeouts, each described once:
// attribute and 1.31 option, listing piece, JSON member and schema, how apply compares and
// shows it, metric. Neither is part of the 1.31 save text. Texts as ipvsadm 1.31 prints them.
import { formatAddress } from '../ipvs/address.js';
import type { DaemonConfig, Timeouts } from '../ipvs/model.js';
import { i32, u32 } from './printf.js';
import { sameAddress } from './spec.js';
import type { Registry } from './spec.js';

const U32_SCHEMA = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;

/** Optional settings of a daemon are compared only where the file gives them. */
const given = (k: keyof DaemonConfig) => (d: DaemonConfig): boolean => d[k] !== undefined;
const shownIf = <T>(v: T | undefined, text: (v: T) => string): string | undefined => (v === undefined ? undefined : text(v));

export const DAEMON_FIELDS = {
  state: {
    attribute: 'IPVS_DAEMON_ATTR_STATE',
    option: '--start-daemon|--stop-daemon',
    text: { along: 'the head of the line' },
    json: { key: 'state', write: (d) => d.state, schema: { enum: ['master', 'backup'] } },
    save: null,
    apply: { notCompared: 'the identity of the daemon' },
    metric: null,
  },
  mcastIfn: {
    attribute: 'IPVS_DAEMON_ATTR_MCAST_IFN',
    option: '--mcast-interface',
    text: { word: 'mcast', show: (d) => `mcast=${d.mcastIfn}` },
    json: { key: 'interface', write: (d) => d.mcastIfn, schema: { type: 'string' } },
    save: null,
    apply: { label: 'interface', show: (d) => d.mcastIfn },
    metric: null,
  },
  syncId: {
    attribute: 'IPVS_DAEMON_ATTR_SYNC_ID',
    option: '--syncid',
    text: { word: 'syncid', show: (d) => `syncid=${i32(d.syncId)}` },
    json: { key: 'syncId', write: (d) => d.syncId >>> 0, schema: U32_SCHEMA },
    save: null,
    apply: { label: 'sync id', show: (d) => String(d.syncId) },
    metric: null,
  },
  syncMaxlen: {
    attribute: 'IPVS_DAEMON_ATTR_SYNC_MAXLEN',
    option: '--sync-maxlen',
    text: { word: 'maxlen', show: (d) => (d.syncMaxlen ? `maxlen=${u32(d.syncMaxlen)}` : '') },
    json: { key: 'syncMaxlen', optional: true, write: (d) => d.syncMaxlen, schema: { type: 'integer', minimum: 0, maximum: 65535 } },
    save: null,
    apply: { label: 'maximum length', wanted: given('syncMaxlen'), show: (d) => shownIf(d.syncMaxlen, String) },
    metric: null,
  },
  mcastGroup: {
    attribute: 'IPVS_DAEMON_ATTR_MCAST_GROUP, MCAST_GROUP6',
    option: '--mcast-group',
    text: { word: 'group', show: (d) => (d.mcastGroup ? `group=${formatAddress(d.mcastGroup)}` : '') },
    json: { key: 'group', optional: true, write: (d) => shownIf(d.mcastGroup, formatAddress), schema: { type: 'string' } },
    save: null,
    apply: { label: 'group', equal: sameAddress, wanted: given('mcastGroup'), show: (d) => shownIf(d.mcastGroup, formatAddress) },
    metric: null,
  },
  mcastPort: {
    attribute: 'IPVS_DAEMON_ATTR_MCAST_PORT',
    option: '--mcast-port',
    text: { word: 'port', show: (d) => (d.mcastPort ? `port=${u32(d.mcastPort)}` : '') },
    json: { key: 'port', optional: true, write: (d) => d.mcastPort, schema: { type: 'integer', minimum: 0, maximum: 65535 } },
    save: null,
    apply: { label: 'port', wanted: given('mcastPort'), show: (d) => shownIf(d.mcastPort, String) },
    metric: null,
  },
  mcastTtl: {
    attribute: 'IPVS_DAEMON_ATTR_MCAST_TTL',
    option: '--mcast-ttl',
    text: { word: 'ttl', show: (d) => (d.mcastTtl ? `ttl=${u32(d.mcastTtl)}` : '') },
    json: { key: 'ttl', optional: true, write: (d) => d.mcastTtl, schema: { type: 'integer', minimum: 0, maximum: 255 } },
    save: null,
    apply: { label: 'ttl', wanted: given('mcastTtl'), show: (d) => shownIf(d.mcastTtl, String) },
    metric: null,
  },
} as const satisfies Registry<DaemonConfig>;

/** A timeout of 0 in a file keeps the kernel's, as --set does. */
const set = (k: keyof Timeouts) => (t: Timeouts): boolean => t[k] !== 0;

/** One timeout: its attribute, listing word, JSON key, plan label and the metric's protocol label. */
const timeout = (key: keyof Timeouts, attribute: string, word: string, label: string) =>
  ({
    attribute,
    option: '--set',
    text: { word, show: (t: Timeouts) => i32(t[key]) },
    json: { key, write: (t: Timeouts) => t[key] >>> 0, schema: U32_SCHEMA },
    save: null,
    apply: { label, wanted: set(key), show: (t: Timeouts) => `${t[key]} s` },
    metric: { label: word, value: (t: Timeouts) => String(t[key] >>> 0) },
  }) as const;

export const TIMEOUT_FIELDS = {
  tcp: timeout('tcp', 'IPVS_CMD_ATTR_TIMEOUT_TCP', 'tcp', 'tcp'),
  tcpFin: timeout('tcpFin', 'IPVS_CMD_ATTR_TIMEOUT_TCP_FIN', 'tcpfin', 'tcp fin'),
  udp: timeout('udp', 'IPVS_CMD_ATTR_TIMEOUT_UDP', 'udp', 'udp'),
} as const satisfies Registry<Timeouts>;
