// Signals → candidate bases → lineage. Strong lineage comes from the geometry fingerprint; weak
// lineage only from a class name or model_type that a known family uses.
import type { Catalog, Checkpoint } from '../catalog/index.js';
import type { ModelEvidence } from '../evidence/types.js';
import type { Lineage, Signal } from '../types.js';
import { attribution, hubIdFromNameOrPath, textIndex, type Attribution, type TextIndex } from './declared.js';
import { matchShape, type ShapeMatch } from './fingerprint.js';
import { normalizeShape, sourceKey } from './shape.js';

export interface DetectedLineage extends Lineage {
  checkpoint: Checkpoint;
  match: ShapeMatch | null;
  attribution: Attribution;
}

function configFields(ev: ModelEvidence): Record<string, unknown> {
  return Object.fromEntries(Object.entries(ev.config?.fields ?? {}).map(([k, v]) => [k, v.value]));
}

export function inferLineage(
  ev: ModelEvidence,
  catalog: Catalog,
  texts: TextIndex[] = textIndex(ev),
): DetectedLineage[] {
  const config = ev.config;
  if (!config) return [];
  const fields = configFields(ev);
  const shape = normalizeShape(fields);
  const matches = catalog.checkpoints
    .map((cp) => matchShape(shape, cp))
    .filter((m): m is ShapeMatch => m !== null);
  // Best score first; among equals the shortest name, i.e. the family's root checkpoint
  // (DeepSeek-V3 before DeepSeek-V3.1, Llama-3.1-8B before Llama-3.1-8B-Instruct).
  const strong = matches
    .filter((m) => m.strong)
    .sort(
      (a, b) =>
        b.score - a.score ||
        a.checkpoint.id.length - b.checkpoint.id.length ||
        a.checkpoint.id.localeCompare(b.checkpoint.id),
    );
  const out: DetectedLineage[] = [];

  if (strong.length > 0) {
    const best = pickBest(strong, ev);
    // Alternatives: checkpoints that fit exactly as well (the same geometry released again).
    const alternatives = strong
      .filter((m) => m !== best && m.score === best.score)
      .map((m) => m.checkpoint.id);
    const anchorKey = sourceKey(fields, 'hidden_size') ?? 'hidden_size';
    const detail =
      `${best.equal} of ${best.compared} shape fields equal to ${best.checkpoint.id}` +
      (best.deviations.length ? `; ${best.deviations.join('; ')}` : '') +
      (best.softDiffs.length ? `; differs in ${best.softDiffs.join(', ')}` : '');
    const signals: Signal[] = [
      {
        kind: 'config-fingerprint',
        file: config.file,
        line: config.fields[anchorKey]?.line ?? config.line,
        detail,
      },
    ];
    const arch = classSignal(ev, catalog, best.checkpoint.family);
    if (arch) signals.unshift(arch);
    out.push(finish(ev, catalog, texts, best.checkpoint, best, 'strong', signals, alternatives));
  }

  // Weak lineage: the class or model_type belongs to known families that no strong match covers.
  // One weak lineage per class, named after the closest checkpoint of those families.
  const strongFamilies = new Set(out.map((l) => l.family));
  const families = classFamilies(ev, catalog);
  if (families.length > 0 && !families.some((f) => strongFamilies.has(f))) {
    const closest = catalog.checkpoints
      .filter((c) => families.includes(c.family))
      .map((cp) => ({ cp, near: nearness(shape, cp) }))
      .sort((a, b) => b.near - a.near)[0].cp;
    const signal = classSignal(ev, catalog, closest.family)!;
    out.push(finish(ev, catalog, texts, closest, null, 'weak', [signal], []));
  }
  return out;
}

function finish(
  ev: ModelEvidence,
  catalog: Catalog,
  texts: TextIndex[],
  cp: Checkpoint,
  match: ShapeMatch | null,
  strength: 'strong' | 'weak',
  signals: Signal[],
  alternatives: string[],
): DetectedLineage {
  const attr = attribution(ev, cp, alternatives, catalog, texts);
  if (attr.declared && attr.how === 'card') {
    signals.push({
      kind: 'card-base-model',
      file: attr.where.file,
      line: attr.where.line,
      detail: 'the card declares this base (or a model of its family)',
    });
  }
  return {
    base: cp.id,
    family: cp.family,
    strength,
    declared: attr.declared,
    signals,
    ...(alternatives.length ? { alternatives } : {}),
    checkpoint: cp,
    match,
    attribution: attr,
  };
}

/** Among equally strong matches, prefer the declared base, then the `_name_or_path` hint. */
function pickBest(strong: ShapeMatch[], ev: ModelEvidence): ShapeMatch {
  const top = strong.filter((m) => m.score === strong[0].score && m.deviations.length === 0);
  const pool = top.length ? top : [strong[0]];
  const declared = new Set((ev.card?.baseModels ?? []).map((b) => b.value.trim().toLowerCase()));
  const byDeclared = strong.find((m) => declared.has(m.checkpoint.id.toLowerCase()));
  if (byDeclared && byDeclared.deviations.length <= pool[0].deviations.length) return byDeclared;
  const hint = ev.config?.nameOrPath ? hubIdFromNameOrPath(ev.config.nameOrPath.value) : null;
  if (hint) {
    const h = hint.id.toLowerCase();
    const byHint = pool.find((m) => {
      const id = m.checkpoint.id.toLowerCase();
      return hint.exact ? id === h : id.split('/')[1] === h;
    });
    if (byHint) return byHint;
  }
  return pool[0];
}

function classFamilies(ev: ModelEvidence, catalog: Catalog): string[] {
  const keys = [...(ev.config?.architectures?.value ?? []), ev.config?.modelType?.value ?? ''];
  const fams = new Set<string>();
  for (const k of keys) for (const f of catalog.familiesByClass.get(k.toLowerCase()) ?? []) fams.add(f);
  return [...fams].sort();
}

function classSignal(ev: ModelEvidence, catalog: Catalog, family: string): Signal | null {
  const c = ev.config!;
  for (const a of c.architectures?.value ?? []) {
    if (catalog.familiesByClass.get(a.toLowerCase())?.has(family)) {
      return {
        kind: 'architectures',
        file: c.file,
        line: c.architectures!.line,
        detail: `${a} is a class of the ${family} family`,
      };
    }
  }
  const mt = c.modelType?.value;
  if (mt && catalog.familiesByClass.get(mt.toLowerCase())?.has(family)) {
    return {
      kind: 'architectures',
      file: c.file,
      line: c.modelType!.line,
      detail: `model_type ${mt} belongs to the ${family} family`,
    };
  }
  return null;
}

function nearness(shape: ReturnType<typeof normalizeShape>, cp: Checkpoint): number {
  let n = 0;
  for (const [k, v] of Object.entries(shape)) if ((cp.shape as Record<string, unknown>)[k] === v) n++;
  return n;
}
