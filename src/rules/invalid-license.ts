import { readLicense } from '../catalog/license-ids.js';
import type { Rule } from './rule.js';

/** The card's license is not a Hub id or SPDX expression, or `other` without name and link. */
export const invalidLicense: Rule = {
  id: 'invalid-license',
  defaultSeverity: 'error',
  description: 'card license is neither a Hugging Face license id nor a valid SPDX expression',
  check(ctx) {
    const card = ctx.model.card;
    const lic = card?.license;
    if (!card || !lic) return [];
    const d = readLicense(lic.value);
    if (d.kind === 'invalid') {
      return [
        {
          file: lic.file,
          line: lic.line,
          message: `license: ${d.reason}.`,
          fix: 'Use a Hugging Face license id (apache-2.0, mit, llama3.1, gemma, …), an SPDX expression such as "apache-2.0 OR mit", or license: other with license_name and license_link.',
        },
      ];
    }
    if (d.kind === 'hf' && d.id === 'other' && (!card.licenseName || !card.licenseLink)) {
      const missing = [!card.licenseName && 'license_name', !card.licenseLink && 'license_link'].filter(
        Boolean,
      );
      return [
        {
          file: lic.file,
          line: lic.line,
          message: `license: other needs ${missing.join(' and ')} so readers can find the license.`,
          fix: `Add below line ${lic.line}:\n${missing.map((k) => `${k}: ${k === 'license_link' ? 'LICENSE' : '<short-name>'}`).join('\n')}`,
        },
      ];
    }
    return [];
  },
};
