// What hostile repos can make the gate print. File names with control characters, newlines, `%`
// and `::` (GitHub's workflow-command syntax) must be escaped in every output of the bundled CLI and
// Action; and no credential, runner path or outside file's content may appear in any of them.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ACTION } from './helpers/bundle.js';
import { tempDir } from './helpers/fixtures.js';
import { hostileSuite, OUTSIDE_MARKER, PLAIN_CARD, runCli, write } from './helpers/hostile.js';
import type { Report } from '../src/types.js';

/** A model directory name that tries everything: a forged workflow command, ANSI, bidi, HTML, Markdown. */
const ODD_DIR = 'm\n::warning::FORGED-DIR %41 \x1b[2J\u202e <img src=x onerror=alert(1)> | `x` ::';
/** A license-like name with CR LF and a forged error command; made a FIFO so the gate reports it. */
const ODD_FILE = 'LICENSE\r\n::error::FORGED-FILE%0A';

const suite = hostileSuite();

/** A workspace with `repo/` holding the odd names (each producing a malformed-file finding). */
function oddRepo(): { ws: string; repo: string } {
  const { parent: ws, repo } = suite.freshRepo('lg-odd-');
  write(repo, `${ODD_DIR}/config.json`, '{"model_type": ');
  write(repo, `${ODD_DIR}/README.md`, PLAIN_CARD);
  execFileSync('mkfifo', [path.join(repo, ODD_FILE)]);
  return { ws, repo };
}

/** Lines that GitHub's runner would execute as workflow commands. */
const commandLines = (out: string): string[] => out.split(/\r?\n|\r/).filter((l) => /^\s*::/.test(l));

/** Checks shared by every human-readable format. */
function expectInert(out: string): void {
  // No forged command reaches the start of a line, whatever the line-break convention.
  expect(out.split(/\r\n|\r|\n/).filter((l) => /^\s*::/.test(l))).toEqual([]);
  for (const c of ['\x1b', '\u202e', '\r']) expect(out).not.toContain(c);
}

describe('odd file names through dist/cli.js', () => {
  let ws: string;
  beforeAll(() => {
    ({ ws } = oddRepo());
  });

  test('json keeps the names exactly (JSON escaping is lossless)', () => {
    const r = runCli(['check', 'repo', '--format', 'json'], { cwd: ws });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(commandLines(r.stdout)).toEqual([]);
    const report = JSON.parse(r.stdout) as Report;
    const files = report.models.flatMap((m) =>
      m.findings.filter((f) => f.rule === 'malformed-file').map((f) => f.file),
    );
    expect(files).toEqual(expect.arrayContaining([`${ODD_DIR}/config.json`, ODD_FILE]));
    expect(report.models.map((m) => m.path)).toContain(ODD_DIR);
  });

  test('text: no forged workflow command, no control or bidi characters', () => {
    const r = runCli(['check', 'repo', '--format', 'text'], { cwd: ws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FORGED-DIR');
    expectInert(r.stdout);
  });

  test('markdown: no forged command, no raw HTML, no control characters, table rows intact', () => {
    const r = runCli(['check', 'repo', '--format', 'markdown'], { cwd: ws });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FORGED-DIR');
    expectInert(r.stdout);
    expect(r.stdout).not.toContain('<img');
    // A table row that names the odd directory is still one row: it starts and ends with a pipe.
    for (const line of r.stdout.split('\n').filter((l) => l.includes('FORGED-DIR') && l.startsWith('|'))) {
      expect(line.trimEnd().endsWith('|')).toBe(true);
    }
  });
});

interface ActionRun {
  code: number | null;
  stdout: string;
  summary: string;
  report: string;
  outputs: string;
}

/** Runs dist/index.js as the runner does, with a clean environment plus `extraEnv`. */
function runAction(
  ws: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
): ActionRun {
  const temp = tempDir('lg-runner-');
  suite.track(temp);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(GITHUB_|INPUT_|RUNNER_)/.test(k)) env[k] = v;
  }
  Object.assign(env, extraEnv, {
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: path.join(temp, 'output'),
    GITHUB_STEP_SUMMARY: path.join(temp, 'summary.md'),
    RUNNER_TEMP: temp,
  });
  writeFileSync(env.GITHUB_OUTPUT, '');
  writeFileSync(env.GITHUB_STEP_SUMMARY, '');
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const r = spawnSync(process.execPath, [ACTION], { cwd: ws, env, encoding: 'utf8', timeout: 60_000 });
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  return {
    code: r.status,
    stdout: r.stdout,
    summary: read(env.GITHUB_STEP_SUMMARY),
    report: read(path.join(temp, 'lineage-gate-report.json')),
    outputs: read(env.GITHUB_OUTPUT),
  };
}

/** Undoes @actions/core's escaping of an annotation property value. */
const unescapeProperty = (v: string): string =>
  v
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');

