import fc from 'fast-check';
import { fuzzParams } from './helpers/fuzz.js';
import { classifyBaseReference, parseAdapterConfig } from '../src/evidence/adapter.js';
import { extractMergekitFromCard, parseMergekitConfig } from '../src/evidence/mergekit.js';

const ADAPTER = `{
  "alpha_pattern": {},
  "auto_mapping": null,
  "base_model_name_or_path": "meta-llama/Llama-2-7b-hf",
  "bias": "none",
  "lora_alpha": 16,
  "peft_type": "LORA",
  "r": 8,
  "revision": null,
  "target_modules": [
    "q_proj",
    "v_proj"
  ],
  "task_type": "CAUSAL_LM"
}
`;

describe('parseAdapterConfig', () => {
  it('reads the base model with its line, the PEFT type, rank and target modules', () => {
    const { adapter, problems } = parseAdapterConfig('lora/adapter_config.json', ADAPTER);
    expect(problems).toEqual([]);
    expect(adapter).toEqual({
      file: 'lora/adapter_config.json',
      baseModel: { value: 'meta-llama/Llama-2-7b-hf', file: 'lora/adapter_config.json', line: 4 },
      baseModelKind: 'hub-id',
      isLocalPath: false,
      hubIdGuess: null,
      revision: null,
      peftType: { value: 'LORA', file: 'lora/adapter_config.json', line: 7 },
      r: 8,
      targetModules: ['q_proj', 'v_proj'],
      line: 1,
    });
  });

  it('marks a local path as a weaker signal, without a problem, and guesses the Hub id', () => {
    const text = ADAPTER.replace(
      'meta-llama/Llama-2-7b-hf',
      '/root/.cache/huggingface/hub/models--meta-llama--Llama-2-7b-hf/snapshots/01c7f73d',
    );
    const { adapter, problems } = parseAdapterConfig('adapter_config.json', text);
    expect(problems).toEqual([]);
    expect(adapter?.isLocalPath).toBe(true);
    expect(adapter?.baseModelKind).toBe('local-path');
    expect(adapter?.hubIdGuess).toBe('meta-llama/Llama-2-7b-hf');
  });

  it.each([
    ['meta-llama/Llama-2-7b-hf', 'hub-id', null],
    ['gpt2', 'hub-id', null],
    ['Qwen/Qwen2.5-0.5B-Instruct', 'hub-id', null],
    ['/data/models/mistralai/Mistral-7B-v0.1', 'local-path', 'mistralai/Mistral-7B-v0.1'],
    ['./output/checkpoint-500', 'local-path', 'output/checkpoint-500'],
    ['../base', 'local-path', null],
    ['~/models/llama', 'local-path', 'models/llama'],
    ['C:\\models\\org\\llama', 'local-path', 'org/llama'],
    ['models/meta-llama/Llama-2-7b-hf', 'local-path', 'meta-llama/Llama-2-7b-hf'],
    ['org/na--me', 'unrecognized', null],
    ['my model', 'unrecognized', null],
    ['org/name.git', 'unrecognized', null],
  ])('classifies %s as %s', (ref, kind, guess) => {
    expect(classifyBaseReference(ref)).toEqual({ kind, hubIdGuess: guess });
  });

  it('reports malformed JSON with its line', () => {
    const { adapter, problems } = parseAdapterConfig(
      'adapter_config.json',
      '{\n  "r": 8,\n  "peft_type": LORA\n}',
    );
    expect(adapter).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'adapter_config.json', line: 3 });
    expect(problems[0].message).toMatch(/not valid JSON: .* at line 3/);
  });

  it('reports wrong types, a non-object and hostile nesting', () => {
    const r = parseAdapterConfig(
      'a.json',
      '{\n "base_model_name_or_path": 7,\n "r": "eight",\n "target_modules": ".*proj"\n}',
    );
    expect(r.adapter?.baseModel).toBeNull();
    expect(r.adapter?.targetModules).toBe('.*proj');
    expect(r.problems.map((p) => p.line)).toEqual([2, 3]);
    expect(parseAdapterConfig('a.json', '[1]').problems[0].message).toMatch(
      /JSON object at the top level, not array/,
    );
    expect(parseAdapterConfig('a.json', '').problems[0].message).toMatch(/empty|not valid JSON/);
    const deep = parseAdapterConfig('a.json', '['.repeat(200000));
    expect(deep.problems[0].message).toMatch(/nests deeper/);
    expect(parseAdapterConfig('a.json', '{"base_model_name_or_path": " "}').problems[0].message).toMatch(
      /empty/,
    );
  });

  it('property: any text gives an adapter or a problem, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.constant(ADAPTER).map((s) => s.slice(0, 80)),
        ),
        (text) => {
          const r = parseAdapterConfig('a.json', text);
          expect(r.adapter !== null || r.problems.length > 0).toBe(true);
          for (const p of r.problems) expect(p.file).toBe('a.json');
        },
      ),
      fuzzParams(),
    );
  });
});

const MERGE = `slices:
  - sources:
      - model: mistralai/Mistral-7B-Instruct-v0.2
        layer_range: [0, 32]
      - model: HuggingFaceH4/zephyr-7b-beta
        layer_range: [0, 32]
merge_method: slerp
base_model: mistralai/Mistral-7B-Instruct-v0.2
parameters:
  t:
    - value: 0.5
dtype: bfloat16
`;

