// Signals → candidate bases → lineage. Strong lineage comes from the weights' geometry (config.json,
// safetensors headers, GGUF hyperparameters), a vocabulary identical to or extending a base's, an
// LFS object id of a base's file, or a base named by an adapter, merge or GGUF file; weak lineage
// from a class name alone, or from a signal that a known collision pattern undercuts.
import type { Catalog, Checkpoint } from '../catalog/index.js';
import type { ModelEvidence } from '../evidence/types.js';
import type { Lineage, Signal } from '../types.js';
import {
  attribution,
  familyName,
  hubIdFromNameOrPath,
  textIndex,
  type Attribution,
  type TextIndex,
} from './declared.js';
import { matchShape, type ShapeMatch } from './fingerprint.js';
import { normalizeShape, sourceKey, type Shape } from './shape.js';
import { supportingFamilies, tokenizerRelations, type TokenizerRelation } from './tokenizer-signal.js';
import { checkpointReference, tensorShape } from './weights.js';

export interface DetectedLineage extends Lineage {
  checkpoint: Checkpoint;
  match: ShapeMatch | null;
  attribution: Attribution;
  /** True when a signal comes from the weights themselves (not only from what a file declares). */
  fromWeights: boolean;
}

/** Signal kinds read from the weights or their files, as opposed to declarations. */
const WEIGHT_SIGNALS = new Set<Signal['kind']>([
  'config-fingerprint',
  'tensor-signature',
  'tokenizer',
  'lfs-oid',
  'gguf-metadata',
]);

// GGUF base_model keys are a declaration written by the converter, not a measurement.
const GGUF_DECLARATION = 'general.base_model names';
const isWeightSignal = (s: Signal) =>
  WEIGHT_SIGNALS.has(s.kind) && !(s.kind === 'gguf-metadata' && s.detail.startsWith(GGUF_DECLARATION));

interface Shapes {
  fields: Record<string, unknown>;
  config: Shape | null;
  gguf: Shape | null;
  /** What every available source says, the headers overriding config.json, per checkpoint. */
  merged(cp: Checkpoint): Shape;
  known: boolean;
}

function shapesOf(ev: ModelEvidence): Shapes {
  const fields = Object.fromEntries(Object.entries(ev.config?.fields ?? {}).map(([k, v]) => [k, v.value]));
  const config = ev.config ? normalizeShape(fields) : null;
  const ggufFields = ev.gguf?.facts.config;
  const gguf = ggufFields && Object.keys(ggufFields).length ? normalizeShape(ggufFields) : null;
  const derived = ev.weights?.complete ? ev.weights.derived : null;
  const hasDerived = derived !== null && Object.keys(derived).length > 0;
  const base: Shape = { ...(gguf ?? {}), ...(config ?? {}) };
  return {
    fields,
    config,
    gguf,
    merged: (cp) => (hasDerived ? { ...base, ...tensorShape(derived, checkpointReference(cp)) } : base),
    known: base.hidden_size !== undefined || (hasDerived && derived.hiddenSize !== undefined),
  };
}

const byScore = (a: ShapeMatch, b: ShapeMatch) =>
  b.score - a.score ||
  a.checkpoint.id.length - b.checkpoint.id.length ||
  a.checkpoint.id.localeCompare(b.checkpoint.id);

