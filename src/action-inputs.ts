// The Action's inputs (action.yml) validated in one place. The runner passes every input as a
// string, and an input missing from the workflow arrives as '' — so defaults are applied here too,
// which keeps `node dist/index.js` usable without action.yml's defaults (tests, local runs).
import * as z from 'zod';

const YAML_TRUE = ['true', 'True', 'TRUE'];
const YAML_FALSE = ['false', 'False', 'FALSE'];

function choice<T extends string>(values: readonly [T, ...T[]], fallback: T) {
  return z
    .string()
    .transform((v) => (v === '' ? fallback : v))
    .pipe(z.enum(values, { error: () => `must be one of ${values.join(', ')}` }));
}

const text = z.string().transform((v) => (v === '' ? undefined : v));

export const ActionInputsSchema = z.object({
  path: z.string().transform((v) => (v === '' ? '.' : v)),
  'hub-repo': text,
  policy: text,
  // Unset ('') leaves it to the policy file's fail-on, then 'error'.
  'fail-on': text.pipe(
    z.enum(['error', 'warning', 'never'], { error: () => 'must be one of error, warning, never' }).optional(),
  ),
  comment: choice(['on-failure', 'always', 'never'], 'on-failure'),
  token: text,
  'hf-token': text,
  'sarif-file': text,
  'cache-dir': text,
  offline: z
    .string()
    .refine((v) => v === '' || YAML_TRUE.includes(v) || YAML_FALSE.includes(v), {
      error: 'must be true or false',
    })
    .transform((v) => YAML_TRUE.includes(v)),
});

export type ActionInputs = z.output<typeof ActionInputsSchema>;
export const INPUT_NAMES = Object.keys(ActionInputsSchema.shape) as (keyof ActionInputs)[];

export class InputError extends Error {}

/** Reads and validates every input; throws InputError naming the bad input and its value. */
export function parseInputs(getInput: (name: string) => string): ActionInputs {
  const raw: Record<string, string> = {};
  for (const name of INPUT_NAMES) raw[name] = getInput(name);
  const result = ActionInputsSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue.path[0]);
  // Never echo a secret input's value into the log.
  const shown = name === 'token' || name === 'hf-token' ? '' : ` (got '${raw[name]}')`;
  throw new InputError(`input '${name}' ${issue.message}${shown}`);
}
