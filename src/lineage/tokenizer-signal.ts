// The repo's vocabulary against the catalog's tokenizer fingerprints. Identity or an extension of a
// base vocabulary supports a lineage; a different vocabulary where the catalog knows the family's
// one is a known collision pattern (OpenLLaMA has Llama's shapes, not its tokenizer).
import type { Catalog } from '../catalog/index.js';
import { compareTokenizer, type ParsedTokenizer, type TokenizerComparison } from '../evidence/tokenizer.js';
import type { ModelEvidence } from '../evidence/types.js';

export interface TokenizerRelation extends TokenizerComparison {
  family: string;
  file: string;
}

/** The vocabulary the repo ships: its tokenizer files, else the one embedded in a GGUF file. */
export function repoTokenizer(ev: ModelEvidence): ParsedTokenizer | null {
  return ev.tokenizer?.parsed ?? ev.gguf?.tokenizer ?? null;
}

export interface TokenizerRelations {
  /** The comparison with one family's fingerprint (undefined when the catalog has none or no vocabulary was read). */
  get(family: string): TokenizerRelation | undefined;
  /** Comparisons with every fingerprinted family. */
  all(): TokenizerRelation[];
}

/**
 * Comparisons with the catalog's fingerprints, each computed on first use: the geometry's family is
 * usually the only one asked for, and an identical vocabulary needs no hashing of every token.
 */
export function tokenizerRelations(ev: ModelEvidence, catalog: Catalog): TokenizerRelations {
  const tok = repoTokenizer(ev);
  const memo = new Map<string, TokenizerRelation>();
  const get = (family: string): TokenizerRelation | undefined => {
    const entry = catalog.tokenizers[family];
    if (!tok || tok.vocabSize === 0 || !entry) return undefined;
    let r = memo.get(family);
    if (!r) memo.set(family, (r = { family, file: tok.file, ...compareTokenizer(tok, entry.fingerprint) }));
    return r;
  };
  return {
    get,
    all: () => Object.keys(catalog.tokenizers).flatMap((f) => get(f) ?? []),
  };
}

/** Families whose vocabulary the repo's is (identical) or contains (extends), strongest first. */
export function supportingFamilies(relations: TokenizerRelations): TokenizerRelation[] {
  return relations
    .all()
    .filter((r) => r.relation === 'identical' || r.relation === 'extends')
    .sort(
      (a, b) =>
        Number(b.relation === 'identical') - Number(a.relation === 'identical') ||
        b.containment - a.containment,
    );
}
