import { readFileSync } from 'node:fs';
import { ReportSchema, reportJsonSchema } from '../src/report/schema.js';
import { reportValidator } from './helpers/schema.js';
import { formatJson } from '../src/report/json.js';
import { formatText } from '../src/report/text.js';
import { formatMarkdown, inline } from '../src/report/markdown.js';
import { selectAnnotations } from '../src/report/annotations.js';
import { docsUrl } from '../src/report/links.js';
import type { Finding, Report, Severity } from '../src/types.js';

const MIT_FIX =
  'Add a NOTICE file containing the upstream copyright line "Copyright (c) 2023 DeepSeek" and the MIT permission notice.';

function deepseekFailure(): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'lineage-gate', version: '0.1.0' },
    target: { kind: 'local', path: '.' },
    verdict: 'fail',
    failOn: 'error',
    models: [
      {
        path: '.',
        declared: { license: 'apache-2.0', baseModels: [], relation: null },
        lineage: [
          {
            base: 'deepseek-ai/DeepSeek-V3',
            family: 'deepseek-v3',
            strength: 'strong',
            declared: false,
            signals: [
              { kind: 'architectures', file: 'config.json', line: 3, detail: 'DeepseekV3ForCausalLM' },
              {
                kind: 'config-fingerprint',
                file: 'config.json',
                line: 12,
                detail: '18 of 18 shape fields equal',
              },
            ],
          },
        ],
        findings: [
          {
            rule: 'undeclared-base',
            severity: 'error',
            base: 'deepseek-ai/DeepSeek-V3',
            file: 'config.json',
            line: 3,
            message: 'The weights match deepseek-ai/DeepSeek-V3, but the model card does not declare it.',
            fix: 'Add `base_model: deepseek-ai/DeepSeek-V3` to the front matter of README.md.',
          },
          {
            rule: 'missing-upstream-license',
            severity: 'error',
            base: 'deepseek-ai/DeepSeek-V3',
            message: 'No file carries the MIT copyright notice that deepseek-ai/DeepSeek-V3 requires.',
            fix: MIT_FIX,
          },
        ],
        obligations: ['DeepSeek Model License: use-based restrictions (Attachment A) pass on to users.'],
      },
    ],
    summary: { errors: 2, warnings: 0, notices: 0 },
  };
}

function passing(): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'lineage-gate', version: '0.1.0' },
    target: { kind: 'hub', repo: 'acme/deepseek-v3-ft', revision: 'main' },
    verdict: 'pass',
    failOn: 'error',
    models: [
      {
        path: '.',
        declared: { license: 'mit', baseModels: ['deepseek-ai/DeepSeek-V3'], relation: 'finetune' },
        lineage: [
          {
            base: 'deepseek-ai/DeepSeek-V3',
            family: 'deepseek-v3',
            strength: 'strong',
            declared: true,
            signals: [{ kind: 'card-base-model', file: 'README.md', line: 4, detail: 'base_model' }],
            alternatives: ['deepseek-ai/DeepSeek-R1'],
          },
        ],
        findings: [],
      },
    ],
    summary: { errors: 0, warnings: 0, notices: 0 },
  };
}

function withFindings(specs: { severity: Severity; file: string }[]): Report {
  const findings: Finding[] = specs.map((s, i) => ({
    rule: s.severity === 'error' ? 'missing-notice' : 'display-attribution',
    severity: s.severity,
    file: s.file,
    line: i + 1,
    message: `finding ${i}`,
    fix: 'do it',
  }));
  const r = deepseekFailure();
  r.models[0].findings = findings;
  return r;
}

