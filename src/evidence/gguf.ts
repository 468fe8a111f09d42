// GGUF header metadata (v2/v3, little-endian): magic, version, tensor and key-value counts, then the
// key-value pairs (architecture, base models, license, hyperparameters, tokenizer). Tensor infos and
// tensor data are never read. Reading is incremental and bounded: a 40 GB file costs its header only.
// https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
import type { Problem } from '../types.js';
import type { RepoSource } from '../sources/source.js';
import { parseLfsPointer, mayBeLfsPointer, type LfsPointer } from './lfs.js';

export type GgufScalar = number | bigint | boolean | string;
export type GgufValue = GgufScalar | GgufScalar[];
export type GgufMetadata = Record<string, GgufValue>;

export interface GgufLimits {
  /** Largest kv_count accepted. */
  maxKvCount: number;
  /** Largest tensor_count accepted. */
  maxTensorCount: number;
  /** Largest single string (key or value) in bytes. */
  maxStringBytes: number;
  /** Largest array element count. */
  maxArrayCount: number;
  /** Bytes of header (magic through the last kv pair) that will be read at most. */
  maxHeaderBytes: number;
  /** Arrays longer than this are not copied into `metadata` (their length goes to `arrayLengths`). */
  maxMetadataArray: number;
  /** First read size; doubled until the header fits. */
  initialChunk: number;
}

export const GGUF_LIMITS: GgufLimits = {
  maxKvCount: 100_000,
  maxTensorCount: 1_000_000,
  maxStringBytes: 1024 * 1024,
  maxArrayCount: 10_000_000,
  maxHeaderBytes: 64 * 1024 * 1024,
  maxMetadataArray: 65_536,
  initialChunk: 1024 * 1024,
};

export interface GgufHeader {
  kind: 'header';
  /** Format version (2 or 3); null when the preamble could not be read. */
  version: number | null;
  tensorCount: number | null;
  /** Key-value pairs read before any defect (all of them when `problems` is empty). */
  metadata: GgufMetadata;
  /** `tokenizer.ggml.tokens`, when present (kept out of `metadata`). */
  tokens?: string[];
  /** `tokenizer.ggml.merges`, when present (kept out of `metadata`). */
  merges?: string[];
  /** Element count of every array value, including those left out of `metadata`. */
  arrayLengths: Record<string, number>;
  /** Bytes from the start of the file through the last kv pair read. */
  headerBytes: number;
  problems: Problem[];
}

export interface GgufNeedMore {
  kind: 'need-more';
  /** Bytes from the start of the file that the next attempt needs at least. */
  needBytes: number;
}

export type GgufParseResult = GgufHeader | GgufNeedMore;

const TOKENS_KEY = 'tokenizer.ggml.tokens';
/** Entries of `tokenizer.ggml.tokens` / `.merges` kept (the largest real vocabularies: ~262k). */
export const GGUF_MAX_VOCAB = 1 << 20;
const MERGES_KEY = 'tokenizer.ggml.merges';
const MAX_KEY_BYTES = 65_535;

// Value types and the byte size of the fixed-size ones.
const T_STRING = 8;
const T_ARRAY = 9;
type Reader = (b: Buffer, at: number) => GgufScalar;
/** Fixed-size value types: byte size and reader. u64/i64 stay bigint only past the safe range. */
const FIXED: Record<number, [size: number, read: Reader]> = {
  0: [1, (b, at) => b.readUInt8(at)],
  1: [1, (b, at) => b.readInt8(at)],
  2: [2, (b, at) => b.readUInt16LE(at)],
  3: [2, (b, at) => b.readInt16LE(at)],
  4: [4, (b, at) => b.readUInt32LE(at)],
  5: [4, (b, at) => b.readInt32LE(at)],
  6: [4, (b, at) => b.readFloatLE(at)],
  7: [1, (b, at) => b.readUInt8(at) !== 0],
  10: [8, (b, at) => toNumber(b.readBigUInt64LE(at))],
  11: [8, (b, at) => toNumber(b.readBigInt64LE(at))],
  12: [8, (b, at) => b.readDoubleLE(at)],
};
const FIXED_SIZE: Record<number, number> = Object.fromEntries(
  Object.entries(FIXED).map(([t, [size]]) => [t, size]),
);
const TYPE_NAMES = [
  'u8',
  'i8',
  'u16',
  'i16',
  'u32',
  'i32',
  'f32',
  'bool',
  'string',
  'array',
  'u64',
  'i64',
  'f64',
];

class NeedMore {
  constructor(readonly needBytes: number) {}
}
class Defect {
  constructor(readonly message: string) {}
}

