// The shape of a rule (after ESLint): an id, a default severity, its docs, and a check function
// from the judged model's context to findings. Rules never read files: the context holds all.
import type { Catalog, Checkpoint, LicenseFacts } from '../catalog/index.js';
import type { ModelEvidence, Positioned } from '../evidence/types.js';
import type { TextIndex } from '../lineage/declared.js';
import type { Policy } from '../policy/policy.js';
import type { DetectedLineage } from '../lineage/infer.js';
import type { Finding, RuleId, Severity } from '../types.js';

export type { TextIndex };

export interface RuleContext {
  model: ModelEvidence;
  lineage: DetectedLineage[];
  catalog: Catalog;
  texts: TextIndex[];
  /** The repository's policy file, when there is one (read by disallowed-license). */
  policy?: Policy;
}

/** A rule's finding; `severity` only when the rule itself lowers or raises its default. */
export type RuleFinding = Omit<Finding, 'rule' | 'severity'> & { severity?: Severity };

export interface Rule {
  id: RuleId;
  defaultSeverity: Severity;
  /** One line: when the rule fires. The long form is docs/rules/<id>.md. */
  description: string;
  check(ctx: RuleContext): RuleFinding[];
}

export function licenseOf(catalog: Catalog, cp: Checkpoint): LicenseFacts {
  return catalog.licenses[cp.license] ?? catalog.licenses.unknown;
}

/** Strong lineages first: obligations flow from what the weights are, not from what they resemble. */
export function strongLineage(ctx: RuleContext): DetectedLineage[] {
  return ctx.lineage.filter((l) => l.strength === 'strong');
}

/** The first file whose normalized text contains the normalized phrase. */
export function fileContaining(ctx: RuleContext, normalizedPhrase: string): string | null {
  return ctx.texts.find((t) => t.norm.includes(normalizedPhrase))?.file ?? null;
}

/** Where a person edits the card's front matter: the given key's line, else where keys go. */
export function cardAnchor(
  ctx: RuleContext,
  key?: Positioned<string> | null,
): { file: string; line: number } {
  const card = ctx.model.card;
  if (key) return { file: key.file, line: key.line };
  if (card) return { file: card.file, line: card.insertLine };
  const dir = ctx.model.dir === '.' ? '' : `${ctx.model.dir}/`;
  return { file: `${dir}README.md`, line: 1 };
}

export function quote(s: string): string {
  return `"${s}"`;
}
