// The shipped JSON Schema of `--json` (src/schema/ipvsadm.schema.json), compiled once with ajv
// (strict mode: a schema keyword ajv does not know is an error too).
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';

const SCHEMA = JSON.parse(readFileSync(new URL('../../src/schema/ipvsadm.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(SCHEMA);

/** Parses one `--json` document and fails the test, naming every error, unless it validates. */
export function validJson(text: string): Record<string, unknown> {
  expect(text.endsWith('}\n'), 'a --json document ends with "}" and a newline').toBe(true);
  const doc = JSON.parse(text) as Record<string, unknown>;
  expect(validate(doc), JSON.stringify(validate.errors, null, 1)).toBe(true);
  return doc;
}