class Cursor {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly fileSize: number,
    readonly cap: number,
  ) {}

  need(n: number, what: string): void {
    const end = this.pos + n;
    if (end > this.fileSize) {
      throw new Defect(
        `truncated header: ${what} at offset ${this.pos} needs ${n} bytes, the file ends at ${this.fileSize}`,
      );
    }
    if (end > this.cap)
      throw new Defect(`header exceeds the ${this.cap}-byte bound (at ${what}, offset ${this.pos})`);
    if (end > this.buf.length) throw new NeedMore(end);
  }
  /** Reads an `n`-byte value with `read` and moves past it. */
  fixed<T>(n: number, what: string, read: (b: Buffer, at: number) => T): T {
    this.need(n, what);
    const v = read(this.buf, this.pos);
    this.pos += n;
    return v;
  }
  u32(what: string): number {
    return this.fixed(4, what, (b, at) => b.readUInt32LE(at));
  }
  u64(what: string): bigint {
    return this.fixed(8, what, (b, at) => b.readBigUInt64LE(at));
  }
  /** A u64 length/count bounded by `max`; names the field in the defect. */
  count(what: string, max: number): number {
    const v = this.u64(what);
    if (v > BigInt(max)) throw new Defect(`${what} ${v} exceeds the bound of ${max}`);
    return Number(v);
  }
  string(what: string, max: number): string {
    const len = this.count(`${what} length`, max);
    if (this.pos + len > this.fileSize) {
      throw new Defect(
        `truncated header: ${what} length ${len} at offset ${this.pos - 8} runs past the end of the file (${this.fileSize} bytes)`,
      );
    }
    this.need(len, what);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }
}

