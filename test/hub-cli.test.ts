// The bundled CLI and Action (dist/) against a local Hub: `check --hub` gives what a local check
// of the same files gives; Hub failures are one line and exit 2; the token is never printed.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ACTION, buildOnce, CLI, ROOT } from './helpers/bundle.js';
import { DEEPSEEK_V3_CONFIG, MIT_NOTICE, tempDir } from './helpers/fixtures.js';
import { shaOf, startHubServer, type HubServer } from './helpers/hub-server.js';
import { reportValidator } from './helpers/schema.js';
import type { Report } from '../src/types.js';

const validate = reportValidator();
const TOKEN = 'hf_cliSECRETvalue0123456789';

const FILES = {
  'config.json': JSON.stringify(DEEPSEEK_V3_CONFIG, null, 2),
  'README.md': '---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n\n# Acme Chat 600B\n',
};
const ATTRIBUTED = {
  'config.json': JSON.stringify(DEEPSEEK_V3_CONFIG, null, 2),
  'README.md': '---\nlicense: mit\nbase_model: deepseek-ai/DeepSeek-V3\n---\n# Acme\n',
  NOTICE: MIT_NOTICE,
};

let hub: HubServer;
let deadEndpoint: string;

/** Runs a bundle as a child process. Asynchronously: the Hub it talks to lives in this process. */
function run(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd = ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function cli(args: string[], env: Record<string, string> = {}) {
  return run(CLI, args, { PATH: process.env.PATH ?? '', HOME: tempDir('lg-home-'), ...env });
}

function localDir(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [p, c] of Object.entries(files)) writeFileSync(path.join(dir, p), c);
  return dir;
}

beforeAll(async () => {
  await buildOnce();
  hub = await startHubServer({
    'org/undeclared': { files: FILES },
    'org/attributed': { files: ATTRIBUTED },
    'org/gated': { files: {}, status: 403 },
  });
  const dead = http.createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  deadEndpoint = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
  await new Promise<void>((r) => dead.close(() => r()));
}, 120_000);
afterAll(() => hub.close());

