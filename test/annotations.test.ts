// Annotations that matter first: GitHub shows 10 per severity and step, so errors come first and,
// within a severity, findings in files the PR changed. The changed files come from the event
// payload (push) or from pulls.listFiles (pull_request) through real Octokit against a local API.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ACTION, buildOnce } from './helpers/bundle.js';
import { tempDir, writeUndeclared } from './helpers/fixtures.js';
import {
  pullRequestEvent,
  runBundledAction,
  runnerEnv,
  startFakeGitHub,
  type FakeGitHub,
} from './helpers/github-server.js';
import { ANNOTATIONS_PER_SEVERITY, selectAnnotations } from '../src/report/annotations.js';
import { changedFiles, MAX_FILE_PAGES, relativeToTarget } from '../src/github/changed-files.js';
import { createOctokit } from '../src/github/client.js';
import { readEvent } from '../src/github/event.js';
import type { Finding } from '../src/types.js';
import { reportOf } from './helpers/reports.js';

const f = (severity: Finding['severity'], file: string, line = 1): Finding => ({
  rule: severity === 'error' ? 'missing-notice' : 'naming',
  severity,
  file,
  line,
  message: `problem in ${file}`,
  fix: 'fix it',
});

describe('selectAnnotations', () => {
  test('changed files win the budget within each severity; errors are emitted before warnings', () => {
    const findings = [
      ...Array.from({ length: 12 }, (_, i) => f('warning', `w${i}.md`)),
      ...Array.from({ length: 14 }, (_, i) => f('error', `e${i}.md`)),
    ];
    const { shown, hidden } = selectAnnotations(reportOf(findings), ['e13.md', './e12.md', 'w11.md']);
    expect(shown.slice(0, 10).every((a) => a.severity === 'error')).toBe(true);
    expect(shown.slice(0, 2).map((a) => a.file)).toEqual(['e12.md', 'e13.md']);
    expect(shown.map((a) => a.file)).not.toContain('e10.md');
    expect(shown[10].file).toBe('w11.md');
    expect(hidden).toBe(26 - 2 * ANNOTATIONS_PER_SEVERITY);
  });

  test('annotation text carries no control characters; a newline in a file name cannot split the command', () => {
    const evil: Finding = {
      ...f('error', 'a\nb\u001b[31m.md'),
      message: 'bad\u0007 \u202eevil',
      base: 'x\ny',
    };
    const [a] = selectAnnotations(reportOf([evil])).shown;
    expect(a.file).toBe('a\\nb\\x1b[31m.md');
    expect(a.message).toBe('bad\\x07 \\u{202e}evil\nFix: fix it');
    expect(a.title).toBe('Lineage Gate: missing-notice (x y)');
  });

  test('repository paths become target-relative; files outside the checked directory are dropped', () => {
    expect(relativeToTarget(['models/a/README.md', 'models/b/x', 'README.md'], 'models/a/')).toEqual([
      'README.md',
    ]);
    expect(relativeToTarget(['a', 'b/c'], '')).toEqual(['a', 'b/c']);
  });
});

