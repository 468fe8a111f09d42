import { normalizeForMatch } from '../evidence/texts.js';
import { cardAnchor, fileContaining, licenseOf, strongLineage, type Rule, type RuleFinding } from './rule.js';

/** A notice sentence the base's license requires word for word (Llama, Gemma, Qwen…). */
export const missingNotice: Rule = {
  id: 'missing-notice',
  defaultSeverity: 'error',
  description: 'a required notice phrase of the base license is absent',
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const l of strongLineage(ctx)) {
      const lic = licenseOf(ctx.catalog, l.checkpoint);
      for (const phrase of lic.noticePhrases) {
        if (fileContaining(ctx, normalizeForMatch(phrase))) continue;
        const dir = ctx.model.dir === '.' ? '' : `${ctx.model.dir}/`;
        const notice = ctx.model.texts.find((t) => /(^|\/)notice[^/]*$/i.test(t.file));
        out.push({
          base: l.base,
          ...(notice ? { file: notice.file, line: 1 } : cardAnchor(ctx, ctx.model.card?.license)),
          message: `${l.base} is under the ${lic.name}, which requires derivatives to ship this notice; no file contains it: "${phrase}"`,
          fix: `Add this line to ${notice?.file ?? `${dir}NOTICE`}:\n${phrase}`,
        });
      }
    }
    return out;
  },
};
