// The PR comment: its body (marker, verdict, rule links, size limit, escaping), the upsert logic
// with real Octokit against a local fake of the GitHub API, and the bundled Action run as the
// runner does on a pull_request event: a failing run creates the comment, a fixed run rewrites
// the same comment to say the gate passes, and a 403 from a read-only token changes nothing else.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ACTION, buildOnce } from './helpers/bundle.js';
import { tempDir, writeAttributed, writeUndeclared } from './helpers/fixtures.js';
import {
  pullRequestEvent,
  runBundledAction,
  runnerEnv,
  startFakeGitHub,
  type FakeGitHub,
  type LoggedRequest,
} from './helpers/github-server.js';
import {
  COMMENT_LIMIT,
  COMMENT_MARKER,
  formatComment,
  formatPassingComment,
  keyLine,
} from '../src/report/comment.js';
import { docsUrl } from '../src/report/links.js';
import { commentKey, upsertComment, type Logger } from '../src/github/comment.js';
import { createOctokit } from '../src/github/client.js';
import type { Finding, Report } from '../src/types.js';

const TOKEN = 'ghs_testtoken';

function report(verdict: 'pass' | 'fail', findings: Finding[] = []): Report {
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  return {
    schemaVersion: 1,
    tool: { name: 'lineage-gate', version: '0.1.0' },
    target: { kind: 'local', path: '.' },
    verdict,
    failOn: 'error',
    models: [
      {
        path: 'models/acme',
        declared: { license: 'apache-2.0', baseModels: [], relation: null },
        lineage: [
          {
            base: 'deepseek-ai/DeepSeek-V3',
            family: 'deepseek-v3',
            strength: 'strong',
            declared: verdict === 'pass',
            signals: [],
          },
        ],
        findings,
      },
    ],
    summary: { errors: count('error'), warnings: count('warning'), notices: count('notice') },
  };
}

function finding(i: number, extra: Partial<Finding> = {}): Finding {
  return {
    rule: 'undeclared-base',
    severity: 'error',
    base: 'deepseek-ai/DeepSeek-V3',
    file: `models/acme/README.md`,
    line: i + 1,
    message: `finding number ${i}: the weights derive from deepseek-ai/DeepSeek-V3`,
    fix: 'Add base_model: deepseek-ai/DeepSeek-V3 to the front matter.',
    ...extra,
  };
}

function logger(): Logger & { infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (m) => infos.push(m), warning: (m) => warnings.push(m) };
}

const calls = (reqs: LoggedRequest[]) => reqs.map((r) => `${r.method} ${r.path}`);

