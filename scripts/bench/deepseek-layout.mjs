// The tensor inventory of DeepSeek-V3 (671B, FP8 block-quantized), derived from its config values, and
// its split into the 163 shards of the official checkpoint. No weights: names, dtypes and shapes only.
//
// Sources for the layout (looked up in public code, not typed from memory alone):
// - Names and the per-layer module set: deepseek-ai/DeepSeek-V3 inference/convert.py (the `mapping`
//   of q_a_proj/q_a_layernorm/q_b_proj/kv_a_proj_with_mqa/kv_a_layernorm/kv_b_proj/o_proj,
//   gate/gate_proj/up_proj/down_proj, e_score_correction_bias, weight_scale_inv; layer 61 skipped as
//   the MTP layer).
// - The MTP layer's extra tensors (model.layers.61.{enorm,hnorm,eh_proj,embed_tokens,shared_head.*})
//   living in model-00163-of-000163.safetensors: HabanaAI vllm-fork DeepSeek-R1 guide (conversion log).
// - Shapes and dtypes (F8_E4M3 weights with F32 weight_scale_inv of ceil(rows/128) x ceil(cols/128),
//   BF16 norms, embeddings, router gate; F32 e_score_correction_bias): a DeepSeek-R1 weight inventory
//   read from its safetensors headers (same architecture as V3), and the config's
//   quantization_config.weight_block_size [128, 128].
// With 61 layers (3 dense), 256 routed + 1 shared expert and the MTP layer this gives 91,991 tensors,
// the count of the real model.safetensors.index.json, and about 688.6 GB in total.

export const SHARD_COUNT = 163;
const BLOCK = 128;
const BYTES = { F8_E4M3: 1, BF16: 2, F32: 4 };

/** `rows x cols` FP8 weight plus its block scale, as the official checkpoint stores every linear. */
function fp8Linear(out, name, rows, cols) {
  out.push({ name: `${name}.weight`, dtype: 'F8_E4M3', shape: [rows, cols] });
  out.push({
    name: `${name}.weight_scale_inv`,
    dtype: 'F32',
    shape: [Math.ceil(rows / BLOCK), Math.ceil(cols / BLOCK)],
  });
}

function mlp(out, prefix, hidden, inner) {
  fp8Linear(out, `${prefix}.gate_proj`, inner, hidden);
  fp8Linear(out, `${prefix}.up_proj`, inner, hidden);
  fp8Linear(out, `${prefix}.down_proj`, hidden, inner);
}

function decoderLayer(out, c, i) {
  const p = `model.layers.${i}`;
  const h = c.hidden_size;
  const heads = c.num_attention_heads;
  const qkHead = c.qk_nope_head_dim + c.qk_rope_head_dim;
  out.push({ name: `${p}.input_layernorm.weight`, dtype: 'BF16', shape: [h] });
  fp8Linear(out, `${p}.self_attn.q_a_proj`, c.q_lora_rank, h);
  out.push({ name: `${p}.self_attn.q_a_layernorm.weight`, dtype: 'BF16', shape: [c.q_lora_rank] });
  fp8Linear(out, `${p}.self_attn.q_b_proj`, heads * qkHead, c.q_lora_rank);
  fp8Linear(out, `${p}.self_attn.kv_a_proj_with_mqa`, c.kv_lora_rank + c.qk_rope_head_dim, h);
  out.push({ name: `${p}.self_attn.kv_a_layernorm.weight`, dtype: 'BF16', shape: [c.kv_lora_rank] });
  fp8Linear(out, `${p}.self_attn.kv_b_proj`, heads * (c.qk_nope_head_dim + c.v_head_dim), c.kv_lora_rank);
  fp8Linear(out, `${p}.self_attn.o_proj`, h, heads * c.v_head_dim);
  out.push({ name: `${p}.post_attention_layernorm.weight`, dtype: 'BF16', shape: [h] });
  if (i < c.first_k_dense_replace) {
    mlp(out, `${p}.mlp`, h, c.intermediate_size);
    return;
  }
  out.push({ name: `${p}.mlp.gate.weight`, dtype: 'BF16', shape: [c.n_routed_experts, h] });
  out.push({ name: `${p}.mlp.gate.e_score_correction_bias`, dtype: 'F32', shape: [c.n_routed_experts] });
  for (let e = 0; e < c.n_routed_experts; e++) mlp(out, `${p}.mlp.experts.${e}`, h, c.moe_intermediate_size);
  mlp(out, `${p}.mlp.shared_experts`, h, c.moe_intermediate_size * c.n_shared_experts);
}

