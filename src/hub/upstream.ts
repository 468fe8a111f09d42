// Upstream resolution: a declared base that the catalog lacks (or whose license it does not know)
// is read from the Hub — card front matter, config.json, adapter config, license files — its
// license identified, and its own declared bases followed up the chain (bounded depth, cycles
// detected). What is learned becomes catalog checkpoints, so the ordinary rules apply to it.
import {
  familyOfId,
  type Catalog,
  type CatalogExtension,
  type Checkpoint,
  type LicenseFacts,
} from '../catalog/index.js';
import { classifyBaseReference, parseAdapterConfig } from '../evidence/adapter.js';
import { parseCard } from '../evidence/card.js';
import { parseConfig } from '../evidence/config.js';
import { decodeText, isLicenseLikeName } from '../evidence/texts.js';
import type { CardEvidence } from '../evidence/types.js';
import { matchShape } from '../lineage/fingerprint.js';
import { normalizeShape } from '../lineage/shape.js';
import type { UpstreamRecord, UpstreamStatus } from '../types.js';
import { isHubRepoId, type HubClient, type TreeEntry } from './client.js';
import { HubError, toHubError } from './errors.js';
import { needsResolution } from './declared.js';
import { identifyLicense, type LicenseText } from './license.js';

export { needsResolution } from './declared.js';

export interface UpstreamOptions {
  client: HubClient;
  /** Hops followed above a declared base. */
  maxDepth?: number;
  /** Upstream repos read from the Hub per run. */
  maxRepos?: number;
}

/** A base a model declares, and where (`file:line`). */
export interface DeclaredBase {
  id: string;
  via: string;
}

export interface UpstreamResolution {
  /** Every upstream learned so far in the run, as catalog entries. */
  extension: CatalogExtension;
  /** For the declared bases given: each one's record, then those of its ancestors. */
  records: UpstreamRecord[];
}

export interface UpstreamResolver {
  resolve(declared: readonly DeclaredBase[], catalog: Catalog): Promise<UpstreamResolution>;
}

export const UPSTREAM_LIMITS = {
  cardBytes: 512 * 1024,
  configBytes: 1024 * 1024,
  licenseBytes: 256 * 1024,
  licenseFiles: 4,
  rootEntries: 2000,
};

interface Node {
  id: string;
  status: UpstreamStatus;
  /** License key derivatives inherit (own, or a stricter ancestor's). */
  license: string | null;
  /** Family reached: a catalog family, else `hub:<root id>`. */
  family: string | null;
  /** Ancestors in first-parent order, each with the id that declared it. */
  parents: Node[];
  detail?: string;
  fromCatalog?: boolean;
}

const STRICT = new Set<LicenseFacts['kind']>(['restricted', 'non-commercial']);

function statusOf(err: HubError): UpstreamStatus {
  if (err.kind === 'unauthorized' || err.kind === 'gated') return 'gated';
  if (err.kind === 'missing') return 'missing';
  if (err.kind === 'offline') return 'offline';
  return 'error';
}

function cannotVerify(id: string, err: HubError): string {
  const status = statusOf(err);
  return `cannot verify upstream ${id}: ${status === 'error' ? err.kind : status} (${err.reason})`;
}

function configFields(raw: Record<string, unknown>): Record<string, unknown> {
  let out = { ...raw };
  for (const k of ['text_config', 'llm_config', 'language_config']) {
    const nested = raw[k];
    if (nested && typeof nested === 'object' && !Array.isArray(nested))
      out = { ...out, ...(nested as object) };
  }
  return out;
}

/**
 * A resolver for one run: what it learned about an upstream is kept for every later model of the
 * run, so a monorepo of fine-tunes of one base reads that base once.
 */
