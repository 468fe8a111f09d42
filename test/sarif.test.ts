// SARIF 2.1.0 output, validated against the official OASIS schema with ajv (draft-07) and
// ajv-formats (the schema's uri / uri-reference / date-time formats are checked, not ignored).
//
// test/fixtures/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 JSON schema
// ($id https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json,
// draft-07, the committee-specification version of
// oasis-tcs/sarif-spec Documents/CommitteeSpecifications/2.1.0/sarif-schema-2.1.0.json). It was
// taken from the npm package @datadog/datadog-ci-plugin-sarif@5.25.0, which embeds that file
// (src/json-schema/sarif-schema-2.1.0.json) in dist/bundle.js; the embedded object was evaluated
// as data and written out with 2-space indentation (the key order is the original's). Spot checks
// against the OASIS file: same root (`version` is `enum ["2.1.0"]` without `type`, `runs` of type
// `array`), the same 52 definitions, identical `webResponse`/`toolComponentReference` texts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { ACTION, buildOnce, CLI, ROOT } from './helpers/bundle.js';
import { tempDir, writeUndeclared } from './helpers/fixtures.js';
import { runBundledAction } from './helpers/github-server.js';
import { runGate } from '../src/gate.js';
import { createLocalSource } from '../src/sources/local.js';
import { RULES } from '../src/rules/index.js';
import { docsPath, docsUrl, REPO_URL } from '../src/report/links.js';
import {
  buildSarif,
  findingFingerprint,
  FINGERPRINT_KEY,
  formatSarif,
  type SarifLog,
} from '../src/report/sarif.js';
import type { Finding } from '../src/types.js';
import { RULE_IDS } from '../src/types.js';
import { reportOf } from './helpers/reports.js';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateSarif = ajv.compile(schema);

function expectValid(log: unknown): void {
  const ok = validateSarif(log);
  if (!ok) throw new Error(JSON.stringify(validateSarif.errors?.slice(0, 5), null, 2));
  expect(ok).toBe(true);
}

/** A rule's doc page on disk, from the helpUri (which must be this repo's blob URL). */
function docFileOf(helpUri: string): string {
  const prefix = `${REPO_URL}/blob/main/`;
  expect(helpUri.startsWith(prefix)).toBe(true);
  return path.join(ROOT, helpUri.slice(prefix.length));
}

const reportWith = reportOf;

const base: Finding = {
  rule: 'undeclared-base',
  severity: 'error',
  base: 'deepseek-ai/DeepSeek-V3',
  file: 'README.md',
  line: 2,
  message:
    'The weights derive from deepseek-ai/DeepSeek-V3 (config.json:13), but the repo does not declare it.',
  fix: 'Add base_model: deepseek-ai/DeepSeek-V3',
};

describe('the schema fixture', () => {
  test('is the OASIS 2.1.0 draft-07 schema, and it rejects what it should', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe(
      'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json',
    );
    expect(Object.keys(schema.definitions)).toHaveLength(52);
    const log = buildSarif(reportWith([base])) as unknown as { runs: { results: { level: string }[] }[] };
    log.runs[0].results[0].level = 'fatal';
    expect(validateSarif(log)).toBe(false);
    const noVersion = { ...buildSarif(reportWith([base])), version: undefined };
    expect(validateSarif(JSON.parse(JSON.stringify(noVersion)))).toBe(false);
  });
});

describe('rule docs', () => {
  test('every rule id has its docs/rules/<id>.md, and the registry holds every id', () => {
    const missing = [...new Set([...RULE_IDS, ...RULES.map((r) => r.id)])].filter(
      (id) => !existsSync(path.join(ROOT, docsPath(id))),
    );
    expect(missing).toEqual([]);
    expect(docsUrl('naming')).toBe(`${REPO_URL}/blob/main/docs/rules/naming.md`);
  });
});

