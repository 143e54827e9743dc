// `npm run schema`: rewrites src/schema/ipvsadm.schema.json from the field registry (the built
// dist/fields/schema.js). test/fields/schema.test.ts fails while the file is not what this writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { FIELD_REGISTRIES, fieldSchema, schemaText } from '../../dist/fields/schema.js';

const file = new URL('../../src/schema/ipvsadm.schema.json', import.meta.url);
writeFileSync(file, schemaText(fieldSchema(JSON.parse(readFileSync(file, 'utf8')), FIELD_REGISTRIES)));