describe('odd file names through dist/index.js (annotations and job summary)', () => {
  let run: ActionRun;
  beforeAll(() => {
    const { ws } = oddRepo();
    run = runAction(ws, { path: 'repo' });
  });

  test('the forged commands never stand at the start of a log line; real annotations name the files', () => {
    expect(run.code).toBe(1);
    const commands = commandLines(run.stdout);
    const forged = commands.filter((l) => /^::(warning|error)::FORGED/.test(l));
    expect(forged).toEqual([]);
    // Every line mentioning a forged text is a real Lineage Gate annotation carrying it as data.
    for (const l of run.stdout.split('\n').filter((x) => x.includes('FORGED'))) {
      expect(l).toMatch(/^::(error|warning|notice) title=Lineage Gate/);
    }
    const files = commands
      .map((l) => /^::\w+ [^:]*?file=([^,:]*)/.exec(l)?.[1])
      .filter((f): f is string => f !== undefined)
      .map(unescapeProperty);
    expect(files.some((f) => f.startsWith('repo/m') && f.endsWith('/config.json'))).toBe(true);
    // A property value that still held a raw line break would end the command early.
    for (const f of files) expect(f).not.toMatch(/[\r\n]/);
  });

  test('the job summary escapes the names', () => {
    expect(run.summary).toContain('FORGED-DIR');
    expectInert(run.summary);
    expect(run.summary).not.toContain('<img');
  });

  test('the JSON report file keeps the names exactly', () => {
    const report = JSON.parse(run.report) as Report;
    expect(report.models.map((m) => m.path)).toContain(ODD_DIR);
  });
});

describe('no leaks: credentials, runner paths, outside content', () => {
  const SECRETS = {
    HF_TOKEN: 'hf_leakcheckHFTOKEN0123456789',
    GITHUB_TOKEN: 'ghs_leakcheckGITHUBTOKEN0123',
    ACTIONS_RUNTIME_TOKEN: 'leakcheck-runtime-token-4567',
  };
  const INPUT_SECRETS = { token: 'ghs_leakcheckINPUTTOKEN89ab', 'hf-token': 'hf_leakcheckINPUTHF0000cdef' };
  let ws: string;
  let home: string;

  beforeAll(() => {
    ws = tempDir('lg-leak-');
    home = tempDir('lg-home-');
    suite.track(ws, home);
    writeFileSync(path.join(home, '.netrc'), `machine example.com password ${OUTSIDE_MARKER}\n`);
    const repo = path.join(ws, 'repo');
    mkdirSync(path.join(repo, 'models/a'), { recursive: true });
    write(repo, 'models/a/README.md', PLAIN_CARD);
    write(repo, 'models/a/config.json', '{"model_type": "acme", "oops": }');
    symlinkSync('/etc/passwd', path.join(repo, 'models/a/LICENSE'));
    symlinkSync(path.join(suite.outside(), 'config.json'), path.join(repo, 'config.json'));
    symlinkSync(path.join(suite.outside(), 'README.md'), path.join(repo, 'README.md'));
    symlinkSync(path.join(home, '.netrc'), path.join(repo, 'NOTICE'));
    symlinkSync(home, path.join(repo, 'home'));
    symlinkSync(path.join(ws, 'missing-target'), path.join(repo, 'COPYING'));
  });

  function expectClean(out: string, where: string): void {
    const banned = [
      OUTSIDE_MARKER,
      'root:x:0:0',
      ws,
      home,
      suite.outside(),
      ...Object.values(SECRETS),
      ...Object.values(INPUT_SECRETS),
    ];
    for (const b of banned)
      expect({ where, leaked: out.includes(b) ? b : null }).toEqual({ where, leaked: null });
  }

  test.each(['json', 'text', 'markdown'])('CLI --format %s', (format) => {
    const env = { ...process.env, ...SECRETS, HOME: home };
    const r = runCli(['check', 'repo', '--format', format], { cwd: ws, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('LICENSE');
    expectClean(r.stdout + r.stderr, `stdout/stderr of --format ${format}`);
  });

  test('CLI --output FILE writes a clean report and prints a clean line', () => {
    const out = path.join(ws, 'report.json');
    const env = { ...process.env, ...SECRETS, HOME: home };
    const r = runCli(['check', 'repo', '--format', 'json', '--output', 'report.json'], { cwd: ws, env });
    expect(r.code).toBe(1);
    expectClean(r.stdout + r.stderr, 'verdict line');
    expectClean(readFileSync(out, 'utf8'), 'report file');
  });

  test('Action: annotations, log, job summary, outputs and report file', () => {
    const run = runAction(ws, { path: 'repo', ...INPUT_SECRETS }, { ...SECRETS, HOME: home });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error title=Lineage Gate%3A malformed-file/m);
    // The input tokens appear once each, in the command that masks them; nowhere else.
    const log = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expectClean(log, 'Action log and annotations');
    expectClean(run.summary, 'job summary');
    expectClean(run.report, 'report file');
    // report-file is the one output that names a runner path, by design (RUNNER_TEMP).
    expectClean(
      run.outputs
        .split('\n')
        .filter((l) => !l.includes('lineage-gate-report.json'))
        .join('\n'),
      'outputs',
    );
  });
});
