// The settings of a virtual service, each described once: its attribute and 1.31 option, its
// piece of the listing's service line, its JSON member and schema, its save option, how apply
// compares and shows it, and its metric label. Texts as ipvsadm 1.31 prints them.
import { AF_INET6 } from '../ipvs/constants.js';
import { parseIPv4 } from '../ipvs/address.js';
import type { SchedFlag, ServiceConfig } from '../ipvs/model.js';
import { encodeServiceFlags } from '../ipvs/value-codec.js';
import { u32 } from './printf.js';
import { schedFlagOfWord, schedFlagsText, schedFlagWords } from './sched-flags.js';
import { dottedMask, persistenceMask } from './service-text.js';
import { partOf, sameList } from './spec.js';
import { MAX_TIMEOUT } from './spec.js';
import type { Json, MemberReader, Registry } from './spec.js';

const U32_SCHEMA = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;

/** ` persistent 600 mask 255.255.255.0 pe sip` (pe only shown with persistence), or ''. */
function persistenceText(s: ServiceConfig): string {
  if (!s.persistent) return '';
  const mask = persistenceMask(s);
  return ` persistent ${u32(s.timeout)}${mask === undefined ? '' : ` mask ${mask}`}${s.pe ? ` pe ${s.pe}` : ''}`;
}

/** ` -p 600 -M 255.255.255.0`, or ''. */
function persistenceOptions(s: ServiceConfig): string {
  if (!s.persistent) return '';
  const mask = persistenceMask(s);
  return ` -p ${u32(s.timeout)}${mask === undefined ? '' : ` -M ${mask}`}`;
}

function persistenceJson(s: ServiceConfig): Json {
  if (!s.persistent) return null;
  return { timeout: s.timeout >>> 0, netmask: s.key.af === AF_INET6 ? s.netmask | 0 : dottedMask(s.netmask) };
}

/** `300 s mask 255.255.255.0`, `300 s/64`, `none`. */
function persistencePlanText(s: ServiceConfig): string {
  if (!s.persistent) return 'none';
  return `${s.timeout >>> 0} s${s.key.af === AF_INET6 ? `/${s.netmask}` : ` mask ${dottedMask(s.netmask)}`}`;
}

const PERSISTENCE_SCHEMA = {
  oneOf: [
    { type: 'null' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['timeout', 'netmask'],
      properties: {
        timeout: U32_SCHEMA,
        netmask: { oneOf: [{ type: 'string', description: 'IPv4: dotted mask' }, { type: 'integer', minimum: 0, maximum: 128, description: 'IPv6: prefix length' }] },
      },
    },
  ],
};

/** Each word for the scheduler read before: `flag-N`, or the scheduler's own (`sh-port`). */
function readSchedFlags(r: MemberReader, before: Partial<ServiceConfig>): Partial<ServiceConfig> {
  const scheduler = before.scheduler ?? '';
  const flags = new Set<SchedFlag>();
  r.array('schedulerFlags').forEach((word, i) => {
    const found = typeof word === 'string' ? schedFlagOfWord(word, scheduler) : { problem: 'invalid' as const };
    if ('problem' in found) return r.fail(`${r.path('schedulerFlags')}[${i}]`, found.problem === 'incompatible' ? `is not a flag of scheduler "${scheduler}"` : 'is not a scheduler flag (flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback, mh-port)');
    flags.add(found.flag);
  });
  return { schedFlags: [...flags].sort() };
}

/** null (no persistence), or the timeout (1 s to 31 days, as -p takes it) and mask (dotted IPv4, IPv6 prefix). */
function readPersistence(r: MemberReader, before: Partial<ServiceConfig>): Partial<ServiceConfig> {
  const v6 = before.key?.af === AF_INET6;
  const p = r.member('persistence');
  if (!p) return { persistent: false, timeout: 0, netmask: v6 ? 128 : 0xffffffff };
  p.only(['timeout', 'netmask']);
  const timeout = p.integer('timeout', 1, MAX_TIMEOUT);
  if (v6) return { persistent: true, timeout, netmask: p.integer('netmask', 1, 128) };
  const mask = p.value('netmask');
  const parsed = typeof mask === 'string' ? parseIPv4(mask) : undefined;
  if (!parsed) return p.fail(p.path('netmask'), 'must be a dotted IPv4 mask such as "255.255.255.0"');
  const b = parsed.bytes;
  return { persistent: true, timeout, netmask: ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0 };
}

const flagsText = (s: ServiceConfig): string | undefined => schedFlagsText(s.scheduler, s.schedFlags);

