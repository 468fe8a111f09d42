// The job summary. Everything that comes from the repository (file names, messages, fixes,
// declared values) goes through `cell`/`inline`, so a crafted file name cannot break the table,
// open a code span or inject HTML into the summary page.
import type { ModelReport, Report } from '../types.js';
import { docsUrl } from './links.js';
import { bySeverity, countsLine, location, plural, signalLabel, targetLabel } from './common.js';

/** GitHub's limit for one step's job summary. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

export interface MarkdownOptions {
  /** Annotations that did not fit GitHub's per-step limits (from selectAnnotations). */
  hiddenAnnotations?: number;
  /** Append the full JSON report in a collapsed block when the summary stays under the limit. */
  includeJson?: boolean;
  /** Byte limit of the whole summary (tests lower it). */
  limitBytes?: number;
}

/** Escapes repo-derived text for one line of markdown (a table cell, a list item, a heading). */
export function inline(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '\\\\')
    .replace(/([`|*_[\]#~!])/g, '\\$1');
}

/** Like `inline`, and keeps line breaks visible inside a table cell. */
export function cell(text: string): string {
  return inline(text).replace(/\r?\n/g, '<br>');
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function modelSection(m: ModelReport, out: string[]): void {
  const d = m.declared;
  out.push(`### Model ${inline(m.path)}`, '');
  const bases = d.baseModels.length ? d.baseModels.map(inline).join(', ') : '_none_';
  const relation = d.relation ? ` (${inline(d.relation)})` : '';
  out.push(
    `Declared: license ${d.license ? inline(d.license) : '_none_'} · base model ${bases}${relation}`,
    '',
  );

  if (m.lineage.length === 0) {
    out.push('No known base detected.', '');
  } else {
    out.push(
      row(['base', 'family', 'strength', 'declared', 'signals']),
      row(['---', '---', '---', '---', '---']),
    );
    for (const l of m.lineage) {
      const signals = l.signals.map((s) => cell(signalLabel(s))).join('<br>');
      const alt = l.alternatives?.length ? `<br>also fits: ${l.alternatives.map(cell).join(', ')}` : '';
      out.push(row([cell(l.base) + alt, cell(l.family), l.strength, l.declared ? 'yes' : '**no**', signals]));
    }
    out.push('');
  }

  if (m.findings.length) {
    out.push(
      row(['file:line', 'severity', 'rule', 'message', 'fix']),
      row(['---', '---', '---', '---', '---']),
    );
    for (const f of bySeverity(m.findings)) {
      const rule = `[${f.rule}](${docsUrl(f.rule)})`;
      out.push(row([cell(location(f)), f.severity, rule, cell(f.message), cell(f.fix)]));
    }
    out.push('');
  }

  if (m.obligations?.length) {
    out.push('Obligations that the gate cannot check:', '');
    for (const o of m.obligations) out.push(`- ${cell(o)}`);
    out.push('');
  }
}

/** A code fence longer than any backtick run in `text`, so the text cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Markdown job summary: verdict heading first, then lineage, findings and obligations per model. */
export function formatMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const limit = options.limitBytes ?? SUMMARY_LIMIT_BYTES;
  const icon = report.verdict === 'pass' ? '✅' : '❌';
  const out: string[] = [];
  out.push(`## ${icon} Lineage Gate: ${report.verdict === 'pass' ? 'pass' : 'fail'}`, '');
  out.push(
    `${countsLine(report)} · fail-on \`${report.failOn}\` · target ${inline(targetLabel(report))}`,
    '',
  );
  if (report.models.length === 0) out.push('No model directory found.', '');
  for (const m of report.models) modelSection(m, out);
  if (options.hiddenAnnotations) {
    out.push(
      `> ${plural(options.hiddenAnnotations, 'more annotation')} ${options.hiddenAnnotations === 1 ? 'was' : 'were'} not shown (GitHub shows at most 10 per severity); the tables above list every finding.`,
      '',
    );
  }

  let body = out.join('\n');
  const footer = `\n_lineage-gate ${inline(report.tool.version)}_\n`;
  if (bytes(body) + bytes(footer) > limit) {
    // Cut at a line boundary so no table row is left half-written.
    const note =
      '\n\n> The summary was cut to fit GitHub’s 1 MiB limit; see the JSON report for every finding.\n';
    const room = limit - bytes(note) - bytes(footer);
    const kept: string[] = [];
    let size = 0;
    for (const l of out) {
      if (size + bytes(l) + 1 > room) break;
      kept.push(l);
      size += bytes(l) + 1;
    }
    return kept.join('\n') + note + footer;
  }

  if (options.includeJson !== false) {
    const json = JSON.stringify(report, null, 2);
    const fence = fenceFor(json);
    const details = `\n<details><summary>Full JSON report</summary>\n\n${fence}json\n${json}\n${fence}\n\n</details>\n`;
    if (bytes(body) + bytes(details) + bytes(footer) <= limit) body += '\n' + details;
  }
  return body + footer;
}