describe('changed files from the event or the API', () => {
  let api: FakeGitHub;
  const many = Array.from({ length: 250 }, (_, i) => `models/m/file${i}.json`);

  beforeAll(async () => {
    api = await startFakeGitHub({ prFiles: { 5: many, 6: Array.from({ length: 3500 }, (_, i) => `f${i}`) } });
    process.env.GITHUB_API_URL = api.url;
  });
  afterAll(async () => {
    delete process.env.GITHUB_API_URL;
    await api.close();
  });
  beforeEach(() => api.requests.splice(0));

  const octokit = () => createOctokit('ghs_testtoken');
  const pr = (n: number) => ({ name: 'pull_request', owner: 'acme', repo: 'models', prNumber: n });

  test('a pull request lists its files through the API, following pagination', async () => {
    const r = await changedFiles(pr(5), octokit);
    expect(r.source).toBe('api');
    expect(r.files).toEqual(many);
    expect(api.requests.map((q) => `${q.method} ${q.path} ${q.query.page ?? '1'}`)).toEqual([
      'GET /repos/acme/models/pulls/5/files 1',
      'GET /repos/acme/models/pulls/5/files 2',
      'GET /repos/acme/models/pulls/5/files 3',
    ]);
  });

  test('pagination is bounded', async () => {
    const r = await changedFiles(pr(6), octokit);
    expect(api.requests).toHaveLength(MAX_FILE_PAGES);
    expect(r.files).toHaveLength(MAX_FILE_PAGES * 100);
  });

  test('an API failure is tolerated and reported', async () => {
    api.failWith('GET', /\/pulls\/7\/files$/, 500, 'boom');
    const r = await changedFiles(pr(7), octokit);
    expect(r.files).toEqual([]);
    expect(r.problem).toContain('HTTP 500');
  });

  test('a push event payload lists its files; no request is made', async () => {
    const dir = tempDir('lg-event-');
    const file = path.join(dir, 'event.json');
    writeFileSync(
      file,
      JSON.stringify({
        commits: [
          { added: ['a.md'], modified: ['b.json'], removed: ['gone'] },
          { added: [], modified: ['b.json', 'c/d.md'] },
        ],
        repository: { name: 'models', owner: { login: 'acme' } },
      }),
    );
    const { event } = await readEvent({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: file });
    expect(event).toEqual({
      name: 'push',
      owner: 'acme',
      repo: 'models',
      changedFiles: ['a.md', 'b.json', 'c/d.md'],
    });
    const r = await changedFiles(event!, octokit);
    expect(r).toEqual({ files: ['a.md', 'b.json', 'c/d.md'], source: 'event' });
    expect(api.requests).toHaveLength(0);
  });

  test('a malformed, missing or mistyped event payload is a reason or ignored, not a crash', async () => {
    const dir = tempDir('lg-event-');
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"pull_request": ');
    const r1 = await readEvent({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: bad });
    expect(r1.problem).toMatch(/^GITHUB_EVENT_PATH: /);
    const r2 = await readEvent({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: path.join(dir, 'missing'),
    });
    expect(r2.problem).toContain('ENOENT');
    const wrongTypes = path.join(dir, 'types.json');
    writeFileSync(wrongTypes, JSON.stringify({ pull_request: { number: 'seven' }, commits: 'x' }));
    const r3 = await readEvent({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: wrongTypes });
    expect(r3.event?.prNumber).toBeUndefined();
    expect(r3.event?.changedFiles).toBeUndefined();
  });
});

describe('the bundled Action on a monorepo PR with more errors than GitHub shows', () => {
  let api: FakeGitHub;
  let ws: string;
  const MODELS = 12; // 2 errors each: 24 errors for 10 slots

  beforeAll(async () => {
    await buildOnce();
    ws = tempDir('lg-mono-');
    for (let i = 0; i < MODELS; i++) {
      const dir = path.join(ws, 'models', `m${String(i).padStart(2, '0')}`);
      mkdirSync(dir, { recursive: true });
      writeUndeclared(dir);
    }
  }, 120_000);
  beforeEach(async () => {
    // The PR touched the last model's card only (and a file outside the checked directory).
    api = await startFakeGitHub({ prFiles: { 3: ['models/m11/README.md', 'docs/unrelated.md'] } });
  });
  afterEach(async () => api.close());

  /** The bundled Action on the checked-out monorepo, for pull request 3. */
  const runOnPr3 = () =>
    runBundledAction({
      action: ACTION,
      workspace: ws,
      inputs: { path: 'models', token: 'ghs_testtoken', comment: 'never' },
      env: runnerEnv(api),
      event: pullRequestEvent(3),
    });

  const errorFiles = (stdout: string) =>
    [...stdout.matchAll(/^::error title=[^,]*,file=([^,]+),line=\d+::/gm)].map((m) => m[1]);

  test('the changed model’s errors are annotated first; the summary counts what was not shown', async () => {
    const r = await runOnPr3();
    expect(r.code).toBe(1);
    expect(api.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'GET /repos/acme/models/pulls/3/files',
    ]);
    const files = errorFiles(r.stdout);
    expect(files).toHaveLength(ANNOTATIONS_PER_SEVERITY);
    expect(files.slice(0, 2)).toEqual(['models/m11/README.md', 'models/m11/README.md']);
    // Without the PR's files, m11 (last in report order) would not get a slot at all.
    const errors = Number(r.outputs.errors);
    expect(errors).toBe(2 * MODELS);
    const warnings = Number(r.outputs.warnings);
    const hidden = errors - ANNOTATIONS_PER_SEVERITY + Math.max(0, warnings - ANNOTATIONS_PER_SEVERITY);
    expect(r.summary).toContain(`> ${hidden} more annotations were not shown`);
    expect(r.summary).toContain('| model | verdict | errors | warnings | bases |');
  });

  test('when the file list cannot be had, annotations still go out, ordered by severity', async () => {
    api.failWith('GET', /\/files$/, 403);
    const r = await runOnPr3();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("could not list the pull request's files (HTTP 403");
    const files = errorFiles(r.stdout);
    expect(files).toHaveLength(ANNOTATIONS_PER_SEVERITY);
    expect(files[0]).toBe('models/m00/README.md');
    expect(files).not.toContain('models/m11/README.md');
  });
});
