// The job summary. Verdict first; then, per model, its lineage (table of matched signals and a
// Mermaid diagram of declared vs detected bases), its findings with fixes and rule links, and the
// obligations no machine can check; the full JSON report last, collapsed, when it fits.
// Everything that comes from the repository goes through src/report/escape.ts.
import type { Lineage, ModelReport, Report } from '../types.js';
import { docsUrl } from './links.js';
import {
  bySeverity,
  countsLine,
  location,
  modelCounts,
  modelFails,
  plural,
  signalLabel,
  targetLabel,
} from './common.js';
import { inertLines, jsonVisible, mdCell, mdInline, mermaidLabel } from './escape.js';

/** The escaping helpers under their historical names (tests and other reporters import them). */
export { mdInline as inline, mdCell as cell };

/** GitHub's limit for one step's job summary. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;

/** Nodes drawn per lineage diagram; a model with more bases says how many were left out. */
export const MAX_DIAGRAM_BASES = 12;

export interface MarkdownOptions {
  /** Annotations that did not fit GitHub's per-step limits (from selectAnnotations). */
  hiddenAnnotations?: number;
  /** Append the full JSON report in a collapsed block when the summary stays under the limit. */
  includeJson?: boolean;
  /** Byte limit of the whole summary (tests lower it). */
  limitBytes?: number;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function verdictHeading(report: Report): string {
  return `## ${report.verdict === 'pass' ? '✅' : '❌'} Lineage Gate: ${report.verdict === 'pass' ? 'pass' : 'fail'}`;
}

interface DiagramNode {
  id: string;
  base: string;
  detected?: Lineage;
  declared: boolean;
}

/**
 * A Mermaid flowchart of the model's lineage: a solid edge from each base the weights show
 * (detected), a dashed edge from each base the card declares. A detected base the repo does not
 * declare is drawn red; a declared base the weights contradict (base-mismatch) is drawn amber.
 */
export function lineageDiagram(m: ModelReport): string[] {
  const nodes = new Map<string, DiagramNode>();
  const node = (base: string): DiagramNode => {
    let n = nodes.get(base);
    if (!n) {
      n = { id: `b${nodes.size}`, base, declared: false };
      nodes.set(base, n);
    }
    return n;
  };
  for (const l of m.lineage) node(l.base).detected = l;
  for (const b of m.declared.baseModels) node(b).declared = true;
  if (nodes.size === 0) return [];

  const mismatch = m.findings.some((f) => f.rule === 'base-mismatch');
  const shown = [...nodes.values()].slice(0, MAX_DIAGRAM_BASES);
  const out = ['```mermaid', 'flowchart LR', `  model["${mermaidLabel(`this model: ${m.path}`)}"]`];
  const classes: Record<'undeclared' | 'ok' | 'mismatch', string[]> = {
    undeclared: [],
    ok: [],
    mismatch: [],
  };
  for (const n of shown) {
    const l = n.detected;
    const sub = l ? `<br/>${mermaidLabel(`${l.family}, ${l.strength}`)}` : '';
    out.push(`  ${n.id}["${mermaidLabel(n.base)}${sub}"]`);
    if (l) {
      const kinds = [...new Set(l.signals.map((s) => s.kind))].join(', ');
      const how = l.declared ? (n.declared ? 'detected' : 'detected, attributed') : 'detected, NOT declared';
      out.push(`  ${n.id} -->|"${mermaidLabel(`${how}: ${kinds || l.strength}`)}"| model`);
      classes[l.declared ? 'ok' : 'undeclared'].push(n.id);
    }
    if (n.declared) {
      out.push(`  ${n.id} -.->|"declared"| model`);
      if (!l && mismatch) classes.mismatch.push(n.id);
      else if (!l) classes.ok.push(n.id);
    }
  }
  if (nodes.size > shown.length) {
    out.push(`  more["${mermaidLabel(`${nodes.size - shown.length} more bases (see the table)`)}"]`);
  }
  out.push('  classDef undeclared stroke:#d1242f,stroke-width:3px');
  out.push('  classDef ok stroke:#1a7f37,stroke-width:2px');
  out.push('  classDef mismatch stroke:#bf8700,stroke-width:3px,stroke-dasharray:4');
  for (const [cls, ids] of Object.entries(classes))
    if (ids.length) out.push(`  class ${ids.join(',')} ${cls}`);
  out.push('```');
  return out;
}

function lineageTable(m: ModelReport, out: string[]): void {
  if (m.lineage.length === 0) {
    out.push('No known base detected from the weights’ configuration.', '');
    return;
  }
  out.push(
    row(['base', 'family', 'strength', 'declared', 'matched signals']),
    row(['---', '---', '---', '---', '---']),
  );
  for (const l of m.lineage) {
    const signals = l.signals.map((s) => mdCell(signalLabel(s))).join('<br>');
    const alt = l.alternatives?.length ? `<br>also fits: ${l.alternatives.map(mdCell).join(', ')}` : '';
    out.push(
      row([mdCell(l.base) + alt, mdCell(l.family), l.strength, l.declared ? 'yes' : '**no**', signals]),
    );
  }
  out.push('');
}

function findingsTable(m: ModelReport, out: string[]): void {
  if (m.findings.length === 0) {
    out.push('No findings.', '');
    return;
  }
  out.push(
    row(['file:line', 'severity', 'rule', 'message', 'fix']),
    row(['---', '---', '---', '---', '---']),
  );
  for (const f of bySeverity(m.findings)) {
    const rule = `[${f.rule}](${docsUrl(f.rule)})`;
    out.push(row([mdCell(location(f)), f.severity, rule, mdCell(f.message), mdCell(f.fix)]));
  }
  out.push('');
}

function modelSection(report: Report, m: ModelReport, out: string[]): void {
  const d = m.declared;
  const icon = modelFails(m, report.failOn) ? '❌' : m.findings.length ? '⚠️' : '✅';
  out.push(`### ${icon} Model ${mdInline(m.path)}`, '');
  const bases = d.baseModels.length ? d.baseModels.map(mdInline).join(', ') : '_none_';
  const relation = d.relation ? ` (${mdInline(d.relation)})` : '';
  out.push(
    `Declared: license ${d.license ? mdInline(d.license) : '_none_'} · base model ${bases}${relation}`,
    '',
  );
  lineageTable(m, out);
  const diagram = lineageDiagram(m);
  if (diagram.length) out.push(...diagram, '');
  findingsTable(m, out);
  if (m.suppressed?.length) {
    out.push(`Suppressed by policy exceptions (not counted): ${m.suppressed.length}`, '');
    for (const f of m.suppressed) {
      const until = f.exception.expires ? ` (until ${mdInline(f.exception.expires)})` : '';
      out.push(
        `- ${mdCell(location(f))} ${f.rule}: ${mdCell(f.message)} — exception: ${mdCell(f.exception.reason)}${until}`,
      );
    }
    out.push('');
  }
  if (m.upstreams?.length) {
    out.push(
      row(['upstream (from the Hub)', 'status', 'license', 'via', 'chain']),
      row(['---', '---', '---', '---', '---']),
    );
    for (const u of m.upstreams) {
      const status = u.detail ? `${u.status}: ${mdCell(u.detail)}` : u.status;
      out.push(
        row([
          mdCell(u.id),
          status,
          mdCell(u.license ?? 'unknown'),
          mdCell(u.via),
          mdCell((u.chain ?? []).join(' → ')),
        ]),
      );
    }
    out.push('');
  }
  if (m.obligations?.length) {
    out.push('Obligations that the gate cannot check mechanically:', '');
    for (const o of m.obligations) out.push(`- ${mdCell(o)}`);
    out.push('');
  }
}

/** One row per model, so a monorepo's reader sees at once which model fails. */
function overview(report: Report, out: string[]): void {
  out.push(
    row(['model', 'verdict', 'errors', 'warnings', 'bases']),
    row(['---', '---', '---', '---', '---']),
  );
  for (const m of report.models) {
    const c = modelCounts(m);
    const bases = m.lineage.map((l) => mdCell(l.base) + (l.declared ? '' : ' (undeclared)')).join(', ');
    out.push(
      row([
        mdCell(m.path),
        modelFails(m, report.failOn) ? 'fail' : 'pass',
        String(c.error),
        String(c.warning),
        bases || '—',
      ]),
    );
  }
  out.push('');
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
  // The summary is also printed to the log (no GITHUB_STEP_SUMMARY, or the CLI in a workflow).
  return inertLines(buildMarkdown(report, options));
}

function buildMarkdown(report: Report, options: MarkdownOptions): string {
  const limit = options.limitBytes ?? SUMMARY_LIMIT_BYTES;
  const out: string[] = [];
  out.push(verdictHeading(report), '');
  out.push(
    `${countsLine(report)} · fail-on \`${report.failOn}\` · target ${mdInline(targetLabel(report))} · ${plural(report.models.length, 'model')}`,
    '',
  );
  if (options.hiddenAnnotations) {
    out.push(
      `> ${plural(options.hiddenAnnotations, 'more annotation')} ${options.hiddenAnnotations === 1 ? 'was' : 'were'} not shown (GitHub shows at most 10 per severity and step); the tables below list every finding.`,
      '',
    );
  }
  if (report.models.length === 0) out.push('No model directory found.', '');
  if (report.models.length > 1) overview(report, out);
  for (const m of report.models) modelSection(report, m, out);

  let body = out.join('\n');
  const footer = `\n_lineage-gate ${mdInline(report.tool.version)}_\n`;
  if (bytes(body) + bytes(footer) > limit) {
    // Cut at a line boundary, and never inside a Mermaid block (an open fence would swallow the rest).
    const note =
      '\n\n> The summary was cut to fit GitHub’s 1 MiB limit; see the JSON report for every finding.\n';
    const room = limit - bytes(note) - bytes(footer);
    const kept: string[] = [];
    let size = 0;
    let fenceStart = -1;
    for (const l of out) {
      if (size + bytes(l) + 1 > room) break;
      if (l === '```mermaid') fenceStart = kept.length;
      else if (l === '```') fenceStart = -1;
      kept.push(l);
      size += bytes(l) + 1;
    }
    if (fenceStart >= 0) kept.length = fenceStart;
    return kept.join('\n') + note + footer;
  }

  if (options.includeJson !== false) {
    const json = jsonVisible(JSON.stringify(report, null, 2));
    const fence = fenceFor(json);
    const details = `\n<details><summary>Full JSON report</summary>\n\n${fence}json\n${json}\n${fence}\n\n</details>\n`;
    if (bytes(body) + bytes(details) + bytes(footer) <= limit) body += '\n' + details;
  }
  return body + footer;
}
