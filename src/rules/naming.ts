import { licenseOf, strongLineage, type Rule, type RuleFinding } from './rule.js';

/** Llama 3 and later require derivative names to begin with "Llama 3" / "Llama". */
export const naming: Rule = {
  id: 'naming',
  defaultSeverity: 'warning',
  description: "a naming rule of the base's license is broken",
  check(ctx) {
    const card = ctx.model.card;
    const name = card?.modelName ?? card?.title;
    if (!name) return [];
    const out: RuleFinding[] = [];
    const simplified = (s: string) =>
      s
        .toLowerCase()
        .replace(/[-_\s]+/g, ' ')
        .trim();
    for (const l of strongLineage(ctx)) {
      const lic = licenseOf(ctx.catalog, l.checkpoint);
      if (!lic.namePrefix) continue;
      if (simplified(name.value).startsWith(simplified(lic.namePrefix))) continue;
      out.push({
        base: l.base,
        file: name.file,
        line: name.line,
        message: `The ${lic.name} requires a derivative's name to begin with "${lic.namePrefix}"; this model is named "${name.value}".`,
        fix: `Rename the model to begin with "${lic.namePrefix}", e.g. "${lic.namePrefix} ${name.value}".`,
      });
    }
    return out;
  },
};
