// Reads a model directory's tokenizer files through the RepoSource: the vocabulary from
// tokenizer.json, else vocab.json (+ merges.txt), else tokenizer.model; enriched by
// tokenizer_config.json and special_tokens_map.json. Each file has its own size bound.
import type { RepoEntry, RepoSource } from '../sources/source.js';
import type { Problem } from '../types.js';
import { readBounded } from './read-bounded.js';
import {
  MAX_TOKENIZER_TEXT,
  mergeTokenizerConfig,
  parseSentencePieceModel,
  parseSpecialTokensMap,
  parseTokenizerConfig,
  parseTokenizerJson,
  parseVocabJson,
  type ParsedTokenizer,
  type TokenizerConfigInfo,
  type TokenizerParse,
} from './tokenizer.js';
import type { LfsEvidence, TokenizerEvidence } from './types.js';

export const TOKENIZER_LIMITS = {
  /** tokenizer.json / vocab.json (Gemma 3's tokenizer.json, the largest real one, is 33 MB). */
  vocabBytes: MAX_TOKENIZER_TEXT,
  /** merges.txt of the largest BPE vocabularies is a few MB. */
  mergesBytes: 32 * 1024 * 1024,
  /** SentencePiece models are under 5 MB (Gemma's 4.2 MB). */
  sentencePieceBytes: 16 * 1024 * 1024,
  /** tokenizer_config.json with its chat templates. */
  configBytes: 4 * 1024 * 1024,
};

export interface TokenizerRead {
  tokenizer: TokenizerEvidence | null;
  lfs: LfsEvidence[];
  problems: Problem[];
}

type Reader = (name: string, max: number) => Promise<{ path: string; data: Buffer } | null>;

export async function collectTokenizer(
  source: RepoSource,
  files: Map<string, RepoEntry>,
  join: (name: string) => string,
): Promise<TokenizerRead> {
  const problems: Problem[] = [];
  const lfs: LfsEvidence[] = [];
  const read: Reader = (name, max) =>
    readBounded(source, files.get(join(name)), max, problems, { lfs, what: name });
  const text = (b: Buffer) => b.toString('utf8');

  // The first vocabulary file that parses wins; the problems of every file tried are kept.
  let base: ParsedTokenizer | null = null;
  const take = (p: TokenizerParse): ParsedTokenizer | null => {
    problems.push(...p.problems);
    return p.tokenizer;
  };
  const tj = await read('tokenizer.json', TOKENIZER_LIMITS.vocabBytes);
  if (tj) base = take(parseTokenizerJson(tj.path, tj.data));
  if (!base) {
    const vj = await read('vocab.json', TOKENIZER_LIMITS.vocabBytes);
    const merges = vj ? await read('merges.txt', TOKENIZER_LIMITS.mergesBytes) : null;
    if (vj) base = take(parseVocabJson(vj.path, text(vj.data), merges ? text(merges.data) : undefined));
  }
  if (!base) {
    const sp = await read('tokenizer.model', TOKENIZER_LIMITS.sentencePieceBytes);
    if (sp) base = take(parseSentencePieceModel(sp.path, sp.data));
  }
  if (!base) return { tokenizer: null, lfs, problems };

  const configs: TokenizerConfigInfo[] = [];
  const tc = await read('tokenizer_config.json', TOKENIZER_LIMITS.configBytes);
  if (tc) {
    const p = parseTokenizerConfig(tc.path, text(tc.data));
    problems.push(...p.problems);
    if (p.config) configs.push(p.config);
  }
  const sm = await read('special_tokens_map.json', TOKENIZER_LIMITS.configBytes);
  if (sm) {
    const p = parseSpecialTokensMap(sm.path, text(sm.data));
    problems.push(...p.problems);
    if (p.config) configs.push(p.config);
  }
  const parsed = mergeTokenizerConfig(base, ...configs);
  return { tokenizer: { file: parsed.file, parsed }, lfs, problems };
}
