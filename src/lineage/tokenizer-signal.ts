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

/** Comparison with every fingerprinted family, computed once per model. */
export function tokenizerRelations(ev: ModelEvidence, catalog: Catalog): Map<string, TokenizerRelation> {
  const tok = repoTokenizer(ev);
  const out = new Map<string, TokenizerRelation>();
  if (!tok || tok.vocabSize === 0) return out;
  for (const [family, entry] of Object.entries(catalog.tokenizers)) {
    out.set(family, { family, file: tok.file, ...compareTokenizer(tok, entry.fingerprint) });
  }
  return out;
}

/** Families whose vocabulary the repo's is (identical) or contains (extends), strongest first. */
export function supportingFamilies(relations: Map<string, TokenizerRelation>): TokenizerRelation[] {
  return [...relations.values()]
    .filter((r) => r.relation === 'identical' || r.relation === 'extends')
    .sort(
      (a, b) =>
        Number(b.relation === 'identical') - Number(a.relation === 'identical') ||
        b.containment - a.containment,
    );
}
