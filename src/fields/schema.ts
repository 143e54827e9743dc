// The settings parts of the JSON Schema (src/schema/ipvsadm.schema.json) made from the field
// registry: a service's and a real server's settings, a daemon, the timeouts, and the members
// only listings carry. `npm run schema` writes the file; a test checks that it is up to date.
import type { DaemonConfig, DestinationConfig, ServiceConfig, Timeouts } from '../ipvs/model.js';
import { CHECKSUM_MODES, TUNNEL_TYPES } from '../ipvs/vocabulary.js';
import { DAEMON_FIELDS, DESTINATION_FIELDS, SERVICE_FIELDS, TIMEOUT_FIELDS } from './registry.js';
import { writers } from './spec.js';
import type { Json, Registry } from './spec.js';

interface Def {
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, Json>>;
  readonly [key: string]: unknown;
}

/** The schema document, as far as this module rewrites it. */
export interface SchemaDoc {
  readonly $defs: Readonly<Record<string, Def>>;
  readonly [key: string]: unknown;
}

export interface FieldRegistries<S extends ServiceConfig = ServiceConfig> {
  readonly service: Registry<S>;
  readonly destination: Registry<DestinationConfig>;
  readonly daemon: Registry<DaemonConfig>;
  readonly timeouts: Registry<Timeouts>;
}

export const FIELD_REGISTRIES: FieldRegistries = { service: SERVICE_FIELDS, destination: DESTINATION_FIELDS, daemon: DAEMON_FIELDS, timeouts: TIMEOUT_FIELDS };

/** The properties an object's settings have (listing-only ones apart) and those always present. */
function settingsOf<M>(registry: Registry<M>): { properties: Record<string, Json>; required: string[]; listing: Record<string, Json> } {
  const specs = writers(registry, (f) => f.json);
  const entries = (list: typeof specs): Record<string, Json> => Object.fromEntries(list.map((s) => [s.key, s.schema]));
  const saved = specs.filter((s) => !s.listingOnly);
  return { properties: entries(saved), required: saved.filter((s) => !s.optional).map((s) => s.key), listing: entries(specs.filter((s) => s.listingOnly)) };
}

function pick(from: Readonly<Record<string, Json>> | undefined, keys: readonly string[]): Record<string, Json> {
  return Object.fromEntries(keys.map((k) => [k, from?.[k] ?? null]));
}

/** The tunnel object's word lists (its type and checksum mode), from the vocabulary's tables. */
function tunnelDef(def: Def | undefined): Def | undefined {
  const variants = def?.['oneOf'];
  if (!Array.isArray(variants)) return def;
  const withWords = (named: Json, words: readonly string[]): Json => {
    const oneOf = (named as { oneOf?: Json[] } | null)?.oneOf;
    return oneOf ? { ...(named as object), oneOf: [{ enum: [...words] }, ...oneOf.slice(1)] } : named;
  };
  const oneOf = variants.map((v: { properties?: Record<string, Json> }) => {
    const p = v.properties;
    if (!p) return v;
    return { ...v, properties: { ...p, type: withWords(p['type'] ?? null, TUNNEL_TYPES), checksum: withWords(p['checksum'] ?? null, CHECKSUM_MODES) } };
  });
  return { ...def, oneOf };
}

/** `base` with every settings part rewritten from the registries (the rest kept as it is). */
export function fieldSchema<S extends ServiceConfig>(base: SchemaDoc, registries: FieldRegistries<S>): SchemaDoc {
  const d = base.$defs;
  const service = settingsOf(registries.service);
  const dest = settingsOf(registries.destination);
  const daemon = settingsOf(registries.daemon);
  const timeouts = settingsOf(registries.timeouts);
  const identity = ['address', 'family', 'port'];
  return {
    ...base,
    $defs: {
      ...d,
      service: { ...d['service'], properties: { ...d['service']?.properties, ...service.listing } },
      serviceSettings: { ...d['serviceSettings'], required: service.required, properties: service.properties },
      destinationSettings: {
        ...d['destinationSettings'],
        required: [...identity, ...dest.required],
        properties: { ...pick(d['destinationSettings']?.properties, identity), ...dest.properties },
      },
      timeouts: { ...d['timeouts'], required: timeouts.required, properties: timeouts.properties },
      daemon: { ...d['daemon'], required: daemon.required, properties: daemon.properties },
      ...(d['tunnel'] ? { tunnel: tunnelDef(d['tunnel'])! } : {}),
    },
  };
}

/** The schema file's text for `base`: two-space JSON and a newline. */
export function schemaText(doc: SchemaDoc): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