describe('JSON report and its schema', () => {
  const validate = reportValidator();

  test('docs/report.schema.json is the current schema', () => {
    const onDisk = JSON.parse(readFileSync(new URL('../docs/report.schema.json', import.meta.url), 'utf8'));
    expect(onDisk).toEqual(reportJsonSchema());
  });

  test.each([
    ['failure', deepseekFailure()],
    ['pass', passing()],
  ])('%s report validates after a JSON round trip', (_name, report) => {
    const text = formatJson(report);
    expect(text.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(text);
    expect(parsed).toEqual(report);
    expect(validate(parsed)).toBe(true);
    expect(ReportSchema.safeParse(parsed).success).toBe(true);
  });

  test('a report without a verdict is rejected by both schemas', () => {
    const { verdict: _v, ...rest } = deepseekFailure();
    expect(validate(rest)).toBe(false);
    expect(validate.errors?.some((e: { params: object }) => e.params && 'missingProperty' in e.params)).toBe(
      true,
    );
    expect(ReportSchema.safeParse(rest).success).toBe(false);
  });

  test('unknown fields, rule ids and a zero line are rejected', () => {
    const extra = { ...deepseekFailure(), extra: 1 };
    expect(validate(extra)).toBe(false);
    const badRule = deepseekFailure() as unknown as { models: { findings: { rule: string }[] }[] };
    badRule.models[0].findings[0].rule = 'no-such-rule';
    expect(validate(badRule)).toBe(false);
    const zeroLine = deepseekFailure();
    zeroLine.models[0].findings[0].line = 0;
    expect(validate(zeroLine)).toBe(false);
    expect(ReportSchema.safeParse(zeroLine).success).toBe(false);
  });
});

describe('text', () => {
  test('verdict first, findings as file:line severity rule message, then the fix', () => {
    const text = formatText(deepseekFailure());
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Lineage Gate: FAIL \(2 errors, 0 warnings, 0 notices/);
    expect(text).toContain(
      '  config.json:3  error  undeclared-base  The weights match deepseek-ai/DeepSeek-V3, but the model card does not declare it.',
    );
    expect(text).toContain(
      '    fix: Add `base_model: deepseek-ai/DeepSeek-V3` to the front matter of README.md.',
    );
    expect(text).toContain('(repository)  error  missing-upstream-license');
    expect(text).toContain('deepseek-ai/DeepSeek-V3 [deepseek-v3] strong, NOT declared');
    expect(text).toContain('config-fingerprint (config.json:12): 18 of 18 shape fields equal');
    expect(lines.at(-2)).toBe('2 errors, 0 warnings, 0 notices in 1 model.');
    expect(text).not.toContain('\u001b[');
  });

  test('a passing report says PASS and that the base is declared', () => {
    const text = formatText(passing());
    expect(text.split('\n')[0]).toMatch(/^Lineage Gate: PASS/);
    expect(text).toContain('strong, declared');
    expect(text).toContain('also fits: deepseek-ai/DeepSeek-R1');
  });

  test('multi-line fixes stay indented under the finding', () => {
    const r = deepseekFailure();
    r.models[0].findings[1].fix = 'Add NOTICE with:\nCopyright (c) 2023 DeepSeek';
    expect(formatText(r)).toContain('    fix: Add NOTICE with:\n         Copyright (c) 2023 DeepSeek');
  });
});

describe('markdown', () => {
  test('verdict heading first, lineage and findings tables, rule links, obligations, JSON details', () => {
    const md = formatMarkdown(deepseekFailure());
    expect(md.split('\n')[0]).toBe('## ❌ Lineage Gate: fail');
    expect(md).toContain('| base | family | strength | declared | matched signals |');
    expect(md).toMatch(/\| deepseek-ai\/DeepSeek-V3 \| deepseek-v3 \| strong \| \*\*no\*\* \|/);
    expect(md).toContain(
      `| config.json:3 | error | [undeclared-base](${docsUrl('undeclared-base')}) | The weights match`,
    );
    expect(docsUrl('undeclared-base')).toBe(
      'https://github.com/lineage-gate/lineage-gate/blob/main/docs/rules/undeclared-base.md',
    );
    expect(md).toContain('- DeepSeek Model License: use-based restrictions');
    expect(md).toContain('<details><summary>Full JSON report</summary>');
    const json = md.slice(md.indexOf('```json\n') + 8, md.lastIndexOf('\n```'));
    expect(JSON.parse(json)).toEqual(deepseekFailure());
  });

  test('a passing report starts with the pass heading', () => {
    expect(formatMarkdown(passing()).split('\n')[0]).toBe('## ✅ Lineage Gate: pass');
  });

  test('repo-controlled text cannot break a table row or inject HTML', () => {
    const r = deepseekFailure();
    r.models[0].findings[0].file = 'we|ird`name<b>.json';
    r.models[0].findings[0].message = 'line one\nline two | <script>x</script>';
    const md = formatMarkdown(r, { includeJson: false });
    const row = md.split('\n').find((l) => l.includes('ird'));
    expect(row).toBeDefined();
    expect(row).toContain('we\\|ird\\`name&lt;b&gt;.json:3');
    expect(row).toContain('line one<br>line two \\| &lt;script&gt;x&lt;/script&gt;');
    expect(md).not.toContain('<script>');
    // Five cells: six unescaped pipes in the row.
    expect(row!.match(/(?<!\\)\|/g)).toHaveLength(6);
  });

  test('a backslash before a pipe cannot un-escape it', () => {
    expect(inline('a\\|b')).toBe('a\\\\\\|b');
  });

  test('hidden annotations are mentioned', () => {
    expect(formatMarkdown(deepseekFailure(), { hiddenAnnotations: 7 })).toContain(
      '7 more annotations were not shown',
    );
    expect(formatMarkdown(deepseekFailure())).not.toContain('more annotation');
  });

  test('the JSON details block is dropped when it would exceed the limit, and long summaries are cut', () => {
    const r = deepseekFailure();
    const full = formatMarkdown(r);
    const withoutJson = formatMarkdown(r, { includeJson: false });
    const limit = Buffer.byteLength(withoutJson) + 10;
    const md = formatMarkdown(r, { limitBytes: limit });
    expect(Buffer.byteLength(full)).toBeGreaterThan(limit);
    expect(md).toBe(withoutJson);

    const tiny = formatMarkdown(r, { limitBytes: 400 });
    expect(Buffer.byteLength(tiny)).toBeLessThanOrEqual(400);
    expect(tiny.split('\n')[0]).toBe('## ❌ Lineage Gate: fail');
    expect(tiny).toContain('cut to fit');
  });

  test('a JSON report containing backticks cannot close the details fence', () => {
    const r = deepseekFailure();
    r.models[0].findings[0].message = 'evil ```` fence';
    const md = formatMarkdown(r);
    expect(md).toContain('`````json\n');
  });
});

describe('annotations', () => {
  test('10 errors and 10 warnings, errors from changed files first, the rest counted as hidden', () => {
    const specs: { severity: Severity; file: string }[] = [];
    for (let i = 0; i < 15; i++)
      specs.push({ severity: 'error', file: i % 3 === 0 ? `changed${i}.json` : `old${i}.json` });
    for (let i = 0; i < 12; i++) specs.push({ severity: 'warning', file: `w${i}.md` });
    // Warnings come first in the input, to show that order is by severity, not input order.
    const r = withFindings([...specs.slice(15), ...specs.slice(0, 15)]);
    const changed = [
      './changed0.json',
      'changed3.json',
      'changed6.json',
      'changed9.json',
      'changed12.json',
      'w11.md',
    ];
    const { shown, hidden } = selectAnnotations(r, changed);

    expect(hidden).toBe(7);
    expect(shown.filter((a) => a.severity === 'error')).toHaveLength(10);
    expect(shown.filter((a) => a.severity === 'warning')).toHaveLength(10);
    expect(shown.slice(0, 10).every((a) => a.severity === 'error')).toBe(true);
    expect(shown.slice(0, 5).map((a) => a.file)).toEqual([
      'changed0.json',
      'changed3.json',
      'changed6.json',
      'changed9.json',
      'changed12.json',
    ]);
    // The changed warning file wins a slot over earlier unchanged warnings.
    expect(shown[10].file).toBe('w11.md');
    expect(shown.map((a) => a.file)).not.toContain('w10.md');
  });

  test('an annotation carries title, line and fix; a finding without a file attaches to no file', () => {
    const { shown, hidden } = selectAnnotations(deepseekFailure());
    expect(hidden).toBe(0);
    expect(shown[0]).toEqual({
      severity: 'error',
      file: 'config.json',
      line: 3,
      title: 'Lineage Gate: undeclared-base (deepseek-ai/DeepSeek-V3)',
      message:
        'The weights match deepseek-ai/DeepSeek-V3, but the model card does not declare it.\nFix: Add `base_model: deepseek-ai/DeepSeek-V3` to the front matter of README.md.',
    });
    expect(shown[1].file).toBeUndefined();
    expect(shown[1].line).toBeUndefined();
  });

  test('notices have their own budget of 10', () => {
    const specs = Array.from({ length: 13 }, (_, i) => ({ severity: 'notice' as Severity, file: `n${i}` }));
    const { shown, hidden } = selectAnnotations(withFindings(specs));
    expect(shown).toHaveLength(10);
    expect(hidden).toBe(3);
  });
});

describe('policy exceptions and Hub upstreams in the human formats', () => {
  function withExtras(): Report {
    const r = deepseekFailure();
    const [first, ...rest] = r.models[0].findings;
    r.models[0].findings = rest;
    r.models[0].suppressed = [
      { ...first, exception: { reason: 'upstream agreed in writing', expires: '2027-01-31' } },
    ];
    r.models[0].upstreams = [
      {
        id: 'acme/base-7b',
        status: 'resolved',
        license: 'mit',
        via: 'README.md:3',
        chain: ['acme/base-7b', 'acme/root'],
      },
      {
        id: 'acme/gated',
        status: 'gated',
        license: null,
        via: 'README.md:4',
        detail: 'cannot verify upstream acme/gated: gated',
      },
    ];
    expect(ReportSchema.safeParse(r).success).toBe(true);
    return r;
  }

  test('text lists each suppressed finding with its reason and expiry, and each upstream with its status', () => {
    const text = formatText(withExtras());
    expect(text).toContain('suppressed by policy exceptions (not counted): 1');
    expect(text).toContain('exception: upstream agreed in writing (until 2027-01-31)');
    expect(text).toContain(
      'upstream: acme/base-7b resolved, license mit (via README.md:3) chain acme/base-7b → acme/root',
    );
    expect(text).toContain(
      'upstream: acme/gated gated, license unknown (via README.md:4): cannot verify upstream acme/gated: gated',
    );
  });

  test('markdown shows the suppressed findings and an upstream table', () => {
    const md = formatMarkdown(withExtras());
    expect(md).toContain('Suppressed by policy exceptions (not counted): 1');
    expect(md).toContain('exception: upstream agreed in writing (until 2027-01-31)');
    expect(md).toContain('| acme/base-7b | resolved | mit | README.md:3 | acme/base-7b → acme/root |');
    expect(md).toMatch(/\| acme\/gated \| gated: cannot verify upstream acme\/gated: gated \| unknown \|/);
  });
});
