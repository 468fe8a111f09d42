// Plain terminal output: the verdict first (what a CI log reader needs), then per model the
// lineage and the findings, then a count line. No colours, so logs and pipes stay readable.
import type { ModelReport, Report } from '../types.js';
import { bySeverity, countsLine, location, signalLabel, targetLabel } from './common.js';
import { docsUrl } from './links.js';
import { inertLines, plainText } from './escape.js';

function indentLines(text: string, indent: string): string {
  return text
    .split(/\r?\n/)
    .map((l, i) => (i === 0 || l === '' ? l : indent + l))
    .join('\n');
}

function modelText(m: ModelReport, out: string[]): void {
  const d = m.declared;
  const bases = d.baseModels.length ? d.baseModels.join(', ') : 'none';
  out.push(`Model ${m.path}`);
  out.push(
    `  declared: license ${d.license ?? 'none'}; base_model ${bases}${d.relation ? ` (${d.relation})` : ''}`,
  );
  if (m.lineage.length === 0) out.push('  lineage: no known base detected');
  for (const l of m.lineage) {
    const declared = l.declared ? 'declared' : 'NOT declared';
    out.push(`  lineage: ${l.base} [${l.family}] ${l.strength}, ${declared}`);
    if (l.alternatives?.length) out.push(`    also fits: ${l.alternatives.join(', ')}`);
    for (const s of l.signals) out.push(`    - ${indentLines(signalLabel(s), '      ')}`);
  }
  for (const f of bySeverity(m.findings)) {
    out.push(`  ${location(f)}  ${f.severity}  ${f.rule}  ${indentLines(f.message, '    ')}`);
    if (f.fix) out.push(`    fix: ${indentLines(f.fix, '         ')}`);
    out.push(`    docs: ${docsUrl(f.rule)}`);
  }
  if (m.suppressed?.length) {
    out.push(`  suppressed by policy exceptions (not counted): ${m.suppressed.length}`);
    for (const s of m.suppressed) {
      out.push(`    ${location(s)}  ${s.severity}  ${s.rule}  ${indentLines(s.message, '      ')}`);
      const until = s.exception.expires ? ` (until ${s.exception.expires})` : '';
      out.push(`      exception: ${indentLines(s.exception.reason, '      ')}${until}`);
    }
  }
  for (const u of m.upstreams ?? []) {
    const chain = u.chain?.length ? ` chain ${u.chain.join(' → ')}` : '';
    const detail = u.detail ? `: ${indentLines(u.detail, '      ')}` : '';
    out.push(
      `  upstream: ${u.id} ${u.status}, license ${u.license ?? 'unknown'} (via ${u.via})${chain}${detail}`,
    );
  }
  if (m.obligations?.length) {
    out.push('  obligations (not checked mechanically):');
    for (const o of m.obligations) out.push(`    - ${indentLines(o, '      ')}`);
  }
}

/** Human-readable report for a terminal or CI log. */
export function formatText(report: Report): string {
  const out: string[] = [];
  out.push(
    `Lineage Gate: ${report.verdict === 'pass' ? 'PASS' : 'FAIL'} (${countsLine(report)}; fail-on ${report.failOn})`,
  );
  out.push(`Target: ${targetLabel(report)}`);
  if (report.models.length === 0) out.push('No model directory found.');
  for (const m of report.models) {
    out.push('');
    modelText(m, out);
  }
  out.push('');
  out.push(`${countsLine(report)} in ${report.models.length} model${report.models.length === 1 ? '' : 's'}.`);
  // Repo-derived names may carry control characters or a newline followed by a workflow command.
  return inertLines(plainText(out.join('\n') + '\n'));
}
