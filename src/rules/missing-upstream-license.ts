import { normalizeForMatch } from '../evidence/texts.js';
import licenseTexts from '../catalog/data/license-texts.json' with { type: 'json' };
import { cardAnchor, fileContaining, licenseOf, strongLineage, type Rule, type RuleFinding } from './rule.js';

/** The base's license must travel with derivatives (its text, or its copyright and permission notice). */
export const missingUpstreamLicense: Rule = {
  id: 'missing-upstream-license',
  defaultSeverity: 'error',
  description: "the base's license requires its text or copyright notice to travel, and no file contains it",
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const l of strongLineage(ctx)) {
      const lic = licenseOf(ctx.catalog, l.checkpoint);
      const missing: string[] = [];
      const needed = [...lic.textPhrases];
      if (lic.copyrightRequired && l.checkpoint.copyright) needed.unshift(l.checkpoint.copyright);
      for (const p of needed) if (!fileContaining(ctx, normalizeForMatch(p))) missing.push(p);
      // A full copy of the license body also satisfies the "standard notice" form (Apache-2.0).
      if (missing.length && lic.textAlternatives?.length) {
        const alts = lic.textAlternatives.map(normalizeForMatch);
        if (ctx.texts.some((t) => alts.every((a) => t.norm.includes(a)))) missing.length = 0;
      }
      if (!missing.length) continue;
      const anchor = cardAnchor(ctx, ctx.model.card?.license);
      out.push({
        severity: lic.missingTextSeverity,
        base: l.base,
        ...anchor,
        message: `${l.base} is under the ${lic.name}, which requires ${lic.requires}; no file in the repo contains ${missing.map((m) => `"${m}"`).join(', nor ')}.`,
        fix: fixText(lic.spdx, l.checkpoint.copyright, lic.name),
      });
    }
    return out;
  },
};

function fixText(spdx: string, copyright: string | undefined, name: string): string {
  if (spdx === 'MIT') {
    return `Add a file (for example NOTICE or LICENSE-UPSTREAM) containing:\n\n${copyright ?? 'Copyright (c) <upstream holder>'}\n\n${licenseTexts.mit.permissionNotice}`;
  }
  if (spdx === 'Apache-2.0') {
    return `Add the Apache License 2.0 as LICENSE, or this notice in a file:\n\n${licenseTexts['apache-2.0'].standardNotice}`;
  }
  return `Add a copy of the ${name} to the repository (for example as LICENSE).`;
}
