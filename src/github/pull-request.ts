// What the Action does with GitHub beyond the runner's files: learn which PR this run is for,
// which files it changed (to order annotations), and post or refresh the PR comment. Each step
// is best effort and logs why it was skipped.
import type { Report } from '../types.js';
import { ANNOTATIONS_PER_SEVERITY } from '../report/annotations.js';
import { changedFiles, relativeToTarget } from './changed-files.js';
import { createOctokit, type Octokit } from './client.js';
import { commentKey, upsertComment, type CommentMode, type CommentOutcome, type Logger } from './comment.js';
import { readEvent, type GitHubEvent } from './event.js';

export interface GitHubRun {
  event?: GitHubEvent;
  /** Lazily created, once; undefined without a token. */
  octokit?: () => Promise<Octokit>;
  /** The run's page (where the job summary is). */
  runUrl?: string;
  workflow: string;
  job: string;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

export async function loadGitHubRun(
  token: string | undefined,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<GitHubRun> {
  const { event, problem } = await readEvent(env);
  if (problem) log.info(`Lineage Gate: ${problem}; treating this run as not a pull request.`);
  const run: GitHubRun = { workflow: env.GITHUB_WORKFLOW ?? '', job: env.GITHUB_JOB ?? '' };
  if (event && !problem) run.event = event;
  if (token) run.octokit = once(() => createOctokit(token));
  const server = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  if (env.GITHUB_REPOSITORY && /^\d+$/.test(env.GITHUB_RUN_ID ?? '')) {
    run.runUrl = `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  }
  return run;
}

/** True when some severity has more findings than GitHub will show: only then does order matter. */
export function overBudget(report: Report): boolean {
  const { errors, warnings, notices } = report.summary;
  return Math.max(errors, warnings, notices) > ANNOTATIONS_PER_SEVERITY;
}

/** Changed files relative to the checked directory; [] when unknown or not needed. */
export async function changedFilesForAnnotations(
  run: GitHubRun,
  report: Report,
  prefix: string,
  log: Logger,
): Promise<string[]> {
  if (!run.event || !overBudget(report)) return [];
  const result = await changedFiles(run.event, run.octokit);
  if (result.problem) log.info(`Lineage Gate: ${result.problem}; annotations are ordered by severity only.`);
  return relativeToTarget(result.files, prefix);
}

/** Posts or refreshes the PR comment; logs and returns what happened. Never throws. */
export async function publishComment(
  run: GitHubRun,
  report: Report,
  options: { mode: CommentMode; path: string; pathPrefix?: string },
  log: Logger,
): Promise<CommentOutcome> {
  if (options.mode === 'never') return { action: 'skipped', reason: 'comment: never' };
  const ev = run.event;
  if (!ev || ev.prNumber === undefined) {
    return { action: 'skipped', reason: 'not a pull_request or pull_request_target event' };
  }
  if (!ev.owner || !ev.repo) {
    log.info('Lineage Gate: GITHUB_REPOSITORY is not set; no pull request comment posted.');
    return { action: 'skipped', reason: 'repository unknown' };
  }
  if (!run.octokit) {
    log.info('Lineage Gate: no token; no pull request comment posted.');
    return { action: 'skipped', reason: 'no token' };
  }
  const key = commentKey(run.workflow, run.job, options.path);
  return upsertComment(
    run.octokit,
    { owner: ev.owner, repo: ev.repo, issueNumber: ev.prNumber },
    report,
    { mode: options.mode, key, summaryUrl: run.runUrl, pathPrefix: options.pathPrefix },
    log,
  );
}
