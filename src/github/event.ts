// The workflow run's event, read from GITHUB_EVENT_PATH (written by the runner). Only what the gate
// needs is kept: the repository, the PR number, and the files a push touched. Bounded and
// validated: a missing or odd payload means "no PR", never a crash.
import { open } from 'node:fs/promises';
import * as z from 'zod';

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_EVENT_BYTES = 25 * 1024 * 1024;

export const PR_EVENTS = ['pull_request', 'pull_request_target'] as const;

const Files = z.array(z.string()).optional().catch(undefined);

const EventPayloadSchema = z.object({
  pull_request: z.object({ number: z.number().int().positive() }).optional().catch(undefined),
  repository: z
    .object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) })
    .optional()
    .catch(undefined),
  commits: z
    .array(z.object({ added: Files, modified: Files }))
    .optional()
    .catch(undefined),
});

export interface GitHubEvent {
  name: string;
  owner?: string;
  repo?: string;
  /** Set only on pull_request and pull_request_target events. */
  prNumber?: number;
  /** Files the event itself lists as changed (push events), repository-relative. */
  changedFiles?: string[];
}

async function readBounded(file: string): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size > MAX_EVENT_BYTES) throw new Error(`${size} bytes, over the ${MAX_EVENT_BYTES}-byte bound`);
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, size, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** The event, or a one-line reason it could not be read (the caller logs it). */
export async function readEvent(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ event?: GitHubEvent; problem?: string }> {
  const name = env.GITHUB_EVENT_NAME ?? '';
  const file = env.GITHUB_EVENT_PATH;
  if (!name || !file) return {};
  let payload: z.infer<typeof EventPayloadSchema>;
  try {
    const parsed = EventPayloadSchema.safeParse(JSON.parse(await readBounded(file)));
    if (!parsed.success)
      return { event: { name }, problem: 'GITHUB_EVENT_PATH: not an event payload object' };
    payload = parsed.data;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { event: { name }, problem: `GITHUB_EVENT_PATH: ${why.split('\n')[0]}` };
  }
  const event: GitHubEvent = { name };
  // GITHUB_REPOSITORY is the runner's own word for owner/name; the payload is the fallback.
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (owner && repo) Object.assign(event, { owner, repo });
  else if (payload.repository)
    Object.assign(event, { owner: payload.repository.owner.login, repo: payload.repository.name });
  if ((PR_EVENTS as readonly string[]).includes(name) && payload.pull_request) {
    event.prNumber = payload.pull_request.number;
  }
  if (payload.commits) {
    const files = payload.commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? [])]);
    event.changedFiles = [...new Set(files)];
  }
  return { event };
}
