// The job summary: verdict first, per-model lineage table and Mermaid diagram (declared vs
// detected), findings with fixes and rule-doc links, obligations, the collapsed JSON report, and
// escaping of everything the repository controls (Markdown, HTML, Mermaid label syntax).
import { existsSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ROOT } from './helpers/bundle.js';
import { fuzzParams } from './helpers/fuzz.js';
import { formatMarkdown, lineageDiagram, MAX_DIAGRAM_BASES } from '../src/report/markdown.js';
import { inertLines, mdCell, mermaidLabel, plainText } from '../src/report/escape.js';
import { REPO_URL } from '../src/report/links.js';
import { runGate } from '../src/gate.js';
import { createLocalSource } from '../src/sources/local.js';
import type { Finding, Lineage, ModelReport } from '../src/types.js';
import { modelOf, reportOfModels } from './helpers/reports.js';

function lineage(base: string, declared: boolean, extra: Partial<Lineage> = {}): Lineage {
  return {
    base,
    family: 'deepseek-v3',
    strength: 'strong',
    declared,
    signals: [
      { kind: 'architectures', file: 'config.json', line: 2, detail: 'DeepseekV3ForCausalLM' },
      { kind: 'config-fingerprint', file: 'config.json', line: 13, detail: '15 of 15 shape fields equal' },
    ],
    ...extra,
  };
}

function model(p: string, extra: Partial<ModelReport> = {}): ModelReport {
  return modelOf(p, [], { declared: { license: 'apache-2.0', baseModels: [], relation: null }, ...extra });
}

const report = reportOfModels;

const undeclaredFinding: Finding = {
  rule: 'undeclared-base',
  severity: 'error',
  base: 'deepseek-ai/DeepSeek-V3',
  file: 'README.md',
  line: 2,
  message:
    'The weights derive from deepseek-ai/DeepSeek-V3, but the repo neither declares nor attributes it.',
  fix: 'Add to the front matter of README.md:\nbase_model: deepseek-ai/DeepSeek-V3',
};

/** The lines of every ```mermaid block. */
function mermaidBlocks(md: string): string[][] {
  const blocks: string[][] = [];
  let cur: string[] | null = null;
  for (const l of md.split('\n')) {
    if (l === '```mermaid') cur = [];
    else if (cur && l === '```') {
      blocks.push(cur);
      cur = null;
    } else if (cur) cur.push(l);
  }
  expect(cur).toBeNull();
  return blocks;
}

