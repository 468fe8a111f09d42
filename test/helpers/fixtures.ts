// A DeepSeek-V3-shaped model repository, written into a temp dir. The config values are those of
// the official deepseek-ai/DeepSeek-V3 config.json (shape fields, MoE and MLA fields).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const DEEPSEEK_V3_CONFIG = {
  architectures: ['DeepseekV3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  auto_map: {
    AutoConfig: 'configuration_deepseek.DeepseekV3Config',
    AutoModel: 'modeling_deepseek.DeepseekV3Model',
    AutoModelForCausalLM: 'modeling_deepseek.DeepseekV3ForCausalLM',
  },
  aux_loss_alpha: 0.001,
  bos_token_id: 0,
  eos_token_id: 1,
  ep_size: 1,
  first_k_dense_replace: 3,
  hidden_act: 'silu',
  hidden_size: 7168,
  initializer_range: 0.02,
  intermediate_size: 18432,
  kv_lora_rank: 512,
  max_position_embeddings: 163840,
  model_type: 'deepseek_v3',
  moe_intermediate_size: 2048,
  moe_layer_freq: 1,
  n_group: 8,
  n_routed_experts: 256,
  n_shared_experts: 1,
  norm_topk_prob: true,
  num_attention_heads: 128,
  num_experts_per_tok: 8,
  num_hidden_layers: 61,
  num_key_value_heads: 128,
  num_nextn_predict_layers: 1,
  pretraining_tp: 1,
  q_lora_rank: 1536,
  qk_nope_head_dim: 128,
  qk_rope_head_dim: 64,
  vocab_size: 129280,
};

export const MIT_NOTICE = `Copyright (c) 2023 DeepSeek

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

export function tempDir(prefix = 'lg-e2e-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Repackaged DeepSeek-V3 weights under apache-2.0, no base_model, no notice: must fail. */
export function writeUndeclared(dir: string): string {
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(DEEPSEEK_V3_CONFIG, null, 2) + '\n');
  writeFileSync(
    path.join(dir, 'README.md'),
    '---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n\n# Acme Chat 600B\n\nOur new chat model.\n',
  );
  return dir;
}

/** The same weights with the base declared and the upstream MIT notice kept: must pass. */
export function writeAttributed(dir: string): string {
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(DEEPSEEK_V3_CONFIG, null, 2) + '\n');
  writeFileSync(
    path.join(dir, 'README.md'),
    '---\nlicense: apache-2.0\nbase_model: deepseek-ai/DeepSeek-V3\nlibrary_name: transformers\n---\n\n# Acme Chat 600B\n\nFine-tuned from DeepSeek-V3.\n',
  );
  writeFileSync(path.join(dir, 'NOTICE'), MIT_NOTICE);
  return dir;
}
