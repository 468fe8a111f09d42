// Reads what weight files say about themselves without reading a weight: safetensors headers
// (sharded through model.safetensors.index.json, or single files), the metadata of one GGUF file,
// and Git LFS pointers in place of any weights file. Header reads run in parallel with a bound.
import type { RepoEntry, RepoSource } from '../sources/source.js';
import type { Problem } from '../types.js';
import { ggufFacts, readGgufHeader } from './gguf.js';
import { readBounded } from './read-bounded.js';
import { mayBeLfsPointer, parseLfsPointer } from './lfs.js';
import {
  deriveShapes,
  parseSafetensorsIndex,
  readSafetensorsHeader,
  SAFETENSORS_FIRST_READ,
  SAFETENSORS_INDEX_MAX_CHARS,
  type SafetensorsTensor,
} from './safetensors.js';
import { parseTokenList } from './tokenizer.js';
import type { GgufEvidence, LfsEvidence, WeightsEvidence } from './types.js';

export const WEIGHT_LIMITS = {
  /** Shard headers read per model (DeepSeek-V3 has 163 shards; the largest public repos ~2000). */
  maxShards: 4096,
  /** Sum of the safetensors header bytes read per model (DeepSeek-V3's 163 headers: ~11 MB). */
  totalHeaderBytes: 256 * 1024 * 1024,
  /** Header reads in flight at once. */
  concurrency: 16,
  /** GGUF files whose metadata is tried (quantizations of one model share it; the first that names
   *  an architecture is used). */
  ggufFiles: 3,
  /** Pointer files looked at per model. */
  maxPointers: 10_000,
};

const WEIGHT_EXT = /\.(?:safetensors|gguf|bin|pt|pth|ckpt|h5|msgpack|onnx|pkl|npz|model)$/i;
const ADAPTER_WEIGHTS = /^adapter_model\./i;
// Shapes are logical only for float tensors: bitsandbytes stores 4-bit weights as packed U8 [n, 1].
const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2']);

export interface WeightsRead {
  weights: WeightsEvidence | null;
  gguf: GgufEvidence | null;
  lfs: LfsEvidence[];
  problems: Problem[];
}

/** Runs `fn` over `items` with at most `limit` in flight, results in input order. */
export async function mapBounded<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function collectWeights(source: RepoSource, topLevel: RepoEntry[]): Promise<WeightsRead> {
  const problems: Problem[] = [];
  const lfs: LfsEvidence[] = [];
  const byName = new Map(topLevel.map((e) => [e.path.slice(e.path.lastIndexOf('/') + 1), e]));

  // Pointer files in place of weights: evidence (object id and size), not broken files.
  const pointerCandidates = topLevel
    .filter((e) => e.kind === 'file' && WEIGHT_EXT.test(e.path) && mayBeLfsPointer(e.size))
    .slice(0, WEIGHT_LIMITS.maxPointers);
  const pointers = await mapBounded(pointerCandidates, WEIGHT_LIMITS.concurrency, async (e) => {
    const r = await source.read(e.path, 1024);
    const p = r.ok ? parseLfsPointer(r.data) : null;
    return p ? { file: e.path, oid: p.oid, size: p.size } : null;
  });
  for (const p of pointers) if (p) lfs.push(p);
  const isPointer = new Set(lfs.map((p) => p.file));
  // The Hub listing gives LFS object ids of real files too.
  for (const e of topLevel)
    if (e.lfsOid && !isPointer.has(e.path)) lfs.push({ file: e.path, oid: e.lfsOid, size: e.size });

  const weights = await readSafetensors(source, byName, isPointer, problems);
  const gguf = await readGguf(source, topLevel, isPointer, problems);
  return { weights, gguf, lfs, problems };
}

// DeepSeek-V3 writes six digits for the total (model-00001-of-000163.safetensors).
const STANDARD_SHARD = /^(.+)-(\d{5,6})-of-(\d{5,6})\.safetensors$/;

/** The shards named `P-0000i-of-0000N.safetensors` for i = 1…N, when all N are present (one set). */
function completeShardSet(byName: Map<string, RepoEntry>): RepoEntry[] | null {
  const sets = new Map<string, Map<number, RepoEntry>>();
  for (const [name, e] of byName) {
    const m = STANDARD_SHARD.exec(name);
    if (!m || e.kind !== 'file') continue;
    const key = `${m[1]}\0${m[3]}`;
    if (!sets.has(key)) sets.set(key, new Map());
    const set = sets.get(key)!;
    // Two names for one shard number (00001 and 000001): not a clean set, let the index decide.
    if (set.has(Number(m[2]))) return null;
    set.set(Number(m[2]), e);
  }
  if (sets.size !== 1) return null;
  const [[key, byIndex]] = [...sets];
  const total = Number(key.slice(key.indexOf('\0') + 1));
  if (total === 0 || byIndex.size !== total) return null;
  const out: RepoEntry[] = [];
  for (let i = 1; i <= total; i++) {
    const e = byIndex.get(i);
    if (!e) return null;
    out.push(e);
  }
  return out;
}

