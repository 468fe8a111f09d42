// The policy file end to end through the bundles: `dist/cli.js --policy FILE` and the Action
// (`dist/index.js`) reading `.github/lineage-gate.yml` by default.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ACTION, buildOnce, CLI, stepEnv } from './helpers/bundle.js';
import { tempDir, writeUndeclared } from './helpers/fixtures.js';
import { reportValidator } from './helpers/schema.js';
import type { Report } from '../src/types.js';

const validate = reportValidator();

function cli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runAction(workspace: string, inputs: Record<string, string>) {
  const { env, temp, outputFile } = stepEnv(workspace, inputs);
  const r = spawnSync(process.execPath, [ACTION], { cwd: workspace, env, encoding: 'utf8', timeout: 30_000 });
  const outputs = readFileSync(outputFile, 'utf8');
  const verdict = /^verdict<<(.+)\n(.*)\n\1$/m.exec(outputs)?.[2];
  const reportFile = path.join(temp, 'lineage-gate-report.json');
  return { code: r.status, stdout: r.stdout, verdict, reportFile };
}

/** A repo with an undeclared DeepSeek-V3 in models/x and the given policy at .github/lineage-gate.yml. */
function repo(policy?: string): string {
  const root = tempDir('lg-pol-e2e-');
  const model = path.join(root, 'models/x');
  mkdirSync(model, { recursive: true });
  writeUndeclared(model);
  if (policy !== undefined) {
    mkdirSync(path.join(root, '.github'));
    writeFileSync(path.join(root, '.github/lineage-gate.yml'), policy);
  }
  return root;
}

const exceptions = (expires: string) =>
  [
    'exceptions:',
    '  - rule: undeclared-base',
    '    path: models/x',
    '    reason: Repackaging approved by legal',
    `    expires: "${expires}"`,
    '  - rule: missing-upstream-license',
    '    base: deepseek-ai/DeepSeek-V3',
    '    reason: MIT text ships in the archive',
    '  - rule: license-conflict',
    '    path: "models/**"',
    '    reason: Weights are the MIT release',
  ].join('\n') + '\n';

beforeAll(async () => {
  await buildOnce();
}, 120_000);

describe('lineage-gate check --policy (bundled)', () => {
  test('live exceptions pass with exit 0; the JSON report records what they suppressed', () => {
    const root = repo();
    writeFileSync(path.join(root, 'policy.yml'), exceptions('2999-12-31'));
    const { code, stdout, stderr } = cli(['check', '.', '--policy', 'policy.yml', '--format', 'json'], root);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(validate(report)).toBe(true);
    expect(report.verdict).toBe('pass');
    const x = report.models.find((m) => m.path === 'models/x')!;
    expect(x.suppressed?.find((s) => s.rule === 'undeclared-base')?.exception).toEqual({
      reason: 'Repackaging approved by legal',
      expires: '2999-12-31',
    });
  });

  test('an expired exception fails with exit 1 and a finding that names the exception and its date', () => {
    const root = repo();
    writeFileSync(path.join(root, 'policy.yml'), exceptions('2020-06-30'));
    const { code, stdout } = cli(['check', '.', '--policy', 'policy.yml'], root);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toMatch(/^Lineage Gate: FAIL \(1 error/);
    expect(stdout).toMatch(
      /error {2}undeclared-base {2}.*\(exception "Repackaging approved by legal" for undeclared-base on models\/x expired on 2020-06-30\)/,
    );
    // The live ones are listed as suppressed, with their reasons.
    expect(stdout).toContain('suppressed by policy exceptions (not counted): 2');
    expect(stdout).toContain('exception: MIT text ships in the archive');
  });

  test('DIR/.github/lineage-gate.yml is used by default; --fail-on overrides its fail-on', () => {
    const root = repo('fail-on: never\n');
    expect(cli(['check', '.'], root).code).toBe(0);
    expect(cli(['check', root], tempDir()).code).toBe(0);
    const r = cli(['check', '.', '--fail-on', 'error', '--format', 'json'], root);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as Report).failOn).toBe('error');
  });

  test('a policy with a schema error exits 2 with one line naming file and line', () => {
    const root = repo();
    writeFileSync(
      path.join(root, 'policy.yml'),
      '# team policy\nfail-on: error\nrules:\n  undeclared-base: fatal\n',
    );
    const { code, stdout, stderr } = cli(['check', '.', '--policy', 'policy.yml'], root);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'lineage-gate: policy policy.yml:4: rules.undeclared-base must be one of error, warning, notice, off\n',
    );
  });

  test('a missing --policy file exits 2', () => {
    const { code, stderr } = cli(['check', '.', '--policy', 'nope.yml'], repo());
    expect(code).toBe(2);
    expect(stderr).toBe('lineage-gate: policy nope.yml: does not exist\n');
  });
});

describe('the bundled Action and .github/lineage-gate.yml', () => {
  test('reads the default policy file: exceptions turn the failing repo green', () => {
    const r = runAction(repo(exceptions('2999-12-31')), {});
    expect(r.stdout).not.toMatch(/^::error/m);
    expect(r.code).toBe(0);
    expect(r.verdict).toBe('pass');
    const report = JSON.parse(readFileSync(r.reportFile, 'utf8')) as Report;
    expect(validate(report)).toBe(true);
    expect(report.models[0].suppressed).toHaveLength(3);
  });

  test('an expired exception in the default file fails the step, naming the exception and date', () => {
    const r = runAction(repo(exceptions('2021-01-01')), {});
    expect(r.code).toBe(1);
    expect(r.verdict).toBe('fail');
    expect(r.stdout).toMatch(/^::error title=Lineage Gate%3A undeclared-base.*expired on 2021-01-01\)/m);
  });

  test('the fail-on input overrides the file; unset, the file decides', () => {
    const ws = repo('fail-on: never\n');
    expect(runAction(ws, {}).code).toBe(0);
    expect(runAction(ws, { 'fail-on': 'error' }).code).toBe(1);
  });

  test('the policy input names another file; an invalid policy fails with one line', () => {
    const ws = repo();
    mkdirSync(path.join(ws, 'ci'));
    writeFileSync(path.join(ws, 'ci/gate.yml'), 'fail-on: never\n');
    expect(runAction(ws, { policy: 'ci/gate.yml' }).code).toBe(0);
    writeFileSync(path.join(ws, 'ci/gate.yml'), 'fail-on: never\nignore: models/**\n');
    const r = runAction(ws, { policy: 'ci/gate.yml' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error::Lineage Gate: policy ci\/gate\.yml:2: ignore must be a list, not a string$/m,
    );
    expect(r.verdict).toBeUndefined();
  });
});
