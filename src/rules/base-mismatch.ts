import { familyOfId } from '../catalog/index.js';
import { familyName } from '../lineage/declared.js';
import { strongLineage, type Rule, type RuleFinding } from './rule.js';

/**
 * The card names a known base of one family while the weights show another. Only lineage measured
 * on the weights counts (config, headers, tokenizer, GGUF hyperparameters, LFS objects): what an
 * adapter or merge config names is itself a declaration.
 */
export const baseMismatch: Rule = {
  id: 'base-mismatch',
  defaultSeverity: 'warning',
  description: "the declared base contradicts what the weights' fingerprint shows",
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const l of strongLineage(ctx).filter((x) => x.fromWeights)) {
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
          message: `The card declares ${b.value} (${familyName(knownFamily)}), but the weights match ${l.base} (${familyName(l.family)}; ${l.signals.map((s) => s.kind).join(', ')}).`,
          fix: `Declare the base the weights come from: base_model: ${l.base}`,
        });
      }
    }
    return out;
  },
};