describe('SARIF from real example repos', () => {
  const examples = [
    'deepseek-v3-repackaged',
    'llama31-finetune-no-notice',
    'llama-arch-from-scratch',
    'deepseek-v3-attributed',
  ];

  test.each(examples)(
    '%s: validates; one descriptor per gate rule; every result links an existing doc',
    async (name) => {
      const report = await runGate({
        source: createLocalSource(path.join(ROOT, 'examples', name)),
        failOn: 'error',
      });
      const log = JSON.parse(formatSarif(report)) as SarifLog;
      expectValid(log);
      const run = log.runs[0];
      expect(run.tool.driver.rules.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
      for (const r of run.tool.driver.rules) {
        // That each page exists is the 'rule docs' test above; here: the link is the rule's page.
        expect(r.helpUri).toBe(docsUrl(r.id as Finding['rule']));
        expect(docFileOf(r.helpUri)).toBe(path.join(ROOT, docsPath(r.id as Finding['rule'])));
        expect(r.help.markdown).toContain(`](${r.helpUri})`);
        expect(r.help.text.length).toBeGreaterThan(20);
      }
      const findings = report.models.flatMap((m) => m.findings);
      expect(run.results).toHaveLength(findings.length);
      for (const res of run.results) {
        const rule = run.tool.driver.rules[res.ruleIndex];
        expect(rule.id).toBe(res.ruleId);
        expect(existsSync(docFileOf(rule.helpUri))).toBe(true);
        const loc = res.locations[0].physicalLocation;
        expect(loc.artifactLocation.uriBaseId).toBe('%SRCROOT%');
        expect(loc.artifactLocation.uri).not.toMatch(/^\//);
        expect(res.partialFingerprints[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}$/);
      }
      if (name === 'deepseek-v3-repackaged') {
        const undeclared = run.results.find((r) => r.ruleId === 'undeclared-base')!;
        expect(undeclared.level).toBe('error');
        expect(undeclared.locations[0].physicalLocation).toEqual({
          artifactLocation: { uri: 'README.md', uriBaseId: '%SRCROOT%' },
          region: { startLine: 2 },
        });
        expect(undeclared.message.text).toContain('Fix: Add to the front matter of README.md');
      }
    },
  );
});

describe('results', () => {
  test('levels follow severity: error, warning, notice → note', () => {
    const log = buildSarif(
      reportWith([
        base,
        { ...base, severity: 'warning', rule: 'naming' },
        { ...base, severity: 'notice', rule: 'naming', file: 'b.md' },
      ]),
    );
    expectValid(log);
    expect(log.runs[0].results.map((r) => r.level)).toEqual(['error', 'warning', 'note']);
  });

  test('fingerprints ignore line numbers but not the rule, file, base or message', () => {
    const fp = (f: Finding) => findingFingerprint(f, f.file ?? '');
    const moved = { ...base, line: 40, message: base.message.replace('config.json:13', 'config.json:57') };
    expect(fp(moved)).toBe(fp(base));
    expect(fp({ ...base, message: base.message.replace(/\s+/g, '  ') })).toBe(fp(base));
    expect(fp({ ...base, file: 'NOTICE' })).not.toBe(fp(base));
    expect(fp({ ...base, rule: 'missing-notice' })).not.toBe(fp(base));
    expect(fp({ ...base, base: 'meta-llama/Llama-3.1-8B' })).not.toBe(fp(base));
    expect(fp({ ...base, message: 'A different problem.' })).not.toBe(fp(base));
    // Two runs of the same report give the same fingerprints.
    const a = buildSarif(reportWith([base, moved]));
    const b = buildSarif(reportWith([base, moved]));
    expect(a.runs[0].results.map((r) => r.partialFingerprints)).toEqual(
      b.runs[0].results.map((r) => r.partialFingerprints),
    );
    // Identical findings in one run stay distinguishable.
    const [f1, f2] = a.runs[0].results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(f2).toBe(`${f1}:1`);
  });

  test('odd file names become valid relative URIs; control characters never reach the message', () => {
    const names = [
      'dir with space/READ ME.md',
      'we#ird%name?.md',
      'ünïcödé/模型.md',
      'ctl\u0001\u001b[31m.md',
      'lone\ud800.md',
      'a\nb.md',
    ];
    const findings = names.map((file, i) => ({
      ...base,
      file,
      line: i + 1,
      message: `bad ${file} \u202e evil`,
    }));
    const log = buildSarif(reportWith(findings, 'sub dir'), { pathPrefix: 'models/x y/' });
    expectValid(log);
    const uris = log.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri);
    expect(uris[0]).toBe('models/x%20y/dir%20with%20space/READ%20ME.md');
    expect(uris[1]).toBe('models/x%20y/we%23ird%25name%3F.md');
    expect(decodeURIComponent(uris[2])).toBe('models/x y/ünïcödé/模型.md');
    expect(uris[4]).toBe('models/x%20y/lone%EF%BF%BD.md');
    for (const r of log.runs[0].results) {
      // eslint-disable-next-line no-control-regex -- asserting their absence
      expect(r.message.text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202e]/);
    }
    expect(log.runs[0].results[3].message.text).toContain('ctl\\x01\\x1b[31m.md');
  });

  test('a Hub target is located on the Hub: absolute URIs, no %SRCROOT%', () => {
    const hubBase = 'https://huggingface.co/acme/model/blob/0123abcd/';
    const log = buildSarif(reportWith([{ ...base, file: 'sub dir/README.md' }], 'sub dir'), {
      artifactBase: hubBase,
    });
    expectValid(log);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({
      uri: `${hubBase}sub%20dir/README.md`,
    });
  });

  test('a finding without a file is located at its model directory', () => {
    const { file: _f, line: _l, ...noFile } = base;
    const log = buildSarif(reportWith([noFile], 'models/acme'));
    expectValid(log);
    expect(log.runs[0].results[0].locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'models/acme/', uriBaseId: '%SRCROOT%' },
    });
  });
});

describe('bundled CLI and Action', () => {
  beforeAll(async () => {
    await buildOnce();
  }, 120_000);

  test('lineage-gate check --format sarif prints a valid log and keeps the exit status', () => {
    const r = spawnSync(
      process.execPath,
      [CLI, 'check', 'examples/deepseek-v3-repackaged', '--format', 'sarif'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const log = JSON.parse(r.stdout) as SarifLog;
    expectValid(log);
    expect(log.runs[0].results.map((x) => x.ruleId)).toContain('undeclared-base');
  });

  test('the sarif-file input writes repository-relative locations', async () => {
    const ws = tempDir('lg-ws-');
    const model = path.join(ws, 'models', 'acme');
    mkdirSync(model, { recursive: true });
    writeUndeclared(model);
    const r = await runBundledAction({
      action: ACTION,
      workspace: ws,
      inputs: { path: 'models/acme', 'sarif-file': 'out/lineage.sarif' },
    });
    expect(r.code).toBe(1);
    const log = JSON.parse(readFileSync(path.join(ws, 'out/lineage.sarif'), 'utf8')) as SarifLog;
    expectValid(log);
    const uris = log.runs[0].results.map((x) => x.locations[0].physicalLocation.artifactLocation.uri);
    expect(uris).toContain('models/acme/README.md');
    expect(uris.every((u) => u.startsWith('models/acme/'))).toBe(true);
  });
});
