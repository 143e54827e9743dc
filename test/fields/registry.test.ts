// The field registry: complete for every model object (a missing entry, or an entry without one
// output, does not compile: the @ts-expect-error lines fail the typecheck if it ever did); its
// options are the 1.31 option table's, its labels the plan's; a planted field shows in every
// output (listing, JSON and its reader, schema, save, apply plan, metrics), and a registry that
// drops it from one output is caught.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTION_TABLE } from '../../src/core/option-table.js';
import { defaultServiceLine } from '../../src/cli/format/list-lines.js';
import { DAEMON_FIELDS, DESTINATION_FIELDS, SERVICE_FIELDS, TIMEOUT_FIELDS } from '../../src/fields/registry.js';
import { differences, planLabels, shownSettings } from '../../src/fields/outputs.js';
import { FIELD_REGISTRIES, fieldSchema } from '../../src/fields/schema.js';
import type { SchemaDoc } from '../../src/fields/schema.js';
import type { FieldSpec, MemberReader, Registry } from '../../src/fields/spec.js';
import { readSettings } from '../../src/save/json-read.js';
import { destinationConfig } from '../../src/ipvs/model.js';
import type { DaemonConfig, DestinationConfig, ServiceConfig } from '../../src/ipvs/model.js';
import { serviceFamilyLabels } from '../../src/metrics/exposition.js';
import { serviceLine } from '../../src/save/format.js';
import { serviceSettings } from '../../src/table/json.js';
import { addr, dest } from '../support/format-fixtures.js';
import { svc, tcp } from '../support/parse-cases.js';

const REGISTRIES = [SERVICE_FIELDS, DESTINATION_FIELDS, DAEMON_FIELDS, TIMEOUT_FIELDS] as const;
const specs = (r: object): FieldSpec<never, never>[] => Object.values(r) as FieldSpec<never, never>[];
const BASE = JSON.parse(readFileSync(new URL('../../src/schema/ipvsadm.schema.json', import.meta.url), 'utf8')) as SchemaDoc;

describe('completeness', () => {
  it('a registry without one field of its model, or a field without one output, does not compile', () => {
    const { pe: _pe, ...withoutPe } = SERVICE_FIELDS;
    // @ts-expect-error pe is missing: Registry<ServiceConfig> needs every key
    const missingField: Registry<ServiceConfig> = withoutPe;
    const { metric: _metric, ...withoutMetric } = SERVICE_FIELDS.pe;
    // @ts-expect-error the metric entry is missing: every field says what each output does with it
    const missingOutput: FieldSpec<ServiceConfig, 'pe'> = withoutMetric;
    expect([missingField, missingOutput].every((x) => typeof x === 'object')).toBe(true);
  });
});

describe('the registry against the 1.31 surface and the plan', () => {
  it('names only options of the 1.31 option table', () => {
    const known = new Set(OPTION_TABLE.flatMap((o) => [`--${o.long}`, ...(o.short ? [`-${o.short}`] : [])]));
    const named = REGISTRIES.flatMap((r) => specs(r).flatMap((f) => (f.option ?? '').split('|').filter((o) => o !== '')));
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((o) => !known.has(o))).toEqual([]);
  });

  it('every plan label is a setting the plan shows', () => {
    const tunnel = destinationConfig(dest('198.51.100.1', 80, { forwarding: 'tunnel', tunnelType: 'gue' }));
    const daemon: DaemonConfig = { state: 'master', mcastIfn: 'eth0', syncId: 1, syncMaxlen: 1, mcastGroup: addr('224.0.0.81'), mcastPort: 1, mcastTtl: 1 };
    const shown = <M>(r: Registry<M>, m: M): string[] => [...new Set(shownSettings(r, m).map((f) => f.name))].sort();
    expect([...planLabels<ServiceConfig>(SERVICE_FIELDS)].sort()).toEqual(shown<ServiceConfig>(SERVICE_FIELDS, svc(tcp('192.0.2.1', 80))));
    expect([...planLabels<DestinationConfig>(DESTINATION_FIELDS)].sort()).toEqual(shown<DestinationConfig>(DESTINATION_FIELDS, tunnel));
    expect([...planLabels<DaemonConfig>(DAEMON_FIELDS)].sort()).toEqual(shown<DaemonConfig>(DAEMON_FIELDS, daemon));
  });
});