export function inferLineage(
  ev: ModelEvidence,
  catalog: Catalog,
  texts: TextIndex[] = textIndex(ev),
): DetectedLineage[] {
  const shapes = shapesOf(ev);
  const tokens = tokenizerRelations(ev, catalog);
  const out: DetectedLineage[] = [];

  // 1. Geometry. Best score first; among equals the shortest name, i.e. the family's root
  // checkpoint (DeepSeek-V3 before DeepSeek-V3.1, Llama-3.1-8B before Llama-3.1-8B-Instruct).
  const strong = shapes.known
    ? catalog.checkpoints
        .map((cp) => matchShape(shapes.merged(cp), cp))
        .filter((m): m is ShapeMatch => m !== null && m.strong)
        .sort(byScore)
    : [];
  if (strong.length > 0) {
    const best = pickBest(strong, ev);
    // Alternatives: checkpoints that fit exactly as well (the same geometry released again).
    const alternatives = strong
      .filter((m) => m !== best && m.score === best.score)
      .map((m) => m.checkpoint.id);
    const signals = geometrySignals(ev, shapes, best);
    const arch = classSignal(ev, catalog, best.checkpoint.family);
    if (arch) signals.unshift(arch);
    let strength: 'strong' | 'weak' = 'strong';
    const tok = tokens.get(best.checkpoint.family);
    if (tok && (tok.relation === 'identical' || tok.relation === 'extends')) {
      signals.push(tokenizerSignal(tok, `${tok.detail}: the ${familyName(tok.family)} tokenizer`));
    } else if (tok && tok.relation === 'different') {
      // Equal shapes with another vocabulary: what independent models at 7–8B scale look like.
      strength = 'weak';
      signals.push(
        tokenizerSignal(
          tok,
          `the vocabulary is not ${familyName(tok.family)}'s (${tok.detail}); equal shapes with a different tokenizer happen between independent models`,
        ),
      );
    }
    out.push(finish(ev, catalog, texts, best.checkpoint, best, strength, signals, alternatives));
  }

  // 2. Bases that an adapter, a merge or a GGUF file names, or whose LFS objects the repo holds.
  for (const { cp, signal, strength } of namedBases(ev, catalog, shapes)) {
    addSignal(out, ev, catalog, texts, cp, signal, strength);
  }

  // 3. The vocabulary alone, when no geometry matched: identical or extended. With shapes known
  // and matching none of that family's checkpoints it is weak (Pythia and StableLM share one).
  if (!out.some((l) => l.strength === 'strong')) {
    const fams = supportingFamilies(tokens).filter((t) => !out.some((l) => l.family === t.family));
    const top = fams.filter((t) => t.relation === fams[0]?.relation);
    if (top.length > 0) {
      const [first, ...others] = top;
      const cp = closestOf(catalog, first.family, shapes);
      const strength = shapes.known ? 'weak' : 'strong';
      const detail = shapes.known
        ? `${first.detail}: the ${familyName(first.family)} tokenizer, but the shapes match none of its checkpoints`
        : `${first.detail}: the ${familyName(first.family)} tokenizer`;
      const alternatives = others.map((t) => closestOf(catalog, t.family, shapes).id);
      out.push(
        finish(ev, catalog, texts, cp, null, strength, [tokenizerSignal(first, detail)], alternatives),
      );
    }
  }

  // 4. Weak lineage: the class or model_type belongs to known families that nothing above covers.
  // One weak lineage per class, named after the closest checkpoint of those families.
  const covered = new Set(out.map((l) => l.family));
  const families = classFamilies(ev, catalog);
  if (families.length > 0 && !families.some((f) => covered.has(f))) {
    const closest = catalog.checkpoints
      .filter((c) => families.includes(c.family))
      .map((cp) => ({ cp, near: nearness(shapes.merged(cp), cp) }))
      .sort((a, b) => b.near - a.near)[0].cp;
    const signal = classSignal(ev, catalog, closest.family)!;
    out.push(finish(ev, catalog, texts, closest, null, 'weak', [signal], []));
  }
  return out;
}

