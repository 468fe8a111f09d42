// Safetensors headers: an 8-byte little-endian header length N, then N bytes of JSON naming every
// tensor with its dtype, shape and byte range. Only the header is ever read, and only after N has
// been checked against the file size and a sane bound. Also the shard index of sharded checkpoints,
// and the geometry (vocab, width, layers, experts) that the tensor names and shapes reveal.
import type { Problem } from '../types.js';
import type { RepoSource } from '../sources/source.js';
import { lineAt } from './json-positions.js';
import { parseLfsPointer, mayBeLfsPointer, type LfsPointer } from './lfs.js';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { jsonContainersOver } from './nesting.js';

export const SAFETENSORS_MAX_HEADER = 100 * 1024 * 1024;
/** First read of a safetensors file: the 8-byte length and, for real files, the whole header. */
export const SAFETENSORS_FIRST_READ = 128 * 1024;
/** Bound for `model.safetensors.index.json` (real ones are well under 10 MiB). */
export const SAFETENSORS_INDEX_MAX_CHARS = 50 * 1024 * 1024;
const MAX_PROBLEMS = 20;
/**
 * Objects and arrays a header may hold (3 per tensor: entry, shape, offsets): a third of a million
 * tensors, far above real checkpoints, keeps JSON.parse of a hostile `{},{},…` header bounded in heap.
 */
export const SAFETENSORS_MAX_CONTAINERS = 1_000_000;
const MAX_DIMS = 64;
const MAX_INDEX_ENTRIES = 2_000_000;

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
}

export interface SafetensorsHeader {
  kind: 'header';
  /** Header length N read from the first 8 bytes (0 when they could not be read). */
  headerLength: number;
  tensors: SafetensorsTensor[];
  metadata: Record<string, string>;
  problems: Problem[];
}

/** The caller must supply the first `needBytes` bytes of the file (8, then 8 + N) and call again. */
export interface SafetensorsNeedMore {
  kind: 'need-more';
  needBytes: number;
}

export type SafetensorsParseResult = SafetensorsHeader | SafetensorsNeedMore;

/** Bytes per element of the dtypes whose size is a whole number of bytes. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
  C64: 8,
};
const DTYPE = /^[A-Z][A-Z0-9_]{0,23}$/;

function invalid(file: string, message: string, headerLength = 0): SafetensorsHeader {
  return { kind: 'header', headerLength, tensors: [], metadata: {}, problems: [{ file, message }] };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function looksLikeLfsPointerStart(head: Buffer): boolean {
  return head.subarray(0, 8).toString('latin1') === 'version ';
}

/**
 * Parses a safetensors header from `head`, the first bytes of a file of `fileSize` bytes. When `head`
 * is too short, asks for exactly the bytes it needs (8, then 8 + N) instead of guessing. Never
 * throws; every defect becomes a Problem naming `file`.
 */
export function parseSafetensorsHeader(
  file: string,
  head: Buffer,
  fileSize: number,
  maxHeader: number = SAFETENSORS_MAX_HEADER,
): SafetensorsParseResult {
  if (!Number.isSafeInteger(fileSize) || fileSize < 0) return invalid(file, `invalid file size ${fileSize}`);
  if (fileSize < 8) {
    return invalid(file, `safetensors file is ${fileSize} bytes, smaller than the 8-byte header length`);
  }
  if (head.length < 8) return { kind: 'need-more', needBytes: 8 };
  const big = head.readBigUInt64LE(0);
  const hint = looksLikeLfsPointerStart(head) ? ' (the file looks like a Git LFS pointer)' : '';
  if (big === 0n) return invalid(file, 'safetensors header length is 0');
  if (big > BigInt(fileSize - 8)) {
    return invalid(
      file,
      `safetensors header length ${big} exceeds the ${fileSize - 8} bytes that follow it in the file${hint}`,
    );
  }
  if (big > BigInt(maxHeader)) {
    return invalid(file, `safetensors header length ${big} exceeds the ${maxHeader}-byte bound${hint}`);
  }
  const n = Number(big);
  if (head.length < 8 + n) return { kind: 'need-more', needBytes: 8 + n };
  return parseHeaderJson(file, head.subarray(8, 8 + n), fileSize - 8 - n);
}