describe('lineage-gate check --hub (bundled)', () => {
  test.each([
    ['org/undeclared', FILES, 1],
    ['org/attributed', ATTRIBUTED, 0],
  ])(
    '%s: same verdict, lineage and findings as the same files checked locally',
    async (repo, files, code) => {
      const env = { HF_ENDPOINT: hub.url, LINEAGE_GATE_CACHE: tempDir('lg-cache-') };
      const remote = await cli(['check', '--hub', repo, '--format', 'json'], env);
      const local = await cli(['check', localDir(files), '--format', 'json'], env);
      expect(remote.stderr).toBe('');
      expect(remote.code).toBe(code);
      expect(local.code).toBe(code);
      const r = JSON.parse(remote.stdout) as Report;
      const l = JSON.parse(local.stdout) as Report;
      expect(validate(r)).toBe(true);
      expect(r.target).toEqual({ kind: 'hub', repo, revision: shaOf(repo) });
      expect(r.verdict).toBe(l.verdict);
      expect(r.models).toEqual(l.models);
    },
  );

  test('a dead network is one error line and exit 2', async () => {
    const r = await cli(['check', '--hub', 'org/undeclared'], { HF_ENDPOINT: deadEndpoint, HF_TOKEN: TOKEN });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('lineage-gate: org/undeclared@main: cannot reach the Hub (ECONNREFUSED)\n');
  });

  test('a gated Hub target with a token: one line, exit 2, the token printed nowhere', async () => {
    const r = await cli(['check', '--hub', 'org/gated', '--debug'], {
      HF_ENDPOINT: hub.url,
      HF_TOKEN: TOKEN,
    });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(
      /^lineage-gate: org\/gated@main: HTTP 403: access denied \(gated/,
    );
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(hub.log.some((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  test('--offline without a cached copy: one line naming the cache, exit 2, no request', async () => {
    const cache = tempDir('lg-cache-');
    hub.log.length = 0;
    const r = await cli(['check', '--hub', 'org/undeclared', '--offline', '--cache-dir', cache], {
      HF_ENDPOINT: hub.url,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `lineage-gate: org/undeclared@main: not in the cache (${cache}); run once without --offline to fill it\n`,
    );
    expect(hub.log).toEqual([]);
  });

  test.each([
    [
      ['check', '--hub', 'not a repo'],
      /^lineage-gate: not a Hub repo id \(expected ORG\/NAME\[@REV\]\): 'not a repo'\n$/,
    ],
    [['check', '.', '--hub', 'org/x'], /^lineage-gate: give DIR or --hub, not both\n$/],
    [['check', '--hub', 'org/x@a b'], /^lineage-gate: not a valid revision: 'a b'\n$/],
  ])('usage mistakes exit 2 with one line: %j', async (args, line) => {
    const r = await cli(args, { HF_ENDPOINT: hub.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(line);
  });

  test('a bad HF_ENDPOINT is one line, exit 2', async () => {
    const r = await cli(['check', '--hub', 'org/x'], { HF_ENDPOINT: 'ftp://example' });
    expect(r).toMatchObject({
      code: 2,
      stderr: "lineage-gate: HF_ENDPOINT must be an http(s) URL (got 'ftp:')\n",
    });
  });

  test('a local repo declaring a gated upstream: a note on stderr and in the report, not a crash', async () => {
    const dir = localDir({
      'README.md': '---\nlicense: mit\nbase_model: org/gated\n---\n# X\n',
      LICENSE: MIT_NOTICE,
    });
    const r = await cli(['check', dir, '--format', 'json'], {
      HF_ENDPOINT: hub.url,
      LINEAGE_GATE_CACHE: tempDir(),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^lineage-gate: note: cannot verify upstream org\/gated: gated \(HTTP 403/);
    const report = JSON.parse(r.stdout) as Report;
    expect(validate(report)).toBe(true);
    expect(report.models[0].upstreams).toEqual([
      expect.objectContaining({ id: 'org/gated', status: 'gated', license: null, via: 'README.md:3' }),
    ]);
  });
});

describe('the Action with hub-repo (bundled)', () => {
  test('checks the Hub repo, masks the hf-token, writes the outputs', async () => {
    const temp = tempDir('lg-runner-');
    const outputFile = path.join(temp, 'output');
    writeFileSync(outputFile, '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: temp,
      GITHUB_WORKSPACE: temp,
      GITHUB_OUTPUT: outputFile,
      RUNNER_TEMP: temp,
      HF_ENDPOINT: hub.url,
      'INPUT_HUB-REPO': 'org/undeclared',
      'INPUT_HF-TOKEN': TOKEN,
      'INPUT_FAIL-ON': 'error',
      INPUT_COMMENT: 'never',
      'INPUT_SARIF-FILE': 'out/lineage-gate.sarif',
      'INPUT_CACHE-DIR': 'hub-cache',
    };
    const r = await run(ACTION, [], env, temp);
    expect(r.code).toBe(1);
    // The Hub repo's files are not in the workspace: annotations name them on the Hub, with no file=.
    const blob = `${hub.url}/org/undeclared/blob/${shaOf('org/undeclared')}/`;
    const annotations = r.stdout.split('\n').filter((l) => /^::(error|warning|notice)[ :]/.test(l));
    expect(annotations.length).toBeGreaterThan(0);
    for (const line of annotations) expect(line).not.toMatch(/file=/);
    expect(annotations.some((l) => l.includes(`${blob}README.md`))).toBe(true);
    const sarif = JSON.parse(readFileSync(path.join(temp, 'out/lineage-gate.sarif'), 'utf8')) as {
      runs: {
        results: { locations: { physicalLocation: { artifactLocation: Record<string, string> } }[] }[];
      }[];
    };
    const locations = sarif.runs[0].results.map((x) => x.locations[0].physicalLocation.artifactLocation);
    expect(locations.length).toBeGreaterThan(0);
    for (const loc of locations) {
      expect(loc.uri.startsWith(blob)).toBe(true);
      expect(loc.uriBaseId).toBeUndefined();
    }
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(r.stdout.replace(`::add-mask::${TOKEN}`, '')).not.toContain(TOKEN);
    // The cache-dir input (workspace-relative) holds what was read from the Hub.
    expect(readdirSync(path.join(temp, 'hub-cache/hub/v1')).length).toBeGreaterThan(0);
    const outputs = readFileSync(outputFile, 'utf8');
    expect(outputs).toMatch(/verdict<<.*\nfail\n/);
    const report = JSON.parse(readFileSync(path.join(temp, 'lineage-gate-report.json'), 'utf8')) as Report;
    expect(report.target).toEqual({ kind: 'hub', repo: 'org/undeclared', revision: shaOf('org/undeclared') });
    expect(report.models[0].lineage[0]).toMatchObject({ base: 'deepseek-ai/DeepSeek-V3', declared: false });
  });

  test('a gated hub-repo fails the step with one line, not an internal error', async () => {
    const temp = tempDir('lg-runner-');
    writeFileSync(path.join(temp, 'output'), '');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: temp,
      GITHUB_WORKSPACE: temp,
      GITHUB_OUTPUT: path.join(temp, 'output'),
      RUNNER_TEMP: temp,
      HF_ENDPOINT: hub.url,
      'INPUT_HUB-REPO': 'org/gated',
      INPUT_COMMENT: 'never',
    };
    const r = await run(ACTION, [], env, temp);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::Lineage Gate: org\/gated@main: HTTP 403: access denied/);
    expect(r.stdout).not.toContain('internal error');
  });
});