export function createUpstreamResolver(options: UpstreamOptions): UpstreamResolver {
  const { client } = options;
  let catalog: Catalog;
  const maxDepth = options.maxDepth ?? 5;
  const maxRepos = options.maxRepos ?? 32;
  const memo = new Map<string, Node>();
  const learned = new Map<string, Omit<Checkpoint, 'shape'>>();
  const addedLicenses: Record<string, LicenseFacts> = {};
  let fetched = 0;
  const licenseKind = (key: string | null) =>
    key ? (addedLicenses[key] ?? catalog.licenses[key])?.kind : undefined;

  async function read(id: string, sha: string, e: TreeEntry | undefined, limit: number) {
    if (!e) return null;
    try {
      const data = await client.range(id, sha, e.path, 0, Math.min(e.size, limit), e.size);
      return decodeText(e.path, data, data.length < e.size).text?.text ?? null;
    } catch (err) {
      const he = toHubError(err, `${id}/${e.path}`);
      if (he.kind === 'network' || he.kind === 'timeout') throw he;
      return null;
    }
  }

  /** A node that could not be read: no license, no parents, and why. */
  function unverified(id: string, status: Node['status'], detail: string): Node {
    return { id, status, license: null, family: null, parents: [], detail };
  }

  // Sequential on purpose: an in-progress node is then only ever met again through a cycle,
  // which the path check catches before the memo is consulted.
  async function visit(id: string, depth: number, path: string[]): Promise<Node> {
    const key = id.toLowerCase();
    const hit = memo.get(key);
    if (hit) return hit;
    const node = await visitUncached(id, depth, path);
    memo.set(key, node);
    return node;
  }

  async function visitUncached(id: string, depth: number, path: string[]): Promise<Node> {
    const cp = catalog.byId.get(id.toLowerCase());
    if (cp && !needsResolution(catalog, id)) {
      return {
        id: cp.id,
        status: 'resolved',
        license: cp.license,
        family: cp.family,
        parents: [],
        fromCatalog: true,
      };
    }
    if (!isHubRepoId(id)) return unverified(id, 'error', `cannot verify upstream ${id}: not a Hub repo id`);
    if (fetched >= maxRepos) {
      return unverified(
        id,
        'error',
        `cannot verify upstream ${id}: more than ${maxRepos} upstream repos in one run`,
      );
    }
    fetched++;
    let sha: string;
    let root: TreeEntry[];
    try {
      sha = await client.resolve(id, 'main');
      root = (await client.tree(id, sha, { recursive: false, maxEntries: UPSTREAM_LIMITS.rootEntries }))
        .entries;
    } catch (err) {
      const he = toHubError(err, id);
      return unverified(id, statusOf(he), cannotVerify(id, he));
    }
    const byName = new Map(root.map((e) => [e.path.toLowerCase(), e]));
    const licenseEntries = root
      .filter((e) => isLicenseLikeName(e.path) && !/^readme/i.test(e.path))
      .slice(0, UPSTREAM_LIMITS.licenseFiles);
    let texts: (string | null)[];
    try {
      texts = await Promise.all([
        read(id, sha, byName.get('readme.md'), UPSTREAM_LIMITS.cardBytes),
        read(id, sha, byName.get('config.json'), UPSTREAM_LIMITS.configBytes),
        read(id, sha, byName.get('adapter_config.json'), UPSTREAM_LIMITS.configBytes),
        ...licenseEntries.map((e) => read(id, sha, e, UPSTREAM_LIMITS.licenseBytes)),
      ]);
    } catch (err) {
      const he = toHubError(err, id);
      return unverified(id, 'error', cannotVerify(id, he));
    }
    const [cardText, configText, adapterText, ...licenseTexts] = texts;
    const card: CardEvidence | null = cardText === null ? null : parseCard('README.md', cardText).card;
    const config = configText === null ? null : parseConfig('config.json', configText).config;
    const adapter =
      adapterText === null ? null : parseAdapterConfig('adapter_config.json', adapterText).adapter;
    const files: LicenseText[] = licenseEntries
      .map((e, i) => ({ file: e.path, text: licenseTexts[i] }))
      .filter((f): f is LicenseText => f.text !== null);

    const sources: Record<string, string> = {};
    if (card) sources.card = client.blobUrl(id, sha, 'README.md');
    if (config) sources.config = client.blobUrl(id, sha, 'config.json');
    if (files[0]) sources.license = client.blobUrl(id, sha, files[0].file);
    const own = identifyLicense(
      card && {
        file: 'README.md',
        license: card.license?.value ?? null,
        licenseName: card.licenseName?.value ?? null,
      },
      files,
      { ...catalog.licenses, ...addedLicenses },
      sources.card ?? client.blobUrl(id, sha, 'README.md'),
    );
    Object.assign(addedLicenses, own.added);

    // Its own declared bases: the card's base_model, an adapter's base.
    const parentIds: string[] = [];
    for (const b of card?.baseModels ?? []) parentIds.push(b.value.trim());
    const adapterBase = adapter?.baseModel?.value.trim();
    if (adapterBase && classifyBaseReference(adapterBase).kind === 'hub-id') parentIds.push(adapterBase);
    const notes: string[] = [];
    const parents: Node[] = [];
    const seen = new Set<string>();
    for (const p of parentIds) {
      const k = p.toLowerCase();
      if (seen.has(k) || k === id.toLowerCase()) continue;
      seen.add(k);
      if (path.includes(k)) {
        notes.push(`cycle: ${p} is also a descendant`);
        continue;
      }
      if (depth + 1 > maxDepth) {
        notes.push(`stopped after ${maxDepth} levels at ${p}`);
        continue;
      }
      parents.push(await visit(p, depth + 1, [...path, id.toLowerCase()]));
    }

    // The family of the first ancestor that has one; else this repo starts a family of its own.
    const family =
      parents.find((p) => p.family)?.family ?? familyOfId(catalog, id) ?? `hub:${id.toLowerCase()}`;
    // Obligations flow down: a restricted or non-commercial ancestor's license binds this repo's
    // derivatives even when this repo declares something looser.
    const strictAncestor = parents.find((p) => STRICT.has(licenseKind(p.license) as LicenseFacts['kind']));
    let license = own.key;
    if (strictAncestor && !STRICT.has(licenseKind(own.key) as LicenseFacts['kind'])) {
      license = strictAncestor.license;
      notes.push(`inherits ${strictAncestor.license} from ${strictAncestor.id}`);
    } else if (!license) {
      license = parents.find((p) => p.license)?.license ?? null;
      if (license) notes.push(`no license of its own; inherits ${license}`);
    }
    if (own.via) notes.unshift(`license from ${own.via}`);

    // The config becomes a fingerprint only when it is new: one equal to a catalog checkpoint's
    // would tie with it for every other model of that geometry.
    let fingerprint: Record<string, unknown> = {};
    if (config) {
      const shape = normalizeShape(configFields(config.raw));
      if (!catalog.checkpoints.some((c) => matchShape(shape, c)?.strong)) fingerprint = config.raw;
    }
    const known = catalog.byId.get(id.toLowerCase());
    if (known) {
      // In the catalog with an unknown license: keep its fingerprint, learn only the license.
      const { shape: _shape, ...entry } = known;
      learned.set(id.toLowerCase(), {
        ...entry,
        license: license ?? known.license,
        sources: { ...known.sources, ...sources },
      });
      return {
        id,
        status: 'resolved',
        license,
        family: known.family,
        parents,
        ...(notes.length ? { detail: notes.join('; ') } : {}),
      };
    }
    learned.set(id.toLowerCase(), {
      id,
      family,
      license: license ?? 'unknown',
      ...(own.copyright && license === own.key ? { copyright: own.copyright } : {}),
      config: fingerprint,
      classes: {},
      sources,
      notes: `Learned from the Hub (${client.endpoint}/${id} at ${sha}).`,
    });
    return {
      id,
      status: 'resolved',
      license,
      family,
      parents,
      ...(notes.length ? { detail: notes.join('; ') } : {}),
    };
  }

  async function resolve(declared: readonly DeclaredBase[], cat: Catalog): Promise<UpstreamResolution> {
    catalog = cat;
    const out: UpstreamRecord[] = [];
    const seen = new Set<string>();
    for (const d of declared) {
      const id = d.id.trim();
      if (!id || seen.has(id.toLowerCase()) || !needsResolution(catalog, id)) continue;
      const node = await visit(id, 0, []);
      const chain: string[] = [];
      for (let n: Node | undefined = node; n && !chain.includes(n.id); n = n.parents[0]) chain.push(n.id);
      const walk = (n: Node, via: string) => {
        if (seen.has(n.id.toLowerCase())) return;
        seen.add(n.id.toLowerCase());
        out.push({
          id: n.id,
          status: n.status,
          license: n.license,
          via,
          ...(n === node && chain.length > 1 ? { chain } : {}),
          ...(n.fromCatalog ? { detail: 'in the catalog' } : n.detail ? { detail: n.detail } : {}),
        });
        for (const p of n.parents) walk(p, n.id);
      };
      walk(node, d.via);
    }
    return {
      extension: { checkpoints: [...learned.values()], licenses: { ...addedLicenses } },
      records: out,
    };
  }
  return { resolve };
}