describe('a planted field', () => {
  type Planted = ServiceConfig & { readonly quota: number };
  const QUOTA = {
    attribute: 'IPVS_SVC_ATTR_QUOTA (planted)',
    option: null,
    text: { word: 'quota', show: (s: Planted) => ` quota ${s.quota}` },
    json: { key: 'quota', write: (s: Planted) => s.quota, read: (r: MemberReader) => ({ quota: r.integer('quota', 0, 100) }), schema: { type: 'integer' } },
    save: { option: '--quota', rank: 5, write: (s: Planted) => ` --quota ${s.quota}` },
    apply: { label: 'quota', show: (s: Planted) => String(s.quota) },
    metric: { label: 'quota', value: (s: Planted) => String(s.quota) },
  } as const satisfies FieldSpec<Planted, 'quota'>;
  const PLANTED = { ...SERVICE_FIELDS, quota: QUOTA } as const satisfies Registry<Planted>;
  const before: Planted = { ...svc(tcp('192.0.2.1', 80), { persistent: true, timeout: 300 }), quota: 1 };
  const after: Planted = { ...before, quota: 7 };

  /** The outputs in which the planted value 7 shows, each read through the registry given. */
  function showing(fields: Registry<Planted>): string[] {
    const schema = fieldSchema<Planted>(BASE, { ...FIELD_REGISTRIES, service: fields }).$defs['serviceSettings']!;
    const found = {
      text: defaultServiceLine('TCP  192.0.2.1:80', after, fields).includes(' quota 7'),
      json: serviceSettings(after, false, fields)['quota'] === 7,
      read: readSettings(fields, serviceSettings(after, false, fields), 'services[0]', { key: after.key }).quota === 7,
      schema: schema.properties?.['quota'] !== undefined && schema.required?.includes('quota') === true,
      save: serviceLine(after, '-t 192.0.2.1:80', fields).includes(' --quota 7'),
      plan: differences(fields, before, after).some((f) => f.name === 'quota' && f.before === '1' && f.after === '7'),
      metrics: serviceFamilyLabels(after, fields)['quota'] === '7',
    };
    return Object.entries(found).flatMap(([output, shows]) => (shows ? [output] : []));
  }

  it('shows in the listing, JSON, schema, save, apply plan and metrics, after what the real fields give', () => {
    expect(showing(PLANTED)).toEqual(['text', 'json', 'read', 'schema', 'save', 'plan', 'metrics']);
    expect(defaultServiceLine('TCP  192.0.2.1:80', after, PLANTED)).toBe('TCP  192.0.2.1:80 wlc persistent 300 quota 7');
    expect(serviceLine(after, '-t 192.0.2.1:80', PLANTED)).toBe('-A -t 192.0.2.1:80 -s wlc -p 300 --quota 7');
  });

  it('missing from any one output is caught: each mutation leaves exactly that output out', () => {
    const outputs = ['text', 'json', 'save', 'apply', 'metric'] as const;
    for (const output of outputs) {
      const dropped = output === 'apply' ? { notCompared: 'mutation' } : null;
      const mutant = { ...PLANTED, quota: { ...QUOTA, [output]: dropped } } as Registry<Planted>;
      const lost = output === 'apply' ? ['plan'] : output === 'json' ? ['json', 'read', 'schema'] : output === 'metric' ? ['metrics'] : [output];
      expect(showing(mutant), output).toEqual(['text', 'json', 'read', 'schema', 'save', 'plan', 'metrics'].filter((o) => !lost.includes(o)));
    }
  });

  it('a change the plan text does not show is still planned (never "nothing to change")', () => {
    const silent = { ...PLANTED, quota: { ...QUOTA, apply: { label: 'quota' } } } as const satisfies Registry<Planted>;
    expect(differences<Planted>(silent, before, after)).toEqual([{ name: 'quota' }]);
  });
});

describe('typed equality', () => {
  it('a timeout or mask without persistence is no change; with persistence it is', () => {
    const plain = svc(tcp('192.0.2.1', 80));
    expect(differences<ServiceConfig>(SERVICE_FIELDS, plain, { ...plain, timeout: 300, netmask: 0xffffff00 })).toEqual([]);
    const p = { ...plain, persistent: true, timeout: 300 };
    expect(differences<ServiceConfig>(SERVICE_FIELDS, p, { ...p, timeout: 60 })).toEqual([{ name: 'persistence', before: '300 s mask 255.255.255.255', after: '60 s mask 255.255.255.255' }]);
  });

  it('tunnel settings count only for a tunnel, the port only for GUE', () => {
    const route = destinationConfig(dest('198.51.100.1', 80));
    expect(differences<DestinationConfig>(DESTINATION_FIELDS, route, { ...route, tunnelType: 'gre', checksum: 'csum' })).toEqual([]);
    const gre = { ...route, forwarding: 'tunnel' as const, tunnelType: 'gre' as const };
    expect(differences<DestinationConfig>(DESTINATION_FIELDS, gre, { ...gre, tunnelPort: 6080 })).toEqual([]);
    expect(differences<DestinationConfig>(DESTINATION_FIELDS, gre, { ...gre, checksum: 'csum' })).toEqual([{ name: 'tunnel', before: 'gre nocsum', after: 'gre csum' }]);
  });
});
