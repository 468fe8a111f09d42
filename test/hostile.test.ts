// The hostile corpus: each hand-made repo goes through the bundled CLI as a child process, which
// must finish within its wall-clock and peak-RSS bounds with its expected finding, and must print
// nothing from outside the repo in any format.
import path from 'node:path';
import {
  CORE_CASES,
  manyFiles,
  DEFAULT_MAX_MS,
  DEFAULT_MAX_RSS_MIB,
  hostileSuite,
  OUTSIDE_MARKER,
  PLAIN_CARD,
  PLAIN_CONFIG,
  runCli,
  WEIGHTS_CASES,
  write,
  type HostileCase,
} from './helpers/hostile.js';
import { reportValidator } from './helpers/schema.js';
import type { Report } from '../src/types.js';

const validate = reportValidator();
const suite = hostileSuite();
const { freshRepo } = suite;

/** Text that must never reach a report: another file's content, /etc/passwd, the runner's paths. */
function expectNoOutsideContent(output: string, parent: string): void {
  expect(output).not.toContain(OUTSIDE_MARKER);
  expect(output).not.toContain('root:x:0:0');
  expect(output).not.toContain(suite.outside());
  expect(output).not.toContain(parent);
}

function brief(report: Report) {
  return report.models.flatMap((m) =>
    m.findings.map((f) => ({ rule: f.rule, file: f.file ?? null, message: f.message })),
  );
}

function check(c: HostileCase, timeMs = c.maxMs ?? DEFAULT_MAX_MS): void {
  const { parent, repo } = freshRepo();
  c.build(repo, suite.outside());
  const r = runCli(['check', 'repo', '--format', 'json'], { cwd: parent, killAfterMs: timeMs + 30_000 });
  expect({ killed: r.killed, stderr: r.stderr }).toEqual({ killed: false, stderr: '' });
  expect([0, 1]).toContain(r.code);
  const report = JSON.parse(r.stdout) as Report;
  expect(validate(report)).toBe(true);
  const findings = brief(report);
  for (const e of c.expect) {
    expect(findings).toContainEqual({
      rule: 'malformed-file',
      file: e.file ?? null,
      message: expect.stringMatching(e.message),
    });
  }
  if (c.verdict) expect(report.verdict).toBe(c.verdict);
  expect(r.ms).toBeLessThan(timeMs);
  expect(r.maxRssKiB / 1024).toBeLessThan(c.maxRssMiB ?? DEFAULT_MAX_RSS_MIB);
  expectNoOutsideContent(r.stdout, parent);
  // The other formats read the same evidence: no outside content there either, same exit status.
  for (const format of c.allFormats ? ['text', 'markdown'] : []) {
    const o = runCli(['check', 'repo', '--format', format], { cwd: parent, killAfterMs: timeMs + 30_000 });
    expect(o.code).toBe(r.code);
    expectNoOutsideContent(o.stdout + o.stderr, parent);
  }
}

describe('hostile repos through dist/cli.js', () => {
  test.each(CORE_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => check(c));

  test('200,000 files: the listing stops at its bound and says so; the run stays bounded', () => {
    const { parent, repo } = freshRepo();
    manyFiles(path.join(repo, 'data'), 200_000);
    write(repo, 'config.json', PLAIN_CONFIG);
    write(repo, 'README.md', PLAIN_CARD);
    const r = runCli(['check', 'repo', '--format', 'json'], { cwd: parent, killAfterMs: 90_000 });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(brief(report)).toContainEqual({
      rule: 'malformed-file',
      file: null,
      message: 'The repository was not read completely: stopped listing after 50000 files.',
    });
    expect(report.verdict).toBe('fail');
    expect(r.ms).toBeLessThan(30_000);
    expect(r.maxRssKiB / 1024).toBeLessThan(300);
  }, 180_000);
});

// These go through the safetensors, GGUF and tokenizer reading of src/evidence/collect.ts: without
// it they would fail for lack of the finding, not for a crash or a bound.
describe('hostile weight and tokenizer files through dist/cli.js', () => {
  test.each(WEIGHTS_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => check(c));
});
