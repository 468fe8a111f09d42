// Small pieces shared by the text and markdown reporters.
import type { FailOn, Finding, ModelReport, Report, Severity, Signal } from '../types.js';

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function countsLine(report: Report): string {
  const { errors, warnings, notices } = report.summary;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(notices, 'notice')}`;
}

export function targetLabel(report: Report): string {
  const t = report.target;
  return t.kind === 'local' ? t.path : `${t.repo}@${t.revision}`;
}

export function location(f: { file?: string; line?: number }): string {
  if (f.file === undefined) return '(repository)';
  return f.line === undefined ? f.file : `${f.file}:${f.line}`;
}

export function signalLabel(s: Signal): string {
  return `${s.kind} (${location(s)}): ${s.detail}`;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

/** Findings in the order a reader should fix them: errors first, otherwise as the rules gave them. */
export function bySeverity(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}

export function severityRank(s: Severity): number {
  return RANK[s];
}

/** Whether this model's findings alone would fail the gate at `failOn`. */
export function modelFails(m: ModelReport, failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  return m.findings.some((f) => f.severity === 'error' || (failOn === 'warning' && f.severity === 'warning'));
}

export function modelCounts(m: ModelReport): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  for (const f of m.findings) counts[f.severity]++;
  return counts;
}