function toNumber(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

function readScalar(c: Cursor, type: number, what: string, maxString: number): GgufScalar {
  if (type === T_STRING) return c.string(what, maxString);
  const fixed = FIXED[type];
  if (!fixed) throw new Defect(`${what} has unknown value type ${type}`);
  return c.fixed(fixed[0], what, fixed[1]);
}

/** Reads an array value; returns the elements when `keep`, else null (skipping them). */
function readArray(
  c: Cursor,
  what: string,
  limits: GgufLimits,
  keep: boolean,
  depth: number,
): GgufScalar[] | null {
  const elemType = c.u32(`${what} element type`);
  if (elemType > 12) throw new Defect(`${what} has unknown element type ${elemType}`);
  const count = c.count(`${what} element count`, limits.maxArrayCount);
  // Every element takes at least this many bytes: a lying count is caught before any read.
  const minSize = FIXED_SIZE[elemType] ?? (elemType === T_STRING ? 8 : 12);
  if (count * minSize > c.fileSize - c.pos) {
    throw new Defect(
      `${what} claims ${count} ${TYPE_NAMES[elemType]} elements, more than the rest of the file holds`,
    );
  }
  const fixed = FIXED_SIZE[elemType];
  if (!keep && fixed !== undefined) {
    c.skip(count * fixed, what);
    return null;
  }
  if (elemType === T_ARRAY) {
    if (depth >= 2) throw new Defect(`${what} nests arrays too deeply`);
    // Nested arrays carry nothing the gate uses: skip them, and leave them out of `metadata`.
    for (let i = 0; i < count; i++) readArray(c, `${what}[${i}]`, limits, false, depth + 1);
    return null;
  }
  const out: GgufScalar[] | null = keep ? [] : null;
  for (let i = 0; i < count; i++) {
    const v = readScalar(c, elemType, what, limits.maxStringBytes);
    if (out) out.push(v);
  }
  return out;
}

/**
 * Parses the GGUF preamble and key-value pairs from `buf`, the first bytes of a file of `fileSize`
 * bytes. When `buf` ends too early, returns `need-more` with the byte count needed to continue
 * (always within `fileSize` and `limits.maxHeaderBytes`). Never throws.
 */
export function parseGgufHeader(
  file: string,
  buf: Buffer,
  fileSize: number,
  limits: GgufLimits = GGUF_LIMITS,
): GgufParseResult {
  const header: GgufHeader = {
    kind: 'header',
    version: null,
    tensorCount: null,
    metadata: {},
    arrayLengths: {},
    headerBytes: 0,
    problems: [],
  };
  const c = new Cursor(buf, Math.max(0, fileSize), limits.maxHeaderBytes);
  try {
    if (fileSize < 4) throw new Defect(`file is ${fileSize} bytes, too small to be GGUF`);
    c.need(4, 'magic');
    const magic = buf.subarray(0, 4).toString('latin1');
    if (magic !== 'GGUF') {
      const hint = magic === 'vers' ? ' (the file looks like a Git LFS pointer)' : '';
      throw new Defect(`not a GGUF file: magic is ${JSON.stringify(magic)}, expected "GGUF"${hint}`);
    }
    c.pos = 4;
    const version = c.u32('version');
    if (version !== 2 && version !== 3) {
      const hint = version === 0x03000000 || version === 0x02000000 ? ' (a big-endian GGUF)' : '';
      throw new Defect(`unsupported GGUF version ${version}${hint}; versions 2 and 3 are supported`);
    }
    header.version = version;
    header.tensorCount = c.count('tensor_count', limits.maxTensorCount);
    const kvCount = c.count('kv_count', limits.maxKvCount);
    // Each pair needs at least a key length, a value type and one value byte.
    if (kvCount * 13 > fileSize - c.pos) {
      throw new Defect(`kv_count ${kvCount} is more than the rest of the file can hold`);
    }
    header.headerBytes = c.pos;
    for (let i = 0; i < kvCount; i++) {
      const key = c.string(`key of pair ${i}`, MAX_KEY_BYTES);
      const type = c.u32(`value type of "${key}"`);
      const what = `value of "${key}"`;
      let value: GgufValue | null;
      if (type === T_ARRAY) {
        const listKey = key === TOKENS_KEY || key === MERGES_KEY;
        // Peek the count to decide whether to keep the elements.
        const save = c.pos;
        c.u32(`${what} element type`);
        const count = c.count(`${what} element count`, limits.maxArrayCount);
        c.pos = save;
        // Real vocabularies hold under 300k tokens; millions of tiny strings would cost hundreds of MB.
        const tooLong = listKey && count > GGUF_MAX_VOCAB;
        if (tooLong) {
          header.problems.push({
            file,
            message: `"${key}" has ${count} entries, over the ${GGUF_MAX_VOCAB}-entry bound; not read as a vocabulary`,
          });
        }
        const keep = listKey ? !tooLong : count <= limits.maxMetadataArray;
        const elems = readArray(c, what, limits, keep, 0);
        header.arrayLengths[key] = count;
        if (listKey && elems) {
          const strings = elems.filter((e): e is string => typeof e === 'string');
          if (key === TOKENS_KEY) header.tokens = strings;
          else header.merges = strings;
          value = null;
        } else value = elems;
      } else {
        value = readScalar(c, type, what, limits.maxStringBytes);
      }
      if (value !== null) {
        if (Object.prototype.hasOwnProperty.call(header.metadata, key)) {
          header.problems.push({
            file,
            message: `duplicate GGUF key "${clip(key)}"; the first value is kept`,
          });
        } else {
          header.metadata[key] = value;
        }
      }
      header.headerBytes = c.pos;
    }
  } catch (e) {
    if (e instanceof NeedMore) return { kind: 'need-more', needBytes: e.needBytes };
    if (e instanceof Defect) header.problems.push({ file, message: `GGUF: ${e.message}` });
    else header.problems.push({ file, message: `GGUF: unreadable header (${String(e)})` });
  }
  return header;
}

function clip(s: string, max = 120): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export interface GgufFileResult extends GgufHeader {
  /** Set when the file is a Git LFS pointer: evidence (object id and size), not a broken file. */
  lfsPointer?: LfsPointer;
}

/**
 * Reads the header of a local GGUF file through `source`, in chunks that start at
 * `limits.initialChunk` and double until the key-value pairs fit (never past the header bound).
 */
export async function readGgufHeader(
  source: RepoSource,
  path: string,
  size: number,
  limits: GgufLimits = GGUF_LIMITS,
): Promise<GgufFileResult> {
  const fail = (message: string): GgufFileResult => ({
    kind: 'header',
    version: null,
    tensorCount: null,
    metadata: {},
    arrayLengths: {},
    headerBytes: 0,
    problems: [{ file: path, message }],
  });
  if (mayBeLfsPointer(size)) {
    const small = await source.read(path, size);
    if (small.ok) {
      const pointer = parseLfsPointer(small.data);
      if (pointer) return { ...fail(''), problems: [], lfsPointer: pointer };
    }
  }
  let fileSize = size;
  let buf = Buffer.alloc(0);
  let want = Math.min(fileSize, limits.maxHeaderBytes, Math.max(16, limits.initialChunk));
  for (let round = 0; round < 64; round++) {
    if (want > buf.length) {
      const r = await source.readRange(path, buf.length, want - buf.length);
      if (!r.ok) return fail(`cannot read the GGUF header: ${r.reason}`);
      const got = r.data.subarray(0, want - buf.length);
      buf = buf.length === 0 ? Buffer.from(got) : Buffer.concat([buf, got]);
      // A short read means the file is smaller than listed: parse against what exists.
      if (buf.length < want) fileSize = buf.length;
    }
    const res = parseGgufHeader(path, buf, fileSize, limits);
    if (res.kind === 'header') return res;
    const next = Math.min(Math.max(res.needBytes, buf.length * 2), fileSize, limits.maxHeaderBytes);
    if (next <= buf.length) return fail('GGUF: header could not be read within its bounds');
    want = next;
  }
  return fail('GGUF: header could not be read within its bounds');
}

// ---------------------------------------------------------------------------------------------
// Facts

export interface GgufBaseModel {
  name?: string;
  organization?: string;
  repoUrl?: string;
  /** `org/name` when `repoUrl` points at a Hugging Face model repo. */
  repoId?: string;
}

export interface GgufFacts {
  architecture: string | null;
  name: string | null;
  license: string | null;
  baseModels: GgufBaseModel[];
  /** Hyperparameters under Hugging Face `config.json` field names. */
  config: Record<string, number>;
}

const HYPER: [suffix: string, field: string][] = [
  ['embedding_length', 'hidden_size'],
  ['block_count', 'num_hidden_layers'],
  ['feed_forward_length', 'intermediate_size'],
  ['attention.head_count', 'num_attention_heads'],
  ['attention.head_count_kv', 'num_key_value_heads'],
  ['expert_count', 'num_local_experts'],
  ['expert_used_count', 'num_experts_per_tok'],
  ['expert_feed_forward_length', 'moe_intermediate_size'],
  ['vocab_size', 'vocab_size'],
  ['rope.freq_base', 'rope_theta'],
  ['context_length', 'max_position_embeddings'],
];
const MAX_BASE_MODELS = 64;

function str(m: GgufMetadata, key: string): string | undefined {
  const v = m[key];
  return typeof v === 'string' ? v : undefined;
}

/** A number, or an array of one repeated number (per-layer values that do not vary). */
function num(m: GgufMetadata, key: string): number | undefined {
  const v = m[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'bigint') return undefined;
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'number' && v.every((x) => x === v[0])) {
    return Number.isFinite(v[0]) ? v[0] : undefined;
  }
  return undefined;
}