describe('comment body', () => {
  const opts = { key: 'k1', summaryUrl: 'https://github.example/acme/models/actions/runs/1' };

  test('starts with the marker and key, then the verdict; every finding links its rule doc and fix', () => {
    const body = formatComment(report('fail', [finding(0), finding(1, { rule: 'missing-notice' })]), opts);
    const lines = body.split('\n');
    expect(lines[0]).toBe(COMMENT_MARKER);
    expect(lines[1]).toBe(keyLine('k1'));
    expect(lines[2]).toBe('## ❌ Lineage Gate: fail');
    expect(body).toContain(`[undeclared-base](${docsUrl('undeclared-base')})`);
    expect(body).toContain(`[missing-notice](${docsUrl('missing-notice')})`);
    expect(body).toContain('**Fix:** Add base\\_model: deepseek-ai/DeepSeek-V3');
    expect(body).toContain('(https://github.example/acme/models/actions/runs/1)');
  });

  test('a passing body says the gate passes', () => {
    const body = formatPassingComment(report('pass'), opts);
    expect(body.startsWith(`${COMMENT_MARKER}\n${keyLine('k1')}\n## ✅ Lineage Gate: pass`)).toBe(true);
    expect(body).toContain('The gate passes now');
    expect(body).not.toContain('undeclared-base');
  });

  test('thousands of findings are cut to the 65,536-character limit with a pointer to the summary', () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      finding(i, { message: `finding ${i} ${'x'.repeat(60)}` }),
    );
    const body = formatComment(report('fail', many), opts);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body.length).toBeGreaterThan(COMMENT_LIMIT - 1000);
    const shownRows = body.split('\n').filter((l) => l.startsWith('| error |')).length;
    expect(shownRows).toBeGreaterThan(10);
    expect(shownRows).toBeLessThan(3000);
    expect(body).toContain(`${3000 - shownRows} more findings not shown here`);
    expect(body).toContain('[the job summary](https://github.example/acme/models/actions/runs/1)');
    // Rows are whole: the last table row before the note is complete.
    const last = body
      .split('\n')
      .filter((l) => l.startsWith('| error |'))
      .at(-1)!;
    expect(last.endsWith(' |')).toBe(true);
  });

  test('a single finding larger than the limit still yields a body within it', () => {
    const huge = finding(0, { fix: 'y'.repeat(200_000) });
    const body = formatComment(report('fail', [huge]), { ...opts, limit: 5000 });
    expect(body.length).toBeLessThanOrEqual(5000);
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('1 more finding not shown here');
  });

  test('repo-controlled text cannot inject HTML, break the table or fake the marker', () => {
    const evil = finding(0, {
      file: 'a|b<img src=x onerror=alert(1)>\u001b[31m.md',
      message: '<!-- lineage-gate --> | ` `` ```\nsecond line',
    });
    const body = formatComment(report('fail', [evil]), opts);
    const row = body.split('\n').find((l) => l.startsWith('| error |'))!;
    // The escape's backslash is itself escaped, so Markdown renders the visible text `\x1b`.
    expect(row).toContain('a\\|b&lt;img src=x onerror=alert(1)&gt;\\\\x1b\\[31m.md');
    expect(row).toContain('&lt;\\!-- lineage-gate --&gt;');
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(5);
    expect(body).not.toContain('<img');
    expect(body).not.toContain('\u001b');
    expect(body.split(COMMENT_MARKER)).toHaveLength(2);
  });

  test('the key line keeps only safe characters', () => {
    expect(keyLine('a-->b <x>')).toBe('<!-- lineage-gate:a--_b__x_ -->');
    expect(commentKey('wf', 'job', 'models/a')).toMatch(/^[0-9a-f]{16}$/);
    expect(commentKey('wf', 'job', 'models/a')).not.toBe(commentKey('wf', 'job', 'models/b'));
  });
});

