// Lineage and rules on in-memory evidence built with the real parsers: the cases of issue #2.
import { defaultCatalog } from '../src/catalog/index.js';
import { parseCard } from '../src/evidence/card.js';
import { parseConfig } from '../src/evidence/config.js';
import type { ModelEvidence } from '../src/evidence/types.js';
import { judgeModel } from '../src/gate.js';
import licenseTexts from '../src/catalog/data/license-texts.json' with { type: 'json' };

const catalog = defaultCatalog();
const v3 = catalog.byId.get('deepseek-ai/deepseek-v3')!;
const llama31 = catalog.byId.get('meta-llama/llama-3.1-8b-instruct')!;

function model(config: object | null, card?: string, texts: Record<string, string> = {}): ModelEvidence {
  const c = config
    ? parseConfig('config.json', JSON.stringify(config, null, 2))
    : { config: null, problems: [] };
  const k = card ? parseCard('README.md', card) : null;
  return {
    dir: '.',
    config: c.config,
    card: k?.card ?? null,
    texts: [
      ...(card ? [{ file: 'README.md', text: card, truncated: false }] : []),
      ...Object.entries(texts).map(([file, text]) => ({ file, text, truncated: false })),
    ],
    problems: [...c.problems, ...(k?.problems ?? [])],
  };
}

const rules = (m: ModelEvidence) => judgeModel(m, catalog, {}).findings.map((f) => `${f.rule}:${f.severity}`);
const v3Config = { architectures: ['DeepseekV3ForCausalLM'], ...v3.config };
const mitNotice = `Copyright (c) 2023 DeepSeek\n\n${licenseTexts.mit.permissionNotice}`;

describe('DeepSeek-V3 repackaged', () => {
  it('finds strong lineage and fails on the undeclared base and the missing MIT notice', () => {
    const r = judgeModel(
      model(v3Config, '---\nlicense: apache-2.0\n---\n# Aurora\nSelf-developed.\n'),
      catalog,
      {},
    );
    expect(r.lineage[0]).toMatchObject({
      base: 'deepseek-ai/DeepSeek-V3',
      strength: 'strong',
      declared: false,
    });
    expect(r.lineage[0].signals.map((s) => s.kind)).toEqual(['architectures', 'config-fingerprint']);
    const rs = r.findings.map((f) => `${f.rule}:${f.severity}`);
    expect(rs).toEqual(expect.arrayContaining(['undeclared-base:error', 'missing-upstream-license:error']));
    const undeclared = r.findings.find((f) => f.rule === 'undeclared-base')!;
    expect(undeclared).toMatchObject({ file: 'README.md', line: 2 });
    expect(undeclared.fix).toContain('base_model: deepseek-ai/DeepSeek-V3');
    expect(r.findings.find((f) => f.rule === 'missing-upstream-license')!.fix).toContain(
      'Copyright (c) 2023 DeepSeek',
    );
  });

  it('passes with base_model and the MIT notice in any file', () => {
    const m = model(
      v3Config,
      '---\nlicense: apache-2.0\nbase_model: deepseek-ai/DeepSeek-V3\n---\n# Aurora\n',
      {
        'legal/THIRD_PARTY.txt': mitNotice,
      },
    );
    expect(rules(m).filter((r) => r.endsWith(':error'))).toEqual([]);
  });

  it('is not fooled by a renamed class and model_type', () => {
    const renamed = { ...v3Config, architectures: ['AuroraForCausalLM'], model_type: 'aurora' };
    const r = judgeModel(model(renamed, '---\nlicense: apache-2.0\n---\n'), catalog, {});
    expect(r.lineage).toHaveLength(1);
    expect(r.lineage[0]).toMatchObject({ base: 'deepseek-ai/DeepSeek-V3', strength: 'strong' });
    expect(r.lineage[0].signals.map((s) => s.kind)).toEqual(['config-fingerprint']);
    expect(rules(model(renamed, '---\nlicense: apache-2.0\n---\n'))).toContain('undeclared-base:error');
  });

  it('tolerates what quantization and fine-tuning change', () => {
    const tuned = {
      ...v3Config,
      _name_or_path: '/mnt/ckpt/step-9000',
      torch_dtype: 'float16',
      max_position_embeddings: 32768,
      rope_scaling: null,
      quantization_config: { quant_method: 'awq', bits: 4 },
      bos_token_id: 7,
      vocab_size: 129280 + 100,
    };
    const r = judgeModel(model(tuned), catalog, {});
    expect(r.lineage[0]).toMatchObject({ base: 'deepseek-ai/DeepSeek-V3', strength: 'strong' });
  });
});