export const SERVICE_FIELDS = {
  key: {
    attribute: 'IPVS_SVC_ATTR_AF, PROTOCOL, ADDR and PORT, or FWMARK',
    option: '-t|-u|--sctp-service|-f',
    text: { along: 'the name column' },
    json: { along: 'the identity members' },
    save: { along: 'the service option' },
    apply: { notCompared: 'the identity of the service' },
    metric: { along: 'the identity labels' },
  },
  scheduler: {
    attribute: 'IPVS_SVC_ATTR_SCHED_NAME',
    option: '-s',
    text: { word: 'scheduler', show: (s) => ` ${s.scheduler}` },
    json: { key: 'scheduler', write: (s) => s.scheduler, read: (r) => ({ scheduler: r.name('scheduler', 15) }), schema: { type: 'string' } },
    save: { option: '-s', rank: 0, write: (s) => ` -s ${s.scheduler}` },
    apply: { label: 'scheduler', show: (s) => s.scheduler },
    metric: { label: 'scheduler', value: (s) => s.scheduler },
  },
  schedFlags: {
    attribute: 'IPVS_SVC_ATTR_FLAGS',
    option: '-b',
    text: { word: '(flags)', show: (s) => (flagsText(s) === undefined ? '' : ` (${flagsText(s)})`) },
    json: { key: 'schedulerFlags', write: (s) => schedFlagWords(s.scheduler, s.schedFlags), read: readSchedFlags, schema: { type: 'array', items: { type: 'string' } } },
    save: { option: '-b', rank: 4, write: (s) => (flagsText(s) === undefined ? '' : ` -b ${flagsText(s)}`) },
    apply: { label: 'scheduler flags', equal: sameList, show: (s) => schedFlagWords(s.scheduler, s.schedFlags).join(',') || 'none' },
    metric: null,
  },
  unnamedFlags: {
    attribute: 'IPVS_SVC_ATTR_FLAGS',
    option: null,
    text: null,
    // a listing carries every flag bit as the kernel reported it
    json: { key: 'flags', listingOnly: true, write: (s) => encodeServiceFlags(s), read: () => ({ unnamedFlags: 0 }), schema: { ...U32_SCHEMA, description: 'IP_VS_SVC_F_* bits as the kernel reports them (without HASHED)' } },
    save: null,
    apply: { notCompared: 'bits no input of ours sets' },
    metric: null,
  },
  persistent: {
    attribute: 'IPVS_SVC_ATTR_FLAGS',
    option: '-p',
    text: { word: 'persistent', show: persistenceText },
    json: { key: 'persistence', write: persistenceJson, read: readPersistence, schema: PERSISTENCE_SCHEMA },
    save: { option: '-p', rank: 1, write: persistenceOptions },
    apply: { label: 'persistence', show: persistencePlanText },
    metric: null,
  },
  timeout: partOf<ServiceConfig, 'timeout'>('persistent', 'IPVS_SVC_ATTR_TIMEOUT', '-p', { label: 'persistence', relevant: (s) => s.persistent }),
  netmask: partOf<ServiceConfig, 'netmask'>('persistent', 'IPVS_SVC_ATTR_NETMASK', '-M', { label: 'persistence', relevant: (s) => s.persistent }),
  onePacket: {
    attribute: 'IPVS_SVC_ATTR_FLAGS',
    option: '-o',
    text: { word: 'ops', show: (s) => (s.onePacket ? ' ops' : '') },
    json: { key: 'onePacket', write: (s) => s.onePacket, read: (r) => ({ onePacket: r.boolean('onePacket') }), schema: { type: 'boolean' } },
    save: { option: '-o', rank: 3, write: (s) => (s.onePacket ? ' -o' : '') },
    apply: { label: 'one-packet', show: (s) => (s.onePacket ? 'yes' : 'no') },
    metric: null,
  },
  pe: {
    attribute: 'IPVS_SVC_ATTR_PE_NAME',
    option: '--pe',
    // the listing shows the pe only with persistence
    text: { along: 'persistent' },
    json: { key: 'pe', write: (s) => s.pe || null, read: (r) => ({ pe: r.value('pe') === null ? '' : r.name('pe', 16) }), schema: { oneOf: [{ type: 'null' }, { type: 'string' }] } },
    save: { option: '--pe', rank: 2, write: (s) => (s.pe ? ` --pe ${s.pe}` : '') },
    apply: { label: 'pe', show: (s) => s.pe || 'none' },
    metric: null,
  },
} as const satisfies Registry<ServiceConfig>;
