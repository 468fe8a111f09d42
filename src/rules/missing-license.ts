import { cardAnchor, licenseOf, strongLineage, type Rule } from './rule.js';

const LICENSE_FILE = /(^|\/)(licen[cs]e|copying)[^/]*$/i;

/** Nothing says under which license the model is published. */
export const missingLicense: Rule = {
  id: 'missing-license',
  defaultSeverity: 'error',
  description: 'no license declared and no license file',
  check(ctx) {
    if (ctx.model.card?.license) return [];
    if (ctx.model.texts.some((t) => LICENSE_FILE.test(t.file))) return [];
    const base = strongLineage(ctx)[0];
    const lic = base ? licenseOf(ctx.catalog, base.checkpoint) : undefined;
    const suggestion = lic?.hfIds[0] ?? (lic?.hfLicenseNames ? 'other' : '<license-id>');
    const anchor = cardAnchor(ctx);
    return [
      {
        ...anchor,
        message:
          'The model declares no license (no license in the card front matter) and ships no LICENSE file.',
        fix: `Add to the front matter of ${anchor.file}:\nlicense: ${suggestion}\nand ship the license text as LICENSE${lic ? ` (the base ${base.base} is under the ${lic.name})` : ''}.`,
      },
    ];
  },
};
