// The weights' own geometry (from safetensors headers) as a Shape, and where config.json
// contradicts it. The headers are the truth: a config that lies about shapes hides its lineage.
import type { Checkpoint } from '../catalog/index.js';
import type { ModelEvidence } from '../evidence/types.js';
import type { DerivedShapes } from '../evidence/safetensors.js';
import type { Problem } from '../types.js';
import { normalizeShape, sourceKey, type Shape, type ShapeField } from './shape.js';

/** DeepSeek-style multi-token-prediction layers are stored after the last decoder layer. */
function nextnLayers(fields: Record<string, unknown>): number {
  const n = fields.num_nextn_predict_layers;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 16 ? n : 0;
}

function headDim(shape: Shape): number | undefined {
  if (typeof shape.head_dim === 'number') return shape.head_dim;
  const h = shape.hidden_size;
  const n = shape.num_attention_heads;
  return typeof h === 'number' && typeof n === 'number' && n > 0 && h % n === 0 ? h / n : undefined;
}

/**
 * The derived geometry in shape-field terms, read against a reference (a checkpoint's config, or the
 * repo's own): key/value heads need its head width; stored layers include its MTP layers.
 */
export function tensorShape(
  d: DerivedShapes,
  reference: { shape: Shape; fields: Record<string, unknown> },
): Shape {
  const s: Shape = {};
  if (d.hiddenSize !== undefined) s.hidden_size = d.hiddenSize;
  if (d.vocabSize !== undefined) s.vocab_size = d.vocabSize;
  if (d.intermediateSize !== undefined) s.intermediate_size = d.intermediateSize;
  if (d.moeIntermediateSize !== undefined) s.moe_intermediate_size = d.moeIntermediateSize;
  if (d.numExperts !== undefined) s.n_routed_experts = d.numExperts;
  if (d.numLayers !== undefined) {
    const refLayers = reference.shape.num_hidden_layers;
    const extra = nextnLayers(reference.fields);
    s.num_hidden_layers =
      extra && d.numLayers === Number(refLayers) + extra ? d.numLayers - extra : d.numLayers;
  }
  const hd = headDim(reference.shape);
  if (d.kvWidth !== undefined && hd && d.kvWidth % hd === 0) s.num_key_value_heads = d.kvWidth / hd;
  return s;
}

export function checkpointReference(cp: Checkpoint): { shape: Shape; fields: Record<string, unknown> } {
  return { shape: cp.shape, fields: cp.config };
}

const DESCRIBE: Partial<Record<ShapeField, string>> = {
  hidden_size: 'the embedding width',
  vocab_size: 'the embedding rows',
  num_hidden_layers: 'the decoder layers stored',
  n_routed_experts: 'the experts stored per layer',
  intermediate_size: 'the MLP width (gate_proj rows)',
  moe_intermediate_size: 'the expert width (gate_proj rows)',
  num_key_value_heads: 'the key/value heads (k_proj rows ÷ head width)',
};

/** Fields where config.json and the safetensors headers disagree: each a `malformed-file` problem. */
export function configContradictions(ev: ModelEvidence): Problem[] {
  const config = ev.config;
  const d = ev.weights?.derived;
  if (!config || !d || !ev.weights?.complete) return [];
  const fields = Object.fromEntries(Object.entries(config.fields).map(([k, v]) => [k, v.value]));
  const claimed = normalizeShape(fields);
  const truth = tensorShape(d, { shape: claimed, fields });
  const out: Problem[] = [];
  for (const [f, actual] of Object.entries(truth) as [ShapeField, number][]) {
    const said = claimed[f];
    if (typeof said !== 'number' || said === actual) continue;
    // Mixtral-style configs give the expert width as intermediate_size; only a dense layer's
    // gate_proj speaks for intermediate_size, which tensorShape already ensures.
    const key = sourceKey(fields, f) ?? f;
    out.push({
      file: config.file,
      line: config.fields[key]?.line ?? config.line,
      message: `${config.file} says ${key} = ${said}, but ${DESCRIBE[f] ?? f} in the safetensors headers (${ev.weights!.file}) give ${actual}: the config does not describe these weights`,
    });
  }
  return out;
}