/** Every tensor of the checkpoint, in the order the official shards hold them (layer order). */
export function deepseekV3Tensors(c) {
  const out = [];
  const h = c.hidden_size;
  out.push({ name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [c.vocab_size, h] });
  for (let i = 0; i < c.num_hidden_layers; i++) decoderLayer(out, c, i);
  out.push({ name: 'model.norm.weight', dtype: 'BF16', shape: [h] });
  out.push({ name: 'lm_head.weight', dtype: 'BF16', shape: [c.vocab_size, h] });
  // Multi-token prediction: num_nextn_predict_layers extra layers after the last decoder layer.
  for (let k = 0; k < (c.num_nextn_predict_layers ?? 0); k++) {
    const i = c.num_hidden_layers + k;
    const p = `model.layers.${i}`;
    decoderLayer(out, c, i);
    out.push({ name: `${p}.enorm.weight`, dtype: 'BF16', shape: [h] });
    out.push({ name: `${p}.hnorm.weight`, dtype: 'BF16', shape: [h] });
    out.push({ name: `${p}.eh_proj.weight`, dtype: 'BF16', shape: [h, 2 * h] });
    out.push({ name: `${p}.embed_tokens.weight`, dtype: 'BF16', shape: [c.vocab_size, h] });
    out.push({ name: `${p}.shared_head.norm.weight`, dtype: 'BF16', shape: [h] });
    out.push({ name: `${p}.shared_head.head.weight`, dtype: 'BF16', shape: [c.vocab_size, h] });
  }
  for (const t of out) t.bytes = t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
  return out;
}

/**
 * Splits `tensors` (in order) into `count` shards of about equal byte size, never splitting a tensor:
 * a tensor goes to the shard its middle byte falls in. Returns the shard file names and, per shard,
 * its tensors with `data_offsets` relative to the end of the header, as safetensors stores them.
 */
export function shardTensors(tensors, count = SHARD_COUNT) {
  const total = tensors.reduce((a, t) => a + t.bytes, 0);
  const per = total / count;
  const shards = Array.from({ length: count }, (_, i) => ({
    file: `model-${String(i + 1).padStart(5, '0')}-of-${String(count).padStart(6, '0')}.safetensors`,
    tensors: [],
    dataBytes: 0,
  }));
  let at = 0;
  for (const t of tensors) {
    const s = shards[Math.min(count - 1, Math.floor((at + t.bytes / 2) / per))];
    s.tensors.push({ ...t, data_offsets: [s.dataBytes, s.dataBytes + t.bytes] });
    s.dataBytes += t.bytes;
    at += t.bytes;
  }
  if (shards.some((s) => s.tensors.length === 0)) throw new Error('a shard got no tensors');
  return { shards, totalBytes: total };
}

/**
 * The safetensors header of one shard: 8-byte little-endian length, then the JSON, padded with spaces
 * to a multiple of 8 as the reference writer does.
 */
export function safetensorsHeader(shard) {
  const header = { __metadata__: { format: 'pt' } };
  for (const t of shard.tensors)
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: t.data_offsets };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json]);
}

/** model.safetensors.index.json as transformers writes it (sorted keys, indent 2). */
export function safetensorsIndex(shards, totalBytes) {
  const map = [];
  for (const s of shards) for (const t of s.tensors) map.push([t.name, s.file]);
  map.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return (
    JSON.stringify({ metadata: { total_size: totalBytes }, weight_map: Object.fromEntries(map) }, null, 2) +
    '\n'
  );
}
