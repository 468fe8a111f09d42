// The built-in catalog: known base checkpoints (from shared/reference/base-models, via
// scripts/build-catalog.mjs) and what their licenses oblige derivatives to do (licenses.json).
import baseModels from './data/base-models.json' with { type: 'json' };
import licenses from './data/licenses.json' with { type: 'json' };
import descendants from './data/descendants.json' with { type: 'json' };
import tokenizers from './data/tokenizers.json' with { type: 'json' };
import type { TokenizerCatalog } from '../evidence/tokenizer.js';
import { normalizeShape, type Shape } from '../lineage/shape.js';

export interface LicenseFacts {
  name: string;
  spdx: string;
  hfIds: string[];
  hfLicenseNames?: string[];
  kind: 'permissive' | 'restricted' | 'non-commercial' | 'unknown';
  requires: string;
  /** Phrases of the license text itself; all must travel in some file. */
  textPhrases: string[];
  /** Phrases that together also count as a copy of the text (e.g. the Apache license body). */
  textAlternatives?: string[];
  copyrightRequired: boolean;
  missingTextSeverity: 'error' | 'warning';
  /** Exact notice sentences a derivative must ship. */
  noticePhrases: string[];
  /** Display phrases ("Built with …"); any one suffices. */
  displayPhrases: string[];
  /** The derivative's name must begin with this. */
  namePrefix?: string;
  restrictions: string[];
  source: string;
}

export interface Checkpoint {
  id: string;
  family: string;
  license: string;
  /** A license that applied to an earlier release of the same weights. */
  alternateLicense?: string;
  copyright?: string;
  config: Record<string, unknown>;
  classes: { architectures?: string[]; model_type?: string };
  sources: Record<string, string>;
  standIn?: string;
  notes: string;
  /** Git LFS object ids (sha256) of the checkpoint's weight files, when known (Hub, policy). */
  lfsOids?: string[];
  shape: Shape;
}

export interface Catalog {
  checkpoints: Checkpoint[];
  licenses: Record<string, LicenseFacts>;
  byId: Map<string, Checkpoint>;
  /** Architecture class or model_type → families that use it. */
  familiesByClass: Map<string, Set<string>>;
  /** Known models outside the catalog whose weights derive from a catalog family. */
  descendants: { pattern: RegExp; family: string; source: string }[];
  /** Family → compact tokenizer fingerprint (scripts/build-tokenizer-fingerprints.mjs). */
  tokenizers: TokenizerCatalog;
}

/** The family a Hub id belongs to when the catalog knows it: a checkpoint or a known descendant. */
export function familyOfId(catalog: Catalog, id: string): string | null {
  const key = id.trim().toLowerCase();
  const cp = catalog.byId.get(key);
  if (cp) return cp.family;
  return catalog.descendants.find((d) => d.pattern.test(id.trim()))?.family ?? null;
}

function flattenNested(config: Record<string, unknown>): Record<string, unknown> {
  const nested = config.text_config;
  return nested && typeof nested === 'object'
    ? { ...config, ...(nested as Record<string, unknown>) }
    : config;
}

export function buildCatalog(
  entries: Omit<Checkpoint, 'shape'>[],
  licenseTable: Record<string, LicenseFacts>,
  tokenizerTable: TokenizerCatalog = tokenizers as unknown as TokenizerCatalog,
): Catalog {
  const checkpoints = entries.map((e) => ({ ...e, shape: normalizeShape(flattenNested(e.config)) }));
  const familiesByClass = new Map<string, Set<string>>();
  const add = (key: string, family: string) => {
    const k = key.toLowerCase();
    if (!familiesByClass.has(k)) familiesByClass.set(k, new Set());
    familiesByClass.get(k)!.add(family);
  };
  for (const c of checkpoints) {
    for (const a of c.classes.architectures ?? []) add(a, c.family);
    if (c.classes.model_type) add(c.classes.model_type, c.family);
  }
  return {
    checkpoints,
    licenses: licenseTable,
    byId: new Map(checkpoints.map((c) => [c.id.toLowerCase(), c])),
    familiesByClass,
    descendants: (descendants as { pattern: string; family: string; source: string }[]).map((d) => ({
      ...d,
      pattern: new RegExp(d.pattern, 'i'),
    })),
    tokenizers: tokenizerTable,
  };
}

let builtIn: Catalog | undefined;
export function defaultCatalog(): Catalog {
  builtIn ??= buildCatalog(
    baseModels as unknown as Omit<Checkpoint, 'shape'>[],
    licenses as unknown as Record<string, LicenseFacts>,
  );
  return builtIn;
}

/** What a policy file (`bases`) or the Hub (upstream resolution) adds to the built-in catalog. */
export interface CatalogExtension {
  checkpoints?: Omit<Checkpoint, 'shape'>[];
  licenses?: Record<string, LicenseFacts>;
}

/**
 * A new catalog with `extra` added. A checkpoint whose id the catalog already has replaces it (a
 * private fork of a known id is the user's word); licenses are added under their keys.
 */
export function extendCatalog(base: Catalog, extra: CatalogExtension): Catalog {
  const added = extra.checkpoints ?? [];
  const licenses = extra.licenses ?? {};
  // Nothing new (the usual answer of the Hub hook, per model): keep the built catalog.
  if (added.length === 0 && Object.keys(licenses).length === 0) return base;
  const ids = new Set(added.map((c) => c.id.toLowerCase()));
  const kept = base.checkpoints
    .filter((c) => !ids.has(c.id.toLowerCase()))
    .map(({ shape: _shape, ...c }) => c);
  return buildCatalog([...kept, ...added], { ...base.licenses, ...licenses }, base.tokenizers);
}
