// Runs the bundled CLI (dist/cli.js) the way a user does, against model repos in temp dirs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildOnce, CLI, ROOT } from './helpers/bundle.js';
import { tempDir, writeAttributed, writeUndeclared } from './helpers/fixtures.js';
import { reportValidator } from './helpers/schema.js';
import type { Report } from '../src/types.js';

const validate = reportValidator();

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function rules(report: Report): string[] {
  return report.models.flatMap((m) => m.findings.map((f) => f.rule));
}

let undeclared: string;
let attributed: string;

beforeAll(async () => {
  await buildOnce();
  undeclared = writeUndeclared(tempDir());
  attributed = writeAttributed(tempDir());
}, 120_000);

describe('lineage-gate check (bundled)', () => {
  test('repackaged DeepSeek-V3 without attribution fails with exit 1 and a valid JSON report', () => {
    const { code, stdout, stderr } = cli(['check', undeclared, '--format', 'json']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as Report;
    expect(validate(report)).toBe(true);
    expect(report.verdict).toBe('fail');
    expect(rules(report)).toEqual(expect.arrayContaining(['undeclared-base', 'missing-upstream-license']));
    const undeclaredBase = report.models.flatMap((m) => m.findings).find((f) => f.rule === 'undeclared-base');
    expect(undeclaredBase?.base).toBe('deepseek-ai/DeepSeek-V3');
    expect(report.models[0].lineage[0]).toMatchObject({
      base: 'deepseek-ai/DeepSeek-V3',
      strength: 'strong',
    });
    expect(report.summary.errors).toBeGreaterThanOrEqual(2);
  });

  test('the same weights with base_model and the upstream MIT notice pass with exit 0', () => {
    const { code, stdout } = cli(['check', attributed, '--format', 'json']);
    const report = JSON.parse(stdout) as Report;
    expect(report.summary.errors).toBe(0);
    expect(report.verdict).toBe('pass');
    expect(code).toBe(0);
    expect(report.models[0].lineage[0]).toMatchObject({ base: 'deepseek-ai/DeepSeek-V3', declared: true });
  });

  test('DIR defaults to the working directory; text output starts with the verdict', () => {
    const { code, stdout } = cli(['check'], undeclared);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toMatch(/^Lineage Gate: FAIL/);
    // The finding points at the file to change (the card or the config), with a line.
    expect(stdout).toMatch(/\n {2}(README\.md|config\.json):\d+ {2}error {2}undeclared-base {2}/);
    expect(stdout).toMatch(/\n {4}fix: /);
  });

  test('--fail-on never turns the failure into a pass', () => {
    const { code, stdout } = cli(['check', undeclared, '--format', 'json', '--fail-on', 'never']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.failOn).toBe('never');
    expect(report.verdict).toBe('pass');
  });

  test('--output writes the report to the file and prints one verdict line', () => {
    const out = path.join(tempDir(), 'report.md');
    const { code, stdout } = cli(['check', undeclared, '--format', 'markdown', '--output', out]);
    expect(code).toBe(1);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).toMatch(/^Lineage Gate: fail \(\d+ errors/);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('## ❌ Lineage Gate: fail');
  });

  test('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const { code, stdout } = cli(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`lineage-gate ${pkg.version}\n`);
  });

  test('--help prints usage and exits 0', () => {
    const { code, stdout } = cli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: lineage-gate check [DIR]');
  });

  test.each([
    [['check', '--frobnicate'], "lineage-gate: Unknown option '--frobnicate'"],
    [['check', '--format', 'xml'], 'lineage-gate: --format must be one of text, json, markdown, sarif'],
    [['check', '--fail-on', 'sometimes'], 'lineage-gate: --fail-on must be one of error, warning, never'],
    [['inspect'], "lineage-gate: unknown command 'inspect'"],
    [[], 'lineage-gate: missing command'],
    [['check', 'a', 'b'], 'lineage-gate: expected at most one DIR'],
    [
      ['check', '--hub', 'bad repo!'],
      "lineage-gate: not a Hub repo id (expected ORG/NAME[@REV]): 'bad repo!'",
    ],
    [['check', '--policy', 'p.yml'], 'lineage-gate: policy p.yml: does not exist'],
  ])('usage error %j exits 2 with one stderr line and no stack', (args, expected) => {
    const { code, stdout, stderr } = cli(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.startsWith(expected)).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  test('a missing DIR exits 2 naming it', () => {
    const missing = path.join(tempDir(), 'no-such-model');
    const { code, stderr } = cli(['check', missing]);
    expect(code).toBe(2);
    expect(stderr).toBe(`lineage-gate: no such directory: ${missing}\n`);
  });

  test('a file given as DIR exits 2', () => {
    const { code, stderr } = cli(['check', path.join(undeclared, 'config.json')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^lineage-gate: not a directory: .*config\.json\n$/);
  });
});
