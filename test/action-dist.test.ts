// Runs the bundled Action (dist/index.js) the way the runner does: inputs as INPUT_* variables
// (hyphens kept, upper-cased), outputs and the job summary through the files the runner provides.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { INPUT_NAMES } from '../src/action-inputs.js';
import { ACTION, buildOnce, ROOT, stepEnv } from './helpers/bundle.js';
import { tempDir, writeAttributed, writeUndeclared } from './helpers/fixtures.js';
import { reportValidator } from './helpers/schema.js';
import type { Report } from '../src/types.js';

const validate = reportValidator();

interface Run {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string | undefined;
  temp: string;
}

/** Parses the runner's GITHUB_OUTPUT file (`name<<DELIM\nvalue\nDELIM`). */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]] = m[3];
  return out;
}

function runAction(workspace: string, inputs: Record<string, string>, opts: { summary?: boolean } = {}): Run {
  const { env, temp, outputFile, summaryFile } = stepEnv(workspace, inputs, opts);
  const r = spawnSync(process.execPath, [ACTION], { cwd: workspace, env, encoding: 'utf8', timeout: 30_000 });
  return {
    code: r.status,
    stdout: r.stdout,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: opts.summary === false ? undefined : readFileSync(summaryFile, 'utf8'),
    temp,
  };
}

/** A workspace with the model in a subdirectory, as in a monorepo. */
function workspaceWith(write: (dir: string) => string): string {
  const ws = tempDir('lg-ws-');
  const model = path.join(ws, 'models', 'acme');
  mkdirSync(model, { recursive: true });
  write(model);
  return ws;
}

let failing: string;
let passing: string;

beforeAll(async () => {
  await buildOnce();
  failing = workspaceWith(writeUndeclared);
  passing = workspaceWith(writeAttributed);
}, 120_000);

describe('dist/index.js as the runner runs it', () => {
  test('an undeclared DeepSeek-V3 base fails the step with annotations, outputs and a summary', () => {
    const r = runAction(failing, { path: 'models/acme', 'fail-on': 'error', token: 'ghs_notarealtoken123' });
    expect(r.code).toBe(1);
    // Annotation paths are workspace-relative: the `path` input is prefixed.
    expect(r.stdout).toMatch(
      /^::error title=Lineage Gate%3A undeclared-base[^,]*,file=models\/acme\/(README\.md|config\.json),line=\d+::/m,
    );
    expect(r.stdout).toMatch(/^::error title=Lineage Gate%3A missing-upstream-license/m);
    expect(r.stdout).toMatch(/^::error::Lineage Gate: \d+ errors?, \d+ warnings? \(fail-on: error\)/m);

    expect(r.outputs.verdict).toBe('fail');
    expect(Number(r.outputs.errors)).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(r.outputs.bases)).toContain('deepseek-ai/DeepSeek-V3');

    expect(r.outputs['report-file']).toBe(path.join(r.temp, 'lineage-gate-report.json'));
    const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8')) as Report;
    expect(validate(report)).toBe(true);
    expect(report.verdict).toBe('fail');
    expect(String(report.summary.errors)).toBe(r.outputs.errors);
    expect(String(report.summary.warnings)).toBe(r.outputs.warnings);

    expect(r.summary?.split('\n')[0]).toBe('## ❌ Lineage Gate: fail');
    expect(r.summary).toContain('undeclared-base');

    // The token is registered as a secret and printed nowhere else.
    expect(r.stdout).toContain('::add-mask::ghs_notarealtoken123');
    expect(r.stdout.split('ghs_notarealtoken123')).toHaveLength(2);
  });

  test('the attributed repo passes: exit 0, verdict pass, bases output', () => {
    const r = runAction(passing, { path: 'models/acme', 'fail-on': 'error' });
    expect(r.stdout).not.toMatch(/^::error/m);
    expect(r.code).toBe(0);
    expect(r.outputs.verdict).toBe('pass');
    expect(r.outputs.errors).toBe('0');
    expect(JSON.parse(r.outputs.bases)).toEqual(['deepseek-ai/DeepSeek-V3']);
    expect(r.summary?.split('\n')[0]).toBe('## ✅ Lineage Gate: pass');
  });

  test('inputs left empty take the defaults (path ., fail-on error)', () => {
    const ws = writeUndeclared(tempDir('lg-ws-'));
    const r = runAction(ws, {});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error title=Lineage Gate%3A undeclared-base[^,]*,file=(README\.md|config\.json),line=\d+::/m,
    );
    expect(r.outputs.verdict).toBe('fail');
  });

  test('fail-on never lets the step pass but still annotates', () => {
    const r = runAction(failing, { path: 'models/acme', 'fail-on': 'never' });
    expect(r.code).toBe(0);
    expect(r.outputs.verdict).toBe('pass');
    expect(r.stdout).toMatch(/^::error title=Lineage Gate%3A undeclared-base/m);
  });

  test('without GITHUB_STEP_SUMMARY the summary goes to the log instead of crashing', () => {
    const r = runAction(failing, { path: 'models/acme' }, { summary: false });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('GITHUB_STEP_SUMMARY is not set');
    expect(r.stdout).toContain('## ❌ Lineage Gate: fail');
    expect(r.outputs.verdict).toBe('fail');
  });

  test('a bad fail-on value fails with a message naming the input', () => {
    const r = runAction(failing, { path: 'models/acme', 'fail-on': 'sometimes' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "::error::Lineage Gate: input 'fail-on' must be one of error, warning, never (got 'sometimes')",
    );
    expect(r.outputs.verdict).toBeUndefined();
  });

  test('a bad offline value fails naming the input', () => {
    const r = runAction(failing, { path: 'models/acme', offline: 'maybe' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("::error::Lineage Gate: input 'offline' must be true or false");
  });

  test('a path that does not exist fails naming the input', () => {
    const r = runAction(failing, { path: 'models/nope' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("::error::Lineage Gate: input 'path': models/nope is not a directory");
    expect(existsSync(path.join(r.temp, 'lineage-gate-report.json'))).toBe(false);
  });
});

describe('action.yml', () => {
  test('declares exactly the inputs the Action reads and the outputs a run writes', () => {
    const manifest = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
      runs: { using: string; main: string };
    };
    expect(Object.keys(manifest.inputs).sort()).toEqual([...INPUT_NAMES].sort());
    const run = runAction(writeAttributed(tempDir()), { comment: 'never' });
    expect(run.code).toBe(0);
    expect(Object.keys(manifest.outputs).sort()).toEqual(Object.keys(run.outputs).sort());
    expect(manifest.runs.main).toBe('dist/index.js');
  });
});