function parseHeaderJson(file: string, json: Buffer, dataSize: number): SafetensorsHeader {
  const n = json.length;
  // The format allows trailing spaces as padding after the JSON object.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    return invalid(file, 'safetensors header is not valid UTF-8', n);
  }
  if (!text.trimStart().startsWith('{')) return invalid(file, 'safetensors header is not a JSON object', n);
  if (jsonContainersOver(text, SAFETENSORS_MAX_CONTAINERS)) {
    return invalid(
      file,
      `safetensors header holds more than ${SAFETENSORS_MAX_CONTAINERS} JSON objects and arrays; not read`,
      n,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return invalid(file, `safetensors header is not valid JSON (${(e as Error).message})`, n);
  }
  if (!isPlainObject(parsed)) return invalid(file, 'safetensors header is not a JSON object', n);

  const problems: Problem[] = [];
  let dropped = 0;
  const problem = (message: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push({ file, message });
    else dropped++;
  };
  const tensors: SafetensorsTensor[] = [];
  // Null prototype: a key named __proto__ is data here, as in JSON.parse's result.
  const metadata: Record<string, string> = Object.create(null);
  for (const [name, entry] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isPlainObject(entry)) {
        problem('safetensors __metadata__ is not an object of strings');
        continue;
      }
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v === 'string') metadata[k] = v;
        else problem(`safetensors __metadata__ value for "${clip(k)}" is not a string`);
      }
      continue;
    }
    const err = checkTensor(entry, dataSize);
    if (err) {
      problem(`tensor "${clip(name)}": ${err}`);
      continue;
    }
    const t = entry as { dtype: string; shape: number[] };
    tensors.push({ name, dtype: t.dtype, shape: t.shape.slice() });
  }
  if (dropped > 0) problems.push({ file, message: `${dropped} more problems in the safetensors header` });
  return { kind: 'header', headerLength: n, tensors, metadata, problems };
}

function clip(s: string, max = 120): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Returns a description of what is wrong with one tensor entry, or null when it is valid. */
function checkTensor(entry: unknown, dataSize: number): string | null {
  if (!isPlainObject(entry)) return 'entry is not an object';
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !DTYPE.test(dtype)) return 'dtype is not a dtype name';
  if (!Array.isArray(shape) || shape.length > MAX_DIMS) return 'shape is not an array of dimensions';
  let elements = 1n;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      return 'shape holds something other than non-negative integers';
    }
    elements *= BigInt(d);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    return 'data_offsets is not a pair of non-negative integers';
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) return `data_offsets [${begin}, ${end}] run backwards`;
  if (end > dataSize) return `data_offsets end ${end} lies beyond the ${dataSize}-byte data section`;
  const width = DTYPE_BYTES[dtype];
  if (width !== undefined && elements * BigInt(width) !== BigInt(end - begin)) {
    return `data_offsets span ${end - begin} bytes but ${dtype}${JSON.stringify(shape)} needs ${elements * BigInt(width)}`;
  }
  return null;
}

export interface SafetensorsFileResult extends SafetensorsHeader {
  /** Set when the file is a Git LFS pointer: evidence (object id and size), not a broken file. */
  lfsPointer?: LfsPointer;
}

/**
 * Reads and parses the header of a local safetensors file through `source`: the 8-byte length first,
 * bounded against `size` and `maxHeader`, then exactly N bytes. A Git LFS pointer yields `lfsPointer`.
 */
export async function readSafetensorsHeader(
  source: RepoSource,
  path: string,
  size: number,
  maxHeader: number = SAFETENSORS_MAX_HEADER,
  /** Bytes of the first read; a source that sizes its own prefetch (the Hub) asks for 8. */
  firstRead: number = SAFETENSORS_FIRST_READ,
): Promise<SafetensorsFileResult> {
  if (mayBeLfsPointer(size)) {
    const small = await source.read(path, size);
    if (small.ok) {
      const pointer = parseLfsPointer(small.data);
      if (pointer)
        return {
          kind: 'header',
          headerLength: 0,
          tensors: [],
          metadata: {},
          problems: [],
          lfsPointer: pointer,
        };
    }
  }
  // One read usually suffices: real headers are tens of KiB (DeepSeek-V3's shards: ~70 KiB), so a
  // prefix of SAFETENSORS_FIRST_READ holds the length and the whole header; else read the rest.
  const first = await source.readRange(path, 0, Math.min(Math.max(size, 8), Math.max(8, firstRead)));
  if (!first.ok) return invalid(path, `cannot read the safetensors header length: ${first.reason}`);
  const step = parseSafetensorsHeader(path, first.data, size, maxHeader);
  if (step.kind === 'header') return step;
  if (step.needBytes === 8) return invalid(path, 'file ended before the 8-byte safetensors header length');
  const n = step.needBytes - 8;
  const rest = await source.readRange(path, 8, n);
  if (!rest.ok) return invalid(path, `cannot read the safetensors header: ${rest.reason}`);
  if (rest.data.length < n) {
    return invalid(path, `safetensors header is truncated: ${rest.data.length} of ${n} bytes present`, n);
  }
  const done = parseSafetensorsHeader(
    path,
    Buffer.concat([first.data.subarray(0, 8), rest.data.subarray(0, n)]),
    size,
    maxHeader,
  );
  return done.kind === 'header'
    ? done
    : invalid(path, `safetensors header could not be read completely (${done.needBytes} bytes needed)`, n);
}

