// A config's geometry in one vocabulary, whatever the family's key names. Fields are split by
// how fine-tuning, quantization, pruning and merging treat them:
//  - core: per-layer geometry; no fine-tune or quantization changes it;
//  - extent: counts that pruning, depth merges and vocabulary resizing do change;
//  - soft: values training rarely touches but releases and fine-tunes sometimes edit (tie-breakers).

export const CORE_FIELDS = [
  'hidden_size',
  'intermediate_size',
  'num_attention_heads',
  'num_key_value_heads',
  'head_dim',
  'moe_intermediate_size',
  'n_shared_experts',
  'kv_lora_rank',
  'q_lora_rank',
  'qk_nope_head_dim',
  'qk_rope_head_dim',
  'v_head_dim',
] as const;
export const EXTENT_FIELDS = [
  'num_hidden_layers',
  'vocab_size',
  'n_routed_experts',
  'first_k_dense_replace',
] as const;
export const SOFT_FIELDS = ['rope_theta', 'rms_norm_eps', 'sliding_window', 'tie_word_embeddings'] as const;

export type CoreField = (typeof CORE_FIELDS)[number];
export type ExtentField = (typeof EXTENT_FIELDS)[number];
export type SoftField = (typeof SOFT_FIELDS)[number];
export type ShapeField = CoreField | ExtentField | SoftField;

export type Shape = Partial<Record<ShapeField, number | boolean>>;

/** Key names used by the families in the catalog, mapped onto one name (first present wins). */
const ALIASES: Record<ShapeField, string[]> = {
  hidden_size: ['hidden_size', 'n_embd', 'd_model', 'dim', 'model_dim'],
  intermediate_size: ['intermediate_size', 'ffn_hidden_size', 'inter_dim', 'n_inner', 'ffn_dim'],
  num_attention_heads: ['num_attention_heads', 'n_head', 'n_heads', 'num_heads'],
  num_key_value_heads: [
    'num_key_value_heads',
    'multi_query_group_num',
    'num_kv_heads',
    'n_kv_heads',
    'n_head_kv',
  ],
  head_dim: ['head_dim', 'kv_channels'],
  moe_intermediate_size: ['moe_intermediate_size', 'moe_inter_dim', 'expert_intermediate_size'],
  n_shared_experts: ['n_shared_experts', 'num_shared_experts'],
  kv_lora_rank: ['kv_lora_rank'],
  q_lora_rank: ['q_lora_rank'],
  qk_nope_head_dim: ['qk_nope_head_dim'],
  qk_rope_head_dim: ['qk_rope_head_dim'],
  v_head_dim: ['v_head_dim'],
  num_hidden_layers: ['num_hidden_layers', 'n_layer', 'num_layers', 'n_layers'],
  vocab_size: ['vocab_size', 'padded_vocab_size', 'n_vocab'],
  n_routed_experts: ['n_routed_experts', 'num_local_experts', 'num_experts', 'num_routed_experts'],
  first_k_dense_replace: ['first_k_dense_replace', 'n_dense_layers'],
  rope_theta: ['rope_theta', 'rotary_emb_base', 'rope_base'],
  rms_norm_eps: ['rms_norm_eps', 'layer_norm_epsilon', 'layernorm_epsilon', 'layer_norm_eps', 'norm_eps'],
  sliding_window: ['sliding_window'],
  tie_word_embeddings: ['tie_word_embeddings'],
};

/** Which alias a shape field was read from (to point at the right line). */
export function sourceKey(fields: Record<string, unknown>, field: ShapeField): string | undefined {
  return ALIASES[field].find((k) => fields[k] !== undefined && fields[k] !== null);
}

export function normalizeShape(fields: Record<string, unknown>): Shape {
  const shape: Shape = {};
  for (const field of Object.keys(ALIASES) as ShapeField[]) {
    for (const key of ALIASES[field]) {
      let v = fields[key];
      // `q_lora_rank: null` means "no query compression" (DeepSeek-V2-Lite); the inference
      // configs write it as 0. Both mean the same geometry.
      if (field === 'q_lora_rank' && key in fields && (v === null || v === 0)) v = 0;
      if (typeof v === 'number' && Number.isFinite(v)) {
        shape[field] = v;
        break;
      }
      if (typeof v === 'boolean' && field === 'tie_word_embeddings') {
        shape[field] = v;
        break;
      }
    }
  }
  // Falcon's remote-code configs say `multi_query: true` for a single shared key/value head.
  if (shape.num_key_value_heads === undefined && fields.multi_query === true) shape.num_key_value_heads = 1;
  return shape;
}
