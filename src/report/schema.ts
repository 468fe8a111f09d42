// The JSON report contract (DESIGN.md, schemaVersion 1) as a zod schema. It mirrors src/types.ts;
// the compile-time checks at the bottom fail `tsc` if the two drift apart.
import * as z from 'zod';
import { RULE_IDS, SIGNAL_KINDS } from '../types.js';
import type { Report } from '../types.js';

const line = z.number().int().min(1);
const relPath = z.string().min(1);

export const SeveritySchema = z.enum(['error', 'warning', 'notice']);
export const FailOnSchema = z.enum(['error', 'warning', 'never']);

export const SignalSchema = z.strictObject({
  kind: z.enum(SIGNAL_KINDS),
  file: relPath,
  line: line.optional(),
  detail: z.string(),
});

export const LineageSchema = z.strictObject({
  base: z.string().min(1),
  family: z.string().min(1),
  strength: z.enum(['strong', 'weak']),
  declared: z.boolean(),
  signals: z.array(SignalSchema),
  alternatives: z.array(z.string().min(1)).optional(),
});

export const FindingSchema = z.strictObject({
  rule: z.enum(RULE_IDS),
  severity: SeveritySchema,
  base: z.string().min(1).optional(),
  file: relPath.optional(),
  line: line.optional(),
  message: z.string().min(1),
  fix: z.string(),
});

/** A finding a policy exception suppressed (not counted in the summary). */
export const SuppressedFindingSchema = FindingSchema.extend({
  exception: z.strictObject({
    reason: z.string().min(1),
    expires: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  }),
});

export const UpstreamSchema = z.strictObject({
  id: z.string().min(1),
  status: z.enum(['resolved', 'gated', 'missing', 'offline', 'error']),
  license: z.string().min(1).nullable(),
  via: z.string().min(1),
  chain: z.array(z.string().min(1)).optional(),
  detail: z.string().optional(),
});

export const ModelReportSchema = z.strictObject({
  path: relPath,
  declared: z.strictObject({
    license: z.string().nullable(),
    baseModels: z.array(z.string()),
    relation: z.string().nullable(),
  }),
  lineage: z.array(LineageSchema),
  findings: z.array(FindingSchema),
  obligations: z.array(z.string()).optional(),
  evidence: z
    .strictObject({
      tokenizer: z
        .strictObject({ file: relPath, kind: z.string(), vocabSize: z.number().int().nonnegative() })
        .optional(),
      weights: z
        .strictObject({
          file: relPath,
          shards: z.number().int().nonnegative(),
          headersRead: z.number().int().nonnegative(),
          tensors: z.number().int().nonnegative(),
          dtypes: z.array(z.string()),
        })
        .optional(),
      gguf: z.strictObject({ file: relPath, architecture: z.string().nullable() }).optional(),
      lfsPointers: z
        .strictObject({
          count: z.number().int().nonnegative(),
          bytes: z.number().nonnegative(),
          files: z
            .array(
              z.strictObject({
                file: relPath,
                oid: z.string().regex(/^[0-9a-f]{64}$/),
                size: z.number().nonnegative(),
              }),
            )
            .max(50),
        })
        .optional(),
    })
    .optional(),
  suppressed: z.array(SuppressedFindingSchema).optional(),
  upstreams: z.array(UpstreamSchema).optional(),
});

export const TargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local'), path: z.string().min(1) }),
  z.strictObject({ kind: z.literal('hub'), repo: z.string().min(1), revision: z.string().min(1) }),
]);

const count = z.number().int().min(0);

export const ReportSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    tool: z.strictObject({ name: z.literal('lineage-gate'), version: z.string().min(1) }),
    target: TargetSchema,
    verdict: z.enum(['pass', 'fail']),
    failOn: FailOnSchema,
    models: z.array(ModelReportSchema),
    summary: z.strictObject({ errors: count, warnings: count, notices: count }),
  })
  .meta({
    $id: 'https://github.com/lineage-gate/lineage-gate/blob/main/docs/report.schema.json',
    title: 'Lineage Gate report (schemaVersion 1)',
  });

/** JSON Schema (draft 2020-12) of the report; docs/report.schema.json is this, written out. */
export function reportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ReportSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
}

// Compile-time guard: the schema's type and the hand-written Report type must be the same.
type Parsed = z.infer<typeof ReportSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _same: Same<Parsed, Report> = true;
void _same;
