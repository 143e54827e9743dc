// The settings of a real server (destination), each described once: its attribute and 1.31
// option, its listing column word, its JSON member and schema, its save option, how apply
// compares and shows it, and its metric label or gauge. Texts as ipvsadm 1.31 prints them.
import { formatAddress } from '../ipvs/address.js';
import type { ChecksumMode, DestinationConfig, ForwardingMethod, Reported } from '../ipvs/model.js';
import { decodeChecksum } from '../ipvs/value-codec.js';
import { CHECKSUM_MODES, FORWARDING_METHODS, forwardingLabel, TUNNEL_TYPES } from '../ipvs/vocabulary.js';
import { i32, u32 } from './printf.js';
import { INT_MAX, partOf } from './spec.js';
import type { FieldSpec, MemberReader, Registry, TextSpec } from './spec.js';
import { TUNNEL_PARTS, tunnelColumn, tunnelJson, tunnelLabel, tunnelOptions, tunnelPlanText } from './words.js';

const U32_SCHEMA = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;

/** The Forward column: masq..route as ipvsadm; bypass and 5..7, which it cannot print, get a word of ours. */
export function forwardName(forwarding: Reported<ForwardingMethod>): string {
  return typeof forwarding === 'string' ? forwardingLabel(forwarding) : 'Unknown';
}

/** -m (masq), -i (tunnel), -g (route, local — and bypass or unknown, which have no option). */
const forwardOption = (f: Reported<ForwardingMethod>): string => (f === 'masq' ? '-m' : f === 'tunnel' ? '-i' : '-g');

const tunnels = (d: DestinationConfig): boolean => d.forwarding === 'tunnel';
const tunnelPart = (part: 'port' | 'checksum') => (d: DestinationConfig): boolean => tunnels(d) && typeof d.tunnelType === 'string' && TUNNEL_PARTS[d.tunnelType][part];

/** A connection threshold (0: none): a u32 everywhere, never saved (ipvsadm 1.31 does not save them). */
function threshold<K extends 'uThreshold' | 'lThreshold'>(key: K, attribute: string, option: string, word: string, jsonKey: string, label: string, which: string): FieldSpec<DestinationConfig, K> & { readonly text: TextSpec<DestinationConfig> } {
  return {
    attribute,
    option,
    text: { word, show: (d) => u32(d[key]) },
    json: { key: jsonKey, write: (d) => d[key] >>> 0, read: (r) => ({ [key]: r.integer(jsonKey, 0, INT_MAX) }), schema: U32_SCHEMA },
    save: null,
    apply: { label, show: (d) => String(d[key] >>> 0) },
    metric: { family: `ipvs_destination_${label.replace(' ', '_')}`, help: `${which} connection threshold of the real server (0: none).`, value: (d) => d[key] >>> 0 },
  };
}

/** null unless the real server tunnels; then its type and the parts that type has. */
function readTunnel(r: MemberReader, before: Partial<DestinationConfig>): Partial<DestinationConfig> {
  const none = { tunnelType: 'ipip', tunnelPort: 0, checksum: 'nocsum' } as const;
  if (before.forwarding !== 'tunnel') {
    if (r.value('tunnel') !== null) r.fail(r.path('tunnel'), 'must be null unless forwarding is "tunnel"');
    return none;
  }
  const t = r.member('tunnel');
  if (!t) return r.fail(r.path('tunnel'), 'must say the tunnel type of a "tunnel" real server');
  const type = t.oneOf('type', TUNNEL_TYPES);
  const parts = TUNNEL_PARTS[type];
  t.only(['type', ...(parts.port ? ['port'] : []), ...(parts.checksum ? ['checksum'] : [])]);
  return { tunnelType: type, tunnelPort: parts.port ? t.integer('port', 1, 65535) : 0, checksum: parts.checksum ? readChecksum(t) : 'nocsum' };
}

/** `"nocsum"`, `"csum"`, `"remcsum"`, or the flag bits as a number (a listing writes 3 that way). */
function readChecksum(t: MemberReader): Reported<ChecksumMode> {
  const v = t.value('checksum');
  if (typeof v === 'number') return decodeChecksum(t.integer('checksum', 0, 65535));
  const mode = CHECKSUM_MODES.find((m) => m === v);
  return mode ?? t.fail(t.path('checksum'), 'must be "nocsum", "csum", "remcsum" or the flag bits as a number');
}

