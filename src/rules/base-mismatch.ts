import { familyOfId } from '../catalog/index.js';
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
      const declared = ctx.model.card?.baseModels ?? [];
      // Any declared base of the detected family settles it (merges list several bases).
      if (declared.some((b) => familyOfId(ctx.catalog, b.value) === l.family)) continue;
      for (const b of declared) {
        const knownFamily = familyOfId(ctx.catalog, b.value);
        if (!knownFamily || knownFamily === l.family) continue;
        out.push({
          base: l.base,
          file: b.file,
          line: b.line,
          message: `The card declares ${b.value} (${familyName(knownFamily)}), but the weights' geometry matches ${l.base} (${familyName(l.family)}).`,
          fix: `Declare the base the weights come from: base_model: ${l.base}`,
        });
      }
    }
    return out;
  },
};