describe('parseMergekitConfig', () => {
  it('reads the method, the base and every source model with its line', () => {
    const { config, problems } = parseMergekitConfig('mergekit_config.yml', MERGE);
    expect(problems).toEqual([]);
    expect(config?.mergeMethod).toEqual({ value: 'slerp', file: 'mergekit_config.yml', line: 7 });
    expect(config?.baseModel).toEqual({
      value: 'mistralai/Mistral-7B-Instruct-v0.2',
      file: 'mergekit_config.yml',
      line: 8,
    });
    expect(config?.sources).toEqual([
      { model: 'mistralai/Mistral-7B-Instruct-v0.2', role: 'base', file: 'mergekit_config.yml', line: 8 },
      { model: 'HuggingFaceH4/zephyr-7b-beta', role: 'slice', file: 'mergekit_config.yml', line: 5 },
    ]);
  });

  it('reads models[], LoRA suffixes, reference mappings and MoE experts', () => {
    const text = `merge_method: ties
base_model: meta-llama/Meta-Llama-3-8B
models:
  - model: meta-llama/Meta-Llama-3-8B+some/lora-adapter
  - model:
      model:
        path: NousResearch/Hermes-2-Pro-Llama-3-8B
  - model: &shared cognitivecomputations/dolphin-2.9-llama3-8b
    parameters: { density: 0.5 }
experts:
  - source_model: *shared
`;
    const { config, problems } = parseMergekitConfig('m.yml', text);
    expect(problems).toEqual([]);
    expect(config?.sources.map((s) => [s.model, s.role, s.line])).toEqual([
      ['meta-llama/Meta-Llama-3-8B', 'base', 2],
      ['some/lora-adapter', 'lora', 4],
      ['NousResearch/Hermes-2-Pro-Llama-3-8B', 'model', 7],
      ['cognitivecomputations/dolphin-2.9-llama3-8b', 'model', 8],
    ]);
  });

  it('reports YAML errors with their line, alias bombs, and configs without models', () => {
    const bad = parseMergekitConfig('m.yml', 'merge_method: slerp\nmodels:\n  - model: [unclosed\n');
    expect(bad.config).toBeNull();
    expect(bad.problems[0]).toMatchObject({ file: 'm.yml', line: expect.any(Number) });
    expect(bad.problems[0].message).toMatch(/not valid YAML/);
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      lines.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${`*${String.fromCharCode(97 + i)}, `.repeat(9)}]`,
      );
    const bomb = parseMergekitConfig('m.yml', `merge_method: slerp\n${lines.join('\n')}\n`);
    expect(bomb.problems[0].message).toMatch(/cannot be read/);
    expect(parseMergekitConfig('m.yml', 'dtype: bfloat16\n').problems[0].message).toMatch(
      /no merge method and no source model/,
    );
    expect(parseMergekitConfig('m.yml', '- a\n- b\n').problems[0].message).toMatch(
      /mapping at the top level/,
    );
    expect(parseMergekitConfig('m.yml', '['.repeat(10000)).problems[0].message).toMatch(/nests deeper/);
  });

  it('property: any text gives a config or problems, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constant(MERGE).chain((m) => fc.nat({ max: m.length }).map((n) => m.slice(0, n))),
        ),
        (text) => {
          const r = parseMergekitConfig('m.yml', text);
          for (const s of r.config?.sources ?? []) expect(s.line).toBeGreaterThanOrEqual(1);
          for (const p of r.problems) expect(p.file).toBe('m.yml');
        },
      ),
      fuzzParams(),
    );
  });
});

describe('extractMergekitFromCard', () => {
  const body = [
    '# Zephyr-Mistral slerp', // body line 0 → file line 10
    '',
    'This is a merge of pre-trained language models.',
    '',
    '```python',
    'merge_method = "not yaml"',
    '```',
    '',
    '## Configuration',
    '',
    '```yaml',
    ...MERGE.trimEnd().split('\n'),
    '```',
    '',
  ].join('\n');

  it('finds the fenced YAML block and gives lines in the whole file', () => {
    const { config, problems } = extractMergekitFromCard('README.md', body, 10);
    expect(problems).toEqual([]);
    // The block's first YAML line is body line 11 → file line 21; merge_method is its 7th line.
    expect(config?.mergeMethod).toEqual({ value: 'slerp', file: 'README.md', line: 27 });
    expect(config?.sources.map((s) => [s.model, s.line])).toEqual([
      ['mistralai/Mistral-7B-Instruct-v0.2', 28],
      ['HuggingFaceH4/zephyr-7b-beta', 25],
    ]);
  });

  it('ignores cards without a merge block and reports a broken one with its file line', () => {
    expect(extractMergekitFromCard('README.md', '# Model\n\n```yaml\nfoo: 1\n```\n', 5)).toEqual({
      config: null,
      problems: [],
    });
    const broken = extractMergekitFromCard(
      'README.md',
      'x\n```yml\nmerge_method: slerp\nmodels: [a\n```\n',
      3,
    );
    expect(broken.config).toBeNull();
    expect(broken.problems[0].file).toBe('README.md');
    expect(broken.problems[0].line).toBeGreaterThanOrEqual(5);
  });

  it('property: any Markdown gives a result, never a throw', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom('```yaml', '```', '~~~', 'merge_method: x', '- model: a/b', 'models:'),
            fc.string(),
          ),
          { maxLength: 20 },
        ),
        fc.nat({ max: 100 }),
        (parts, line) => {
          const r = extractMergekitFromCard('README.md', parts.join('\n'), line + 1);
          for (const s of r.config?.sources ?? []) expect(s.line).toBeGreaterThan(line);
        },
      ),
      fuzzParams(),
    );
  });
});