/** The config, tensor and GGUF signals behind a geometry match, each with what it compared. */
function geometrySignals(ev: ModelEvidence, shapes: Shapes, best: ShapeMatch): Signal[] {
  const cp = best.checkpoint;
  const signals: Signal[] = [];
  const describe = (m: ShapeMatch, what: string) =>
    `${m.equal} of ${m.compared} ${what} equal to ${cp.id}` +
    (m.deviations.length ? `; ${m.deviations.join('; ')}` : '') +
    (m.softDiffs.length ? `; differs in ${m.softDiffs.join(', ')}` : '');
  const config = ev.config;
  const fromConfig = shapes.config ? matchShape(shapes.config, cp) : null;
  if (config && fromConfig?.strong) {
    const anchorKey = sourceKey(shapes.fields, 'hidden_size') ?? 'hidden_size';
    signals.push({
      kind: 'config-fingerprint',
      file: config.file,
      line: config.fields[anchorKey]?.line ?? config.line,
      detail: describe(fromConfig, 'shape fields'),
    });
  }
  const w = ev.weights;
  if (w?.complete && Object.keys(w.derived).length > 0) {
    const m = matchShape(tensorShape(w.derived, checkpointReference(cp)), cp);
    const d = w.derived;
    const facts = [
      d.vocabSize !== undefined && d.hiddenSize !== undefined
        ? `embedding ${d.vocabSize}×${d.hiddenSize}`
        : '',
      d.numLayers !== undefined ? `${d.numLayers} stored layers` : '',
      d.numExperts !== undefined ? `${d.numExperts} experts` : '',
    ]
      .filter(Boolean)
      .join(', ');
    if (m && m.deviations.length <= best.deviations.length) {
      signals.push({
        kind: 'tensor-signature',
        file: w.file,
        detail: `${describe(m, 'header-derived fields')} (${w.tensorCount} tensors in ${w.headersRead} header${w.headersRead === 1 ? '' : 's'}: ${facts})`,
      });
    }
  }
  if (ev.gguf && shapes.gguf) {
    const m = matchShape(shapes.gguf, cp);
    if (m?.strong) {
      signals.push({
        kind: 'gguf-metadata',
        file: ev.gguf.file,
        detail: describe(m, `${ev.gguf.facts.architecture ?? 'GGUF'} hyperparameters`),
      });
    }
  }
  if (signals.length === 0) {
    // Matched only with every source combined (e.g. headers correcting a lying config).
    signals.push({
      kind: w?.complete ? 'tensor-signature' : 'config-fingerprint',
      file: w?.complete ? w.file : (config?.file ?? ev.gguf?.file ?? ''),
      detail: describe(best, 'shape fields (config and headers combined)'),
    });
  }
  return signals;
}

function tokenizerSignal(t: TokenizerRelation, detail: string): Signal {
  return { kind: 'tokenizer', file: t.file, detail };
}

/** A named base: the catalog checkpoint itself, or the root checkpoint of a known family. */
function resolveNamed(catalog: Catalog, id: string, shapes: Shapes): Checkpoint | null {
  const key = id.trim().toLowerCase();
  const exact = catalog.byId.get(key);
  if (exact) return exact;
  const family = catalog.descendants.find((d) => d.pattern.test(id.trim()))?.family;
  return family ? closestOf(catalog, family, shapes) : null;
}

function namedBases(
  ev: ModelEvidence,
  catalog: Catalog,
  shapes: Shapes,
): { cp: Checkpoint; signal: Signal; strength: 'strong' | 'weak' }[] {
  const out: { cp: Checkpoint; signal: Signal; strength: 'strong' | 'weak' }[] = [];
  const a = ev.adapter;
  if (a?.baseModel) {
    const id = a.isLocalPath ? a.hubIdGuess : a.baseModel.value;
    const cp = id ? resolveNamed(catalog, id, shapes) : null;
    if (cp) {
      out.push({
        cp,
        // A path on the trainer's disk only suggests the base: weaker than a Hub id.
        strength: a.isLocalPath ? 'weak' : 'strong',
        signal: {
          kind: 'adapter-config',
          file: a.baseModel.file,
          line: a.baseModel.line,
          detail: a.isLocalPath
            ? `base_model_name_or_path is a local path (${a.baseModel.value}) that suggests ${id}`
            : `base_model_name_or_path is ${a.baseModel.value}${a.peftType ? ` (${a.peftType.value} adapter)` : ''}`,
        },
      });
    }
  }
  for (const s of ev.merge?.sources ?? []) {
    const cp = resolveNamed(catalog, s.model, shapes);
    if (cp) {
      out.push({
        cp,
        strength: 'strong',
        signal: {
          kind: 'mergekit',
          file: s.file,
          line: s.line,
          detail: `merge source (${s.role}): ${s.model}`,
        },
      });
    }
  }
  for (const b of ev.gguf?.facts.baseModels ?? []) {
    const cp = b.repoId ? resolveNamed(catalog, b.repoId, shapes) : null;
    if (cp) {
      out.push({
        cp,
        strength: 'strong',
        signal: { kind: 'gguf-metadata', file: ev.gguf!.file, detail: `${GGUF_DECLARATION} ${b.repoUrl}` },
      });
    }
  }
  const oids = new Map((ev.lfs ?? []).map((p) => [p.oid, p]));
  for (const cp of catalog.checkpoints) {
    const hit = cp.lfsOids?.map((o) => oids.get(o)).find((p) => p !== undefined);
    if (hit) {
      out.push({
        cp,
        strength: 'strong',
        signal: {
          kind: 'lfs-oid',
          file: hit.file,
          detail: `LFS object ${hit.oid.slice(0, 12)}… is a file of ${cp.id}`,
        },
      });
    }
  }
  return out;
}