describe('upsertComment with Octokit against a local API', () => {
  let api: FakeGitHub;
  const target = { owner: 'acme', repo: 'models', issueNumber: 7 };
  const key = commentKey('lineage', 'gate', '.');

  beforeAll(async () => {
    api = await startFakeGitHub({
      comments: {
        // 150 unrelated comments, one with the marker but another gate's key, then ours on page 2.
        7: [
          ...Array.from({ length: 150 }, (_, i) => ({ body: `review comment ${i}` })),
          { body: `${COMMENT_MARKER}\n${keyLine('another-job')}\nother gate`, login: 'github-actions[bot]' },
          {
            body: `${COMMENT_MARKER}\n${keyLine(key)}\n## ❌ Lineage Gate: fail`,
            login: 'github-actions[bot]',
          },
        ],
      },
    });
    // @actions/github reads GITHUB_API_URL when it is first loaded (lazily, by createOctokit).
    process.env.GITHUB_API_URL = api.url;
  });
  afterAll(async () => {
    delete process.env.GITHUB_API_URL;
    await api.close();
  });
  beforeEach(() => api.requests.splice(0));

  const octokit = () => createOctokit(TOKEN);

  test('finds its comment on the second page and rewrites it to passing; other comments untouched', async () => {
    const log = logger();
    const out = await upsertComment(octokit, target, report('pass'), { mode: 'on-failure', key }, log);
    expect(out.action).toBe('updated');
    expect(calls(api.requests)).toEqual([
      'GET /repos/acme/models/issues/7/comments',
      'GET /repos/acme/models/issues/7/comments',
      `PATCH /repos/acme/models/issues/comments/${(out as { id: number }).id}`,
    ]);
    expect(api.requests[0].query).toMatchObject({ per_page: '100' });
    expect(api.requests[1].query).toMatchObject({ page: '2' });
    expect(api.requests[0].authorization).toBe(`token ${TOKEN}`);
    const list = api.comments.get(7)!;
    expect(list).toHaveLength(152);
    expect(list[151].body).toContain('The gate passes now');
    expect(list[150].body).toContain('other gate');
    expect(log.warnings).toEqual([]);
  });

  test('an identical body is not sent again', async () => {
    const r = report('pass');
    await upsertComment(octokit, target, r, { mode: 'on-failure', key }, logger());
    api.requests.splice(0);
    const out = await upsertComment(octokit, target, r, { mode: 'on-failure', key }, logger());
    expect(out.action).toBe('unchanged');
    expect(api.requests.every((q) => q.method === 'GET')).toBe(true);
  });

  test('on-failure with a passing report and no earlier comment posts nothing', async () => {
    const log = logger();
    const out = await upsertComment(
      octokit,
      { ...target, issueNumber: 8 },
      report('pass'),
      { mode: 'on-failure', key },
      log,
    );
    expect(out).toEqual({ action: 'skipped', reason: 'pass without an earlier comment' });
    expect(calls(api.requests)).toEqual(['GET /repos/acme/models/issues/8/comments']);
    expect(api.comments.get(8) ?? []).toHaveLength(0);
  });

  test('always posts a passing report too; never makes no request', async () => {
    const out = await upsertComment(
      octokit,
      { ...target, issueNumber: 9 },
      report('pass'),
      { mode: 'always', key },
      logger(),
    );
    expect(out.action).toBe('created');
    expect(api.comments.get(9)![0].body).toContain('## ✅ Lineage Gate: pass');
    api.requests.splice(0);
    const never = await upsertComment(
      octokit,
      { ...target, issueNumber: 9 },
      report('fail', [finding(0)]),
      { mode: 'never', key },
      logger(),
    );
    expect(never.action).toBe('skipped');
    expect(api.requests).toHaveLength(0);
  });

  test('a 403 on create is a warning and an outcome, not an exception', async () => {
    api.failWith('POST', /\/issues\/10\/comments$/, 403);
    const log = logger();
    const out = await upsertComment(
      octokit,
      { ...target, issueNumber: 10 },
      report('fail', [finding(0)]),
      { mode: 'on-failure', key },
      log,
    );
    expect(out).toEqual({ action: 'failed', step: 'create', status: 403 });
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain('could not create the pull request comment (HTTP 403');
    expect(log.warnings[0]).toContain('read-only token');
  });

  test('an unreachable API is a warning too', async () => {
    const log = logger();
    const closed = await startFakeGitHub();
    await closed.close();
    const { getOctokit } = await import('@actions/github');
    const dead = async () => getOctokit(TOKEN, { baseUrl: closed.url });
    const out = await upsertComment(dead, target, report('fail', [finding(0)]), { mode: 'always', key }, log);
    expect(out.action).toBe('failed');
    expect(log.warnings[0]).toContain('could not look up the pull request comment');
  });
});

