// Structural scan of tokenizer.json on its bytes. A real file is 2–33 MB, nearly all of it
// `model.vocab` and `model.merges`; decoding it to a string and building ~130k token strings cost
// more than everything else the gate does on a frontier-scale repo. The scan records each vocabulary
// token as a byte span, counts the merges without building them, and JSON-parses only the small
// parts (`model.type`, `added_tokens`). Every function returns the offset after what it read, or -1
// when the bytes are not what it expects; the caller then falls back to a full JSON.parse.
import { jsonContainersOver } from './nesting.js';

/** What the gate takes from tokenizer.json. */
export interface TokenizerJsonParts {
  type: unknown;
  /** Plain object (token → id), array (Unigram), or scanned spans (VocabSpans). */
  vocab: unknown;
  merges: number | null;
  added: unknown;
}

/**
 * The `model.vocab` object as scanned: entry i (< count) has the key whose JSON string body is
 * bytes[starts[i], ends[i]) and the value ids[i] (NaN when not a number). Keys with an escape are in
 * `decoded` (by entry), already decoded.
 */
export class VocabSpans {
  constructor(
    readonly bytes: Buffer,
    readonly count: number,
    readonly starts: Int32Array,
    readonly ends: Int32Array,
    readonly ids: Float64Array,
    readonly decoded: Map<number, string>,
  ) {}
}

function grown<T extends Int32Array | Float64Array>(a: T): T {
  const next = new (a.constructor as new (n: number) => T)(a.length * 2);
  next.set(a);
  return next;
}

/** The scan met more entries than a vocabulary may hold: a problem, not a reason for a full parse. */
export class TooMany {
  constructor(readonly message: string) {}
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isWs(c: number | undefined): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function skipWs(b: Buffer, i: number): number {
  while (isWs(b[i])) i++;
  return i;
}

/** End (offset after the closing quote) of the string starting at b[i] === '"', or -1. */
function stringEnd(b: Buffer, i: number): number {
  let j = i + 1;
  for (;;) {
    j = b.indexOf(QUOTE, j);
    if (j < 0) return -1;
    let k = j - 1;
    while (b[k] === BACKSLASH) k--;
    if ((j - k) % 2 === 1) return j + 1;
    j++;
  }
}

function stringValue(b: Buffer, start: number, end: number): string | null {
  const raw = b.toString('utf8', start + 1, end - 1);
  if (raw.indexOf('\\') < 0) return raw;
  try {
    return JSON.parse(b.toString('utf8', start, end)) as string;
  } catch {
    return null;
  }
}

/** Skip any JSON value starting at b[i] (no whitespace before it). */
function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === QUOTE) return stringEnd(b, i);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    let j = i;
    for (;;) {
      const d = b[j];
      if (d === undefined || d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isWs(d)) break;
      j++;
    }
    return j > i ? j : -1;
  }
  let depth = 0;
  let j = i;
  for (;;) {
    const d = b[j];
    if (d === undefined) return -1;
    if (d === QUOTE) {
      j = stringEnd(b, j);
      if (j < 0) return -1;
      continue;
    }
    if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
}

/** Walk an object at b[i] === '{', calling visit(key, valueStart) which returns the value's end. */
function walkObject(b: Buffer, i: number, visit: (key: string, at: number) => number): number {
  if (b[i] !== OPEN_BRACE) return -1;
  i = skipWs(b, i + 1);
  if (b[i] === CLOSE_BRACE) return i + 1;
  for (;;) {
    if (b[i] !== QUOTE) return -1;
    const ke = stringEnd(b, i);
    if (ke < 0) return -1;
    const key = stringValue(b, i, ke);
    if (key === null) return -1;
    i = skipWs(b, ke);
    if (b[i] !== COLON) return -1;
    i = visit(key, skipWs(b, i + 1));
    if (i < 0) return -1;
    i = skipWs(b, i);
    const c = b[i];
    if (c === CLOSE_BRACE) return i + 1;
    if (c !== COMMA) return -1;
    i = skipWs(b, i + 1);
  }
}

/** Count the elements of the array at b[i] === '['; returns [end, count] or null. */
function countArray(b: Buffer, i: number): [number, number] | null {
  if (b[i] !== OPEN_BRACKET) return null;
  i = skipWs(b, i + 1);
  if (b[i] === CLOSE_BRACKET) return [i + 1, 0];
  let n = 0;
  for (;;) {
    i = skipValue(b, i);
    if (i < 0) return null;
    n++;
    i = skipWs(b, i);
    const c = b[i];
    if (c === CLOSE_BRACKET) return [i + 1, n];
    if (c !== COMMA) return null;
    i = skipWs(b, i + 1);
  }
}

function parseSpan(b: Buffer, start: number, end: number, maxContainers: number): { value: unknown } | null {
  const text = b.toString('utf8', start, end);
  if (jsonContainersOver(text, maxContainers)) return null;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return null;
  }
}

