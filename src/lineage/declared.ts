// What a repo says about its own lineage: the card's `base_model` list and sentences in any text
// file that name the base (by repo id, checkpoint name or family name).
import families from '../catalog/data/families.json' with { type: 'json' };
import { familyOfId, type Catalog, type Checkpoint } from '../catalog/index.js';
import type { ModelEvidence } from '../evidence/types.js';
import { normalizeForMatch } from '../evidence/texts.js';

const FAMILY_MENTIONS: Record<string, RegExp[]> = Object.fromEntries(
  Object.entries(families as Record<string, { name: string; mentions: string[] }>).map(([k, v]) => [
    k,
    v.mentions.map((m) => new RegExp(`(?<![a-z0-9])${m}`, 'i')),
  ]),
);

export function familyName(family: string): string {
  return (families as Record<string, { name: string }>)[family]?.name ?? family;
}

export function mentionsFamily(text: string, family: string): boolean {
  return (FAMILY_MENTIONS[family] ?? []).some((re) => re.test(text));
}

function mentionsCheckpoint(normalizedText: string, cp: Checkpoint): boolean {
  const id = cp.id.toLowerCase();
  const name = id.split('/')[1];
  return (
    normalizedText.includes(id) ||
    new RegExp(`(?<![a-z0-9])${escapeRe(name)}(?![a-z0-9])`).test(normalizedText)
  );
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export type Attribution =
  | { declared: true; how: 'card' | 'text' | 'config'; where: { file: string; line?: number } }
  | { declared: false; unverifiedBases: string[] };

/**
 * Whether the repo declares or attributes `cp`: a declared base that is the checkpoint, one of
 * its equal-geometry alternatives, or a model of the same family (a base, instruct or named
 * descendant such as "Llama-3.1-Swallow"); or a text naming it.
 */
export function attribution(
  ev: ModelEvidence,
  cp: Checkpoint,
  alternatives: string[],
  catalog: Catalog,
  texts: TextIndex[],
): Attribution {
  const related = new Set([cp.id.toLowerCase(), ...alternatives.map((a) => a.toLowerCase())]);
  const unverified: string[] = [];
  const names = (id: string) => {
    const knownFamily = familyOfId(catalog, id);
    return {
      knownFamily,
      match: related.has(id) || knownFamily === cp.family || (!knownFamily && mentionsFamily(id, cp.family)),
    };
  };
  for (const b of ev.card?.baseModels ?? []) {
    const { knownFamily, match } = names(b.value.trim().toLowerCase());
    if (match) return { declared: true, how: 'card', where: { file: b.file, line: b.line } };
    if (!knownFamily) unverified.push(b.value);
  }
  // An adapter's base and a merge's sources are declarations too (DESIGN: declared lineage).
  for (const d of configDeclarations(ev)) {
    if (names(d.id.toLowerCase()).match) return { declared: true, how: 'config', where: d.where };
  }
  for (const t of texts) {
    if (mentionsCheckpoint(t.norm, cp) || mentionsFamily(t.norm, cp.family)) {
      return { declared: true, how: 'text', where: { file: t.file } };
    }
  }
  return { declared: false, unverifiedBases: unverified };
}

/** Bases named by an adapter_config.json or a mergekit configuration, with where they are named. */
export function configDeclarations(
  ev: ModelEvidence,
): { id: string; where: { file: string; line: number } }[] {
  const out: { id: string; where: { file: string; line: number } }[] = [];
  const a = ev.adapter;
  if (a?.baseModel) {
    const id = a.isLocalPath ? a.hubIdGuess : a.baseModel.value.trim();
    if (id) out.push({ id, where: { file: a.baseModel.file, line: a.baseModel.line } });
  }
  for (const s of ev.merge?.sources ?? [])
    out.push({ id: s.model.trim(), where: { file: s.file, line: s.line } });
  return out;
}

export interface TextIndex {
  file: string;
  /** normalizeForMatch() of the file's text. */
  norm: string;
}

/** Card body and every license-like text, normalized once per model for phrase matching. */
export function textIndex(ev: ModelEvidence): TextIndex[] {
  const out: TextIndex[] = [];
  if (ev.card) out.push({ file: ev.card.file, norm: normalizeForMatch(ev.card.body) });
  for (const t of ev.texts)
    if (t.file !== ev.card?.file) out.push({ file: t.file, norm: normalizeForMatch(t.text) });
  return out;
}

/**
 * `_name_or_path` as a Hub id when it can be read as one: `org/name`, a Hub cache path
 * (`models--org--name/snapshots/…`), `org--name`, or the last segment of a local path. A hint,
 * never proof: it is whatever the uploader's machine held.
 */
export function hubIdFromNameOrPath(value: string): { id: string; exact: boolean } | null {
  // Real values are short paths; the bound keeps the regular expressions below linear in practice.
  if (value.length > 1024) return null;
  const v = value.trim();
  const cache = /models--([\w.-]+?)--([\w.-]+)/.exec(v);
  if (cache) return { id: `${cache[1]}/${cache[2]}`, exact: true };
  if (/^[\w.-]+\/[\w.-]+$/.test(v) && !v.startsWith('.')) return { id: v, exact: true };
  const last =
    v
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  const dashed = /^([\w.-]+?)--([\w.-]+)$/.exec(last);
  if (dashed) return { id: `${dashed[1]}/${dashed[2]}`, exact: true };
  return last ? { id: last, exact: false } : null;
}
