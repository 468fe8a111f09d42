// A small stand-in for the GitHub REST API on 127.0.0.1, for running real Octokit (and the bundled
// Action) against it. It plays the endpoints the gate uses: list/create/update issue comments and
// list a pull request's files, with Link-header pagination, token checks, injectable failures and
// a log of every request.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { stepEnv } from './bundle.js';

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  authorization?: string;
}

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  token?: string;
  /** Files of each PR, by number. */
  prFiles?: Record<number, string[]>;
  /** Comments already on each issue, by number. */
  comments?: Record<number, { body: string; login?: string }[]>;
}

export interface FakeGitHub {
  url: string;
  requests: LoggedRequest[];
  comments: Map<number, FakeComment[]>;
  /** Make the next matching requests answer `status` (e.g. 403 for a fork's read-only token). */
  failWith(method: string, pathPattern: RegExp, status: number, message?: string): void;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

function send(
  res: ServerResponse,
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(data));
}

/** One page of `items`, with the Link header Octokit's paginate follows. */
function page<T>(url: URL, items: T[], base: string): { data: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)));
  const pageNo = Math.max(1, Number(url.searchParams.get('page') ?? 1));
  const data = items.slice((pageNo - 1) * perPage, pageNo * perPage);
  const headers: Record<string, string> = {};
  if (pageNo * perPage < items.length) {
    const next = new URL(url.pathname, base);
    next.searchParams.set('per_page', String(perPage));
    next.searchParams.set('page', String(pageNo + 1));
    headers.link = `<${next.href}>; rel="next"`;
  }
  return { data, headers };
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'models';
  const token = options.token ?? 'ghs_testtoken';
  const requests: LoggedRequest[] = [];
  const comments = new Map<number, FakeComment[]>();
  let nextId = 1000;
  for (const [n, list] of Object.entries(options.comments ?? {})) {
    comments.set(
      Number(n),
      list.map((c) => ({ id: nextId++, body: c.body, user: { login: c.login ?? 'someone', type: 'User' } })),
    );
  }
  const failures: { method: string; pattern: RegExp; status: number; message: string }[] = [];
  let base = '';

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      let body: unknown;
      try {
        body = await readBody(req);
      } catch {
        send(res, 400, { message: 'bad body' });
        return;
      }
      const query = Object.fromEntries(url.searchParams);
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query,
        body,
        authorization: req.headers.authorization,
      });
      if (req.headers.authorization !== `token ${token}`) {
        send(res, 401, { message: 'Bad credentials' });
        return;
      }
      const failure = failures.find((f) => f.method === req.method && f.pattern.test(url.pathname));
      if (failure) {
        send(res, failure.status, { message: failure.message });
        return;
      }
      const prefix = `/repos/${owner}/${repo}`;
      const p = url.pathname;
      let m: RegExpMatchArray | null;
      if ((m = p.match(new RegExp(`^${prefix}/issues/(\\d+)/comments$`)))) {
        const list = comments.get(Number(m[1])) ?? [];
        comments.set(Number(m[1]), list);
        if (req.method === 'GET') {
          const { data, headers } = page(url, list, base);
          send(res, 200, data, headers);
          return;
        }
        if (req.method === 'POST') {
          const text = (body as { body?: unknown })?.body;
          if (typeof text !== 'string') return send(res, 422, { message: 'body is required' });
          if (text.length > 65_536)
            return send(res, 422, { message: 'body is too long (maximum is 65536 characters)' });
          const c = { id: nextId++, body: text, user: { login: 'github-actions[bot]', type: 'Bot' } };
          list.push(c);
          send(res, 201, c);
          return;
        }
      }
      if ((m = p.match(new RegExp(`^${prefix}/issues/comments/(\\d+)$`))) && req.method === 'PATCH') {
        const id = Number(m[1]);
        const c = [...comments.values()].flat().find((x) => x.id === id);
        if (!c) return send(res, 404, { message: 'Not Found' });
        const text = (body as { body?: unknown })?.body;
        if (typeof text !== 'string') return send(res, 422, { message: 'body is required' });
        if (text.length > 65_536)
          return send(res, 422, { message: 'body is too long (maximum is 65536 characters)' });
        c.body = text;
        send(res, 200, c);
        return;
      }
      if ((m = p.match(new RegExp(`^${prefix}/pulls/(\\d+)/files$`))) && req.method === 'GET') {
        const files = (options.prFiles?.[Number(m[1])] ?? []).map((filename) => ({
          filename,
          status: 'modified',
        }));
        const { data, headers } = page(url, files, base);
        send(res, 200, data, headers);
        return;
      }
      send(res, 404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    comments,
    failWith(method, pathPattern, status, message = 'Resource not accessible by integration') {
      failures.push({ method, pattern: pathPattern, status, message });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  temp: string;
}

/** Parses the runner's GITHUB_OUTPUT file (`name<<DELIM\nvalue\nDELIM`). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]] = m[3];
  return out;
}

export interface RunOptions {
  /** The action bundle (dist/index.js). */
  action: string;
  workspace: string;
  inputs: Record<string, string>;
  /** Runner variables: GITHUB_EVENT_NAME, GITHUB_API_URL… (GITHUB_EVENT_PATH comes from `event`). */
  env?: Record<string, string>;
  /** Written to a temp file (a string as is, else as JSON) and passed as GITHUB_EVENT_PATH. */
  event?: unknown;
}

/**
 * Runs the bundled Action as the runner does, asynchronously (the fake API server lives in this
 * process, so a blocking spawnSync would deadlock it).
 */
export async function runBundledAction(opts: RunOptions): Promise<ActionRun> {
  const { env, temp, outputFile, summaryFile } = stepEnv(opts.workspace, opts.inputs, { env: opts.env });
  if (opts.event !== undefined) {
    const eventFile = path.join(temp, 'event.json');
    writeFileSync(eventFile, typeof opts.event === 'string' ? opts.event : JSON.stringify(opts.event));
    env.GITHUB_EVENT_PATH = eventFile;
  }
  const child = spawn(process.execPath, [opts.action], { cwd: opts.workspace, env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    temp,
  };
}

/** A `pull_request` event payload as the runner writes it (the fields the gate reads, and some). */
export function pullRequestEvent(number: number, owner = 'acme', repo = 'models'): unknown {
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      state: 'open',
      title: 'Add Acme Chat',
      head: { ref: 'feature', sha: 'a'.repeat(40), repo: { full_name: `${owner}/${repo}` } },
      base: { ref: 'main', sha: 'b'.repeat(40), repo: { full_name: `${owner}/${repo}` } },
      changed_files: 2,
    },
    repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } },
    sender: { login: 'octocat', type: 'User' },
  };
}

/** The runner variables of a pull_request run against the fake API. */
export function runnerEnv(api: FakeGitHub, eventName = 'pull_request'): Record<string, string> {
  return {
    GITHUB_EVENT_NAME: eventName,
    GITHUB_API_URL: api.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: 'acme/models',
    GITHUB_RUN_ID: '4242',
    GITHUB_WORKFLOW: 'lineage',
    GITHUB_JOB: 'gate',
  };
}
