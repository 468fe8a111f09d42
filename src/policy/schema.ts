// The policy file's shape (`.github/lineage-gate.yml`), kebab-case keys as in the docs. This only
// checks types and value syntax; load.ts maps every issue back to its line, and resolve.ts turns
// the checked data into the Policy the gate uses.
import * as z from 'zod';
import { RULE_IDS } from '../types.js';
import { isIsoDate } from './exceptions.js';
import { compileGlob } from './paths.js';

const MAX_LIST = 1000;
const MAX_TEXT = 2000;

const text = (max = MAX_TEXT) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` });

const list = <T extends z.ZodType>(item: T, max = MAX_LIST) =>
  z.array(item, { error: 'must be a list' }).max(max, { error: `must have at most ${max} entries` });

const glob = z.string({ error: 'must be a string (a glob)' }).superRefine((v, ctx) => {
  const g = compileGlob(v);
  if (typeof g === 'string') ctx.addIssue({ code: 'custom', message: `glob "${v}" ${g}` });
});

const ruleId = z.enum(RULE_IDS, { error: () => `must be a rule id (${RULE_IDS.join(', ')})` });
const ruleSeverity = z.enum(['error', 'warning', 'notice', 'off'], {
  error: 'must be one of error, warning, notice, off',
});

const date = z.string({ error: 'must be a date written YYYY-MM-DD (in quotes)' }).refine(isIsoDate, {
  error: 'must be a real date written YYYY-MM-DD',
});

export const ExceptionSchema = z.strictObject({
  rule: ruleId,
  path: glob.optional(),
  base: text(200).optional(),
  reason: text(),
  expires: date.optional(),
});

// Obligations of a private base's license, in the catalog's terms (src/catalog/index.ts LicenseFacts).
export const LicenseFactsSchema = z.strictObject({
  name: text(200).optional(),
  kind: z
    .enum(['permissive', 'restricted', 'non-commercial'], {
      error: 'must be one of permissive, restricted, non-commercial',
    })
    .optional(),
  requires: text().optional(),
  'text-phrases': list(text(), 50).optional(),
  'notice-phrases': list(text(), 50).optional(),
  'display-phrases': list(text(), 50).optional(),
  'name-prefix': text(200).optional(),
  'copyright-required': z.boolean({ error: 'must be true or false' }).optional(),
  restrictions: list(text(), 50).optional(),
});

/** A JSON value as YAML gives it (no dates, no functions; cycles are caught when resolving). */
const configObject = z.record(z.string(), z.unknown(), { error: 'must be a mapping' });

export const BaseSchema = z.strictObject({
  id: z
    .string({ error: 'must be a string' })
    .trim()
    .regex(/^[\w.-]+(?:\/[\w.-]+)?$/, { error: 'must be a model id such as acme/acme-base-7b' })
    .max(200, { error: 'must be at most 200 characters' }),
  family: text(100).optional(),
  license: text(1000),
  config: z.union([text(1000), configObject], {
    error: 'must be a path to a config.json inside the repository, or the config as a mapping',
  }),
  copyright: text(500).optional(),
  'license-facts': LicenseFactsSchema.optional(),
});

export const PolicySchema = z.strictObject({
  'fail-on': z
    .enum(['error', 'warning', 'never'], { error: 'must be one of error, warning, never' })
    .optional(),
  rules: z
    .partialRecord(ruleId, ruleSeverity, { error: 'must be a mapping of rule ids to severities' })
    .optional(),
  paths: list(glob).optional(),
  ignore: list(glob).optional(),
  'allow-licenses': list(text(1000)).optional(),
  'deny-licenses': list(text(1000)).optional(),
  'fail-on-unknown-license': z.boolean({ error: 'must be true or false' }).optional(),
  exceptions: list(ExceptionSchema).optional(),
  bases: list(BaseSchema, 100).optional(),
});

export type PolicyFile = z.output<typeof PolicySchema>;
export type BaseEntry = z.output<typeof BaseSchema>;
export type ExceptionEntry = z.output<typeof ExceptionSchema>;

/** Top-level keys, for "did you mean" hints on unknown keys. */
export const POLICY_KEYS = Object.keys(PolicySchema.shape);
