import { allowsCommercial, isUnrestricted, readLicense } from '../catalog/license-ids.js';
import { cardAnchor, licenseOf, strongLineage, type Rule, type RuleFinding } from './rule.js';

/** The declared license drops restrictions that the base's license passes down. */
export const licenseConflict: Rule = {
  id: 'license-conflict',
  defaultSeverity: 'error',
  description: "the declared license drops the base's restrictions",
  check(ctx) {
    const declared = ctx.model.card?.license;
    if (!declared) return [];
    const d = readLicense(declared.value);
    const out: RuleFinding[] = [];
    for (const l of strongLineage(ctx)) {
      const current = licenseOf(ctx.catalog, l.checkpoint);
      const alternate = l.checkpoint.alternateLicense
        ? ctx.catalog.licenses[l.checkpoint.alternateLicense]
        : undefined;
      for (const [lic, certain] of [
        [current, true],
        [alternate, false],
      ] as const) {
        if (!lic) continue;
        const drops =
          (lic.kind === 'restricted' && isUnrestricted(d)) ||
          (lic.kind === 'non-commercial' && allowsCommercial(d));
        if (!drops) continue;
        const hfId = lic.hfIds[0];
        out.push({
          // The same geometry under two licenses (an earlier release under a stricter one):
          // the gate cannot tell which weights were used, so it warns instead of failing.
          ...(certain ? {} : { severity: 'warning' as const }),
          base: l.base,
          ...cardAnchor(ctx, declared),
          message: certain
            ? `license: ${declared.value} drops the restrictions of the ${lic.name} that binds ${l.base} (${lic.restrictions.join('; ')}).`
            : `If the weights come from the earlier release of ${l.base} under the ${lic.name}, license: ${declared.value} drops its restrictions (${lic.restrictions.join('; ')}).`,
          fix: hfId
            ? `Set license: ${hfId} (or an expression that keeps the ${lic.name}) and ship its text.`
            : `Set license: other, license_name: ${lic.hfLicenseNames?.[0] ?? 'upstream'}, license_link: LICENSE, and ship the ${lic.name} with its restrictions as LICENSE.`,
        });
      }
    }
    return out;
  },
};
