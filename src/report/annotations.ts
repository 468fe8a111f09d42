// GitHub shows at most 10 error, 10 warning and 10 notice annotations per step. Spend them on what
// matters most: errors before warnings before notices, and within a severity the files this PR
// changed first (the author is looking at those). Whatever does not fit is counted as hidden.
// Texts are made safe for a workflow command here (@actions/core escapes only %, CR, LF, and `:`
// and `,` in properties): control characters from a crafted file name must not reach the log.
import type { Report, Severity } from '../types.js';
import { severityRank } from './common.js';
import { plainText } from './escape.js';

export const ANNOTATIONS_PER_SEVERITY = 10;

export interface Annotation {
  severity: Severity;
  /** Relative to the target root; absent when the finding concerns no single file. */
  file?: string;
  line?: number;
  title: string;
  message: string;
}

export interface AnnotationSelection {
  shown: Annotation[];
  hidden: number;
}

function normalise(p: string): string {
  return p.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** Picks the annotations to emit; `changedFiles` are relative to the target root. */
export function selectAnnotations(report: Report, changedFiles: string[] = []): AnnotationSelection {
  const changed = new Set(changedFiles.map(normalise));
  const all = report.models.flatMap((m) => m.findings);
  const ranked = all
    .map((f, i) => ({ f, i, inPr: f.file !== undefined && changed.has(normalise(f.file)) ? 0 : 1 }))
    .sort((a, b) => severityRank(a.f.severity) - severityRank(b.f.severity) || a.inPr - b.inPr || a.i - b.i);

  const used: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  const shown: Annotation[] = [];
  for (const { f } of ranked) {
    if (used[f.severity] >= ANNOTATIONS_PER_SEVERITY) continue;
    used[f.severity]++;
    const a: Annotation = {
      severity: f.severity,
      title: plainText(`Lineage Gate: ${f.rule}${f.base ? ` (${f.base})` : ''}`).replace(/\n/g, ' '),
      message: plainText(f.fix ? `${f.message}\nFix: ${f.fix}` : f.message),
    };
    if (f.file !== undefined) {
      a.file = plainText(f.file).replace(/\n/g, '\\n');
      if (f.line !== undefined) a.line = f.line;
    }
    shown.push(a);
  }
  return { shown, hidden: all.length - shown.length };
}
