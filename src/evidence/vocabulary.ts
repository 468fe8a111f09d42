// A base vocabulary by id (holes allowed). Two forms: a list of strings (vocab.json, SentencePiece,
// GGUF token lists), or spans of the tokenizer.json bytes it was scanned from. The span form never
// decodes the ~130k tokens of a real vocabulary just to hash them: an identical vocabulary is
// recognised from its bytes, and only the few tokens a comparison looks at become strings.
import { createHash } from 'node:crypto';

export interface Vocabulary {
  /** Largest id + 1. */
  readonly length: number;
  /** Ids that have a token. */
  readonly count: number;
  at(id: number): string | undefined;
  /**
   * sha256 hex of the UTF-8 of the tokens for ids [0, end) joined with "\n" (a hole, or an id past
   * the end, is "").
   */
  sha256(end?: number): string;
  /** Every token by id (built once, on first call). */
  toArray(): readonly (string | undefined)[];
}

/** sha256 hex of `at(0) … at(end - 1)` joined with "\n", fed in chunks. */
export function joinedSha256(at: (id: number) => string | undefined, end: number): string {
  const hash = createHash('sha256');
  const CHUNK = 8192;
  for (let start = 0; start < end; start += CHUNK) {
    const stop = Math.min(end, start + CHUNK);
    let s = start === 0 ? '' : '\n';
    for (let i = start; i < stop; i++) s += (i === start ? '' : '\n') + (at(i) ?? '');
    hash.update(s, 'utf8');
  }
  return hash.digest('hex');
}

export function arrayVocabulary(tokens: readonly (string | undefined)[]): Vocabulary {
  let count = 0;
  for (let i = 0; i < tokens.length; i++) if (tokens[i] !== undefined) count++;
  const at = (id: number): string | undefined => tokens[id];
  return {
    length: tokens.length,
    count,
    at,
    sha256: (end = tokens.length) => joinedSha256(at, end),
    toArray: () => tokens,
  };
}

/**
 * Tokens that are JSON string bodies inside `bytes` (valid UTF-8): for each id, the body's
 * [start, end) byte offsets, or start -1 for a hole. Bodies with a backslash escape come decoded in
 * `decoded` (by id); every other body is its own UTF-8.
 */
export class SpanVocabulary implements Vocabulary {
  readonly count: number;
  private array: (string | undefined)[] | undefined;

  constructor(
    private readonly bytes: Buffer,
    private readonly starts: Int32Array,
    private readonly ends: Int32Array,
    private readonly decoded: ReadonlyMap<number, string>,
  ) {
    let n = 0;
    for (let i = 0; i < starts.length; i++) if (starts[i] >= 0) n++;
    this.count = n;
  }

  get length(): number {
    return this.starts.length;
  }

  at(id: number): string | undefined {
    if (this.array) return this.array[id];
    const start = this.starts[id];
    if (start === undefined || start < 0) return undefined;
    return this.decoded.get(id) ?? this.bytes.toString('utf8', start, this.ends[id]);
  }

  sha256(end = this.length): string {
    const { bytes, starts, ends, decoded } = this;
    const known = Math.min(end, this.length); // ids past the vocabulary hash as empty tokens
    // One buffer of every token's UTF-8 and the separators, then one hash update.
    let size = Math.max(0, end - 1);
    for (let id = 0; id < known; id++) if (starts[id] >= 0) size += ends[id] - starts[id];
    const out = Buffer.allocUnsafe(size);
    let p = 0;
    for (let id = 0; id < end; id++) {
      if (id > 0) out[p++] = 10;
      const s = id < known ? starts[id] : -1;
      if (s < 0) continue;
      const text = decoded.get(id);
      if (text !== undefined) {
        // Fits in the body's span: every escape is shorter decoded than written ("\n" → 1 byte,
        // "\u00e9" → 2, a surrogate pair's 12 → 4, a lone surrogate's 6 → U+FFFD's 3).
        p += out.write(text, p, 'utf8');
        continue;
      }
      const e = ends[id];
      if (e - s > 16) p += bytes.copy(out, p, s, e);
      else for (let q = s; q < e; q++) out[p++] = bytes[q];
    }
    return createHash('sha256').update(out.subarray(0, p)).digest('hex');
  }

  toArray(): readonly (string | undefined)[] {
    if (!this.array) {
      const a = new Array<string | undefined>(this.length);
      for (let id = 0; id < this.length; id++) {
        const t = this.at(id);
        if (t !== undefined) a[id] = t; // holes stay holes, as in a parsed array
      }
      this.array = a;
    }
    return this.array;
  }
}
