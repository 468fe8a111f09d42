// The bases a model directory names, wherever it names them, as Hub ids with the file and line:
// the card's base_model, an adapter's base_model_name_or_path, a merge's sources, GGUF
// general.base_model.* URLs. These are what upstream resolution looks up. Pure: no network.
import type { Catalog } from '../catalog/index.js';
import { classifyBaseReference } from '../evidence/adapter.js';
import type { ModelEvidence } from '../evidence/types.js';
import type { DeclaredBase } from './upstream.js';

export function declaredBases(model: ModelEvidence): DeclaredBase[] {
  const out: DeclaredBase[] = [];
  const add = (raw: string | undefined, file: string, line?: number) => {
    const id = raw?.trim();
    if (!id || classifyBaseReference(id).kind !== 'hub-id' || !id.includes('/')) return;
    if (out.some((d) => d.id.toLowerCase() === id.toLowerCase())) return;
    out.push({ id, via: line ? `${file}:${line}` : file });
  };
  for (const b of model.card?.baseModels ?? []) add(b.value, b.file, b.line);
  const adapter = model.adapter;
  if (adapter?.baseModel) add(adapter.baseModel.value, adapter.file, adapter.baseModel.line);
  for (const s of model.merge?.sources ?? []) add(s.model, s.file, s.line);
  for (const b of model.gguf?.facts.baseModels ?? []) add(b.repoId, model.gguf!.file);
  return out;
}

/** True when the catalog cannot judge `id` on its own: unknown, or known with an unknown license. */
export function needsResolution(catalog: Catalog, id: string): boolean {
  const cp = catalog.byId.get(id.trim().toLowerCase());
  if (!cp) return true;
  return cp.license === 'unknown' || !catalog.licenses[cp.license];
}

/** True when some declared base needs the Hub (see needsResolution). */
export function anyNeedsResolution(declared: readonly DeclaredBase[], catalog: Catalog): boolean {
  return declared.some((d) => d.id.trim() !== '' && needsResolution(catalog, d.id.trim()));
}
