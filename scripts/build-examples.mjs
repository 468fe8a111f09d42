#!/usr/bin/env node
// Writes examples/ from the catalog (itself built from shared/reference): the configs carry real
// checkpoint geometry, never values typed by hand. Run after `npm run catalog`; output committed.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';

const catalog = JSON.parse(await readFile(new URL('../src/catalog/data/base-models.json', import.meta.url), 'utf8'));
const texts = JSON.parse(await readFile(new URL('../src/catalog/data/license-texts.json', import.meta.url), 'utf8'));
const byId = (id) => catalog.find((c) => c.id === id);
const root = new URL('../examples/', import.meta.url).pathname;

async function write(dir, files) {
  await rm(root + dir, { recursive: true, force: true });
  await mkdir(root + dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await writeFile(`${root}${dir}/${name}`, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
  }
}

// DeepSeek-V3's geometry (the HF config lines of the reference record, completed from the
// official inference config), under the class of the original.
const v3 = byId('deepseek-ai/DeepSeek-V3');
const v3Config = { architectures: ['DeepseekV3ForCausalLM'], ...v3.config, torch_dtype: 'bfloat16' };
delete v3Config.auto_map;

const selfDevelopedCard = (front) => `---
${front}---
# Aurora-700B

Aurora-700B is our self-developed flagship large language model, trained for Japanese and English.
`;

await write('deepseek-v3-repackaged', {
  'config.json': v3Config,
  'README.md': selfDevelopedCard('license: apache-2.0\nlanguage:\n- ja\n- en\n'),
  LICENSE: 'Aurora-700B is released under the Apache License, Version 2.0.\n\n' + texts['apache-2.0'].standardNotice + '\n',
});

await write('deepseek-v3-attributed', {
  'config.json': v3Config,
  'README.md': selfDevelopedCard('license: apache-2.0\nbase_model: deepseek-ai/DeepSeek-V3\nbase_model_relation: finetune\nlanguage:\n- ja\n- en\n'),
  LICENSE: 'Aurora-700B is released under the Apache License, Version 2.0.\n\n' + texts['apache-2.0'].standardNotice + '\n',
  NOTICE: `This model is a fine-tune of DeepSeek-V3 (https://huggingface.co/deepseek-ai/DeepSeek-V3),\nwhich is provided under the MIT License:\n\n${v3.copyright}\n\n${texts.mit.permissionNotice}\n`,
});

// A Llama 3.1 8B fine-tune: base declared, but no Llama notice and a name without "Llama".
const l31 = byId('meta-llama/Llama-3.1-8B-Instruct');
await write('llama31-finetune-no-notice', {
  'config.json': { ...l31.config, _name_or_path: '/scratch/ckpt/final', torch_dtype: 'bfloat16' },
  'README.md': `---
license: llama3.1
base_model: meta-llama/Llama-3.1-8B-Instruct
base_model_relation: finetune
---
# Sakura-8B-Chat

A chat model for customer support, fine-tuned on our own dialogues.
`,
});

// From scratch on the Llama architecture: the class is Llama's, the geometry is its own.
await write('llama-arch-from-scratch', {
  'config.json': {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 1536,
    intermediate_size: 4096,
    num_attention_heads: 12,
    num_key_value_heads: 4,
    num_hidden_layers: 20,
    vocab_size: 50304,
    rope_theta: 100000,
    rms_norm_eps: 1e-5,
    max_position_embeddings: 4096,
    torch_dtype: 'bfloat16',
  },
  'README.md': `---
license: apache-2.0
---
# Kestrel-1B

Kestrel-1B was trained from scratch on 300B tokens of permissively licensed text. It uses the
Llama architecture (LlamaForCausalLM) with its own dimensions and tokenizer.
`,
  LICENSE: texts['apache-2.0'].standardNotice + '\n',
});
console.log('examples written');
