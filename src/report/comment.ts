// The PR comment's body. Short by design: the verdict, one line per finding with its rule doc,
// and a link to the job summary, which holds the lineage tables and diagrams. It starts with a
// hidden marker so the next run finds the comment again and edits it instead of adding another.
import type { Report } from '../types.js';
import { bySeverity, countsLine, location, plural } from './common.js';
import { mdCell, mdInline, wellFormed } from './escape.js';
import { docsUrl } from './links.js';
import { verdictHeading } from './markdown.js';

/** GitHub's limit for an issue or PR comment body, in characters. */
export const COMMENT_LIMIT = 65_536;

/** The first line of every Lineage Gate comment. */
export const COMMENT_MARKER = '<!-- lineage-gate -->';

export interface CommentOptions {
  /** Identifies the workflow, job and path, so two gates on one PR keep two comments. */
  key: string;
  /** The run's page, where the job summary is. */
  summaryUrl?: string;
  /** Body length limit (tests lower it). */
  limit?: number;
  /** Prepended to target-relative paths, so the comment names repository paths. */
  pathPrefix?: string;
}

/** The hidden second line: `key` is hashed upstream, but stay safe if it is not. */
export function keyLine(key: string): string {
  return `<!-- lineage-gate:${key.replace(/[^A-Za-z0-9._/:@+-]/g, '_')} -->`;
}

function summaryLink(options: CommentOptions): string {
  return options.summaryUrl ? `[the job summary](${options.summaryUrl})` : 'the job summary';
}

function header(report: Report, options: CommentOptions): string[] {
  return [COMMENT_MARKER, keyLine(options.key), verdictHeading(report), ''];
}

/**
 * The body for a report. When every finding does not fit in `limit` characters, the rows that fit
 * are kept and the rest are counted, with a pointer to the job summary.
 */
export function formatComment(report: Report, options: CommentOptions): string {
  const limit = options.limit ?? COMMENT_LIMIT;
  const out = header(report, options);
  out.push(
    `${countsLine(report)} · fail-on \`${report.failOn}\` · ${plural(report.models.length, 'model')}`,
    '',
  );
  const rows: string[] = [];
  const multi = report.models.length > 1;
  for (const m of report.models) {
    for (const f of bySeverity(m.findings)) {
      const file = f.file === undefined ? undefined : (options.pathPrefix ?? '') + f.file;
      const where = mdCell(
        (multi && file === undefined ? `${m.path}: ` : '') + location({ file, line: f.line }),
      );
      const fix = f.fix ? `<br>**Fix:** ${mdCell(f.fix)}` : '';
      rows.push(
        `| ${f.severity} | ${where} | [${f.rule}](${docsUrl(f.rule)}) | ${mdCell(f.message)}${fix} |`,
      );
    }
  }
  const footer = `\nLineage tables, diagrams and the full report: ${summaryLink(options)}.\n`;
  if (rows.length) out.push('| severity | file:line | rule | finding |', '|---|---|---|---|');

  let body = out.join('\n') + '\n';
  let kept = 0;
  for (const r of rows) {
    const rest = rows.length - kept - 1;
    const omitted = rest > 0 ? omittedNote(rest, options) : '';
    if (body.length + r.length + 1 + omitted.length + footer.length > limit) break;
    body += r + '\n';
    kept++;
  }
  if (kept < rows.length) body += omittedNote(rows.length - kept, options);
  return truncate(body + footer, limit);
}

function omittedNote(n: number, options: CommentOptions): string {
  return `\n_${plural(n, 'more finding')} not shown here (comment size limit); see ${summaryLink(options)}._\n`;
}

/** The body that replaces an earlier failing comment once the gate passes. */
export function formatPassingComment(report: Report, options: CommentOptions): string {
  const out = header(report, options);
  out.push(
    `The gate passes now: ${countsLine(report)} (fail-on \`${report.failOn}\`) in ${plural(report.models.length, 'model')}. The findings reported earlier on this pull request are resolved.`,
    '',
  );
  const bases = [...new Set(report.models.flatMap((m) => m.lineage.map((l) => l.base)))];
  if (bases.length) out.push(`Bases: ${bases.map(mdInline).join(', ')}.`, '');
  out.push(`Details: ${summaryLink(options)}.`, '');
  return truncate(out.join('\n'), options.limit ?? COMMENT_LIMIT);
}

/** Last resort for absurdly small limits or huge headers: cut, never exceed. */
function truncate(body: string, limit: number): string {
  if (body.length <= limit) return body;
  const note = '\n…(cut; see the job summary)\n';
  // wellFormed: the cut may split a surrogate pair.
  return wellFormed(body.slice(0, Math.max(0, limit - note.length))) + note;
}