const IDENTITY = { text: { along: 'the real server column' }, json: { along: 'the identity members' }, save: { along: '-r' }, apply: { notCompared: 'the identity of the real server' } } as const;

export const DESTINATION_FIELDS = {
  addr: { attribute: 'IPVS_DEST_ATTR_ADDR_FAMILY, ADDR', option: '-r', ...IDENTITY, metric: { label: 'server_address', value: (d) => formatAddress(d.addr) } },
  port: { attribute: 'IPVS_DEST_ATTR_PORT', option: '-r', ...IDENTITY, metric: { label: 'server_port', value: (d) => String(d.port) } },
  forwarding: {
    attribute: 'IPVS_DEST_ATTR_FWD_METHOD',
    option: '-g|-i|-m',
    text: { word: 'Forward', show: (d) => forwardName(d.forwarding) },
    json: { key: 'forwarding', write: (d) => d.forwarding, read: (r) => ({ forwarding: r.oneOf('forwarding', FORWARDING_METHODS) }), schema: { oneOf: [{ enum: ['masq', 'local', 'tunnel', 'route', 'bypass'] }, { type: 'integer', minimum: 5, maximum: 7, description: 'a forwarding code without a name' }] } },
    save: { option: '-g|-i|-m', rank: 0, write: (d) => ` ${forwardOption(d.forwarding)}` },
    apply: { label: 'forwarding', show: (d) => (typeof d.forwarding === 'string' ? d.forwarding : `code ${d.forwarding}`) },
    metric: { label: 'forwarding', value: (d) => String(d.forwarding) },
  },
  weight: {
    attribute: 'IPVS_DEST_ATTR_WEIGHT',
    option: '-w',
    text: { word: 'Weight', show: (d) => i32(d.weight) },
    json: { key: 'weight', write: (d) => d.weight | 0, read: (r) => ({ weight: r.integer('weight', 0, INT_MAX) }), schema: { type: 'integer', minimum: -2147483648, maximum: 2147483647 } },
    save: { option: '-w', rank: 1, write: (d) => ` -w ${i32(d.weight)}` },
    apply: { label: 'weight', show: (d) => String(d.weight | 0) },
    metric: { family: 'ipvs_destination_weight', help: 'Weight of the real server (0: no new connections).', value: (d) => d.weight | 0 },
  },
  uThreshold: threshold('uThreshold', 'IPVS_DEST_ATTR_U_THRESH', '-x', 'Uthreshold', 'upperThreshold', 'upper threshold', 'Upper'),
  lThreshold: threshold('lThreshold', 'IPVS_DEST_ATTR_L_THRESH', '-y', 'Lthreshold', 'lowerThreshold', 'lower threshold', 'Lower'),
  tunnelType: {
    attribute: 'IPVS_DEST_ATTR_TUN_TYPE',
    option: '--tun-type',
    text: { word: 'TunnelInfo', show: tunnelColumn },
    json: { key: 'tunnel', write: tunnelJson, read: readTunnel, schema: { $ref: '#/$defs/tunnel' } },
    save: { option: '--tun-type', rank: 2, write: tunnelOptions },
    apply: { label: 'tunnel', relevant: tunnels, show: (d) => (tunnels(d) ? tunnelPlanText(d) : undefined) },
    metric: { label: 'tunnel', value: tunnelLabel },
  },
  tunnelPort: partOf<DestinationConfig, 'tunnelPort'>('tunnelType', 'IPVS_DEST_ATTR_TUN_PORT', '--tun-port', { label: 'tunnel', relevant: tunnelPart('port') }),
  checksum: partOf<DestinationConfig, 'checksum'>('tunnelType', 'IPVS_DEST_ATTR_TUN_FLAGS', '--tun-nocsum|--tun-csum|--tun-remcsum', { label: 'tunnel', relevant: tunnelPart('checksum') }),
} as const satisfies Registry<DestinationConfig>;