/** Where and why strict JSON parsing fails, for a Problem with a line number. */
function jsonErrorLine(text: string): { line: number; message: string } {
  const errors: ParseError[] = [];
  try {
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch {
    return { line: 1, message: 'invalid JSON (nested too deeply to locate the error)' };
  }
  const first = errors[0];
  if (!first) return { line: 1, message: 'invalid JSON' };
  return { line: lineAt(text, first.offset), message: printParseErrorCode(first.error) };
}

// ---------------------------------------------------------------------------------------------
// Shard index: model.safetensors.index.json

export interface SafetensorsIndex {
  /** Tensor name → shard file name (relative to the index's directory). */
  weightMap: Record<string, string>;
  /** Distinct shard files, in first-seen order. */
  shards: string[];
  totalSize: number | null;
  problems: Problem[];
}

const SHARD_NAME = /^[^/\\\0]+$/;

/** Parses a `model.safetensors.index.json`. Bounded in size and entries; never throws. */
export function parseSafetensorsIndex(
  file: string,
  text: string,
  /** `false`: return the shard list only (the gate's path: headers carry names and shapes). */
  options: { weightMap?: boolean } = {},
): SafetensorsIndex {
  const keepMap = options.weightMap !== false;
  const empty = (message: string, line?: number): SafetensorsIndex => ({
    weightMap: {},
    shards: [],
    totalSize: null,
    problems: [line === undefined ? { file, message } : { file, line, message }],
  });
  if (text.length > SAFETENSORS_INDEX_MAX_CHARS) {
    return empty(`index file exceeds the ${SAFETENSORS_INDEX_MAX_CHARS}-character bound`);
  }
  // A real index is two objects of strings; thousands of nested objects are an attack on the heap.
  if (jsonContainersOver(text, 10_000)) {
    return empty('index file holds more than 10000 JSON objects and arrays; not read');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const { line, message } = jsonErrorLine(text);
    return empty(`not valid JSON: ${message}`, line);
  }
  if (!isPlainObject(parsed)) return empty('index file is not a JSON object', 1);
  const problems: Problem[] = [];
  let totalSize: number | null = null;
  const meta = parsed.metadata;
  if (meta !== undefined) {
    if (!isPlainObject(meta)) problems.push({ file, message: '"metadata" is not an object' });
    else if (meta.total_size !== undefined) {
      const t = meta.total_size;
      if (typeof t === 'number' && Number.isSafeInteger(t) && t >= 0) totalSize = t;
      else problems.push({ file, message: '"metadata.total_size" is not a non-negative integer' });
    }
  }
  const map = parsed.weight_map;
  const weightMap: Record<string, string> = Object.create(null);
  const shards: string[] = [];
  if (!isPlainObject(map)) {
    problems.push({ file, message: '"weight_map" is missing or not an object' });
    return { weightMap, shards, totalSize, problems };
  }
  const seen = new Set<string>();
  let bad = 0;
  let count = 0;
  // for…in over the parsed object: no [name, shard] array per entry (92k of them in DeepSeek-V3).
  for (const name in map) {
    const shard = map[name];
    if (++count > MAX_INDEX_ENTRIES) {
      problems.push({
        file,
        message: `"weight_map" has more than ${MAX_INDEX_ENTRIES} entries; the rest were ignored`,
      });
      break;
    }
    if (typeof shard !== 'string' || !SHARD_NAME.test(shard) || shard === '.' || shard === '..') {
      if (bad++ < MAX_PROBLEMS) {
        problems.push({
          file,
          message: `"weight_map" entry "${clip(name)}" does not name a shard file in this directory`,
        });
      }
      continue;
    }
    if (keepMap) weightMap[name] = shard;
    if (!seen.has(shard)) {
      seen.add(shard);
      shards.push(shard);
    }
  }
  if (bad > MAX_PROBLEMS)
    problems.push({ file, message: `${bad - MAX_PROBLEMS} more bad "weight_map" entries` });
  return { weightMap, shards, totalSize, problems };
}

// ---------------------------------------------------------------------------------------------
// Geometry from tensor names and shapes

export interface DerivedShapes {
  vocabSize?: number;
  hiddenSize?: number;
  numLayers?: number;
  numExperts?: number;
  /** Rows of `k_proj`: num_key_value_heads × head_dim. */
  kvWidth?: number;
  intermediateSize?: number;
  moeIntermediateSize?: number;
}

const EMBEDDINGS = [
  'model.embed_tokens.weight',
  'model.language_model.embed_tokens.weight',
  'language_model.model.embed_tokens.weight',
  'transformer.wte.weight',
  'tok_embeddings.weight',
  'gpt_neox.embed_in.weight',
  'transformer.word_embeddings.weight',
  'model.embed_tokens.embed_tokens.weight',
];
// Decoder layers of the language model only (not vision towers or encoders).
const LAYER =
  /^(?:model\.|model\.language_model\.|language_model\.model\.|transformer\.|gpt_neox\.|model\.decoder\.)?(?:layers|h|blocks)\.(\d{1,6})\.(.*)$/;
const EXPERT = /^(?:mlp|block_sparse_moe|feed_forward|moe)\.experts\.(\d{1,6})\.(.*)$/;

/** The true geometry of an HF-style checkpoint from its tensor names and shapes. */
export function deriveShapes(tensors: readonly SafetensorsTensor[]): DerivedShapes {
  const out: DerivedShapes = {};
  const byName = new Map<string, SafetensorsTensor>();
  for (const t of tensors) byName.set(t.name, t);

  for (const name of EMBEDDINGS) {
    const t = byName.get(name);
    if (t && t.shape.length === 2) {
      out.vocabSize = t.shape[0];
      out.hiddenSize = t.shape[1];
      break;
    }
  }
  if (out.vocabSize === undefined) {
    const head = byName.get('lm_head.weight');
    if (head && head.shape.length === 2) {
      out.vocabSize = head.shape[0];
      out.hiddenSize = head.shape[1];
    }
  }

  let maxLayer = -1;
  let maxExpert = -1;
  let kv: { layer: number; rows: number } | null = null;
  let dense: { layer: number; rows: number } | null = null;
  let moe: { layer: number; rows: number } | null = null;
  const lower = (cur: { layer: number; rows: number } | null, layer: number, rows: number) =>
    cur === null || layer < cur.layer ? { layer, rows } : cur;
  for (const t of tensors) {
    const m = LAYER.exec(t.name);
    if (!m) continue;
    const layer = Number(m[1]);
    const rest = m[2];
    if (layer > maxLayer) maxLayer = layer;
    if (t.shape.length === 2 && (rest === 'self_attn.k_proj.weight' || rest === 'attention.wk.weight')) {
      kv = lower(kv, layer, t.shape[0]);
    }
    if (t.shape.length === 2 && (rest === 'mlp.gate_proj.weight' || rest === 'feed_forward.w1.weight')) {
      dense = lower(dense, layer, t.shape[0]);
    }
    const e = EXPERT.exec(rest);
    if (e) {
      const expert = Number(e[1]);
      if (expert > maxExpert) maxExpert = expert;
      if (expert === 0 && t.shape.length === 2 && (e[2] === 'gate_proj.weight' || e[2] === 'w1.weight')) {
        moe = lower(moe, layer, t.shape[0]);
      }
    } else if (rest === 'mlp.experts.gate_up_proj' && t.shape.length === 3) {
      // Fused experts (gpt-oss style): [experts, hidden, 2 × intermediate].
      if (t.shape[0] - 1 > maxExpert) maxExpert = t.shape[0] - 1;
    }
  }
  if (maxLayer >= 0) out.numLayers = maxLayer + 1;
  if (maxExpert >= 0) out.numExperts = maxExpert + 1;
  if (kv) out.kvWidth = kv.rows;
  if (dense) out.intermediateSize = dense.rows;
  if (moe) out.moeIntermediateSize = moe.rows;
  return out;
}
