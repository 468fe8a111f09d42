import { familyName } from '../lineage/declared.js';
import { cardAnchor, strongLineage, type Rule } from './rule.js';

/** Strong lineage to a base that the repo neither declares nor attributes. */
export const undeclaredBase: Rule = {
  id: 'undeclared-base',
  defaultSeverity: 'error',
  description: 'strong lineage to a base that the repo does not declare or attribute',
  check(ctx) {
    return strongLineage(ctx).flatMap((l) => {
      if (l.attribution.declared) return [];
      const unverified = l.attribution.unverifiedBases;
      const signals = l.signals.map((s) => s.kind).join(', ');
      const relation = ctx.model.card?.relation?.value ?? 'finetune';
      const anchor = cardAnchor(ctx, ctx.model.card?.baseModels[0] ?? ctx.model.card?.license);
      if (unverified.length > 0) {
        // A declared intermediate model (a fine-tune of a fine-tune) may well lead to this base;
        // offline the chain cannot be followed, so this is a warning, not an error.
        return {
          severity: 'warning' as const,
          base: l.base,
          ...anchor,
          message: `The weights match ${l.base} (${signals}), but the declared base ${unverified.join(', ')} is not known to derive from it.`,
          fix: `If ${unverified[0]} derives from ${familyName(l.family)}, also list ${l.base} under base_model, or name it in the model card; otherwise correct base_model.`,
        };
      }
      return {
        base: l.base,
        ...anchor,
        message: `The weights derive from ${l.base} (${familyName(l.family)}; ${signals}), but the repo neither declares nor attributes this base.`,
        fix: ctx.model.card?.hasFrontMatter
          ? `Add to the front matter of ${anchor.file}:\nbase_model: ${l.base}\nbase_model_relation: ${relation}`
          : `Start ${anchor.file} with front matter:\n---\nbase_model: ${l.base}\nbase_model_relation: ${relation}\n---`,
      };
    });
  },
};
