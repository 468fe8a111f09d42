import { familyName, mentionsFamily } from '../lineage/declared.js';
import type { Rule, RuleContext } from './rule.js';

/** Any family sharing the class, or the class name itself, named in any text. */
function mentioned(ctx: RuleContext, family: string): boolean {
  const classes = [
    ...(ctx.model.config?.architectures?.value ?? []),
    ctx.model.config?.modelType?.value ?? '',
  ]
    .filter(Boolean)
    .map((c) => c.toLowerCase());
  const families = new Set([
    family,
    ...classes.flatMap((c) => [...(ctx.catalog.familiesByClass.get(c) ?? [])]),
  ]);
  return ctx.texts.some(
    (t) => classes.some((c) => t.norm.includes(c)) || [...families].some((f) => mentionsFamily(t.norm, f)),
  );
}

/** Only the architecture class of a known family, no checkpoint geometry, and no word about it. */
export const architectureReuse: Rule = {
  id: 'architecture-reuse',
  defaultSeverity: 'warning',
  description: 'weak lineage only (class of a known family, no checkpoint match), family not mentioned',
  check(ctx) {
    if (ctx.lineage.some((l) => l.strength === 'strong')) return [];
    return ctx.lineage
      .filter((l) => l.strength === 'weak' && !l.attribution.declared)
      .filter((l) => !mentioned(ctx, l.family))
      .map((l) => {
        const signal = l.signals[0];
        return {
          base: l.base,
          file: signal?.file,
          line: signal?.line,
          message:
            signal?.kind === 'tokenizer'
              ? `The model resembles the ${familyName(l.family)} family (${signal.detail}) but matches no known checkpoint, and the repo does not mention ${familyName(l.family)}.`
              : `The model uses the architecture of the ${familyName(l.family)} family (${signal?.detail ?? l.family}) but its geometry matches no known checkpoint, and the repo does not mention ${familyName(l.family)}.`,
          fix: `If the weights were trained from scratch, say so in the model card (e.g. "trained from scratch on the ${familyName(l.family)} architecture"). If they derive from a ${familyName(l.family)} checkpoint, declare it with base_model.`,
        };
      });
  },
};
