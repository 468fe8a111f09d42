// One Lineage Gate comment per pull request (per workflow, job and path), found again by its
// hidden marker and edited in place. A failing PR that turns green gets its comment rewritten to
// say so, whatever the mode, so no stale failure is left behind. Posting is best effort: a
// read-only token (a fork's PR) or any API error is logged, never a failure of the gate.
import { createHash } from 'node:crypto';
import type { Report } from '../types.js';
import { COMMENT_MARKER, formatComment, formatPassingComment, keyLine } from '../report/comment.js';
import { describeError, requestOptions, type Octokit } from './client.js';

export type CommentMode = 'on-failure' | 'always' | 'never';

/** Comments scanned for the marker: 50 pages of 100. */
export const MAX_COMMENT_PAGES = 50;

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface UpsertOptions {
  mode: CommentMode;
  /** From commentKey(): which gate on the PR this comment belongs to. */
  key: string;
  summaryUrl?: string;
  pathPrefix?: string;
}

export type CommentOutcome =
  | { action: 'created'; id: number }
  | { action: 'updated'; id: number }
  | { action: 'unchanged'; id: number }
  | { action: 'skipped'; reason: string }
  | { action: 'failed'; step: string; status?: number };

/** A short stable key for workflow + job + checked path (hashed: any text is safe in a comment). */
export function commentKey(workflow: string, job: string, path: string): string {
  return createHash('sha256').update(`${workflow}\u0000${job}\u0000${path}`).digest('hex').slice(0, 16);
}

/** Our comment, if there is one: the body starts with the marker and carries this gate's key. */
export async function findComment(
  octokit: Octokit,
  target: CommentTarget,
  key: string,
): Promise<{ id: number; body: string } | undefined> {
  const wanted = keyLine(key);
  let pages = 0;
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
    ...requestOptions(),
  })) {
    for (const c of page.data) {
      const body = c.body ?? '';
      if (body.startsWith(COMMENT_MARKER) && body.includes(wanted)) return { id: c.id, body };
    }
    if (++pages >= MAX_COMMENT_PAGES) break;
  }
  return undefined;
}

function failure(step: string, err: unknown, log: Logger): CommentOutcome {
  const { status, text } = describeError(err);
  const hint =
    status === 403 || status === 404
      ? ' The token cannot write to this pull request (a fork’s pull request gets a read-only token, or the workflow lacks `permissions: pull-requests: write`).'
      : '';
  log.warning(
    `Lineage Gate: could not ${step} the pull request comment (${text}).${hint} The annotations and the job summary still carry the report; the gate's result is unaffected.`,
  );
  return status === undefined ? { action: 'failed', step } : { action: 'failed', step, status };
}

/** Creates, updates or leaves the PR comment according to the mode and the verdict. Never throws. */
export async function upsertComment(
  octokit: () => Promise<Octokit>,
  target: CommentTarget,
  report: Report,
  options: UpsertOptions,
  log: Logger,
): Promise<CommentOutcome> {
  if (options.mode === 'never') return { action: 'skipped', reason: 'comment: never' };
  let client: Octokit;
  let existing: { id: number; body: string } | undefined;
  try {
    client = await octokit();
    existing = await findComment(client, target, options.key);
  } catch (err) {
    return failure('look up', err, log);
  }

  const opts = { key: options.key, summaryUrl: options.summaryUrl, pathPrefix: options.pathPrefix };
  const wantFull = report.verdict === 'fail' || options.mode === 'always';
  if (!wantFull && !existing) {
    log.info('Lineage Gate: the gate passes and no earlier comment exists; no pull request comment posted.');
    return { action: 'skipped', reason: 'pass without an earlier comment' };
  }
  const body = wantFull ? formatComment(report, opts) : formatPassingComment(report, opts);
  const base = { owner: target.owner, repo: target.repo };
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', id: existing.id };
    try {
      await client.rest.issues.updateComment({ ...base, comment_id: existing.id, body, ...requestOptions() });
    } catch (err) {
      return failure('update', err, log);
    }
    log.info(`Lineage Gate: updated pull request comment ${existing.id}.`);
    return { action: 'updated', id: existing.id };
  }
  try {
    const res = await client.rest.issues.createComment({
      ...base,
      issue_number: target.issueNumber,
      body,
      ...requestOptions(),
    });
    log.info(`Lineage Gate: created pull request comment ${res.data.id}.`);
    return { action: 'created', id: res.data.id };
  } catch (err) {
    return failure('create', err, log);
  }
}
