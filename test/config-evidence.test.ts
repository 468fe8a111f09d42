import { parseConfig } from '../src/evidence/config.js';

const MULTILINE = `{
  "_name_or_path": "deepseek-ai/DeepSeek-V3",
  "architectures": [
    "DeepseekV3ForCausalLM"
  ],
  "hidden_size": 7168,
  "model_type": "deepseek_v3",
  "rope_scaling": { "factor": 40 },
  "eos_token_id": [1, 2],
  "tie_word_embeddings": false,
  "quantization_config": null
}
`;

describe('parseConfig', () => {
  it('gives each key its line', () => {
    const { config, problems } = parseConfig('config.json', MULTILINE);
    expect(problems).toEqual([]);
    expect(config).not.toBeNull();
    if (!config) return;
    expect(config.line).toBe(1);
    expect(config.nameOrPath).toEqual({ value: 'deepseek-ai/DeepSeek-V3', file: 'config.json', line: 2 });
    expect(config.architectures).toEqual({ value: ['DeepseekV3ForCausalLM'], file: 'config.json', line: 3 });
    expect(config.modelType).toEqual({ value: 'deepseek_v3', file: 'config.json', line: 7 });
    expect(config.fields.hidden_size).toEqual({ value: 7168, file: 'config.json', line: 6 });
    expect(config.fields.eos_token_id).toEqual({ value: [1, 2], file: 'config.json', line: 9 });
    expect(config.fields.tie_word_embeddings.line).toBe(10);
    expect(config.fields.quantization_config).toEqual({ value: null, file: 'config.json', line: 11 });
    // Objects are not scalar fields, but stay in raw.
    expect('rope_scaling' in config.fields).toBe(false);
    expect(config.raw.rope_scaling).toEqual({ factor: 40 });
  });

  it('merges text_config over the top level for a Gemma-3-like config', () => {
    const text = JSON.stringify(
      {
        architectures: ['Gemma3ForConditionalGeneration'],
        model_type: 'gemma3',
        hidden_size: 1,
        image_token_index: 262144,
        text_config: {
          hidden_size: 2560,
          model_type: 'gemma3_text',
          num_hidden_layers: 34,
          vocab_size: 262208,
        },
        vision_config: { hidden_size: 1152, model_type: 'siglip_vision_model' },
      },
      null,
      2,
    );
    const { config } = parseConfig('m/config.json', text);
    expect(config?.fields.hidden_size).toEqual({ value: 2560, file: 'm/config.json', line: 9 });
    expect(config?.fields.num_hidden_layers.value).toBe(34);
    expect(config?.fields.vocab_size.value).toBe(262208);
    expect(config?.fields.image_token_index.value).toBe(262144);
    // Nested model_type wins in fields, but modelType keeps the top-level one when present.
    expect(config?.fields.model_type.value).toBe('gemma3_text');
    expect(config?.modelType?.value).toBe('gemma3');
    expect(config?.architectures?.value).toEqual(['Gemma3ForConditionalGeneration']);
  });

  it('takes model_type from nested configs only when the top one is missing', () => {
    const text =
      '{\n "thinker_config": {\n  "text_config": {\n   "model_type": "qwen2_5_omni_text",\n   "hidden_size": 3584\n  }\n }\n}';
    const { config } = parseConfig('config.json', text);
    expect(config?.modelType).toEqual({ value: 'qwen2_5_omni_text', file: 'config.json', line: 4 });
    expect(config?.fields.hidden_size).toEqual({ value: 3584, file: 'config.json', line: 5 });
  });

  it('names the line and column of a JSON error', () => {
    const { config, problems } = parseConfig('config.json', '{\n  "a": 1,\n  "b" 2\n}');
    expect(config).toBeNull();
    expect(problems).toEqual([
      {
        file: 'config.json',
        line: 3,
        message: 'config.json is not valid JSON: ColonExpected at line 3, column 7',
      },
    ]);
  });

  it('treats a trailing comma and comments as errors', () => {
    const comma = parseConfig('config.json', '{\n  "a": 1,\n}');
    expect(comma.config).toBeNull();
    expect(comma.problems[0].line).toBe(3);
    expect(comma.problems[0].message).toMatch(/not valid JSON/);
    const comment = parseConfig('config.json', '{\n  // hi\n  "a": 1\n}');
    expect(comment.config).toBeNull();
    expect(comment.problems[0].line).toBe(2);
  });

  it('rejects 100,000-deep nesting quickly with a problem instead of overflowing the stack', () => {
    const n = 100_000;
    const text = '{"a":' + '['.repeat(n) + ']'.repeat(n) + '}';
    const started = Date.now();
    const { config, problems } = parseConfig('config.json', text);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(config).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/nests deeper than 64 levels/);
  });

  it('accepts nesting up to the limit', () => {
    const text = '{"a":' + '['.repeat(63) + ']'.repeat(63) + '}';
    expect(parseConfig('config.json', text).problems).toEqual([]);
  });

  it('rejects a top level that is not an object', () => {
    const { config, problems } = parseConfig('config.json', '\n[1, 2]');
    expect(config).toBeNull();
    expect(problems).toEqual([
      {
        file: 'config.json',
        line: 2,
        message: 'config.json must hold a JSON object at the top level, not array',
      },
    ]);
    expect(parseConfig('config.json', '').problems[0].message).toMatch(/config.json/);
  });

  it('keeps hostile keys as plain data', () => {
    const { config } = parseConfig('config.json', '{"__proto__": 1, "constructor": "x"}');
    expect(config?.fields.constructor).toEqual({ value: 'x', file: 'config.json', line: 1 });
    expect(config?.fields.toString).toBeUndefined();
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });
});
