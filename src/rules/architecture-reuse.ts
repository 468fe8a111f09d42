import { familyName, mentionsFamily } from '../lineage/declared.js';
import type { Rule } from './rule.js';

/** Only the architecture class of a known family, no checkpoint geometry, and no word about it. */
export const architectureReuse: Rule = {
  id: 'architecture-reuse',
  defaultSeverity: 'warning',
  description: 'weak lineage only (class of a known family, no checkpoint match), family not mentioned',
  check(ctx) {
    if (ctx.lineage.some((l) => l.strength === 'strong')) return [];
    return ctx.lineage
      .filter((l) => l.strength === 'weak' && !l.attribution.declared)
      .filter((l) => !ctx.texts.some((t) => mentionsFamily(t.norm, l.family)))
      .map((l) => {
        const signal = l.signals[0];
        return {
          base: l.base,
          file: signal?.file,
          line: signal?.line,
          message: `The model uses the architecture of the ${familyName(l.family)} family (${signal?.detail ?? l.family}) but its geometry matches no known checkpoint, and the repo does not mention ${familyName(l.family)}.`,
          fix: `If the weights were trained from scratch, say so in the model card (e.g. "trained from scratch on the ${familyName(l.family)} architecture"). If they derive from a ${familyName(l.family)} checkpoint, declare it with base_model.`,
        };
      });
  },
};
