// The checked-in JSON Schema is what the field registry generates (`npm run schema` rewrites
// it), and a schema whose settings part differs from the registry is caught.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIELD_REGISTRIES, fieldSchema, schemaText } from '../../src/fields/schema.js';
import type { SchemaDoc } from '../../src/fields/schema.js';

const TEXT = readFileSync(new URL('../../src/schema/ipvsadm.schema.json', import.meta.url), 'utf8');

describe('src/schema/ipvsadm.schema.json', () => {
  it('is the generation from the registry, byte for byte', () => {
    expect(schemaText(fieldSchema(JSON.parse(TEXT) as SchemaDoc, FIELD_REGISTRIES))).toBe(TEXT);
  });

  it('a schema edited by hand in a settings part is not (the check can fail)', () => {
    const edited = JSON.parse(TEXT) as { $defs: { destinationSettings: { properties: Record<string, unknown> } } };
    edited.$defs.destinationSettings.properties['weight'] = { type: 'integer', minimum: 0 };
    const regenerated = schemaText(fieldSchema(edited as unknown as SchemaDoc, FIELD_REGISTRIES));
    expect(schemaText(edited as unknown as SchemaDoc)).not.toBe(regenerated);
    expect(regenerated).toBe(TEXT);
  });
});
