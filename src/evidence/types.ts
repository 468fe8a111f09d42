// Facts extracted from one model directory. Every fact that a person may have to change keeps the
// file and line it came from, so findings can point at it.
import type { Problem } from '../types.js';
import type { AdapterConfig } from './adapter.js';
import type { GgufFacts } from './gguf.js';
import type { MergekitConfig } from './mergekit.js';
import type { DerivedShapes } from './safetensors.js';
import type { ParsedTokenizer } from './tokenizer.js';

export interface Positioned<T> {
  value: T;
  file: string;
  line: number;
}

export interface ConfigEvidence {
  file: string;
  /** The parsed object (top level). */
  raw: Record<string, unknown>;
  /**
   * Scalar fields of the language model, flattened: top level merged with `text_config` /
   * `llm_config` / `language_config` (the nested one wins), each with its line.
   */
  fields: Record<string, Positioned<unknown>>;
  architectures: Positioned<string[]> | null;
  modelType: Positioned<string> | null;
  nameOrPath: Positioned<string> | null;
  /** Line of the opening brace, for findings about the file as a whole. */
  line: number;
}

export interface CardEvidence {
  file: string;
  hasFrontMatter: boolean;
  license: Positioned<string> | null;
  licenseName: Positioned<string> | null;
  licenseLink: Positioned<string> | null;
  baseModels: Positioned<string>[];
  relation: Positioned<string> | null;
  /** `model_name` or `model-index[0].name` when present. */
  modelName: Positioned<string> | null;
  /** Line on which to add new front-matter keys (the line after the opening `---`, or 1). */
  insertLine: number;
  /** Markdown body after the front matter. */
  body: string;
  /** Line number in the file where `body` starts. */
  bodyLine: number;
  /** First Markdown heading of the body, a common place for a display name. */
  title: Positioned<string> | null;
}

/** A text file that may carry license, notice or attribution text (any name). */
export interface TextEvidence {
  file: string;
  text: string;
  truncated: boolean;
}

/** The vocabulary the model ships: tokenizer.json, vocab.json + merges.txt or tokenizer.model. */
export interface TokenizerEvidence {
  file: string;
  parsed: ParsedTokenizer;
}

/** What the safetensors headers say about the weights (never the payload). */
export interface WeightsEvidence {
  /** The index file when sharded, else the single .safetensors file. */
  file: string;
  /** Shard headers read, and shards named by the index (or 1). */
  headersRead: number;
  shards: number;
  tensorCount: number;
  dtypes: string[];
  /** Geometry from tensor names and shapes; only from complete header sets. */
  derived: DerivedShapes;
  /** True when every shard header was read (pointers and unreadable shards make it partial). */
  complete: boolean;
}

/** A weights file that is a Git LFS pointer (the state after actions/checkout without lfs). */
export interface LfsEvidence {
  file: string;
  oid: string;
  size: number;
}

export interface GgufEvidence {
  file: string;
  facts: GgufFacts;
  /** `tokenizer.ggml.tokens` read as a vocabulary, when present. */
  tokenizer: ParsedTokenizer | null;
}

export interface ModelEvidence {
  /** Model directory relative to the target root ('.' for the root). */
  dir: string;
  config: ConfigEvidence | null;
  card: CardEvidence | null;
  texts: TextEvidence[];
  problems: Problem[];
  tokenizer?: TokenizerEvidence | null;
  weights?: WeightsEvidence | null;
  lfs?: LfsEvidence[];
  adapter?: AdapterConfig | null;
  /** mergekit_config.yml, or the merge configuration a card carries in a fenced YAML block. */
  merge?: MergekitConfig | null;
  gguf?: GgufEvidence | null;
}
