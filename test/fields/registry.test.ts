// The field registry: complete for every model object (a missing entry or a missing consumer
// entry does not compile: the @ts-expect-error lines fail the typecheck if it ever did), its
// options are the 1.31 option table's, its JSON keys the schema's, its labels the plan's, and a
// planted field is compared by apply even where the plan's text forgets it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTION_TABLE } from '../../src/core/option-table.js';
import { daemonFields, destinationFields, differences, serviceFields } from '../../src/apply/plan.js';
import { DAEMON_FIELDS, DESTINATION_FIELDS, SERVICE_FIELDS, TIMEOUT_FIELDS } from '../../src/fields/registry.js';
import { planLabels } from '../../src/fields/spec.js';
import type { FieldSpec, Registry } from '../../src/fields/spec.js';
import { destinationConfig } from '../../src/ipvs/model.js';
import type { DaemonConfig, DestinationConfig, ServiceConfig } from '../../src/ipvs/model.js';
import { addr, dest } from '../support/format-fixtures.js';
import { svc, tcp } from '../support/parse-cases.js';

const REGISTRIES = { service: SERVICE_FIELDS, destination: DESTINATION_FIELDS, daemon: DAEMON_FIELDS, timeouts: TIMEOUT_FIELDS } as const;
const specs = (r: object): FieldSpec<never, never>[] => Object.values(r) as FieldSpec<never, never>[];

describe('completeness', () => {
  it('a registry without one field of its model, or a field without one consumer, does not compile', () => {
    const { pe: _pe, ...withoutPe } = SERVICE_FIELDS;
    // @ts-expect-error pe is missing: Registry<ServiceConfig> needs every key
    const missingField: Registry<ServiceConfig> = withoutPe;
    const { metric: _metric, ...withoutMetric } = SERVICE_FIELDS.pe;
    // @ts-expect-error the metric entry is missing
    const missingConsumer: FieldSpec<ServiceConfig, 'pe'> = withoutMetric;
    expect([missingField, missingConsumer].every((x) => typeof x === 'object')).toBe(true);
  });
});

describe('the registry against its consumers', () => {
  it('names only options of the 1.31 option table', () => {
    const known = new Set(OPTION_TABLE.flatMap((o) => [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])]));
    const named = Object.values(REGISTRIES).flatMap((r) => specs(r).flatMap((f) => (f.option ?? '').split('|').filter((o) => o !== '')));
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((o) => !known.has(o))).toEqual([]);
  });

  it('has exactly the settings of the JSON schema', () => {
    const schema = JSON.parse(readFileSync(new URL('../../src/schema/ipvsadm.schema.json', import.meta.url), 'utf8')) as { $defs: Record<string, { properties: Record<string, unknown> }> };
    const top = (r: object): string[] => [...new Set(specs(r).flatMap((f) => (f.json ?? '').split(', ').map((k) => k.split('.')[0]!)).filter((k) => k !== ''))].sort();
    const d = schema.$defs;
    const keys = (name: string, extra: string[] = []): string[] => [...Object.keys(d[name]!.properties), ...extra].sort();
    expect(top(TIMEOUT_FIELDS)).toEqual(keys('timeouts'));
    expect(top(DAEMON_FIELDS)).toEqual(keys('daemon'));
    expect(top(DESTINATION_FIELDS)).toEqual(keys('destinationSettings'));
    // the service's identity keys live in serviceIdentity (a oneOf); its raw flag bits in the listing's service
    expect(top(SERVICE_FIELDS)).toEqual(keys('serviceSettings', ['flags', 'protocol', 'address', 'family', 'port or fwmark']));
  });

  it('every plan label of the registry is a setting the plan shows', () => {
    const tunnel = dest('198.51.100.1', 80, { forwarding: 'tunnel', tunnelType: 'gue' });
    const shown = (fields: readonly { name: string }[]): string[] => fields.map((f) => f.name).sort();
    expect([...planLabels<ServiceConfig>(SERVICE_FIELDS)].sort()).toEqual(shown(serviceFields(svc(tcp('192.0.2.1', 80)))));
    expect([...planLabels<DestinationConfig>(DESTINATION_FIELDS)].sort()).toEqual(shown(destinationFields(tunnel)));
    const daemon = { state: 'master', mcastIfn: 'eth0', syncId: 1, syncMaxlen: 1, mcastGroup: addr('224.0.0.81'), mcastPort: 1, mcastTtl: 1 } as const;
    expect([...planLabels<DaemonConfig>(DAEMON_FIELDS)].sort()).toEqual(shown(daemonFields(daemon)));
  });
});

describe('a planted field', () => {
  type Planted = ServiceConfig & { readonly quota: number };
  const PLANTED = {
    ...SERVICE_FIELDS,
    quota: { attribute: 'IPVS_SVC_ATTR_QUOTA', option: null, text: 'quota', json: 'quota', save: '--quota', apply: { label: 'quota' }, metric: 'quota' },
  } as const satisfies Registry<Planted>;
  const before: Planted = { ...svc(tcp('192.0.2.1', 80)), quota: 1 };
  const after: Planted = { ...before, quota: 2 };
  const shown = (s: Planted) => [...serviceFields(s), { name: 'quota', after: String(s.quota) }];

  it('is planned as a change, with its text', () => {
    expect(differences<Planted>(PLANTED, before, after, shown)).toEqual([{ name: 'quota', before: '1', after: '2' }]);
    expect(differences<Planted>(PLANTED, before, { ...before }, shown)).toEqual([]);
  });

  it('is still planned when the plan text forgets it (never "nothing to change")', () => {
    expect(differences<Planted>(PLANTED, before, after, serviceFields)).toEqual([{ name: 'quota' }]);
  });

  it('is not planned by a registry that forgets it: the mutation the compiler refuses (forced past it here)', () => {
    expect(differences<Planted>(SERVICE_FIELDS as unknown as Registry<Planted>, before, after, shown)).toEqual([]);
  });
});

describe('typed equality', () => {
  it('a timeout or mask without persistence is no change; with persistence it is', () => {
    const plain = svc(tcp('192.0.2.1', 80));
    expect(differences(SERVICE_FIELDS, plain, { ...plain, timeout: 300, netmask: 0xffffff00 }, serviceFields)).toEqual([]);
    const p = { ...plain, persistent: true, timeout: 300 };
    expect(differences(SERVICE_FIELDS, p, { ...p, timeout: 60 }, serviceFields).map((f) => f.name)).toEqual(['persistence']);
  });

  it('tunnel settings count only for a tunnel, the port only for GUE', () => {
    const route = destinationConfig(dest('198.51.100.1', 80));
    expect(differences(DESTINATION_FIELDS, route, { ...route, tunnelType: 'gre', checksum: 'csum' }, destinationFields)).toEqual([]);
    const gre = { ...route, forwarding: 'tunnel' as const, tunnelType: 'gre' as const };
    expect(differences(DESTINATION_FIELDS, gre, { ...gre, tunnelPort: 6080 }, destinationFields)).toEqual([]);
    expect(differences(DESTINATION_FIELDS, gre, { ...gre, checksum: 'csum' }, destinationFields)).toEqual([{ name: 'tunnel', before: 'gre nocsum', after: 'gre csum' }]);
  });
});