describe('verdict and layout', () => {
  test('the verdict is the first line, then counts; a failing model section has lineage, diagram, findings', () => {
    const m = model('.', {
      lineage: [lineage('deepseek-ai/DeepSeek-V3', false)],
      findings: [undeclaredFinding],
    });
    const md = formatMarkdown(report([m]));
    const lines = md.split('\n');
    expect(lines[0]).toBe('## ❌ Lineage Gate: fail');
    expect(lines[2]).toMatch(/^1 error, 0 warnings, 0 notices · fail-on `error`/);
    const order = [
      '### ❌ Model .',
      '| base | family | strength | declared | matched signals |',
      '```mermaid',
      '| file:line | severity | rule | message | fix |',
    ].map((s) => md.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toContain(
      'architectures (config.json:2): DeepseekV3ForCausalLM<br>config-fingerprint (config.json:13): 15 of 15 shape fields equal',
    );
    expect(md).toContain('| deepseek-ai/DeepSeek-V3 | deepseek-v3 | strong | **no** |');
    expect(md).toContain('Add to the front matter of README.md:<br>base\\_model: deepseek-ai/DeepSeek-V3');
  });

  test('a monorepo gets an overview row per model and one section per model, in order', () => {
    const a = model('models/a', {
      lineage: [lineage('deepseek-ai/DeepSeek-V3', false)],
      findings: [undeclaredFinding],
    });
    const b = model('models/b', { lineage: [lineage('deepseek-ai/DeepSeek-V3', true)] });
    const c = model('models/c', {
      findings: [{ ...undeclaredFinding, rule: 'naming', severity: 'warning', file: 'models/c/README.md' }],
    });
    const md = formatMarkdown(report([a, b, c]));
    expect(md).toContain('| model | verdict | errors | warnings | bases |');
    expect(md).toContain('| models/a | fail | 1 | 0 | deepseek-ai/DeepSeek-V3 (undeclared) |');
    expect(md).toContain('| models/b | pass | 0 | 0 | deepseek-ai/DeepSeek-V3 |');
    expect(md).toContain('| models/c | pass | 0 | 1 | — |');
    const sections = ['### ❌ Model models/a', '### ✅ Model models/b', '### ⚠️ Model models/c'].map((h) =>
      md.indexOf(h),
    );
    expect(sections.every((i) => i > 0)).toBe(true);
    expect([...sections].sort((x, y) => x - y)).toEqual(sections);
    // A single model needs no overview.
    expect(formatMarkdown(report([a]))).not.toContain('| model | verdict |');
  });

  test('obligations that cannot be checked get their own list', () => {
    const m = model('.', {
      obligations: ['meta-llama/Llama-3.1-8B: more than 700 million monthly active users need a license'],
    });
    const md = formatMarkdown(report([m]));
    expect(md).toContain(
      'Obligations that the gate cannot check mechanically:\n\n- meta-llama/Llama-3.1-8B: more',
    );
  });

  test('hidden annotations are counted right after the verdict', () => {
    const md = formatMarkdown(report([model('.')]), { hiddenAnnotations: 14 });
    expect(md.split('\n')[4]).toMatch(/^> 14 more annotations were not shown/);
  });
});

describe('Mermaid lineage diagram', () => {
  test('undeclared detected base: a solid edge, drawn red', () => {
    const d = lineageDiagram(model('.', { lineage: [lineage('deepseek-ai/DeepSeek-V3', false)] }));
    expect(d[0]).toBe('```mermaid');
    expect(d[1]).toBe('flowchart LR');
    expect(d).toContain('  b0 -->|"detected, NOT declared: architectures, config-fingerprint"| model');
    expect(d.some((l) => l.includes('-.->'))).toBe(false);
    expect(d).toContain('  class b0 undeclared');
  });

  test('declared and detected: a solid and a dashed edge to the same node, drawn green', () => {
    const m = model('.', {
      declared: { license: 'mit', baseModels: ['deepseek-ai/DeepSeek-V3'], relation: 'finetune' },
      lineage: [lineage('deepseek-ai/DeepSeek-V3', true)],
    });
    const d = lineageDiagram(m);
    expect(d).toContain('  b0 -->|"detected: architectures, config-fingerprint"| model');
    expect(d).toContain('  b0 -.->|"declared"| model');
    expect(d).toContain('  class b0 ok');
  });

  test('a declared base the weights contradict: dashed edge only, drawn as a mismatch beside the detected one', () => {
    const m = model('.', {
      declared: { license: 'llama3.1', baseModels: ['meta-llama/Llama-3.1-8B'], relation: null },
      lineage: [lineage('deepseek-ai/DeepSeek-V3', false)],
      findings: [{ ...undeclaredFinding, rule: 'base-mismatch', severity: 'warning' }],
    });
    const d = lineageDiagram(m);
    expect(d).toContain('  b0["deepseek-ai/DeepSeek-V3<br/>deepseek-v3, strong"]');
    expect(d).toContain('  b1["meta-llama/Llama-3.1-8B"]');
    expect(d).toContain('  b1 -.->|"declared"| model');
    expect(d.some((l) => l.startsWith('  b1 -->'))).toBe(false);
    expect(d).toContain('  class b0 undeclared');
    expect(d).toContain('  class b1 mismatch');
  });

  test('no lineage and no declared base: no diagram', () => {
    expect(lineageDiagram(model('.'))).toEqual([]);
  });

  test('a model with many bases draws at most MAX_DIAGRAM_BASES and says how many more', () => {
    const bases = Array.from({ length: MAX_DIAGRAM_BASES + 5 }, (_, i) => `org/base-${i}`);
    const d = lineageDiagram(
      model('.', { declared: { license: null, baseModels: bases, relation: 'merge' } }),
    );
    expect(d.filter((l) => /^ {2}b\d+\[/.test(l))).toHaveLength(MAX_DIAGRAM_BASES);
    expect(d.join('\n')).toContain('5 more bases');
  });

  test('label syntax from the repo is neutralized: quotes, brackets, pipes, arrows, backticks, HTML', () => {
    const evil = 'x"] --> y["pwn`` ```|<img src=x>;#';
    const m = model(evil, {
      declared: { license: null, baseModels: [evil], relation: null },
      lineage: [lineage(evil, false, { family: '`fam`|"' })],
    });
    const md = formatMarkdown(report([m]), { includeJson: false });
    const [block] = mermaidBlocks(md);
    for (const l of block) {
      // Inside a label only the safe set and entity codes remain: one pair of quotes per label.
      const labels = [...l.matchAll(/\["([^"]*)"\]|\|"([^"]*)"\|/g)].map((x) => x[1] ?? x[2]);
      for (const label of labels) expect(label.replace(/<br\/>/g, '')).toMatch(/^[A-Za-z0-9 ._/@:+,()#;-]*$/);
      expect(l).not.toContain('`');
      expect(l).not.toContain('<img');
    }
    expect(block.join('\n')).toContain('#34;#93; --#62; y#91;#34;pwn#96;#96;');
  });
});

describe('escaping repo-controlled text', () => {
  test('control characters, bidi overrides and HTML in a file name are shown, not interpreted', () => {
    const f: Finding = { ...undeclaredFinding, file: 'a\u001b[2J\u202eevil<script>|x.md', message: 'm\r\nn' };
    const md = formatMarkdown(report([model('.', { findings: [f] })]), { includeJson: false });
    const row = md.split('\n').find((l) => l.includes('evil'))!;
    expect(row).toContain('a\\\\x1b\\[2J\\\\u{202e}evil&lt;script&gt;\\|x.md:2');
    expect(row).toContain('| m<br>n |');
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(md).not.toMatch(/[\u001b\u202e]/);
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(6);
  });

  test('plainText keeps tabs and newlines, escapes everything invisible, repairs lone surrogates', () => {
    expect(plainText('a\tb\nc\r\nd\re\u0000\u200b\ud800')).toBe('a\tb\nc\nd\\x0de\\x00\\u{200b}\ufffd');
  });

  test('property: any text stays inside its table cell and its Mermaid label', () => {
    fc.assert(
      fc.property(
        // Printable ASCII (all the syntax characters) and arbitrary code points (controls, surrogates).
        fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })),
        (s) => {
          const cell = mdCell(s);
          expect(cell).not.toMatch(/(?<!\\)[|`]/);
          expect(cell.replace(/<br>/g, '')).not.toMatch(/[<>\r\n]/);
          const label = mermaidLabel(s);
          expect(label).toMatch(/^[A-Za-z0-9 ._/@:+,()#;-]*$/);
        },
      ),
      fuzzParams(),
    );
  });
});

describe('rule links and the JSON details', () => {
  test('every finding links its rule page, and the page exists', async () => {
    const r = await runGate({
      source: createLocalSource(path.join(ROOT, 'examples', 'llama31-finetune-no-notice')),
      failOn: 'error',
    });
    const md = formatMarkdown(r);
    const links = [...md.matchAll(/\]\((https:\/\/github\.com\/[^)]+\/docs\/rules\/[a-z-]+\.md)\)/g)].map(
      (m) => m[1],
    );
    expect(links.length).toBe(r.summary.errors + r.summary.warnings + r.summary.notices);
    for (const link of links) {
      expect(link.startsWith(`${REPO_URL}/blob/main/`)).toBe(true);
      expect(existsSync(path.join(ROOT, link.slice(`${REPO_URL}/blob/main/`.length)))).toBe(true);
    }
  });

  test('the full JSON report is included when it fits, and parses back to the report', () => {
    const r = report([
      model('.', { lineage: [lineage('deepseek-ai/DeepSeek-V3', false)], findings: [undeclaredFinding] }),
    ]);
    const md = formatMarkdown(r);
    expect(md).toContain('<details><summary>Full JSON report</summary>');
    const json = md.slice(md.indexOf('```json\n') + 8, md.lastIndexOf('\n```'));
    expect(JSON.parse(json)).toEqual(r);
  });

  test('a cut summary never leaves a Mermaid fence open and stays within the limit', () => {
    const models = Array.from({ length: 40 }, (_, i) =>
      model(`models/m${i}`, {
        lineage: [lineage('deepseek-ai/DeepSeek-V3', false)],
        findings: [undeclaredFinding],
      }),
    );
    const r = report(models);
    for (let limit = 2000; limit < 20_000; limit += 997) {
      const md = formatMarkdown(r, { limitBytes: limit });
      expect(Buffer.byteLength(md)).toBeLessThanOrEqual(limit);
      expect(md).toContain('cut to fit');
      mermaidBlocks(md); // asserts every opened block is closed
      expect(md.split('\n').filter((l) => /^`{3,}/.test(l)).length % 2).toBe(0);
    }
  });
});

describe('text that reaches a log', () => {
  test('no summary line can start a workflow command; bidi marks in the JSON block are \\u escapes', () => {
    const odd = 'm\n::warning::FORGED \u202e<b>';
    const f: Finding = { ...undeclaredFinding, file: `${odd}/README.md`, message: `bad ${odd}` };
    const r = report([model(odd, { findings: [f], obligations: [`\n::error::x`] })]);
    const md = formatMarkdown(r);
    expect(md.split('\n').filter((l) => /^\s*::/.test(l))).toEqual([]);
    expect(md).not.toContain('\u202e');
    const json = md.slice(md.indexOf('```json\n') + 8, md.lastIndexOf('\n```'));
    expect(json).toContain('\\u202e');
    expect(json).toContain('\\u003cb\\u003e');
    expect(md).not.toContain('<b>');
    expect(JSON.parse(json)).toEqual(r);
  });

  test('inertLines defuses `::` at a line start, after blanks too, and nothing else', () => {
    expect(inertLines('a ::b\n::error::x\n   ::warning::y\nz::')).toBe(
      'a ::b\n\\x3a:error::x\n   \\x3a:warning::y\nz::',
    );
  });
});
