// Validates reports against the published JSON Schema with an independent validator (ajv).
import { Ajv2020 } from 'ajv/dist/2020.js';
import { reportJsonSchema } from '../../src/report/schema.js';

export function reportValidator() {
  return new Ajv2020({ allErrors: true, strict: true }).compile(reportJsonSchema());
}
