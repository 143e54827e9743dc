// The settings of a real server (destination), each described once: its attribute and 1.31
// option, its listing column word, its JSON member and schema, its save option, how apply
// compares and shows it, and its metric label or gauge. Texts as ipvsadm 1.31 prints them.
import { formatAddress } from '../ipvs/address.js';
import type { DestinationConfig, ForwardingMethod, Reported } from '../ipvs/model.js';
import { forwardingLabel } from '../ipvs/vocabulary.js';
import { i32, u32 } from './printf.js';
import type { Registry } from './spec.js';
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

const IDENTITY = { text: { along: 'the real server column' }, json: { along: 'the identity members' }, save: { along: '-r' }, apply: { notCompared: 'the identity of the real server' } } as const;

export const DESTINATION_FIELDS = {
  addr: { attribute: 'IPVS_DEST_ATTR_ADDR_FAMILY, ADDR', option: '-r', ...IDENTITY, metric: { label: 'server_address', value: (d) => formatAddress(d.addr) } },
  port: { attribute: 'IPVS_DEST_ATTR_PORT', option: '-r', ...IDENTITY, metric: { label: 'server_port', value: (d) => String(d.port) } },
  forwarding: {
    attribute: 'IPVS_DEST_ATTR_FWD_METHOD',
    option: '-g|-i|-m',
    text: { word: 'Forward', show: (d) => forwardName(d.forwarding) },
    json: { key: 'forwarding', write: (d) => d.forwarding, schema: { oneOf: [{ enum: ['masq', 'local', 'tunnel', 'route', 'bypass'] }, { type: 'integer', minimum: 5, maximum: 7, description: 'a forwarding code without a name' }] } },
    save: { option: '-g|-i|-m', rank: 0, write: (d) => ` ${forwardOption(d.forwarding)}` },
    apply: { label: 'forwarding', show: (d) => (typeof d.forwarding === 'string' ? d.forwarding : `code ${d.forwarding}`) },
    metric: { label: 'forwarding', value: (d) => String(d.forwarding) },
  },
  weight: {
    attribute: 'IPVS_DEST_ATTR_WEIGHT',
    option: '-w',
    text: { word: 'Weight', show: (d) => i32(d.weight) },
    json: { key: 'weight', write: (d) => d.weight | 0, schema: { type: 'integer', minimum: -2147483648, maximum: 2147483647 } },
    save: { option: '-w', rank: 1, write: (d) => ` -w ${i32(d.weight)}` },
    apply: { label: 'weight', show: (d) => String(d.weight | 0) },
    metric: { family: 'ipvs_destination_weight', help: 'Weight of the real server (0: no new connections).', value: (d) => d.weight | 0 },
  },
  uThreshold: {
    attribute: 'IPVS_DEST_ATTR_U_THRESH',
    option: '-x',
    text: { word: 'Uthreshold', show: (d) => u32(d.uThreshold) },
    json: { key: 'upperThreshold', write: (d) => d.uThreshold >>> 0, schema: U32_SCHEMA },
    // ipvsadm 1.31 never saves thresholds
    save: null,
    apply: { label: 'upper threshold', show: (d) => String(d.uThreshold >>> 0) },
    metric: { family: 'ipvs_destination_upper_threshold', help: 'Upper connection threshold of the real server (0: none).', value: (d) => d.uThreshold >>> 0 },
  },
  lThreshold: {
    attribute: 'IPVS_DEST_ATTR_L_THRESH',
    option: '-y',
    text: { word: 'Lthreshold', show: (d) => u32(d.lThreshold) },
    json: { key: 'lowerThreshold', write: (d) => d.lThreshold >>> 0, schema: U32_SCHEMA },
    save: null,
    apply: { label: 'lower threshold', show: (d) => String(d.lThreshold >>> 0) },
    metric: { family: 'ipvs_destination_lower_threshold', help: 'Lower connection threshold of the real server (0: none).', value: (d) => d.lThreshold >>> 0 },
  },
  tunnelType: {
    attribute: 'IPVS_DEST_ATTR_TUN_TYPE',
    option: '--tun-type',
    text: { word: 'TunnelInfo', show: tunnelColumn },
    json: { key: 'tunnel', write: tunnelJson, schema: { $ref: '#/$defs/tunnel' } },
    save: { option: '--tun-type', rank: 2, write: tunnelOptions },
    apply: { label: 'tunnel', relevant: tunnels, show: (d) => (tunnels(d) ? tunnelPlanText(d) : undefined) },
    metric: { label: 'tunnel', value: tunnelLabel },
  },
  tunnelPort: {
    attribute: 'IPVS_DEST_ATTR_TUN_PORT',
    option: '--tun-port',
    text: { along: 'tunnelType' },
    json: { along: 'tunnelType' },
    save: { along: 'tunnelType' },
    apply: { label: 'tunnel', relevant: tunnelPart('port') },
    metric: null,
  },
  checksum: {
    attribute: 'IPVS_DEST_ATTR_TUN_FLAGS',
    option: '--tun-nocsum|--tun-csum|--tun-remcsum',
    text: { along: 'tunnelType' },
    json: { along: 'tunnelType' },
    save: { along: 'tunnelType' },
    apply: { label: 'tunnel', relevant: tunnelPart('checksum') },
    metric: null,
  },
} as const satisfies Registry<DestinationConfig>;