describe('same class, own dimensions', () => {
  it('gives Kimi K2 geometry (DeepseekV3 class, 384 experts, own vocabulary) no strong lineage', () => {
    const kimi = {
      ...v3Config,
      model_type: 'kimi_k2',
      vocab_size: 163840,
      n_routed_experts: 384,
      num_attention_heads: 64,
    };
    const r = judgeModel(
      model(kimi, '---\nlicense: other\nlicense_name: modified-mit\nlicense_link: LICENSE\n---\n'),
      catalog,
      {},
    );
    expect(r.lineage.filter((l) => l.strength === 'strong')).toEqual([]);
    expect(r.lineage[0]).toMatchObject({ family: 'deepseek-v3', strength: 'weak' });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('warns (architecture-reuse) on a from-scratch Llama-architecture model, and is quiet once it says so', () => {
    const scratch = {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_size: 1536,
      intermediate_size: 4096,
      num_attention_heads: 12,
      num_key_value_heads: 4,
      num_hidden_layers: 20,
      vocab_size: 50304,
    };
    expect(rules(model(scratch, '---\nlicense: mit\n---\n# Kestrel\n'))).toEqual([
      'architecture-reuse:warning',
    ]);
    expect(
      rules(
        model(
          scratch,
          '---\nlicense: mit\n---\n# Kestrel\nTrained from scratch with the Llama 3.1 architecture.\n',
        ),
      ),
    ).toEqual([]);
  });
});

describe('Llama 3.1 fine-tune', () => {
  const card = (name: string, extra = '') =>
    `---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B-Instruct\n---\n# ${name}\n${extra}\n`;
  const notice = llama31 && catalog.licenses['llama3.1'].noticePhrases[0];

  it('fails without the notice and warns on naming and display', () => {
    expect(rules(model(llama31.config, card('Sakura-8B')))).toEqual([
      'missing-notice:error',
      'naming:warning',
      'display-attribution:warning',
    ]);
  });

  it('passes with notice, "Built with Llama" and a Llama name; the notice matches across quote and © styles', () => {
    const curly = notice.replace('©', '(C)');
    expect(
      rules(model(llama31.config, card('Llama-3.1-Sakura-8B', 'Built with Llama'), { NOTICE: curly })),
    ).toEqual([]);
  });

  it('flags apache-2.0 on a Llama base as a license conflict, pointing at the license line', () => {
    const r = judgeModel(
      model(llama31.config, card('Llama Sakura').replace('llama3.1', 'apache-2.0'), { NOTICE: notice }),
      catalog,
      {},
    );
    const conflict = r.findings.find((f) => f.rule === 'license-conflict')!;
    expect(conflict).toMatchObject({ severity: 'error', file: 'README.md', line: 2 });
    expect(conflict.fix).toContain('license: llama3.1');
  });

  it('reports a declared base of another family as base-mismatch', () => {
    const c = card('Llama X', 'Built with Llama').replace(
      'meta-llama/Llama-3.1-8B-Instruct',
      'mistralai/Mistral-7B-v0.1',
    );
    expect(rules(model(llama31.config, c, { NOTICE: notice }))).toContain('base-mismatch:warning');
  });
});

describe('licenses and malformed files', () => {
  it('validates card licenses: HF ids, SPDX expressions in any case, other without name', () => {
    const only = (lic: string) => rules(model(null, `---\nlicense: ${lic}\n---\n`));
    expect(only('apache-2.0')).toEqual([]);
    expect(only('Apache-2.0 OR mit')).toEqual([]);
    expect(only('llama3.1')).toEqual([]);
    expect(only('apache-3.0')).toEqual(['invalid-license:error']);
    expect(only('other')).toEqual(['invalid-license:error']);
  });

  it('requires some license', () => {
    expect(rules(model(null, '---\nlanguage: en\n---\n# x\n'))).toEqual(['missing-license:error']);
    expect(rules(model(null, '# x\n', { LICENSE: 'MIT License' }))).toEqual([]);
  });

  it('reports a malformed config with its line and still judges the card', () => {
    const m = model(null, '---\nlicense: nonsense-license\n---\n');
    const bad = parseConfig('config.json', '{\n  "hidden_size": 4096,\n  "oops"\n}');
    m.problems.push(...bad.problems);
    const r = judgeModel(m, catalog, {});
    const malformed = r.findings.find((f) => f.rule === 'malformed-file')!;
    expect(malformed.file).toBe('config.json');
    // The parser stops where the missing colon is noticed: the closing brace.
    expect(malformed.line).toBe(4);
    expect(r.findings.map((f) => f.rule)).toContain('invalid-license');
  });

  it('lets a severity override turn a rule off or down', () => {
    const m = model(v3Config, '---\nlicense: apache-2.0\n---\n');
    const r = judgeModel(m, catalog, { 'undeclared-base': 'off', 'missing-upstream-license': 'warning' });
    expect(r.findings.map((f) => `${f.rule}:${f.severity}`)).toEqual(
      expect.arrayContaining(['missing-upstream-license:warning']),
    );
    expect(r.findings.some((f) => f.rule === 'undeclared-base')).toBe(false);
  });
});
