// disallowed-license: the policy's allow-licenses / deny-licenses / fail-on-unknown-license. Two
// licenses are judged per model: the one the card declares, and the license of every strong-lineage
// base, because the base's obligations travel with the weights whatever the card says.
import type { LicenseFacts } from '../catalog/index.js';
import { checksLicenses, type LicensePolicy } from '../policy/policy.js';
import {
  judgeExpression,
  readExpression,
  readTerm,
  type LicenseLists,
  type ReadExpr,
} from '../policy/licenses.js';
import {
  cardAnchor,
  licenseOf,
  strongLineage,
  type Rule,
  type RuleContext,
  type RuleFinding,
} from './rule.js';

function lists(p: LicensePolicy, licenses: Record<string, LicenseFacts>): LicenseLists {
  const keys = (terms: string[]): Set<string> =>
    new Set(
      terms.flatMap((t) => {
        const leaf = readTerm(t, licenses);
        return typeof leaf === 'string' ? [] : [leaf.key];
      }),
    );
  return { allow: p.allow === null ? null : keys(p.allow), deny: keys(p.deny) };
}

/** The card's license as an expression; `other` counts when license_name names a known license. */
function declaredExpression(ctx: RuleContext): ReadExpr {
  const card = ctx.model.card;
  const lic = card?.license;
  if (!lic) return { ok: false, why: 'declares no license (no `license` in the card front matter)' };
  if (lic.value.trim().toLowerCase() === 'other' && card?.licenseName) {
    const name = card.licenseName.value.trim().toLowerCase();
    const known = Object.values(ctx.catalog.licenses).find((l) => l.hfLicenseNames?.includes(name));
    if (known) return readExpression(known.spdx, ctx.catalog.licenses);
    return {
      ok: false,
      why: `declares license: other with license_name: ${card.licenseName.value}, which the gate does not know`,
    };
  }
  const r = readExpression(lic.value, ctx.catalog.licenses);
  return r.ok ? r : { ok: false, why: `declares license: ${lic.value}, which ${r.why}` };
}

function listsText(p: LicensePolicy): string {
  const parts: string[] = [];
  if (p.allow !== null) parts.push(`allow-licenses: ${p.allow.join(', ') || '(empty)'}`);
  if (p.deny.length) parts.push(`deny-licenses: ${p.deny.join(', ')}`);
  return parts.join('; ');
}

/** How to accept the finding on purpose: an exception in the policy file, scoped to this model or base. */
function exceptionHint(scope: string): string {
  return `or record an exception in the policy file: exceptions: [{ rule: disallowed-license, ${scope}, reason: "…" }]`;
}

export const disallowedLicense: Rule = {
  id: 'disallowed-license',
  defaultSeverity: 'error',
  description:
    "the declared license, or a strong-lineage base's license, is denied or not allowed by the policy",
  check(ctx) {
    const policy = ctx.policy?.licenses;
    if (!policy || !checksLicenses(policy)) return [];
    const l = lists(policy, ctx.catalog.licenses);
    const hasLists = l.allow !== null || l.deny.size > 0;
    const out: RuleFinding[] = [];
    const dir = ctx.model.dir;

    const declared = declaredExpression(ctx);
    const cardAt = cardAnchor(ctx, ctx.model.card?.license);
    if (!declared.ok) {
      if (policy.failOnUnknown) {
        out.push({
          ...cardAt,
          message: `The license of ${dir === '.' ? 'the model at the repository root' : `model ${dir}`} cannot be identified: it ${declared.why}; the policy sets fail-on-unknown-license.`,
          fix: `Set license: in the front matter of ${cardAt.file} to a Hugging Face license id or an SPDX expression (e.g. apache-2.0), ${exceptionHint(`path: ${dir}`)}.`,
        });
      }
    } else if (hasLists) {
      const v = judgeExpression(declared.expr, l);
      if (!v.ok) {
        const value = ctx.model.card?.license?.value ?? '';
        out.push({
          ...cardAt,
          message:
            v.reason === 'denied'
              ? `license: ${value} is denied by the policy: every choice it offers includes ${v.licenses.join(', ')} (${listsText(policy)}).`
              : `license: ${value} is not allowed by the policy: no choice it offers avoids ${v.licenses.join(', ')} (${listsText(policy)}).`,
          fix: `Declare a license the policy admits, ${exceptionHint(`path: ${dir}`)}.`,
        });
      }
    }

    for (const lin of strongLineage(ctx)) {
      const lic = licenseOf(ctx.catalog, lin.checkpoint);
      const signal = lin.signals.find((s) => s.kind !== 'architectures') ?? lin.signals[0];
      const at = signal ? { file: signal.file, ...(signal.line ? { line: signal.line } : {}) } : cardAt;
      const expr: ReadExpr =
        lic.spdx === 'NOASSERTION'
          ? { ok: false, why: 'is not known to the gate' }
          : readExpression(lic.spdx, ctx.catalog.licenses);
      if (!expr.ok) {
        if (policy.failOnUnknown) {
          out.push({
            base: lin.base,
            ...at,
            message: `The weights derive from ${lin.base}, whose license cannot be identified (${lic.name}); the policy sets fail-on-unknown-license.`,
            fix: `Add ${lin.base} with its license to the policy's bases, ${exceptionHint(`base: ${lin.base}`)}.`,
          });
        }
        continue;
      }
      if (!hasLists) continue;
      const v = judgeExpression(expr.expr, l);
      if (v.ok) continue;
      out.push({
        base: lin.base,
        ...at,
        message: `The weights derive from ${lin.base}, which is under the ${lic.name} (${lic.spdx}); the policy ${v.reason === 'denied' ? 'denies' : 'does not allow'} ${v.licenses.join(', ')} (${listsText(policy)}). The base's obligations travel with the weights whatever the card declares.`,
        fix: `Use a base under a license the policy admits, ${exceptionHint(`base: ${lin.base}`)}.`,
      });
    }
    return out;
  },
};