async function readSafetensors(
  source: RepoSource,
  byName: Map<string, RepoEntry>,
  isPointer: Set<string>,
  problems: Problem[],
): Promise<WeightsEvidence | null> {
  let file: string;
  let shards: RepoEntry[];
  let missing = 0;
  const index = byName.get('model.safetensors.index.json');
  // After a checkout without LFS every shard is a pointer: no header to read, so the index (9 MB for
  // DeepSeek-V3) is not worth parsing either; the pointers are the evidence.
  const safetensors = [...byName.values()].filter((e) => e.kind === 'file' && /\.safetensors$/i.test(e.path));
  if (safetensors.length > 0 && safetensors.every((e) => isPointer.has(e.path))) {
    return {
      file: index?.path ?? safetensors[0].path,
      headersRead: 0,
      shards: safetensors.length,
      tensorCount: 0,
      dtypes: [],
      derived: {},
      complete: false,
    };
  }
  const standard = index?.kind === 'file' ? completeShardSet(byName) : null;
  if (index?.kind === 'file' && standard) {
    // Every shard of the standard `model-0000i-of-0000N` set is here: the headers name every tensor,
    // so the index need not be parsed.
    file = index.path;
    shards = standard;
  } else if (index?.kind === 'file') {
    const r = await readBounded(source, index, SAFETENSORS_INDEX_MAX_CHARS, problems);
    if (!r) return null;
    const parsed = parseSafetensorsIndex(index.path, r.data.toString('utf8'), { weightMap: false });
    problems.push(...parsed.problems);
    if (parsed.shards.length === 0) return null;
    file = index.path;
    shards = [];
    for (const name of parsed.shards.slice(0, WEIGHT_LIMITS.maxShards)) {
      const e = byName.get(name);
      if (e?.kind === 'file') shards.push(e);
      else missing++;
    }
    if (parsed.shards.length > WEIGHT_LIMITS.maxShards) {
      problems.push({
        file: index.path,
        message: `${index.path} names ${parsed.shards.length} shards; only the first ${WEIGHT_LIMITS.maxShards} headers are read`,
      });
    }
  } else {
    // Unsharded: model.safetensors or other top-level files, but not a LoRA adapter's weights.
    shards = [...byName.values()].filter(
      (e) =>
        e.kind === 'file' &&
        /\.safetensors$/i.test(e.path) &&
        !ADAPTER_WEIGHTS.test(e.path.slice(e.path.lastIndexOf('/') + 1)),
    );
    if (shards.length === 0) return null;
    file = byName.get('model.safetensors')?.path ?? shards[0].path;
    if (shards.length > WEIGHT_LIMITS.maxShards) shards = shards.slice(0, WEIGHT_LIMITS.maxShards);
  }

  const readable = shards.filter((e) => !isPointer.has(e.path));
  // Locally one 128 KiB read holds a real header; the Hub source sizes its own prefetch from the
  // headers seen so far, so a large fixed first read would only waste transfer (163 × 128 KiB).
  const firstRead = source.target.kind === 'hub' ? 8 : SAFETENSORS_FIRST_READ;
  let budget = WEIGHT_LIMITS.totalHeaderBytes;
  const results = await mapBounded(readable, WEIGHT_LIMITS.concurrency, async (e) => {
    if (budget <= 0) return null;
    const h = await readSafetensorsHeader(
      source,
      e.path,
      e.size,
      Math.min(budget, 100 * 1024 * 1024),
      firstRead,
    );
    budget -= h.headerLength;
    return h;
  });
  const tensors: SafetensorsTensor[] = [];
  const dtypes = new Set<string>();
  let read = 0;
  let overBudget = false;
  for (const h of results) {
    if (!h) {
      overBudget = true;
      continue;
    }
    if (h.lfsPointer) continue;
    problems.push(...h.problems);
    if (h.problems.length === 0) read++;
    for (const t of h.tensors) {
      tensors.push(t);
      dtypes.add(t.dtype);
    }
  }
  if (overBudget) {
    problems.push({
      file,
      message: `safetensors headers of ${file} exceed ${WEIGHT_LIMITS.totalHeaderBytes} bytes in total; the rest were not read`,
    });
  }
  const complete = read === shards.length && missing === 0;
  return {
    file,
    headersRead: read,
    shards: shards.length + missing,
    tensorCount: tensors.length,
    dtypes: [...dtypes].sort(),
    // A partial header set would undercount layers and experts: derive only from complete sets.
    derived: complete ? deriveShapes(tensors.filter((t) => FLOAT_DTYPES.has(t.dtype))) : {},
    complete,
  };
}

async function readGguf(
  source: RepoSource,
  topLevel: RepoEntry[],
  isPointer: Set<string>,
  problems: Problem[],
): Promise<GgufEvidence | null> {
  // Vision projectors (mmproj-*.gguf) describe another network; try the language model first.
  const files = topLevel
    .filter((e) => e.kind === 'file' && /\.gguf$/i.test(e.path) && !isPointer.has(e.path))
    .sort((a, b) => Number(/mmproj/i.test(a.path)) - Number(/mmproj/i.test(b.path)))
    .slice(0, WEIGHT_LIMITS.ggufFiles);
  let first: GgufEvidence | null = null;
  for (const e of files) {
    const h = await readGgufHeader(source, e.path, e.size);
    if (h.lfsPointer) continue;
    problems.push(...h.problems);
    if (h.version === null) continue;
    let tokenizer = null;
    if (h.tokens) {
      const t = parseTokenList(e.path, h.tokens, h.metadata['tokenizer.ggml.token_type']);
      tokenizer = t.tokenizer;
    }
    const ev: GgufEvidence = { file: e.path, facts: ggufFacts(h.metadata, h.tokens?.length), tokenizer };
    if (ev.facts.architecture && ev.facts.architecture !== 'clip') return ev;
    first ??= ev;
  }
  return first;
}