/** `https://huggingface.co/org/name` (optionally with a trailing path) → `org/name`. */
export function hubRepoIdFromUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (!/^(www\.)?(huggingface\.co|hf\.co)$/i.test(u.hostname)) return undefined;
  const parts = u.pathname.split('/').filter(Boolean);
  if (parts.length < 2 || ['datasets', 'spaces', 'docs', 'blog'].includes(parts[0])) return undefined;
  const id = `${parts[0]}/${parts[1]}`;
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(id) ? id : undefined;
}

/**
 * Lineage-relevant facts from GGUF metadata: architecture, name, license, the declared base models,
 * and the hyperparameters under HF config names. `tokenCount` (length of `tokenizer.ggml.tokens`)
 * stands in for `vocab_size` when the architecture key is absent.
 */
export function ggufFacts(metadata: GgufMetadata, tokenCount?: number): GgufFacts {
  const architecture = str(metadata, 'general.architecture') ?? null;
  const facts: GgufFacts = {
    architecture,
    name: str(metadata, 'general.name') ?? null,
    license: str(metadata, 'general.license') ?? null,
    baseModels: [],
    config: {},
  };
  const count = num(metadata, 'general.base_model.count');
  if (count !== undefined && Number.isInteger(count) && count > 0) {
    for (let i = 0; i < Math.min(count, MAX_BASE_MODELS); i++) {
      const base: GgufBaseModel = {};
      const name = str(metadata, `general.base_model.${i}.name`);
      const organization = str(metadata, `general.base_model.${i}.organization`);
      const repoUrl = str(metadata, `general.base_model.${i}.repo_url`);
      if (name !== undefined) base.name = name;
      if (organization !== undefined) base.organization = organization;
      if (repoUrl !== undefined) {
        base.repoUrl = repoUrl;
        const id = hubRepoIdFromUrl(repoUrl);
        if (id) base.repoId = id;
      }
      if (Object.keys(base).length > 0) facts.baseModels.push(base);
    }
  }
  if (architecture) {
    for (const [suffix, field] of HYPER) {
      const v = num(metadata, `${architecture}.${suffix}`);
      if (v !== undefined) facts.config[field] = v;
    }
  }
  if (facts.config.vocab_size === undefined && tokenCount !== undefined && tokenCount > 0) {
    facts.config.vocab_size = tokenCount;
  }
  return facts;
}
