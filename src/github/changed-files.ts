// The files a pull request changed, for spending the annotation budget on them first. From the
// event payload when it lists them (push), else from the API (pulls.listFiles). Bounded, and a
// failure only costs the ordering: it is logged and the gate goes on.
import type { GitHubEvent } from './event.js';
import { describeError, requestOptions, type Octokit } from './client.js';

/** listFiles returns at most 3,000 files (30 pages of 100). */
export const MAX_FILE_PAGES = 30;

export interface ChangedFiles {
  files: string[];
  source: 'event' | 'api' | 'none';
  problem?: string;
}

export async function changedFiles(
  event: GitHubEvent,
  octokit?: () => Promise<Octokit>,
): Promise<ChangedFiles> {
  if (event.changedFiles) return { files: event.changedFiles, source: 'event' };
  if (event.prNumber === undefined || !event.owner || !event.repo || !octokit)
    return { files: [], source: 'none' };
  const files: string[] = [];
  try {
    const client = await octokit();
    let pages = 0;
    for await (const page of client.paginate.iterator(client.rest.pulls.listFiles, {
      owner: event.owner,
      repo: event.repo,
      pull_number: event.prNumber,
      per_page: 100,
      ...requestOptions(),
    })) {
      for (const f of page.data) if (typeof f.filename === 'string') files.push(f.filename);
      if (++pages >= MAX_FILE_PAGES) break;
    }
    return { files, source: 'api' };
  } catch (err) {
    return {
      files,
      source: 'api',
      problem: `could not list the pull request's files (${describeError(err).text})`,
    };
  }
}

/** Repository-relative paths → paths relative to the checked directory (`prefix` = 'models/acme/'). */
export function relativeToTarget(files: string[], prefix: string): string[] {
  if (prefix === '') return files;
  return files.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length));
}
