// Compares a config's geometry with one catalog checkpoint. A strong match needs the per-layer
// geometry to be equal and tolerates what fine-tuning, quantization and resizing change; it is
// indifferent to the class name and model_type, which anyone can rename.
import type { Checkpoint } from '../catalog/index.js';
import { CORE_FIELDS, EXTENT_FIELDS, SOFT_FIELDS, type Shape } from './shape.js';

export interface ShapeMatch {
  checkpoint: Checkpoint;
  strong: boolean;
  compared: number;
  equal: number;
  coreCompared: number;
  /** Extent changes tolerated in a strong match (vocabulary extended, depth or experts changed). */
  deviations: string[];
  /** Soft fields that differ (informative). */
  softDiffs: string[];
  score: number;
}

const same = (a: number | boolean, b: number | boolean) =>
  typeof a === 'number' && typeof b === 'number'
    ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))
    : a === b;

// Fine-tunes resize the embedding to the real tokenizer length or add a few tokens (Qwen2 72B:
// 152064 → 151646; Mistral-7B + ChatML: 32000 → 32002); this much drift is not a deviation.
export function vocabTolerance(base: number): number {
  return Math.max(512, Math.round(base * 0.005));
}

export function matchShape(shape: Shape, checkpoint: Checkpoint): ShapeMatch | null {
  const base = checkpoint.shape;
  if (shape.hidden_size === undefined || base.hidden_size === undefined) return null;
  let coreCompared = 0;
  for (const f of CORE_FIELDS) {
    const a = shape[f];
    const b = base[f];
    if (a === undefined || b === undefined) continue;
    coreCompared++;
    if (!same(a, b)) return null;
  }
  // Release-time Gemma 3 configs list only non-default values (hidden and MLP width, depth,
  // window): two core fields are enough when the rest of the evidence agrees (checked below).
  if (coreCompared < 2) return null;

  // A dense model and a mixture of experts with the same attention block: one deviation, so an
  // upcycled MoE still points to its dense base, but never a tie with the real MoE checkpoint.
  const moe = (x: Shape) =>
    (typeof x.n_routed_experts === 'number' && x.n_routed_experts > 1) ||
    x.moe_intermediate_size !== undefined;
  let compared = coreCompared;
  let equal = coreCompared;
  const deviations: string[] = [];
  for (const f of EXTENT_FIELDS) {
    const a = shape[f];
    const b = base[f];
    if (typeof a !== 'number' || typeof b !== 'number') continue;
    compared++;
    if (same(a, b)) {
      equal++;
      continue;
    }
    if (f === 'vocab_size') {
      if (Math.abs(a - b) <= vocabTolerance(b)) {
        equal++;
        continue;
      }
      // Extensions seen on real derivatives add up to about half the vocabulary (Rakuten: 32000 →
      // 48000). A vocabulary several times larger on the same layer template is a new tokenizer
      // and a new embedding: the pattern of independent models (llm-jp-3 on the Llama-2 13B shape).
      if (a > 2 * b)
        return {
          checkpoint,
          strong: false,
          compared,
          equal,
          coreCompared,
          deviations: [`vocabulary ${a} vs ${b}`],
          softDiffs: [],
          score: -10,
        };
      deviations.push(a > b ? `vocabulary extended from ${b} to ${a}` : `vocabulary cut from ${b} to ${a}`);
    } else if (f === 'num_hidden_layers') deviations.push(`${a} layers instead of ${b}`);
    else if (f === 'n_routed_experts') deviations.push(`${a} experts instead of ${b}`);
    else deviations.push(`${f} ${a} instead of ${b}`);
  }
  if (moe(shape) !== moe(base)) {
    compared++;
    deviations.push(
      moe(shape) ? 'a mixture of experts on a dense base' : 'dense, while the base is a mixture of experts',
    );
  }
  let softCompared = 0;
  const softDiffs: string[] = [];
  for (const f of SOFT_FIELDS) {
    const a = shape[f];
    const b = base[f];
    if (a === undefined || b === undefined) continue;
    softCompared++;
    compared++;
    if (same(a, b)) equal++;
    else softDiffs.push(`${f} ${a} vs ${b}`);
  }
  // One extent change (a grown vocabulary, a pruned or depth-merged model) still points to the
  // base when everything else agrees; two or more is a different model that reuses a template
  // (Kimi K2: DeepSeek-V3's layer geometry with its own vocabulary and 384 experts).
  const enough = coreCompared >= 3 || (equal >= 4 && deviations.length === 0 && softDiffs.length === 0);
  const strong = !enough
    ? false
    : deviations.length === 0 ||
      (deviations.length === 1 && coreCompared >= 4 && softCompared >= 2 && softDiffs.length === 0);
  // Share of compared fields that agree, so a partial reference config is not punished for the
  // fields it lacks; each tolerated deviation costs more than any soft difference.
  const score = equal / compared - deviations.length;
  return { checkpoint, strong, compared, equal, coreCompared, deviations, softDiffs, score };
}