describe('the bundled Action on a pull_request event', () => {
  let api: FakeGitHub;
  let ws: string;
  const model = () => path.join(ws, 'models', 'acme');

  beforeAll(async () => {
    await buildOnce();
  }, 120_000);
  beforeEach(async () => {
    api = await startFakeGitHub();
    ws = tempDir('lg-ws-');
    mkdirSync(model(), { recursive: true });
  });
  afterEach(async () => {
    await api.close();
  });

  const run = (inputs: Record<string, string> = {}, eventName = 'pull_request') =>
    runBundledAction({
      action: ACTION,
      workspace: ws,
      inputs: { path: 'models/acme', token: TOKEN, ...inputs },
      env: runnerEnv(api, eventName),
      event: pullRequestEvent(7),
    });

  test('failing then fixed: one comment, created then updated in place to say the gate passes', async () => {
    writeUndeclared(model());
    const first = await run();
    expect(first.code).toBe(1);
    expect(first.outputs.verdict).toBe('fail');
    // The marker lookup comes before the create.
    expect(calls(api.requests)).toEqual([
      'GET /repos/acme/models/issues/7/comments',
      'POST /repos/acme/models/issues/7/comments',
    ]);
    const created = api.comments.get(7)!;
    expect(created).toHaveLength(1);
    const id = created[0].id;
    expect(
      created[0].body.startsWith(
        `${COMMENT_MARKER}\n${keyLine(commentKey('lineage', 'gate', 'models/acme'))}\n## ❌ Lineage Gate: fail`,
      ),
    ).toBe(true);
    expect(created[0].body).toContain(`[undeclared-base](${docsUrl('undeclared-base')})`);
    expect(created[0].body).toContain('https://github.example/acme/models/actions/runs/4242');
    // Paths in the comment are repository paths (the `path` input is prefixed).
    expect(created[0].body).toMatch(/^\| error \| models\/acme\/README\.md:\d+ \| \[undeclared-base\]/m);
    expect(first.stdout).toContain(`created pull request comment ${id}`);

    // The author fixes the findings and pushes.
    rmSync(model(), { recursive: true });
    mkdirSync(model(), { recursive: true });
    writeAttributed(model());
    api.requests.splice(0);
    const second = await run();
    expect(second.code).toBe(0);
    expect(second.outputs.verdict).toBe('pass');
    expect(calls(api.requests)).toEqual([
      'GET /repos/acme/models/issues/7/comments',
      `PATCH /repos/acme/models/issues/comments/${id}`,
    ]);
    const after = api.comments.get(7)!;
    expect(after).toHaveLength(1);
    expect(after[0].id).toBe(id);
    expect(after[0].body).toContain('## ✅ Lineage Gate: pass');
    expect(after[0].body).toContain('The gate passes now');
    expect(after[0].body).not.toContain('❌');
  });

  test('a 403 on comment creation is survived: same exit code and verdict, a warning in the log', async () => {
    writeUndeclared(model());
    api.failWith('POST', /\/comments$/, 403);
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    expect(r.stdout).toMatch(
      /^::warning::Lineage Gate: could not create the pull request comment \(HTTP 403: Resource not accessible by integration/m,
    );
    // The gate's own failure message is still the step's error, and the summary was written.
    expect(r.stdout).toMatch(/^::error::Lineage Gate: \d+ errors?/m);
    expect(r.summary.split('\n')[0]).toBe('## ❌ Lineage Gate: fail');
    expect(api.comments.get(7) ?? []).toHaveLength(0);
  });

  test('a passing repo with a 403 still passes', async () => {
    writeAttributed(model());
    api.failWith('POST', /\/comments$/, 403);
    const r = await run({ comment: 'always' });
    expect(r.code).toBe(0);
    expect(r.outputs.verdict).toBe('pass');
    expect(r.stdout).toContain('could not create the pull request comment (HTTP 403');
  });

  test('on-failure and a passing first run: a lookup, no comment', async () => {
    writeAttributed(model());
    const r = await run();
    expect(r.code).toBe(0);
    expect(calls(api.requests)).toEqual(['GET /repos/acme/models/issues/7/comments']);
    expect(api.comments.get(7) ?? []).toHaveLength(0);
  });

  test('comment: never, and events other than pull requests, make no API request', async () => {
    writeUndeclared(model());
    const never = await run({ comment: 'never' });
    expect(never.code).toBe(1);
    const push = await run({}, 'push');
    expect(push.code).toBe(1);
    expect(api.requests).toHaveLength(0);
  });

  test('a malformed event payload is logged; the gate still runs and makes no API request', async () => {
    writeUndeclared(model());
    const r = await runBundledAction({
      action: ACTION,
      workspace: ws,
      inputs: { path: 'models/acme', token: TOKEN },
      env: runnerEnv(api),
      event: '{"pull_request": {"number": 7',
    });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('fail');
    expect(r.stdout).toContain('Lineage Gate: GITHUB_EVENT_PATH:');
    expect(r.stdout).toContain('treating this run as not a pull request');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(api.requests).toHaveLength(0);
  });

  test('a bad comment input fails naming the input', async () => {
    writeAttributed(model());
    const r = await run({ comment: 'sometimes' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("input 'comment' must be one of on-failure, always, never (got 'sometimes')");
    expect(api.requests).toHaveLength(0);
  });
});