/** Adds a signal to the lineage of the same checkpoint or family, or starts a new lineage. */
function addSignal(
  out: DetectedLineage[],
  ev: ModelEvidence,
  catalog: Catalog,
  texts: TextIndex[],
  cp: Checkpoint,
  signal: Signal,
  strength: 'strong' | 'weak',
): void {
  const existing = out.find((l) => l.base === cp.id) ?? out.find((l) => l.family === cp.family);
  if (existing) {
    existing.signals.push(signal);
    // A base that the adapter, merge or GGUF names outright settles a weak geometric resemblance.
    if (strength === 'strong') existing.strength = 'strong';
    existing.fromWeights ||= isWeightSignal(signal);
    return;
  }
  out.push(finish(ev, catalog, texts, cp, null, strength, [signal], []));
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
    fromWeights: signals.some(isWeightSignal),
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

/** The family's checkpoint nearest to the repo's shapes; its shortest id when shapes are unknown. */
function closestOf(catalog: Catalog, family: string, shapes: Shapes): Checkpoint {
  return catalog.checkpoints
    .filter((c) => c.family === family)
    .map((cp) => ({ cp, near: shapes.known ? nearness(shapes.merged(cp), cp) : 0 }))
    .sort((a, b) => b.near - a.near || a.cp.id.length - b.cp.id.length || a.cp.id.localeCompare(b.cp.id))[0]
    .cp;
}

/** Class names: config.json's architectures and model_type, else the GGUF architecture. */
function classKeys(ev: ModelEvidence): { key: string; file: string; line?: number; what: string }[] {
  const c = ev.config;
  const keys: { key: string; file: string; line?: number; what: string }[] = [];
  for (const a of c?.architectures?.value ?? [])
    keys.push({ key: a, file: c!.file, line: c!.architectures!.line, what: a });
  if (c?.modelType)
    keys.push({
      key: c.modelType.value,
      file: c.file,
      line: c.modelType.line,
      what: `model_type ${c.modelType.value}`,
    });
  const arch = ev.gguf?.facts.architecture;
  if (arch) keys.push({ key: arch, file: ev.gguf!.file, what: `GGUF architecture ${arch}` });
  return keys;
}

function classFamilies(ev: ModelEvidence, catalog: Catalog): string[] {
  const fams = new Set<string>();
  for (const k of classKeys(ev))
    for (const f of catalog.familiesByClass.get(k.key.toLowerCase()) ?? []) fams.add(f);
  return [...fams].sort();
}

function classSignal(ev: ModelEvidence, catalog: Catalog, family: string): Signal | null {
  for (const k of classKeys(ev)) {
    if (catalog.familiesByClass.get(k.key.toLowerCase())?.has(family)) {
      return {
        kind: 'architectures',
        file: k.file,
        ...(k.line !== undefined ? { line: k.line } : {}),
        detail: `${k.what} ${k.what.startsWith('model_type') || k.what.startsWith('GGUF') ? 'belongs to' : 'is a class of'} the ${family} family`,
      };
    }
  }
  return null;
}

function nearness(shape: Shape, cp: Checkpoint): number {
  let n = 0;
  for (const [k, v] of Object.entries(shape)) if ((cp.shape as Record<string, unknown>)[k] === v) n++;
  return n;
}
