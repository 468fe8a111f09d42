// Octokit from @actions/github (honours GITHUB_API_URL and the runner's proxy settings). Imported
// lazily: the package parses GITHUB_EVENT_PATH when it is loaded, so runs that never talk to
// GitHub (no PR, comment: never) never load it, and a load failure is caught like any API error.
import type { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

/** Per request: a hung API must not hold the job until its timeout. */
export const REQUEST_TIMEOUT_MS = 30_000;

export async function createOctokit(token: string): Promise<Octokit> {
  const github = await import('@actions/github');
  return github.getOctokit(token);
}

/** Options for one request: a fresh timeout signal. */
export function requestOptions(): { request: { signal: AbortSignal } } {
  return { request: { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) } };
}

/** "HTTP 403: Resource not accessible by integration", or the error's first line. */
export function describeError(err: unknown): { status?: number; text: string } {
  const e = err as { status?: unknown; message?: unknown };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0] : String(err);
  return { status, text: status ? `HTTP ${status}: ${message}` : message };
}
