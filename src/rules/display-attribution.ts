import { normalizeForMatch } from '../evidence/texts.js';
import { cardAnchor, fileContaining, licenseOf, strongLineage, type Rule, type RuleFinding } from './rule.js';

/** "Built with Llama" and its kin: a warning, since the phrase may live on a product page. */
export const displayAttribution: Rule = {
  id: 'display-attribution',
  defaultSeverity: 'warning',
  description: 'a required display phrase ("Built with Llama"…) is missing from the card',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const l of strongLineage(ctx)) {
      const lic = licenseOf(ctx.catalog, l.checkpoint);
      if (!lic.displayPhrases.length) continue;
      if (lic.displayPhrases.some((p) => fileContaining(ctx, normalizeForMatch(p)))) continue;
      const anchor = cardAnchor(ctx, ctx.model.card?.title);
      out.push({
        base: l.base,
        ...anchor,
        message: `The ${lic.name} asks derivatives to display "${lic.displayPhrases[0]}"; the model card does not.`,
        fix: `Add "${lic.displayPhrases[0]}" to ${anchor.file} (or to the product documentation where the model is offered).`,
      });
    }
    return out;
  },
};