/** An id that is not a plain run of digits: what a full parse gives it, through Number(), or NaN. */
function readId(b: Buffer, i: number, end: number): number {
  // UTF-8, not latin1: Number() trims Unicode whitespace (U+00A0, U+3000…) as a text read would.
  const raw = b.toString('utf8', i, end);
  return /^-?\d/.test(raw) ? Number(raw) : NaN;
}

/**
 * The `model.vocab` object at b[i] === '{' as spans; [end, spans], -1, or TooMany. The hot loop of a
 * run (~130k entries): the closing quote and the next backslash are found with Buffer.indexOf (native),
 * so the JS loop touches only the few bytes between entries.
 */
function scanVocab(b: Buffer, i: number, maxEntries: number): [number, VocabSpans] | -1 | TooMany {
  // Typed columns, not arrays: pushing 130k numbers onto JS arrays cost more than the scan itself.
  let starts = new Int32Array(1 << 17);
  let ends = new Int32Array(1 << 17);
  let ids = new Float64Array(1 << 17);
  let n = 0;
  const decoded = new Map<number, string>();
  const done = (end: number): [number, VocabSpans] => [end, new VocabSpans(b, n, starts, ends, ids, decoded)];
  let nextBackslash = -1; // offset of the first backslash at or after the current key, or Infinity
  i = skipWs(b, i + 1);
  if (b[i] === CLOSE_BRACE) return done(i + 1);
  for (;;) {
    if (b[i] !== QUOTE) return -1;
    if (nextBackslash !== Infinity && nextBackslash <= i) {
      nextBackslash = b.indexOf(BACKSLASH, i + 1);
      if (nextBackslash < 0) nextBackslash = Infinity;
    }
    let close = b.indexOf(QUOTE, i + 1);
    if (close < 0) return -1;
    if (nextBackslash < close) {
      // An escape in this key (perhaps an escaped quote): find the real end, and decode it.
      close = stringEnd(b, i) - 1;
      if (close < 0) return -1;
      const key = stringValue(b, i, close + 1);
      if (key === null) return -1;
      decoded.set(n, key);
    }
    if (n >= maxEntries) {
      return new TooMany(`\`model.vocab\` has more than ${maxEntries} entries; not read`);
    }
    if (n === starts.length) {
      starts = grown(starts);
      ends = grown(ends);
      ids = grown(ids);
    }
    starts[n] = i + 1;
    ends[n] = close;
    // `: <id>` then `,` or `}`; a plain run of digits (up to 9) is read in place.
    i = skipWs(b, close + 1);
    if (b[i] !== COLON) return -1;
    i = skipWs(b, i + 1);
    let v = 0;
    let j = i;
    for (let d = b[j] - 48; d >= 0 && d <= 9 && j - i < 9; d = b[++j] - 48) v = v * 10 + d;
    const after = b[j];
    if (j > i && (after === COMMA || after === CLOSE_BRACE || isWs(after))) {
      ids[n++] = v;
      i = j;
    } else {
      const ve = skipValue(b, i);
      if (ve < 0) return -1;
      ids[n++] = readId(b, i, ve);
      i = ve;
    }
    i = skipWs(b, i);
    if (b[i] === CLOSE_BRACE) return done(i + 1);
    if (b[i] !== COMMA) return -1;
    i = skipWs(b, i + 1);
  }
}

/**
 * Scan `bytes` (valid UTF-8, no BOM). Null when the layout is not the expected one (the caller
 * parses the whole file instead); TooMany when the vocabulary is over `maxEntries`.
 */
export function scanTokenizerJson(
  b: Buffer,
  maxEntries: number,
  maxContainers: number,
): TokenizerJsonParts | TooMany | null {
  const parts: TokenizerJsonParts = { type: undefined, vocab: undefined, merges: null, added: undefined };
  let sawModel = false;
  let tooMany: TooMany | null = null;
  const small = (at: number, set: (v: unknown) => void): number => {
    const e = skipValue(b, at);
    const v = e < 0 ? null : parseSpan(b, at, e, maxContainers);
    if (!v) return -1;
    set(v.value);
    return e;
  };
  const end = walkObject(b, skipWs(b, 0), (key, at) => {
    if (key === 'added_tokens') return small(at, (v) => (parts.added = v));
    if (key !== 'model') return skipValue(b, at);
    sawModel = true;
    return walkObject(b, at, (mk, mat) => {
      if (mk === 'vocab') {
        if (b[mat] !== OPEN_BRACE) return small(mat, (v) => (parts.vocab = v));
        const r = scanVocab(b, mat, maxEntries);
        if (r instanceof TooMany) tooMany = r;
        if (r === -1 || r instanceof TooMany) return -1;
        parts.vocab = r[1];
        return r[0];
      }
      if (mk === 'merges') {
        const r = countArray(b, mat);
        if (!r) return -1;
        parts.merges = r[1];
        return r[0];
      }
      if (mk === 'type') return small(mat, (v) => (parts.type = v));
      return skipValue(b, mat);
    });
  });
  if (tooMany) return tooMany;
  if (end < 0 || !sawModel) return null;
  if (skipWs(b, end) !== b.length) return null;
  return parts;
}
