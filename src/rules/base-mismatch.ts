import { familyName } from '../lineage/declared.js';
import { strongLineage, type Rule, type RuleFinding } from './rule.js';

/** The card names a known base of one family while the weights' geometry shows another. */
export const baseMismatch: Rule = {
  id: 'base-mismatch',
  defaultSeverity: 'warning',
  description: "the declared base contradicts what the weights' fingerprint shows",
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const l of strongLineage(ctx)) {
      if (l.attribution.declared) continue;
      for (const b of ctx.model.card?.baseModels ?? []) {
        const known = ctx.catalog.byId.get(b.value.trim().toLowerCase());
        if (!known || known.family === l.family) continue;
        out.push({
          base: l.base,
          file: b.file,
          line: b.line,
          message: `The card declares ${b.value} (${familyName(known.family)}), but the weights' geometry matches ${l.base} (${familyName(l.family)}).`,
          fix: `Declare the base the weights come from: base_model: ${l.base}`,
        });
      }
    }
    return out;
  },
};
